from __future__ import annotations

import pytest

from sikkerby.assistant.router import (
    DEPARTMENT_LIST,
    GENERAL,
    OVERVIEW,
    PRINCIPLE_LIST,
    PRINCIPLE_STATEMENT,
    WHICH_PRINCIPLE,
    QuestionRouter,
    find_principle,
)


@pytest.mark.parametrize(
    ("question", "kind", "principle"),
    [
        ("Hvilke indsatser implementerer Fagprincip 2?", PRINCIPLE_LIST, "Fagprincip 2"),
        ("Hvilke indsatser hører under grundprincip 1?", PRINCIPLE_LIST, "Grundprincip 1"),
        ("Nævn alle indsatser under det andet fagprincip", PRINCIPLE_LIST, "Fagprincip 2"),
        ("What initiatives fall under basic principle 2?", PRINCIPLE_LIST, "Grundprincip 2"),
        ("Hvilket princip hører Den Korte Snor under?", WHICH_PRINCIPLE, None),
        ("Under hvilket princip finder man Natteværterne?", WHICH_PRINCIPLE, None),
        ("Hører Den Korte Snor under Fagprincip 1?", WHICH_PRINCIPLE, "Fagprincip 1"),
        ("Which principle does Den Korte Snor belong to?", WHICH_PRINCIPLE, None),
        ("Hvad går fagprincip 3 ud på?", PRINCIPLE_STATEMENT, "Fagprincip 3"),
        ("Hvilke principper er der i strategien?", OVERVIEW, None),
        ("Hvilke indsatser har Socialforvaltningen?", DEPARTMENT_LIST, None),
        ("Hvad laver BIF?", DEPARTMENT_LIST, None),
        ("Hvornår startede Den Korte Snor?", GENERAL, None),
        ("Hvem er overborgmester?", GENERAL, None),
    ],
)
def test_routes(question: str, kind: str, principle: str | None):
    route = QuestionRouter().route(question)
    assert route.kind == kind
    assert route.principle == principle


def test_topic_routes_to_principle_by_content():
    route = QuestionRouter().route("Hvilke indsatser hører under princippet om natteliv?")
    assert (route.kind, route.topic) == (PRINCIPLE_LIST, "natteliv")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("GP1", "Grundprincip 1"),
        ("fp 5", "Fagprincip 5"),
        ("fagprincip nr. 4", "Fagprincip 4"),
        ("tredje fagprincip", "Fagprincip 3"),
        ("grundprincip to", "Grundprincip 2"),
        ("ingen her", None),
    ],
)
def test_find_principle(text: str, label: str | None):
    assert find_principle(text) == label
