"""Ages as a slot: the age range a question narrows a list to ("unge over 18", "børn under 15",
"young people aged 15-24") and the age ranges the passages state ("mellem 10-17 år", "i alderen 18-25
år", "17½-25 år", "18+"). Like places and departments, an age is a name-like slot found by a pattern;
a list is narrowed by comparing the two ranges, never by the words around them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sikkerby.ingest.chunk import Chunk

#: the youngest and oldest ages a question or passage can mean (a larger number is a year or a count)
_YOUNGEST, _OLDEST = 0.0, 120.0
_NUM = r"(\d{1,2}(?:½|,5)?)"
_I = re.IGNORECASE
#: a question's age constraint; the person word before it ("unge", "børn") is shown in the answer
_ASKED = (
    (
        re.compile(
            rf"\b(?:mellem|between|fra|from)\s+{_NUM}\s*(?:og|and|til|to|-|–)\s*{_NUM}\s*(?:år|ar|aar|years?)?", _I
        ),
        "range",
    ),
    (re.compile(rf"\b(?:i alderen|aged?|alder)\s+{_NUM}\s*(?:-|–|til|to)\s*{_NUM}", _I), "range"),
    (re.compile(rf"(?<![\d,.])\b{_NUM}\s*(?:-|–)\s*{_NUM}\s*(?:år|ar|aar|years?(?: old)?)\b", _I), "range"),
    (
        re.compile(rf"\b(?:over|above|older than|ældre end|aeldre end|fra)\s+{_NUM}\b(?!\s*(?:%|procent|mio|kr))", _I),
        "over",
    ),
    (re.compile(rf"\b(?:under|below|younger than|yngre end)\s+{_NUM}\b(?!\s*(?:%|procent|mio|kr))", _I), "under"),
    # "unge 18+?" (but "18+ indsatsen" is a name)
    (re.compile(rf"(?<![\w+]){_NUM}\s*\+(?=\s*(?:år|ar|years?)?\s*(?:$|[?.,!]))", _I), "over"),
    # one age: "en 12-årig", "14-årige", "børn på 12 år", "aged 12", "a 12-year-old" ("i 12 år" is a time)
    (
        re.compile(
            rf"(?<![\d,.]){_NUM}\s*-?\s*(?:årige?|arige?|aarige?|years?[- ]old)\b"
            rf"|\b(?:på|pa)\s+{_NUM}\s*(?:år|ar|aar)\b|\baged?\s+{_NUM}\b(?!\s*(?:%|procent|mio|kr))",
            _I,
        ),
        "one",
    ),
)
#: an age range a passage states: "10-17 år", "mellem 15 og 24 år", "i alderen 18-25 år", "18+ Enhederne"
_STATED = (
    re.compile(rf"(?<![\d,.]){_NUM}\s*(?:-|–|og|til)\s*{_NUM}\s*(?:år|ar)\b", _I),
    re.compile(rf"(?<![\w+]){_NUM}\+", _I),
)
_PERSONS = re.compile(
    r"\b(børn|born|boern|unge|voksne|borgere|elever|young people|young adults|children|kids|adults|youths?)\s*$",
    _I,
)


@dataclass(frozen=True)
class AgeRange:
    low: float
    high: float
    #: how the question says it ("unge over 18")
    said: str = ""

    def overlaps(self, other: AgeRange) -> bool:
        return self.low <= other.high and other.low <= self.high


def _age(text: str) -> float:
    return float(text.replace("½", ".5").replace(",", "."))


def _plausible(*ages: float) -> bool:
    return all(3 <= a <= 99 for a in ages)


def asked_age(question: str) -> AgeRange | None:
    """The age range a question narrows to, or None ("Fagprincip 2", "budget 2024" are no ages)."""
    for pattern, how in _ASKED:
        for match in pattern.finditer(question):
            ages = [_age(g) for g in match.groups() if g]
            if not _plausible(*ages):
                continue
            before = _PERSONS.search(question[: match.start()])
            said = f"{before.group(1)} {match.group(0).strip()}" if before else match.group(0).strip()
            if how == "range":
                return AgeRange(min(ages), max(ages), said)
            if how == "one":
                return AgeRange(ages[0], ages[0] + 0.99, said)
            if how == "over":
                return AgeRange(ages[0] + (0.0 if "+" in match.group(0) else 0.5), _OLDEST, said)
            return AgeRange(_YOUNGEST, ages[0] - 0.5, said)
    return None


def stated_ages(text: str) -> list[AgeRange]:
    """The age ranges a passage states."""
    found: list[AgeRange] = []
    for match in _STATED[0].finditer(text):
        low, high = _age(match.group(1)), _age(match.group(2))
        if _plausible(low, high) and low < high:
            found.append(AgeRange(low, high))
    for match in _STATED[1].finditer(text):
        low = _age(match.group(1))
        if _plausible(low):
            found.append(AgeRange(low, _OLDEST))
    return found


def for_ages(chunks: Sequence[Chunk], asked: AgeRange) -> list[Chunk]:
    """The initiatives for the asked ages: those that state an age range overlapping it. When none
    states an age at all the list is not narrowed (the question's ages then say nothing about it)."""
    stating = [c for c in chunks if stated_ages(c.text)]
    if not stating:
        return list(chunks)
    return [c for c in stating if any(asked.overlaps(a) for a in stated_ages(c.text))]
