"""Follow-up questions in a conversation: what "dem", "de" or "den" refers to."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sikkerby.assistant.answer import Answer
from sikkerby.ingest.chunk import KIND_INITIATIVE
from sikkerby.ingest.danish import fold
from sikkerby.ingest.departments import find_departments

log = logging.getLogger(__name__)

# "Og hvilke af dem ...", "Hvilke af disse ...", "Hvem står bag den?", "What about them?"
# "Hvad af det handler om …?" asks about all of the previous answer, as "af dem" does
_PLURAL = re.compile(
    r"\b(af dem|af disse|(?:hvad|hvilke\w*|noget) af (?:alt )?det|heraf|dem|disse|deres|de nevnte"
    r"|of them|those|them|these)\b"
)
_SINGULAR = re.compile(
    r"\b([Dd]en|[Dd]et|[Dd]enne|[Dd]ette|[Ii]ndsatsen|[Ii]nitiativet|it|that one|this one)\b(?!\s+[A-ZÆØÅ])"
)
_CONTINUES = re.compile(r"^(og|men|hvad med|hvad sa med|and|but|what about)\b")
#: a continuation's opener and the prepositions before its new subject ("Og hvad med i Husum?")
_OPENER = re.compile(
    r"^\s*(?:og|men|and|but)?\s*(?:hvad\s+(?:så\s+|sa\s+)?med|what\s+about|how\s+about)?\s*"
    r"(?:(?:i|på|pa|om|med|mod|for|ved|in|on|about|with|at|for)\s+)?",
    re.IGNORECASE,
)
_ASKING = re.compile(
    r"\b(hvad|hvilke|hvilken|hvilket|hvem|hvor|hvornår|hvornar|hvordan|hvorfor|what|which|who|where|when|how|why)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FollowUp:
    """A question that refers to the previous answer: ``scope`` are the chunks it refers to."""

    scope: tuple[str, ...]
    plural: bool
    previous: Answer


def continuation_subject(question: str) -> str | None:
    """The new subject of a continuation ("Og hvad med Bispebjerg?" -> "Bispebjerg", "And extremism?"
    -> "extremism"): the same question again about something else. None for any other question."""
    if not _CONTINUES.match(fold(question)) or _TOPIC_SPLIT.search(question):
        return None
    rest = _OPENER.sub("", question, count=1).strip(" ?.!")
    if not rest or _ASKING.search(rest):
        return None
    # a department's long name is one subject ("And the Employment and Integration Administration?")
    if len(rest.split()) > 4 and not find_departments(rest):
        return None
    return rest


def substitute(previous: str, subject: str, spans: Sequence[tuple[int, int]]) -> str:
    """``previous`` with the words at ``spans`` (what it was about) replaced by ``subject``; without
    spans the subject is added at its end."""
    if not spans:
        return f"{previous.rstrip(' ?.!')} {subject}?"
    start, end = spans[0][0], spans[-1][1]
    return f"{previous[:start]}{subject}{previous[end:]}"


def resolve_follow_up(question: str, history: Sequence[Answer], chunk_kinds: dict[str, str]) -> FollowUp | None:
    """The chunks a follow-up refers to, taken from the last answer that cited initiatives."""
    text = fold(question)
    plural = bool(_PLURAL.search(text))
    if continuation_subject(question) is not None:
        return None
    # "den"/"det" before a capitalised word is part of a name ("Den Korte Snor"), not a pronoun
    singular = not plural and bool(_SINGULAR.search(question)) and len(text.split()) <= 12
    if not (plural or singular or _CONTINUES.match(text)):
        return None
    for previous in reversed(history):
        cited = [c.chunk_id for c in previous.citations if chunk_kinds.get(c.chunk_id) == KIND_INITIATIVE]
        if previous.abstained or not cited:
            continue
        if singular:
            return FollowUp(scope=(cited[0],), plural=False, previous=previous)
        if plural or _CONTINUES.match(text):
            return FollowUp(scope=tuple(cited), plural=len(cited) > 1, previous=previous)
    return None


_TOPIC_SPLIT = re.compile(r"\b(?:af dem|af disse|(?<=hvad )af det|heraf|of them|of those)\b", re.IGNORECASE)


def follow_up_topic(question: str) -> str:
    """A plural follow-up as the answer quotes it: the question as asked ("Og hvilke af dem er for unge
    over 18?"), whichever way it is phrased (the answer says which initiatives answer it)."""
    return " ".join(question.split()).strip(" .!")
