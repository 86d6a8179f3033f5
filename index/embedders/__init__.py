"""Embedding backends behind one protocol."""

from index.embedders.base import BaseEmbedder, Embedder, EmbedderUnavailable
from index.embedders.factory import BACKENDS, create_embedder

__all__ = ["BACKENDS", "BaseEmbedder", "Embedder", "EmbedderUnavailable", "create_embedder"]
