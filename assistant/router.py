"""Decide what kind of question this is, so each kind gets the answer it needs."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import Enum
from functools import cache

from sikkerby.ingest.danish import fold
from sikkerby.ingest.departments import DEPARTMENTS, Department

log = logging.getLogger(__name__)


class RouteKind(str, Enum):
    """The answers the assistant can give; each has one handler in :class:`~sikkerby.assistant.answering.Answerer`."""

    GENERAL = "general"
    PRINCIPLE_LIST = "principle_list"
    PRINCIPLE_STATEMENT = "principle_statement"
    TOPIC_LIST = "topic_list"
    WHICH_PRINCIPLE = "which_principle"
    DEPARTMENT_LIST = "department_list"
    OVERVIEW = "overview"
    OUT_OF_SCOPE = "out_of_scope"

    def __str__(self) -> str:
        return self.value


GENERAL = RouteKind.GENERAL
PRINCIPLE_LIST = RouteKind.PRINCIPLE_LIST
PRINCIPLE_STATEMENT = RouteKind.PRINCIPLE_STATEMENT
TOPIC_LIST = RouteKind.TOPIC_LIST
WHICH_PRINCIPLE = RouteKind.WHICH_PRINCIPLE
DEPARTMENT_LIST = RouteKind.DEPARTMENT_LIST
OVERVIEW = RouteKind.OVERVIEW
OUT_OF_SCOPE = RouteKind.OUT_OF_SCOPE

_NUMBER_WORDS = {
    "et": 1,
    "en": 1,
    "to": 2,
    "tre": 3,
    "fire": 4,
    "fem": 5,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
}
_ORDINALS = {
    "forste": 1,
    "andet": 2,
    "anden": 2,
    "tredje": 3,
    "fjerde": 4,
    "femte": 5,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
}
_KIND = {
    "grund": "Grundprincip",
    "gp": "Grundprincip",
    "fag": "Fagprincip",
    "fp": "Fagprincip",
    "core": "Grundprincip",
    "basic": "Grundprincip",
    "fundamental": "Grundprincip",
    "professional": "Fagprincip",
    "specific": "Fagprincip",
    "thematic": "Fagprincip",
}

_NUM = r"(\d|et|en|to|tre|fire|fem|one|two|three|four|five)"
_EXPLICIT = [
    re.compile(rf"\b(grund|fag)\s*-?\s*princip\w*\s*(?:nr\.?\s*|nummer\s*)?{_NUM}\b"),
    re.compile(r"\b(forste|andet|anden|tredje|fjerde|femte)\s+(grund|fag)\s*-?\s*princip"),
    re.compile(r"\b(gp|fp)\s*-?\s*(\d)\b"),
    re.compile(rf"\b(core|basic|fundamental|professional|specific|thematic)\s+principle\s*(?:no\.?\s*)?{_NUM}\b"),
    re.compile(
        r"\b(first|second|third|fourth|fifth)\s+(core|basic|fundamental|professional|specific|thematic)"
        r"\s+principle"
    ),
]
#: the patterns that find a principle named by number (for others that need to find them too)
EXPLICIT_PRINCIPLE: tuple[re.Pattern[str], ...] = tuple(_EXPLICIT)
_TOPIC = re.compile(r"\bprincip(?:pet|per)?\s+(?:om|for|der handler om|vedrorende|about|on)\s+(.+?)[?.!]*$")
_INITIATIVE_WORDS = (
    r"(indsats\w*|initiativ\w*|tiltag\w*|eksempl\w*|projekt\w*|aktivitet\w*|initiatives?|examples?|measures?)"
)
_LIST_INTENT = re.compile(
    rf"\b(hvilke|hvad|nevn|list\w*|vis|giv|alle|which|what|show|name)\b.*\b{_INITIATIVE_WORDS}"
    rf"|\b{_INITIATIVE_WORDS}\b.*\b(horer|hore|falder|ligger|implementer\w*|under|belong|fall|implement\w*)\b"
    rf"|\b(horer|falder|ligger)\s+(ind\s+)?under\b"
)
_STATEMENT_INTENT = re.compile(
    r"\b(hvad\s+(gar|handler|siger|betyder|er|indebaerer|lyder|star)|ud\s+pa|formal\w*|ordlyd|formulering\w*"
    r"|lyder|beskriv\w*|forklar\w*|principteksten|what\s+(is|does|says))\b"
)

_NOT_INITIATIVE = r"(?!indsats|initiativ|tiltag|eksempl|projekt|aktivitet|initiative|example|measure)"
_WHICH_PRINCIPLE = re.compile(
    rf"\b(hvilke[t]?|which|what)\s+(?:{_NOT_INITIATIVE}\w+\s+){{0,2}}?(grund|fag)?\s*-?\s*princip(?!per|les)"
    r"|\bunder\s+hvilke[t]?\b|\bhvilke[t]?\s+af\s+(grund|fag)?principperne"
)
_BELONGS = re.compile(
    r"\bprincip\w*\b.*\b(horer|hore|falder|ligger|belongs?|falls?)\b"
    r"|\b(horer|hore|falder|ligger|belongs?|falls?)\b.*\bunder\b.*princip"
)
_INITIATIVE_RE = re.compile(rf"\b{_INITIATIVE_WORDS}\b")
_OVERVIEW = re.compile(
    r"\b(hvilke|hvad\s+er|hvor\s+mange|list\w*|nevn|giv|vis|which|what\s+are|how\s+many|overblik|oversigt)\b"
    r".*\b(principper(ne)?|grundprincipper(ne)?|fagprincipper(ne)?|principles)\b"
)
_DEPARTMENT_INTENT = re.compile(
    rf"\b(hvilke|hvad|nevn|list\w*|vis|which|what)\b.*\b({_INITIATIVE_WORDS}|laver|gor|bidrager|deltager"
    rf"|ansvar\w*|opgaver|does|do)\b"
)


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    principle: str | None = None
    topic: str | None = None
    department: str | None = None
    #: the question asks for a kind of fact: if the passages lack it, say what they do say and what not
    partial: bool = False
    #: the models judge that the document says less than asked, without a kind of fact to name: the
    #: answer says so ("… siger ikke mere om X")
    scant: bool = False


def find_principles(question: str) -> list[str]:
    """The principles a question names explicitly ("Fagprincip 2", "andet grundprincip", "GP1"), in the
    order it names them."""
    text = fold(question)
    found: list[tuple[int, str]] = []
    for pattern in _EXPLICIT:
        for match in pattern.finditer(text):
            a, b = match.group(1), match.group(2)
            if a in _ORDINALS:
                number, kind = _ORDINALS[a], _KIND[b]
            else:
                kind = _KIND[a]
                number = int(b) if b.isdigit() else _NUMBER_WORDS[b]
            for position, n in ((match.start(), number), *_elided(text, match.end(), number)):
                label = f"{kind} {n}"
                if all(label != seen for _, seen in found):
                    found.append((position, label))
    return [label for _, label in sorted(found)]


#: more numbers after a principle named by number, its noun left out ("fagprincip 1 og 2", "GP 1, 2 eller
#: 3", "fagprincip 1-3"): digits only, as "fagprincip 2 og en anden" names one
_ELIDED = re.compile(r"\s*(?:,|og|eller|and|or|&|-|–)\s*(\d)\b(?!\s*(?:år|ar|%|\.\d))")


def _elided(text: str, end: int, last: int) -> list[tuple[int, int]]:
    """(position, number) of each number that continues principle number ``last`` at ``end`` of
    ``text``; a range ("1-3") also gives the numbers between."""
    out: list[tuple[int, int]] = []
    while (match := _ELIDED.match(text, end)) is not None:
        number = int(match.group(1))
        between = range(last + 1, number) if match.group(0).strip()[:1] in "-–" and number <= last + 4 else ()
        out.extend((match.start(1), n) for n in [*between, number])
        last, end = number, match.end()
    return out


def find_principle(question: str) -> str | None:
    """The first principle a question names explicitly."""
    found = find_principles(question)
    return found[0] if found else None


#: how close a misspelt word must be to a department's last name word ("socialforvaltnigen")
_DEPARTMENT_SPELLING = 0.88


def find_departments_named(question: str) -> list[Department]:
    """The departments a question names (by name, code, genitive or English name, or the last word of
    its name misspelt: "socialforvaltnigen", "fritidsforvaltingen"), in its order."""
    flat = re.sub(r"\s+", " ", question)
    found = [(m.start(), d) for d in DEPARTMENTS if (m := d.pattern.search(flat))]
    named = {d.code for _, d in found}
    for m in re.finditer(r"\w+", fold(flat)):
        for d in DEPARTMENTS:
            if d.code not in named and misspells_department(m.group(), d):
                found.append((m.start(), d))
                named.add(d.code)
    return [d for _, d in sorted(found, key=lambda pair: pair[0])]


def misspells_department(word: str, department: Department) -> bool:
    """Whether the folded ``word`` is the last word of the department's name (or its form without the
    article, "-forvaltning", or genitive) with a letter or two wrong."""
    if len(word) < 12:
        return False
    return any(SequenceMatcher(None, word, form).ratio() >= _DEPARTMENT_SPELLING for form in _name_forms(department))


@cache
def _name_forms(department: Department) -> tuple[str, ...]:
    name = fold(department.name.split()[-1])
    stem = name.removesuffix("en")
    return (name, stem, stem + "s")


def find_department(question: str) -> Department | None:
    found = find_departments_named(question)
    return found[0] if found else None


class QuestionRouter:
    """Slots by name patterns, and the route the patterns alone suggest: used when no fitted question
    models are available, and as the slot source for the policy that uses them."""

    def route(self, question: str) -> Route:
        text = fold(question).strip()
        principle = find_principle(question)
        if _WHICH_PRINCIPLE.search(text) or (_BELONGS.search(text) and not _INITIATIVE_RE.search(text)):
            return Route(WHICH_PRINCIPLE, principle=principle)
        if principle:
            if _LIST_INTENT.search(text) or not _STATEMENT_INTENT.search(text):
                return Route(PRINCIPLE_LIST, principle=principle)
            return Route(PRINCIPLE_STATEMENT, principle=principle)
        topic = _TOPIC.search(text)
        if topic:
            kind = PRINCIPLE_LIST if _LIST_INTENT.search(text) else PRINCIPLE_STATEMENT
            return Route(kind, topic=topic.group(1).strip())
        if _OVERVIEW.search(text):
            return Route(OVERVIEW)
        department = find_department(question)
        if department and _DEPARTMENT_INTENT.search(text):
            return Route(DEPARTMENT_LIST, department=department.name)
        return Route(GENERAL)
