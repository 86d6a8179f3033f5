"""Hybrid retrieval: dense (a :class:`VectorStore`: FAISS or pgvector) and BM25 rankings fused with reciprocal
rank fusion."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sikkerby.index.bm25 import BM25Index
from sikkerby.index.embedders.base import Embedder
from sikkerby.index.query import QueryNormalizer
from sikkerby.index.text import query_terms
from sikkerby.index.vectorstores.base import SearchFilter, VectorStore
from sikkerby.ingest.chunk import Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk. ``score`` is the fused RRF score (for ranking only); ``dense_score`` is
    the cosine similarity to the query, ``bm25_score`` the lexical score."""

    chunk: Chunk
    score: float
    dense_score: float
    bm25_score: float
    dense_rank: int | None
    bm25_rank: int | None
    #: the chunk's row in the dense and BM25 indexes
    row: int = -1


class HybridRetriever:
    """Searches one loaded index; filters restrict both rankings before fusion."""

    def __init__(
        self,
        chunks: list[Chunk],
        dense: VectorStore,
        bm25: BM25Index,
        embedder: Embedder,
        *,
        rrf_k: int = 60,
        candidates: int = 50,
        surface: dict[str, int] | None = None,
    ) -> None:
        self.chunks = chunks
        self.dense = dense
        self.bm25 = bm25
        self.embedder = embedder
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.normalizer = QueryNormalizer(surface if surface is not None else QueryNormalizer.surface_counts(chunks))
        self._rows = {c.id: i for i, c in enumerate(chunks)}

    def row_of(self, chunk_id: str) -> int:
        """The chunk's row in the dense and BM25 indexes."""
        return self._rows[chunk_id]

    def allowed_rows(self, search_filter: SearchFilter) -> np.ndarray | None:
        if search_filter.empty:
            return None
        return np.array([i for i, c in enumerate(self.chunks) if search_filter.accepts(c)], dtype=np.int64)

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding, after respelling it the corpus's way and spelling out abbreviations."""
        return self.embedder.embed_queries([self.normalizer.normalize(query)])[0]

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        search_filter: SearchFilter | None = None,
        vector: np.ndarray | None = None,
        lexical: bool = True,
        lexical_query: str | None = None,
    ) -> list[Hit]:
        """The ``k`` best chunks for ``query`` among those the filter accepts; ``lexical=False``
        ranks by the embedding alone, ``lexical_query`` gives BM25 other words than the query's (an
        English question's subject words glossed in Danish)."""
        search_filter = search_filter or SearchFilter()
        allowed = self.allowed_rows(search_filter)
        if allowed is not None and len(allowed) == 0:
            return []
        if vector is None:
            vector = self.query_vector(query)
        n_candidates = max(self.candidates, k)
        found = self.dense.search(vector, n_candidates, search_filter=None if search_filter.empty else search_filter)
        dense_ids = np.array([self._rows[chunk_id] for chunk_id, _score in found], dtype=np.int64)
        dense_scores = np.array([score for _chunk_id, score in found], dtype=np.float32)
        if lexical:
            scores = self.bm25.scores(query_terms(query if lexical_query is None else lexical_query))
            if allowed is not None:
                mask = np.zeros(len(scores), dtype=bool)
                mask[allowed] = True
                scores = np.where(mask, scores, 0.0)
        else:
            scores = np.zeros(self.bm25.size, dtype=np.float32)
        positive = np.flatnonzero(scores > 0)
        order = positive[np.argsort(-scores[positive], kind="stable")][:n_candidates]

        fused: dict[int, float] = {}
        dense_rank: dict[int, int] = {}
        bm25_rank: dict[int, int] = {}
        for rank, row in enumerate(dense_ids.tolist(), start=1):
            dense_rank[row] = rank
            fused[row] = fused.get(row, 0.0) + 1.0 / (self.rrf_k + rank)
        for rank, row in enumerate(order.tolist(), start=1):
            bm25_rank[row] = rank
            fused[row] = fused.get(row, 0.0) + 1.0 / (self.rrf_k + rank)
        cosine = dict(zip(dense_ids.tolist(), dense_scores.tolist()))
        best = sorted(fused, key=lambda row: (-fused[row], row))[:k]
        missing = [row for row in best if row not in cosine]
        if missing:
            cosine.update(self.cosine(vector, missing))
        return [
            Hit(
                chunk=self.chunks[row],
                score=fused[row],
                dense_score=float(cosine[row]),
                bm25_score=float(scores[row]),
                dense_rank=dense_rank.get(row),
                bm25_rank=bm25_rank.get(row),
                row=row,
            )
            for row in best
        ]

    def cosine(self, vector: np.ndarray, rows: Sequence[int]) -> dict[int, float]:
        """Cosine similarity of the query vector to specific rows."""
        vectors = self.dense.vectors([self.chunks[int(r)].id for r in rows])
        return dict(zip(rows, (vectors @ vector).tolist()))
