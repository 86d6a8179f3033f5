"""Sparse BM25 over Danish search terms (stemmed, folded), scored with bm25s's sparse matrix."""

from __future__ import annotations

import bisect
from pathlib import Path

import bm25s
import numpy as np

from ingest.danish import SKELETON_MIN, skeleton

#: Query terms at least this long also match the compounds they start or end
#: ("fritidsjob" -> "fritidsjobindsats", "indsats" -> "skoleindsats").
COMPOUND_MIN = 4
COMPOUND_WEIGHT = 0.5
#: A query term missing from the vocabulary also matches terms with the same consonant skeleton
#: (OCR-damaged spellings such as "natteveert" for "nattevært").
SKELETON_WEIGHT = 0.8
#: A query compound missing from the vocabulary matches its known parts ("bandekriminalitet").
PART_MIN = 4
PART_WEIGHT = 0.4


class BM25Index:
    """BM25 scores for every document for a list of query terms."""

    def __init__(self, model: bm25s.BM25) -> None:
        self.model = model
        self.vocab: dict[str, int] = {t: i for t, i in model.vocab_dict.items() if t}
        self._sorted = sorted(self.vocab)
        self._reversed = sorted(t[::-1] for t in self.vocab)
        self._df = np.diff(model.scores["indptr"])
        self._skeletons: dict[str, list[str]] = {}
        for t in self.vocab:
            key = skeleton(t)
            if len(key) >= SKELETON_MIN:
                self._skeletons.setdefault(key, []).append(t)

    @classmethod
    def build(cls, documents: list[list[str]]) -> BM25Index:
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index(bm25s.tokenization.Tokenized(*_to_ids(documents)), show_progress=False)
        return cls(model)

    @property
    def size(self) -> int:
        return int(self.model.scores["num_docs"])

    def expand(self, term: str) -> list[tuple[str, float]]:
        """The vocabulary terms a query term matches, with weights (compound parts count half)."""
        out: list[tuple[str, float]] = []
        if term in self.vocab:
            out.append((term, 1.0))
        else:
            out.extend((found, SKELETON_WEIGHT) for found in self._skeletons.get(skeleton(term), ()))
            if not out:
                out.extend((part, PART_WEIGHT) for part in self.known_parts(term))
        if len(term) >= COMPOUND_MIN:
            for found in _with_prefix(self._sorted, term):
                if found != term:
                    out.append((found, COMPOUND_WEIGHT))
            for found in _with_prefix(self._reversed, term[::-1]):
                found = found[::-1]
                if found != term:
                    out.append((found, COMPOUND_WEIGHT))
        return out

    def known_parts(self, term: str) -> list[str]:
        """Vocabulary terms that a compound query term starts or ends with (at least 4 letters)."""
        parts = []
        for i in range(PART_MIN, len(term) - 2):
            if term[:i] in self.vocab:
                parts.append(term[:i])
        for i in range(2, len(term) - PART_MIN + 1):
            if term[i:] in self.vocab:
                parts.append(term[i:])
        return parts

    def scores(self, query_terms: list[str]) -> np.ndarray:
        total = np.zeros(self.size, dtype=np.float32)
        weights: dict[str, float] = {}
        for term in query_terms:
            for found, weight in self.expand(term):
                weights[found] = max(weights.get(found, 0.0), weight)
        for found, weight in weights.items():
            total += weight * self.model.get_scores([found])
        return total

    def document_frequency(self, term: str) -> int:
        """In how many documents ``term`` occurs (compound matches not counted)."""
        token_id = self.vocab.get(term)
        return 0 if token_id is None else int(self._df[token_id])

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.model.save(str(directory), allow_pickle=False, show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        model = bm25s.BM25.load(str(directory), allow_pickle=False, load_corpus=False, show_progress=False)
        return cls(model)


def _to_ids(documents: list[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocab: dict[str, int] = {"": 0}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc] for doc in documents]
    return ids, vocab


def _with_prefix(sorted_terms: list[str], prefix: str, limit: int = 64) -> list[str]:
    start = bisect.bisect_left(sorted_terms, prefix)
    out = []
    for term in sorted_terms[start : start + limit]:
        if not term.startswith(prefix):
            break
        out.append(term)
    return out
