"""The project's embedder as LangChain ``Embeddings``, so LangChain components use the same model."""

from __future__ import annotations

import logging

from langchain_core.embeddings import Embeddings

from sikkerby.index.embedders.base import Embedder

log = logging.getLogger(__name__)


class SikkerByEmbeddings(Embeddings):
    """Passages get the passage side of the model, queries the query side (e5 prefixes included)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_queries([text])[0].tolist()
