from __future__ import annotations

import pytest

from sikkerby.ingest.abbreviations import expand_abbreviations, find_abbreviations
from sikkerby.ingest.danish import fold, skeleton, split_sentences, stem, term, terms
from sikkerby.ingest.departments import find_departments, resolve_department


@pytest.mark.parametrize(
    ("typed", "document"),
    [
        ("Norrebro", "Nørrebro"),
        ("Noerrebro", "Nørrebro"),
        ("born", "børn"),
        ("okonomiforvaltningen", "Økonomiforvaltningen"),
        ("Nattevaerter", "Natteværter"),
        ("paa", "på"),
    ],
)
def test_folding_meets_danish_letters(typed: str, document: str):
    assert fold(typed) == fold(document)


def test_stemming_settles_plural_and_singular():
    assert stem("indsatser") == stem("indsats") == stem("indsatsen")
    assert term("Natteværterne") == term("natteværter")


def test_terms_drop_stopwords_and_split_hyphenated_words():
    assert terms("Hvad er Infohus-samarbejdet?") == [term("Infohus"), term("samarbejdet")]


def test_skeleton_ignores_ocr_confusions_of_danish_letters():
    assert skeleton(term("Kgbenhavn")) == skeleton(term("København"))
    assert skeleton(term("Natteveerter")) == skeleton(term("Natteværter"))
    assert skeleton(term("undersggelsen")) == skeleton(term("undersøgelsen"))


def test_sentences_do_not_break_at_abbreviations():
    text = "Samarbejde ml. Sikker By og politiet. Det virker bl.a. godt. Nu."
    assert split_sentences(text) == ["Samarbejde ml. Sikker By og politiet.", "Det virker bl.a. godt.", "Nu."]


def test_abbreviations_including_ocr_spellings():
    assert find_abbreviations("Sikker By (@KF) og SSP+ samt @U og FILT") == ["ØKF", "SSP+", "ØU", "FILT"]
    assert "Socialforvaltningen" in expand_abbreviations("Hvad laver SOF?")


def test_departments_are_found_despite_ocr():
    text = "Barne- og\nUngeforvaltningen, Beskeaeftigelses- og Integrationsforvaltningen og @konomiforvaltningen"
    assert find_departments(text) == (
        "Børne- og Ungdomsforvaltningen",
        "Beskæftigelses- og Integrationsforvaltningen",
        "Økonomiforvaltningen",
    )
    assert find_departments("Kultur- og Fritidsudvalget") == ()
    assert resolve_department("sof").name == "Socialforvaltningen"
    assert resolve_department("ØKF").code == "ØKF"
    assert resolve_department("Politiet") is None
