"""Build or update the stored index: only when the corpus or the embedder changed, and embedding
only chunks whose text is new."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from sikkerby.errors import SikkerbyError
from sikkerby.index.dense import DEFAULT_EXACT_LIMIT
from sikkerby.index.embedders.base import Embedder, Progress
from sikkerby.index.manifest import FORMAT_VERSION, Manifest
from sikkerby.index.query import QueryNormalizer
from sikkerby.index.store import IndexMissing, IndexStoreError, StoredIndex
from sikkerby.index.text import ANALYZER_VERSION
from sikkerby.index.vectorstores.base import IndexStorage
from sikkerby.ingest.chunk import Chunk

log = logging.getLogger(__name__)

#: how a build's reason starts when the published index was damaged and is being repaired
DAMAGED = "damaged index"
NO_INDEX = "no index yet"


@dataclass(frozen=True)
class BuildReport:
    status: str  # "unchanged" or "built"
    chunk_count: int
    embedded: int
    reused: int
    seconds: float
    dense_kind: str
    reason: str

    @property
    def repaired(self) -> str | None:
        """What was damaged, when this build repaired the published index."""
        return self.reason.removeprefix(f"{DAMAGED}: ") if self.reason.startswith(DAMAGED) else None


def corpus_hash(chunks: list[Chunk]) -> str:
    """Hash of everything about the chunks that the index depends on."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(json.dumps(chunk.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


class IndexLimitError(SikkerbyError):
    """A build larger than the configured limit; the message names the setting that raises it."""


class IndexBuilder:
    """Writes indexes through an :class:`IndexStorage` (files or PostgreSQL) with one embedder."""

    def __init__(
        self,
        store: IndexStorage,
        embedder: Embedder,
        *,
        exact_limit: int = DEFAULT_EXACT_LIMIT,
        max_chunks: int | None = None,
        reuse_from: Sequence[IndexStorage] = (),
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.exact_limit = exact_limit
        self.max_chunks = max_chunks
        #: other storage (another backend) whose build with this embedder lends vectors to a first build
        self.reuse_from = tuple(reuse_from)

    def needs_build(self, chunks: list[Chunk], *, digest: str | None = None) -> str | None:
        """Why the index must be (re)built, or None if the stored one is current and sound (``digest``:
        the chunks' corpus hash, when the caller has it already)."""
        reason, _stored = self._inspect(digest or corpus_hash(chunks))
        return reason

    def _inspect(self, digest: str) -> tuple[str | None, StoredIndex | None]:
        """Why to build (None: no need), and the stored index when it loads. A published index is loaded
        and verified as ``ask`` would load it, so "up to date" means it answers."""
        try:
            manifest = self.store.manifest()
        except IndexMissing:
            return NO_INDEX, None
        except IndexStoreError as exc:
            return f"{DAMAGED}: {exc}", None
        if manifest.format_version != FORMAT_VERSION:
            return f"index format {manifest.format_version} -> {FORMAT_VERSION}", None
        if manifest.embedder_id != self.embedder.id:
            return f"embedder changed ({manifest.embedder_id} -> {self.embedder.id})", None
        try:
            stored = self.store.load()
        except IndexStoreError as exc:
            return f"{DAMAGED}: {exc}", None
        if manifest.analyzer_version != ANALYZER_VERSION:
            return "text analysis changed", stored
        if manifest.corpus_hash != digest:
            return "corpus changed", stored
        return None, stored

    def build(
        self,
        chunks: list[Chunk],
        *,
        force: bool = False,
        progress: Progress | None = None,
        on_total: Progress | None = None,
    ) -> BuildReport:
        """Build when needed; ``on_total`` is told how many chunks will be embedded (it may raise to stop
        before any embedding), ``progress`` each batch. A damaged index is rebuilt, reusing the vectors of
        its parts that are still sound."""
        started = time.perf_counter()
        if not chunks:
            raise ValueError("nothing to index: no chunks")
        if self.max_chunks is not None and len(chunks) > self.max_chunks:
            raise IndexLimitError(
                f"{len(chunks):,} chunks to index, more than the limit of {self.max_chunks:,} per build; "
                "index fewer files, or raise the limit with --max-chunks or SIKKERBY_MAX_CHUNKS"
            )
        digest = corpus_hash(chunks)  # hashes every chunk: computed once per build
        with self.store.lock():
            reason, stored = self._inspect(digest)
            if force:
                reason, stored = "forced", None
            if reason is None:
                assert stored is not None
                return BuildReport(
                    "unchanged",
                    len(chunks),
                    0,
                    len(chunks),
                    time.perf_counter() - started,
                    stored.manifest.dense_kind,
                    "corpus and embedder unchanged",
                )
            reusable = self._reusable(reason, stored, chunks, digest)
            todo = [c for c in chunks if c.text not in reusable]
            if on_total is not None:
                on_total(len(todo))
            fresh = self.embedder.embed_passages([c.text for c in todo], progress=progress) if todo else None
            vectors = np.empty((len(chunks), self.embedder.dim), dtype=np.float32)
            fresh_rows = {c.text: i for i, c in enumerate(todo)}
            for row, chunk in enumerate(chunks):
                if chunk.text in fresh_rows:
                    assert fresh is not None
                    vectors[row] = fresh[fresh_rows[chunk.text]]
                else:
                    vectors[row] = reusable[chunk.text]
            manifest = Manifest(
                embedder_id=self.embedder.id,
                dim=self.embedder.dim,
                corpus_hash=digest,
                chunk_count=len(chunks),
                dense_kind="flat" if len(chunks) <= self.exact_limit else "hnsw",
                analyzer_version=ANALYZER_VERSION,
                documents=tuple(dict.fromkeys(c.document for c in chunks)),
                created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
            surface = QueryNormalizer.surface_counts(chunks)
            manifest = self.store.publish(manifest, chunks, vectors, surface)
        if reason.startswith(DAMAGED):
            log.warning("repaired the index in %s (%s)", self.store.location, reason)
        return BuildReport(
            "built",
            len(chunks),
            len(todo),
            len(chunks) - len(todo),
            time.perf_counter() - started,
            manifest.dense_kind,
            reason,
        )

    def _reusable(
        self, reason: str, stored: StoredIndex | None, chunks: list[Chunk], digest: str
    ) -> dict[str, np.ndarray]:
        """Vectors that need not be embedded again, by chunk text."""
        if stored is not None:
            vectors = stored.dense.vectors()
            return {chunk.text: vectors[row] for row, chunk in enumerate(stored.chunks)}
        if reason.startswith((DAMAGED, "index format")):
            return self._salvage(chunks, digest)
        if reason == NO_INDEX:
            return self._borrowed()
        return {}

    def _borrowed(self) -> dict[str, np.ndarray]:
        """Vectors by chunk text from the first of ``reuse_from`` that holds a sound build made with this
        embedder (a store that is missing, damaged or of another embedder lends nothing)."""
        for other in self.reuse_from:
            try:
                if other.manifest().embedder_id != self.embedder.id:
                    continue
                stored = other.load()
            except SikkerbyError as exc:  # missing, damaged or unreachable: lends nothing
                log.info("no vectors reused from %s: %s", other.location, exc)
                continue
            vectors = stored.dense.vectors()
            log.info("reusing %d vectors from %s", len(stored.chunks), other.location)
            return {chunk.text: vectors[row] for row, chunk in enumerate(stored.chunks)}
        return {}

    def _salvage(self, chunks: list[Chunk], digest: str) -> dict[str, np.ndarray]:
        """Vectors still sound in a damaged index, by chunk text: those of its FAISS file when that file
        matches its checksum and was built with this embedder; rows are matched to texts by its chunk
        file, or, when that is the damaged part, by the corpus hash (the same chunks in the same order)."""
        salvaged = self.store.salvage(self.embedder.id)
        if salvaged is None:
            return {}
        manifest, vectors, stored_chunks = salvaged
        if stored_chunks is not None and len(stored_chunks) == len(vectors):
            return {chunk.text: vectors[row] for row, chunk in enumerate(stored_chunks)}
        if manifest.corpus_hash == digest and len(chunks) == len(vectors):
            return {chunk.text: vectors[row] for row, chunk in enumerate(chunks)}
        return {}
