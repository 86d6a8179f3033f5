"""FAISS inner-product index over normalised vectors: exact while small, HNSW when large."""

from __future__ import annotations

import logging
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

#: Above this many vectors exact search stops being cheap and an HNSW graph is built instead.
DEFAULT_EXACT_LIMIT = 50_000


class DenseIndexError(ValueError):
    """A FAISS file that is not an index this project can search; the message names the file."""


class DenseIndex:
    """Wraps a FAISS index; ids are row numbers into the chunk list."""

    def __init__(self, index: faiss.Index, *, exact_limit: int = DEFAULT_EXACT_LIMIT) -> None:
        self.index = index
        self.exact_limit = exact_limit

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        *,
        exact_limit: int = DEFAULT_EXACT_LIMIT,
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 128,
    ) -> DenseIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if len(vectors) <= exact_limit:
            index: faiss.Index = faiss.IndexFlatIP(dim)
        else:
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            index.hnsw.efSearch = ef_search
        index.add(vectors)
        return cls(index, exact_limit=exact_limit)

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self.index, faiss.IndexHNSWFlat) else "flat"

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def search(self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Scores and row ids of the ``k`` nearest rows, restricted to ``allowed`` rows if given."""
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        k = min(k, self.size if allowed is None else len(allowed))
        if k <= 0:
            return np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int64)
        params = None
        if allowed is not None and self.kind == "hnsw" and len(allowed) <= self.exact_limit:
            return self._exact_among(query[0], k, allowed)
        if allowed is not None:
            selector = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            # faiss's bundled stubs lack these SWIG keyword constructors
            params = (
                faiss.SearchParametersHNSW(sel=selector, efSearch=max(128, k))  # type: ignore[attr-defined]
                if self.kind == "hnsw"
                else faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            )
        scores, ids = self.index.search(query, k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def _exact_among(self, query: np.ndarray, k: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact search over the ``allowed`` rows of an HNSW index: a filter that leaves at most
        ``exact_limit`` rows is searched faster this way than through the graph, and without the graph's
        misses (a filtered HNSW walk skips most neighbours it meets)."""
        rows = np.ascontiguousarray(allowed, dtype=np.int64)
        scores = self.index.reconstruct_batch(rows) @ query
        top = np.argsort(-scores, kind="stable")[:k]
        return scores[top].astype(np.float32), rows[top]

    def vectors(self) -> np.ndarray:
        """All stored vectors, in row order (used to reuse embeddings when the corpus grows)."""
        return self.index.reconstruct_n(0, self.size)

    def save(self, path: Path) -> None:
        path.write_bytes(self.to_bytes())

    def to_bytes(self) -> bytes:
        """FAISS's own serialisation (not a pickle)."""
        return faiss.serialize_index(self.index).tobytes()

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        return cls.from_bytes(path.read_bytes(), path)

    @classmethod
    def from_bytes(cls, data: bytes, path: Path) -> DenseIndex:
        """The index from FAISS's serialisation; only the two kinds this project builds are accepted
        (``path`` names the file in errors)."""
        try:
            index = faiss.deserialize_index(np.frombuffer(data, dtype=np.uint8))
        except (RuntimeError, ValueError, TypeError, MemoryError) as exc:
            raise DenseIndexError(f"{path}: unreadable FAISS index") from exc
        if type(index) not in (faiss.IndexFlatIP, faiss.IndexHNSWFlat):
            raise DenseIndexError(f"{path}: a FAISS {type(index).__name__}, not an IndexFlatIP or IndexHNSWFlat")
        if index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise DenseIndexError(f"{path}: the FAISS index does not use inner-product search")
        return cls(index)
