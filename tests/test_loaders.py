from __future__ import annotations

from pathlib import Path

import pytest

from sikkerby.ingest.errors import IngestError
from sikkerby.ingest.loaders import expand_paths, load_document, split_text_pages
from tests.conftest import CORPUS_FILE, FIXTURES


def test_bundled_text_has_five_pages_marked_by_a_leading_space():
    document = load_document(CORPUS_FILE)
    assert [p.number for p in document.pages] == [1, 2, 3, 4, 5]
    assert document.pages[2].text.lstrip().startswith("Fagprincip")
    assert document.pages[1].text.startswith(" haendelser")


def test_form_feeds_split_pages_when_present():
    assert split_text_pages("a\fb\fc") == ["a", "b", "c"]


def test_markdown_is_one_page(tmp_path: Path):
    path = tmp_path / "notat.md"
    path.write_text("# Notat\n\n Indrykket linje er ikke en ny side.\n", encoding="utf-8")
    assert len(load_document(path).pages) == 1


def test_pdf_keeps_page_numbers_and_danish_letters():
    document = load_document(FIXTURES / "strategy_sample.pdf")
    assert [p.number for p in document.pages] == [1, 2]
    assert "Nørrebro" in document.pages[0].text
    assert "Børne- og Ungdomsforvaltningen" in document.pages[1].text


def test_windows_1252_text_is_decoded(tmp_path: Path):
    path = tmp_path / "cp1252.txt"
    path.write_bytes("Natteværterne på Nørrebro".encode("cp1252"))
    assert load_document(path).text == "Natteværterne på Nørrebro"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("garbage.pdf", b"\x00\x01\x02 this is not a pdf" * 20, "unreadable PDF"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
        ("binary.txt", b"\x00\xff\x00\xff" * 100, "binary"),
    ],
)
def test_bad_files_raise_one_clear_error(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        load_document(path)
    assert name in str(info.value)
    assert reason in str(info.value)


def test_missing_file(tmp_path: Path):
    with pytest.raises(IngestError, match="file not found"):
        load_document(tmp_path / "nope.txt")


def test_directories_expand_to_supported_files(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "b.md", "sub/c.pdf", "d.jpg"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.txt", "b.md", "c.pdf"]
