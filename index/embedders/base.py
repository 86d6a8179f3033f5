"""The embedder interface: backends implement ``embed_batch``; batching and caching live here."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from sikkerby.errors import SikkerbyError

log = logging.getLogger(__name__)

Kind = Literal["query", "passage"]
Progress = Callable[[int], None]


class EmbedderUnavailable(SikkerbyError, RuntimeError):
    """The backend's package or model is missing; the message says what to install or where to look."""


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns Danish text into L2-normalised vectors for inner-product search."""

    @property
    def id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray: ...


class BaseEmbedder:
    """Batches passages, caches query vectors, and normalises every vector.

    Subclasses implement :meth:`embed_batch` (and ``id``/``dim``); loading a model belongs in a lazy,
    cached helper so that constructing an embedder is free.
    """

    def __init__(self, *, batch_size: int = 32, query_cache_size: int = 1024) -> None:
        self.batch_size = batch_size
        self.query_cache_size = query_cache_size
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    @property
    def id(self) -> str:
        raise NotImplementedError

    @property
    def dim(self) -> int:
        raise NotImplementedError

    def embed_batch(self, texts: list[str], *, kind: Kind) -> np.ndarray:
        raise NotImplementedError

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for search queries; repeated questions come from an LRU cache (safe across threads:
        the cache is only touched under a lock, the model runs outside it)."""
        unique = list(dict.fromkeys(texts))
        with self._cache_lock:
            known = {t: self._query_cache[t] for t in unique if t in self._query_cache}
            for text in known:
                self._query_cache.move_to_end(text)
        missing = [t for t in unique if t not in known]
        if missing:
            vectors = self._normalise(self.embed_batch(missing, kind="query"))
            fresh = dict(zip(missing, vectors))
            known.update(fresh)
            with self._cache_lock:
                self._query_cache.update(fresh)
                while len(self._query_cache) > self.query_cache_size:
                    self._query_cache.popitem(last=False)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = known[text]
        return out

    def embed_passages(self, texts: Sequence[str], *, progress: Progress | None = None) -> np.ndarray:
        """Vectors for passages, embedded in batches; ``progress`` is told how many each batch did."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            out[start : start + len(batch)] = self._normalise(self.embed_batch(batch, kind="passage"))
            if progress is not None:
                progress(len(batch))
        return out

    @staticmethod
    def _normalise(vectors: np.ndarray) -> np.ndarray:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim == 1:
            vectors = vectors[None, :]
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms
