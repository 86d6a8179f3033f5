"""Embedding backends behind one protocol."""

from sikkerby.index.embedders.base import BaseEmbedder, Embedder, EmbedderUnavailable
from sikkerby.index.embedders.factory import BACKENDS, create_embedder

__all__ = ["BACKENDS", "BaseEmbedder", "Embedder", "EmbedderUnavailable", "create_embedder"]
