"""Second backend: any SentenceTransformer model a site has on disk (path or cached name)."""

from __future__ import annotations

import logging
import os
from functools import cached_property
from typing import Any

import numpy as np

from sikkerby.index.embedders.base import BaseEmbedder, EmbedderUnavailable, Kind

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder(BaseEmbedder):
    """A local SentenceTransformer model; prefixes are configurable for e5-style models."""

    def __init__(
        self,
        model: str,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        query_cache_size: int = 1024,
    ) -> None:
        super().__init__(batch_size=batch_size, query_cache_size=query_cache_size)
        self.model_name = model
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix

    @property
    def id(self) -> str:
        return f"sentence-transformers:{self.model_name}|q={self.query_prefix!r}|p={self.passage_prefix!r}"

    @property
    def dim(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    @cached_property
    def model(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderUnavailable(
                "the sentence-transformers backend is not installed: pip install -e '.[st]'"
            ) from exc
        try:
            return SentenceTransformer(self.model_name, device="cpu")
        except Exception as exc:  # HF raises many types for a missing or broken model
            raise EmbedderUnavailable(
                f"cannot load sentence-transformers model {self.model_name!r} offline "
                f"(give a local path or a model already in the cache): {type(exc).__name__}"
            ) from exc

    def embed_batch(self, texts: list[str], *, kind: Kind) -> np.ndarray:
        prefix = self.query_prefix if kind == "query" else self.passage_prefix
        return self.model.encode(
            [prefix + t for t in texts],
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
