"""Bring a query toward the corpus's own spelling before it is embedded: people type "Norrebro",
"Noerrebro" or "born" where the documents say "Nørrebro" and "børn", and use abbreviations."""

from __future__ import annotations

import logging
from collections import Counter
from difflib import SequenceMatcher

from sikkerby.ingest.abbreviations import expand_inline
from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.danish import SKELETON_MIN, WORD_RE, fold, skeleton, term
from sikkerby.ingest.frequencies import zipf

log = logging.getLogger(__name__)

#: a typo is respelled by its consonant skeleton only when the word is at least this long
TYPO_MIN = 8
#: and only when its folded spelling is this close to the corpus word's (a typo, not another word)
TYPO_RATIO = 0.85
#: a word no Danish word spells is read as an everyday word typed without æ/ø/å or with a consonant
#: too few ("soger", "komunen") when that word is at least this common (Zipf scale)
EVERYDAY_ZIPF = 3.0
#: how æ, ø and å are typed on a keyboard without them
_UNTYPED = (("ae", "æ"), ("oe", "ø"), ("aa", "å"), ("a", "æ"), ("a", "å"), ("o", "ø"))
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxz")


class QueryNormalizer:
    """Replaces query words the corpus never uses by the corpus word with the same folded spelling."""

    def __init__(self, surface: dict[str, int]) -> None:
        self.vocabulary = set(surface)
        by_fold: dict[str, tuple[int, str]] = {}
        for word, count in surface.items():
            key = fold(word)
            if key not in by_fold or count > by_fold[key][0]:
                by_fold[key] = (count, word)
        self.by_fold = {key: word for key, (_count, word) in by_fold.items()}
        # a long word's skeleton, when every corpus word with it is one word inflected the same way
        by_skeleton: dict[str, set[str]] = {}
        for word in self.by_fold.values():
            if len(word) >= TYPO_MIN:
                by_skeleton.setdefault(skeleton(word), set()).add(word)
        self.by_skeleton = {
            key: max(found, key=lambda w: surface.get(w, 0))
            for key, found in by_skeleton.items()
            if len(key) >= SKELETON_MIN and len({term(w) for w in found}) == 1
        }

    @staticmethod
    def surface_counts(chunks: list[Chunk]) -> dict[str, int]:
        """How often each lowercase word occurs in the chunks (stored with the index)."""
        surface: Counter[str] = Counter()
        for chunk in chunks:
            surface.update(w.lower() for w in WORD_RE.findall(chunk.text))
        return dict(surface)

    def respell(self, word: str) -> str:
        lower = word.lower()
        if lower in self.vocabulary:
            return word
        found = self.by_fold.get(fold(lower))
        if found is None and len(lower) >= TYPO_MIN and zipf(lower, "da") < 1.0:
            # a typo no Danish word spells ("tryghedsvagtr"), with the skeleton of one corpus word
            found = self.by_skeleton.get(skeleton(lower))
            if found is not None and SequenceMatcher(None, fold(lower), fold(found)).ratio() < TYPO_RATIO:
                found = None
        if found is None and len(lower) >= 4 and zipf(lower, "da") < 1.0:
            found = _everyday(lower)
        if found is None:
            return word
        return found.capitalize() if word[:1].isupper() else found

    def normalize(self, query: str) -> str:
        respelled = WORD_RE.sub(lambda m: self.respell(m.group(0)), query)
        return expand_inline(respelled)


def _everyday(word: str) -> str | None:
    """The common Danish word ``word`` is a keyboard's spelling of: one æ/ø/å typed as a, o, ae, oe or
    aa ("soger": "søger"), or one consonant typed once for twice ("komunen": "kommunen"); None when no
    such spelling is an everyday word."""
    candidates: set[str] = set()
    for typed, letter in _UNTYPED:
        start = word.find(typed)
        while start >= 0:
            candidates.add(word[:start] + letter + word[start + len(typed) :])
            start = word.find(typed, start + 1)
    for i, char in enumerate(word[1:-1], start=1):
        if char in _CONSONANTS and word[i - 1] != char and word[i + 1] != char:
            candidates.add(word[: i + 1] + word[i:])
    scored = sorted(((zipf(c, "da"), c) for c in candidates), reverse=True)
    if not scored or scored[0][0] < EVERYDAY_ZIPF:
        return None
    return scored[0][1]
