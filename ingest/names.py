"""Proper names of the corpus (places, named units), so that a topic word is not found inside one by
accident: "vold" is the first part of "Voldparken", a place in Husum, not a compound about violence.

A name is a word the documents always write with a capital letter, also inside a sentence. A topic
word that is a name's first part matches it only when the rest is an ordinary part of words ("Støj" +
"vagterne", "Natteliv" + s + "planen"); a name's rest that only ever ends other names ("parken",
"bjerg") makes it a place named after something, not about it. The set is registered once per loaded
index (``register``) and read by the compound matching of the search and of the question models."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sikkerby.ingest.danish import split_sentences, term, words

#: linking letters between a compound's parts ("nattelivs|planen", "diskriminations|handleplan")
_LINKS = "se"
#: the shortest head a compound name has ("Støj|vagten", "Natteliv|s|planen")
_HEAD_MIN = 3

_names: frozenset[str] = frozenset()
_ordinary: frozenset[str] = frozenset()
_known_rests: dict[str, bool] = {}


def proper_names(texts: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """(the terms always capitalised, at least once inside a sentence; every other term)."""
    upper: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    for text in texts:
        for sentence in split_sentences(text):
            for i, word in enumerate(words(sentence)):
                t = term(word)
                if not t:
                    continue
                if word[:1].isupper():
                    upper[t] += 1
                    inside[t] += i > 0
                else:
                    lower[t] += 1
    names = frozenset(t for t in upper if not lower[t] and inside[t] and not t.isupper())
    ordinary = frozenset(t for t in (*upper, *lower) if t not in names)
    return names, ordinary


def register(texts: Iterable[str]) -> None:
    """Takes the names of a loaded corpus."""
    global _names, _ordinary
    _names, _ordinary = proper_names(texts)
    _known_rests.clear()


def is_name(t: str) -> bool:
    """Whether the term ``t`` is one of the corpus's proper names ("natteværterne", "voldparken")."""
    return t in _names


def starts_name(prefix: str, candidate: str) -> bool:
    """Whether ``candidate`` is a proper name that ``prefix`` only starts by accident: the rest of the
    name (after a linking letter, if any) is no ordinary word nor the start or end of one."""
    if candidate not in _names or not candidate.startswith(prefix) or candidate == prefix:
        return False
    rest = candidate[len(prefix) :]
    if rest[0] in _LINKS and len(rest) > 3:
        return False
    if len(rest) < _HEAD_MIN:
        # a name's short ending is a place's ("Sund|by", "Val|by"), never a compound's head
        return True
    known = _known_rests.get(rest)
    if known is None:
        known = _known_rests[rest] = any(o.startswith(rest) or o.endswith(rest) for o in _ordinary)
    return not known
