"""Bring a query toward the corpus's own spelling before it is embedded: people type "Norrebro",
"Noerrebro" or "born" where the documents say "Nørrebro" and "børn", and use abbreviations."""

from __future__ import annotations

import logging
from collections import Counter

from sikkerby.ingest.abbreviations import expand_inline
from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.danish import WORD_RE, fold

log = logging.getLogger(__name__)


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
        if found is None:
            return word
        return found.capitalize() if word[:1].isupper() else found

    def normalize(self, query: str) -> str:
        respelled = WORD_RE.sub(lambda m: self.respell(m.group(0)), query)
        return expand_inline(respelled)
