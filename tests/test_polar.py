"""Yes/no questions: the verdict the cited text settles, in front of the answer, and none otherwise."""

from __future__ import annotations

import pytest

from sikkerby.assistant.polar import is_polar
from sikkerby.assistant.service import AssistantService


@pytest.mark.parametrize(
    "ask",
    [
        "Er SOF med i 18+ indsatsen?",
        "Har BUF indsatser under Fagprincip 5?",
        "Findes der en indsats mod partnervold?",
        "deltager bif i den korte snor",
        "Does KFF work with the police?",
        "Is there an initiative for homeless migrants?",
    ],
)
def test_a_question_opened_by_a_verb_before_its_subject_asks_yes_or_no(ask: str):
    assert is_polar(ask)


@pytest.mark.parametrize(
    "ask",
    [
        "Hvad er Natteværterne?",
        "Kan du fortælle mig om Natteværterne?",
        "Can you list the initiatives under Fagprincip 2?",
        "Er familieindsatsen under ekstremismeprincippet eller under tryghedsprincippet?",
        "Er der ikke en indsats for hjemløse?",
        "Natteværter?",
        "Hvilke indsatser er SOF med i?",
    ],
)
def test_a_request_a_choice_a_denial_or_a_question_word_asks_no_yes_or_no(ask: str):
    assert not is_polar(ask)


@pytest.mark.slow
def test_the_cited_text_settles_yes_or_no(service: AssistantService):
    yes = service.ask("Er SOF med i 18+ indsatsen?")
    assert yes.answer.startswith("Ja: Socialforvaltningen (SOF) nævnes i"), yes.answer
    # the passage that holds every asked word denies it
    denied = service.ask("Er 18+ indsatsen tilknyttet en fast matrikel?")
    assert denied.answer.startswith("Nej: ") and "ikke tilknyttet en fast matrikel" in denied.answer
    # a principle named in the ask that the initiative is not under
    assert service.ask("Hører Den Korte Snor under Fagprincip 3?").answer.startswith(
        "Nej: Indsatsen hører under Fagprincip 1"
    )
    assert service.ask("Hører Den Korte Snor under Fagprincip 1?").answer.startswith("Ja: ")
    # the document names another department there, or never names the place
    assert service.ask("Er BUF med i Den Korte Snor?").answer.startswith("Nej: Dokumentet nævner ikke")
    assert service.ask("Er der halværter i Valbyhallen?").answer.startswith("Nej: Dokumentet nævner ikke «Valbyhallen»")
    assert service.ask("Is there an initiative for homeless migrants?").answer.startswith("Yes: ")
    # a year the ask names that the cited sentence does not hold settles nothing
    wrong_year = service.ask("Is the partnervold collaboration with the police already running since 2023?")
    assert not wrong_year.answer.startswith(("Yes", "No")) and "2024" in wrong_year.answer, wrong_year.answer


@pytest.mark.slow
def test_no_verdict_where_the_document_says_neither(service: AssistantService):
    # it speaks of the initiative but not of whether it was evaluated
    unsettled = service.ask("Er Den Korte Snor blevet evalueret?")
    assert not unsettled.answer.startswith(("Ja", "Nej")), unsettled.answer
    # a request is answered as before
    assert not service.ask("Kan du fortælle mig om Natteværterne?").answer.startswith(("Ja", "Nej"))
