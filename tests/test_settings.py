from __future__ import annotations

from pathlib import Path

import pytest

from sikkerby.assistant.settings import SettingsError, data_dir, load_settings


def test_home_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIKKERBY_HOME", str(tmp_path / "x"))
    assert data_dir() == tmp_path / "x"
    assert load_settings().index_dir == tmp_path / "x" / "index"


def test_default_home_is_the_user_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SIKKERBY_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "sikkerby"


def test_bundled_data_is_found_as_package_data():
    from sikkerby.assistant.settings import BUNDLED_CORPUS
    from sikkerby.eval.runner import DEFAULT_GOLDEN, default_baseline

    assert (BUNDLED_CORPUS / "sikker-by-eksempler-2022-2025.txt").is_file()
    assert all(p.is_file() for p in DEFAULT_GOLDEN)
    assert default_baseline("test").is_file() and default_baseline("blind").is_file()
    # found through the package, whatever the working directory
    assert BUNDLED_CORPUS.parent.parent.name == "assistant"


def test_env_then_overrides(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIKKERBY_TOP_K", "7")
    monkeypatch.setenv("SIKKERBY_REPAIR", "no")
    settings = load_settings()
    assert (settings.top_k, settings.repair) == (7, False)
    assert load_settings(top_k=3).top_k == 3


def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIKKERBY_TOP_K", "many")
    with pytest.raises(SettingsError, match="setting top_k"):
        load_settings()
    monkeypatch.delenv("SIKKERBY_TOP_K")
    with pytest.raises(SettingsError, match="unknown settings: colour"):
        load_settings(colour="blue")
    with pytest.raises(SettingsError, match="setting embedder"):
        load_settings(embedder="word2vec")
