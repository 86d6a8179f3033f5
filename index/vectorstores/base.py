"""The seam between retrieval and the place vectors are kept.

A :class:`VectorStore` searches by vector among the chunks a :class:`SearchFilter` accepts and answers
with chunk ids (never row numbers); an :class:`IndexStorage` holds whole published builds (manifest,
chunks, vectors) and publishes a new one atomically. The FAISS backend keeps both in the data directory,
the pgvector backend in PostgreSQL; nothing above ``sikkerby.index`` knows which one runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from sikkerby.errors import SikkerbyError
from sikkerby.ingest.chunk import Chunk

if TYPE_CHECKING:
    from sikkerby.index.manifest import Manifest
    from sikkerby.index.store import StoredIndex

log = logging.getLogger(__name__)


class VectorStoreError(SikkerbyError):
    """A vector store that cannot do what was asked (unknown chunk id, wrong dimension); the message says why."""


class IndexUnavailable(SikkerbyError):
    """The index cannot be reached just now (its database is down or refuses connections). It is
    temporary: the next request tries again."""


class IndexStale(SikkerbyError):
    """The build a replica searched was removed after a newer one was published; reloading fixes it."""


@dataclass(frozen=True)
class SearchFilter:
    """Which chunks a search may return; empty fields do not restrict."""

    principle: str | None = None
    departments: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    chunk_ids: tuple[str, ...] = ()

    def accepts(self, chunk: Chunk) -> bool:
        if self.chunk_ids and chunk.id not in self.chunk_ids:
            return False
        if self.principle and chunk.principle != self.principle:
            return False
        if self.departments and not set(self.departments) & set(chunk.departments):
            return False
        if self.kinds and chunk.kind not in self.kinds:
            return False
        return not (self.documents and chunk.document not in self.documents)

    @property
    def empty(self) -> bool:
        return not (self.principle or self.departments or self.kinds or self.documents or self.chunk_ids)


@runtime_checkable
class VectorStore(Protocol):
    """Normalised chunk vectors searched by inner product (= cosine similarity), keyed by chunk id."""

    @property
    def kind(self) -> str:
        """ "flat" (exact search) or "hnsw" (approximate, a graph index)."""
        ...

    @property
    def dim(self) -> int: ...

    @property
    def size(self) -> int: ...

    def search(
        self, vector: np.ndarray, k: int, *, search_filter: SearchFilter | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest chunks the filter accepts, best first, as (chunk id, cosine similarity)."""
        ...

    def vectors(self, ids: Sequence[str] | None = None) -> np.ndarray:
        """The stored vectors of ``ids`` in that order (all, in build order, when None), to reuse them."""
        ...

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Add the chunks with their vectors, replacing those with the same id."""
        ...

    def delete_document(self, document: str) -> int:
        """Remove every chunk of ``document``; returns how many were removed."""
        ...


class IndexStorage(Protocol):
    """Published builds of the index: what :class:`~sikkerby.index.builder.IndexBuilder` writes and the
    assistant loads."""

    @property
    def location(self) -> str:
        """Where the index is, for messages (a folder, or a database without its password)."""
        ...

    def lock(self) -> AbstractContextManager[None]:
        """Exclusive for writers, so two builds never interleave."""
        ...

    def exists(self) -> bool:
        """Whether a build has been published."""
        ...

    def manifest(self) -> Manifest: ...

    def load(self) -> StoredIndex: ...

    def publish(
        self, manifest: Manifest, chunks: list[Chunk], vectors: np.ndarray, surface: dict[str, int]
    ) -> Manifest:
        """Write a build and publish it in one step (readers see the old build or the new, never part of
        one); returns the manifest as stored. ``manifest.dense_kind`` is a request the backend may refine."""
        ...

    def salvage(self, embedder_id: str) -> tuple[Manifest, np.ndarray, list[Chunk] | None] | None:
        """What can be reused from a published build that does not load (None: nothing)."""
        ...

    def version(self) -> str | None:
        """A cheap token that changes with every publish, for replicas to notice a new build (None: this
        storage does not tell, and a process keeps what it loaded until told to reload)."""
        ...
