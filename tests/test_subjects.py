"""Which initiative a passage is about (subjects.py) and names that a topic word only starts by accident
(names.py), on a tiny corpus of their own."""

from __future__ import annotations

import pytest

from sikkerby.assistant.matching import term_in
from sikkerby.assistant.subjects import defined_by, leading_name
from sikkerby.ingest import names
from sikkerby.ingest.danish import term, terms

TEXTS = [
    "Natteværter er til stede i Indre Bys natteliv om natten. De taler med gæsterne.",
    "Natteværterne holder møder med branchen.",
    "Natteværter i Indre By samt havneværter ved havnen.",
    "Kultur- og Fritidsforvaltningen udvikler tryghedsindsatsen. Halværter i Sundby Idrætspark.",
    "Der er en by med liv. Politiet ringer til Natteværterne og Støjvagten, og Sundby har en hal med vagter.",
]


@pytest.fixture(autouse=True)
def corpus_names(monkeypatch: pytest.MonkeyPatch) -> None:
    # this corpus's names for these tests only: the loaded index's stay registered for the others
    found, ordinary = names.proper_names(TEXTS)
    monkeypatch.setattr(names, "_names", found)
    monkeypatch.setattr(names, "_ordinary", ordinary)
    monkeypatch.setattr(names, "_known_rests", {})


def test_a_passage_is_about_the_initiative_it_names_first_never_a_department():
    found = names.proper_names(TEXTS)[0]
    assert leading_name(TEXTS[1], found) == term("Natteværter")
    assert leading_name(TEXTS[3], found) is None
    assert leading_name("Der er en by.", found) is None


def test_a_passage_defines_its_initiative_by_the_topic_only_in_a_sentence_that_says_what_it_is():
    found = names.proper_names(TEXTS)[0]
    assert defined_by(TEXTS[0], [term("natteliv")], found) == term("Natteværter")
    assert defined_by(TEXTS[0], [term("havn")], found) is None
    # no verb: a list of places, not what the initiative is
    assert defined_by(TEXTS[2], [term("havnen")], found) is None


def test_a_place_named_with_a_short_ending_is_no_compound_of_a_topic_word():
    assert not term_in(term("sundhed"), frozenset(terms(TEXTS[3])))
    assert term_in(term("støj"), frozenset(terms(TEXTS[4])))
