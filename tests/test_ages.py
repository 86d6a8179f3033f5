"""Ages as a slot: the range a question narrows to, the ranges the passages state."""

from __future__ import annotations

from sikkerby.assistant.ages import AgeRange, asked_age, for_ages, stated_ages
from sikkerby.ingest.chunk import Chunk


def test_asked_ages():
    assert asked_age("Hvilke indsatser er der for unge over 18?") == AgeRange(18.5, 120.0, "unge over 18")
    assert asked_age("indsatser til born under 15") == AgeRange(0.0, 14.5, "born under 15")
    found = asked_age("which initiatives are for young people aged 15-17?")
    assert found is not None and (found.low, found.high) == (15.0, 17.0)
    found = asked_age("tilbud til unge 18+?")
    assert found is not None and found.low == 18.0


def test_one_age_is_a_range_of_one_year():
    assert asked_age("Er der en indsats til 12-årige?") == AgeRange(12.0, 12.99, "12-årige")
    assert asked_age("Hvad kan vi tilbyde børn på 12 år?") == AgeRange(12.0, 12.99, "børn på 12 år")
    found = asked_age("Is there anything for a 14-year-old?")
    assert found is not None and (found.low, found.high) == (14.0, 14.99)
    # a duration or a time is no age
    assert asked_age("Jeg har arbejdet her i 12 år") is None
    assert asked_age("Kan man få svar på 30 minutter?") is None


def test_names_years_and_counts_are_no_ages():
    for question in (
        "Hvad er 18+ indsatsen?",
        "Hvad skete der fra 2017?",
        "Hvilke indsatser er med i budget 2024?",
        "Hvad siger Fagprincip 2?",
        "Hvor mange er over 50 procent?",
    ):
        assert asked_age(question) is None, question


def test_stated_ages():
    text = "unge i alderen 18-25 år, SSP+ for unge mellem 17½-25 år, mellem 15 og 24 år; 18+ Enhederne"
    assert [(a.low, a.high) for a in stated_ages(text)] == [(18, 25), (17.5, 25), (15, 24), (18, 120)]
    assert stated_ages("Halværter i Hal C, Budget 2023, Fagprincip 2") == []


def test_a_list_keeps_the_initiatives_whose_ages_meet_the_asked_ones():
    snor = Chunk("d", 1, "Den Korte Snor er til børn og unge mellem 10-17 år.")
    husum = Chunk("d", 1, "18+ indsatsen er et tilbud til unge i alderen 18-25 år.")
    job = Chunk("d", 1, "Fritidsjobindsatsen hjælper unge mellem 15 og 24 år.")
    other = Chunk("d", 1, "Natteværter i Indre By.")
    over_18 = asked_age("unge over 18")
    assert over_18 is not None
    assert for_ages([snor, husum, job, other], over_18) == [husum, job]
    under_15 = asked_age("børn under 15")
    assert under_15 is not None
    assert for_ages([snor, husum, job, other], under_15) == [snor]
    # no initiative states an age: the question's ages say nothing about the list
    assert for_ages([other], over_18) == [other]
