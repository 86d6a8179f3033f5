from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import SettingsError, data_dir, load_settings


def test_home_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIKKERBY_HOME", str(tmp_path / "x"))
    assert data_dir() == tmp_path / "x"
    assert load_settings().index_dir == tmp_path / "x" / "index"


def test_default_home_is_inside_the_checkout(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SIKKERBY_HOME")
    assert data_dir() == Path(__file__).resolve().parents[1] / ".sikkerby"


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
