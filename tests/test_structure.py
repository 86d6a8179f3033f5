"""The structure parser against the bundled strategy; counts were made by hand from the document."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_INTRO, KIND_PASSAGE, KIND_PRINCIPLE, Chunk
from sikkerby.ingest.loaders import load_document
from sikkerby.ingest.pipeline import Ingestor
from sikkerby.ingest.structure import StrategyParser, order_statement
from tests.conftest import CORPUS_FILE, FIXTURES

# Counted by hand: one initiative per bullet of the right-hand column (see README, "Design").
HAND_COUNTS = {
    "Grundprincip 1": 10,
    "Grundprincip 2": 9,
    "Fagprincip 1": 9,
    "Fagprincip 2": 5,
    "Fagprincip 3": 5,
    "Fagprincip 4": 9,
    "Fagprincip 5": 5,
}


@pytest.fixture(scope="module")
def chunks() -> list[Chunk]:
    parsed = StrategyParser().parse(load_document(CORPUS_FILE))
    assert parsed is not None
    return parsed


def test_finds_all_seven_principles_in_order(chunks: list[Chunk]):
    principles = [c.principle for c in chunks if c.kind == KIND_PRINCIPLE]
    assert principles == list(HAND_COUNTS)


def test_initiative_count_per_principle_matches_hand_count(chunks: list[Chunk]):
    counts = Counter(c.principle for c in chunks if c.kind == KIND_INITIATIVE)
    assert dict(counts) == HAND_COUNTS
    assert sum(counts.values()) == 52


def test_each_initiative_carries_its_principle_statement(chunks: list[Chunk]):
    statements = {c.principle: c.statement for c in chunks if c.kind == KIND_PRINCIPLE}
    for chunk in chunks:
        if chunk.kind == KIND_INITIATIVE:
            assert chunk.statement == statements[chunk.principle]


def test_statement_fragments_are_put_back_in_reading_order(chunks: list[Chunk]):
    gp1 = next(c for c in chunks if c.kind == KIND_PRINCIPLE and c.principle == "Grundprincip 1")
    assert "samarbejdspartnere for at sikre helhedsorienterede og koordinerede" in gp1.statement
    assert gp1.statement.startswith("Vi samarbejder bredt")
    assert not gp1.statement.startswith("1.")


def test_order_statement_puts_numbered_first_and_sentence_end_last():
    assert order_statement(["1. Vi gør", "det godt.", "altid"]) == "1. Vi gør altid det godt."


def test_pages_follow_the_leading_space_page_marks(chunks: list[Chunk]):
    pages = {c.principle: c.page for c in chunks if c.kind == KIND_PRINCIPLE}
    assert pages == {
        "Grundprincip 1": 1,
        "Grundprincip 2": 2,
        "Fagprincip 1": 3,
        "Fagprincip 2": 3,
        "Fagprincip 3": 4,
        "Fagprincip 4": 4,
        "Fagprincip 5": 5,
    }


def test_sentences_that_point_back_stay_with_their_initiative(chunks: list[Chunk]):
    texts = [c.text for c in chunks if c.kind == KIND_INITIATIVE]
    # "Data herfra ...", "Indsatsen ...", "Forandringsplanerne ..." continue the item before them
    assert any("MainManager" in t and "Data herfra" in t for t in texts)
    assert any(t.startswith("Den Korte Snor") and "Indsatsen kombinerer" in t for t in texts)
    assert any("Husum Nord" in t and "Forandringsplanerne" in t for t in texts)
    # ... while a new named initiative starts a new chunk
    assert any(t.startswith("Aktivitetspuljen") for t in texts)
    assert any(t.startswith("Idreetsprojektet") for t in texts)


def test_departments_are_expanded_from_names_and_codes(chunks: list[Chunk]):
    by_start = {c.text[:30]: c for c in chunks if c.kind == KIND_INITIATIVE}
    hfi = next(c for k, c in by_start.items() if k.startswith("Som en del af Budget 2023"))
    assert hfi.departments == (
        "Kultur- og Fritidsforvaltningen",
        "Socialforvaltningen",
        "Børne- og Ungdomsforvaltningen",
        "Beskæftigelses- og Integrationsforvaltningen",
    )
    station = next(c for k, c in by_start.items() if "Banedanmark" in c.text)
    assert station.departments == ("Teknik- og Miljøforvaltningen", "Økonomiforvaltningen")


def test_ids_are_unique_and_stable(chunks: list[Chunk]):
    ids = [c.id for c in chunks]
    assert len(set(ids)) == len(ids)
    again = StrategyParser().parse(load_document(CORPUS_FILE))
    assert again is not None and [c.id for c in again] == ids


def test_intro_chunk_has_no_principle(chunks: list[Chunk]):
    intro = [c for c in chunks if c.kind == KIND_INTRO]
    assert len(intro) == 1 and intro[0].principle is None
    assert "Udvalgte indsatser" not in intro[0].text


def test_structured_pdf_is_parsed_with_pages():
    parsed = StrategyParser().parse(load_document(FIXTURES / "strategy_sample.pdf"))
    assert parsed is not None
    principles = [(c.principle, c.page) for c in parsed if c.kind == KIND_PRINCIPLE]
    assert principles == [("Grundprincip 1", 1), ("Fagprincip 1", 2)]
    assert Counter(c.principle for c in parsed if c.kind == KIND_INITIATIVE) == {"Grundprincip 1": 2, "Fagprincip 1": 1}


def test_document_without_structure_gets_plain_chunks(tmp_path: Path):
    path = tmp_path / "referat.txt"
    path.write_text(("Mødet handlede om belysning i parker og om bænke ved søerne. " * 40).strip(), encoding="utf-8")
    result = Ingestor().ingest([path, FIXTURES / "plain_sample.pdf"])
    assert not result.errors
    assert {c.kind for c in result.chunks} == {KIND_PASSAGE}
    assert all(c.principle is None for c in result.chunks)
    assert all(len(c.text) <= 900 for c in result.chunks)
    assert len([c for c in result.chunks if c.document == "referat.txt"]) >= 3
    assert {c.page for c in result.chunks if c.document == "plain_sample.pdf"} == {1, 2}


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    result = Ingestor().ingest([bad, CORPUS_FILE])
    assert [e.path for e in result.errors] == [str(bad)]
    assert result.documents == [CORPUS_FILE.name]
