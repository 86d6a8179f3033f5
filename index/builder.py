"""Build or update the stored index: only when the corpus or the embedder changed, and embedding
only chunks whose text is new."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

from sikkerby.index.bm25 import BM25Index
from sikkerby.index.dense import DEFAULT_EXACT_LIMIT, DenseIndex
from sikkerby.index.embedders.base import Embedder, Progress
from sikkerby.index.manifest import FORMAT_VERSION, Manifest
from sikkerby.index.query import QueryNormalizer
from sikkerby.index.store import IndexStore, IndexStoreError, StoredIndex
from sikkerby.index.text import ANALYZER_VERSION, chunk_terms
from sikkerby.ingest.chunk import Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildReport:
    status: str  # "unchanged" or "built"
    chunk_count: int
    embedded: int
    reused: int
    seconds: float
    dense_kind: str
    reason: str


def corpus_hash(chunks: list[Chunk]) -> str:
    """Hash of everything about the chunks that the index depends on."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(json.dumps(chunk.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


class IndexBuilder:
    """Writes indexes through an :class:`IndexStore` with one embedder."""

    def __init__(self, store: IndexStore, embedder: Embedder, *, exact_limit: int = DEFAULT_EXACT_LIMIT) -> None:
        self.store = store
        self.embedder = embedder
        self.exact_limit = exact_limit

    def needs_build(self, chunks: list[Chunk], *, digest: str | None = None) -> str | None:
        """Why the index must be (re)built, or None if the stored one is current (``digest``: the
        chunks' corpus hash, when the caller has it already)."""
        manifest = self.store.read_manifest()
        if manifest is None:
            return "no index yet"
        if manifest.format_version != FORMAT_VERSION:
            return f"index format {manifest.format_version} -> {FORMAT_VERSION}"
        if manifest.embedder_id != self.embedder.id:
            return f"embedder changed ({manifest.embedder_id} -> {self.embedder.id})"
        if manifest.analyzer_version != ANALYZER_VERSION:
            return "text analysis changed"
        if manifest.corpus_hash != (digest or corpus_hash(chunks)):
            return "corpus changed"
        return None

    def build(
        self,
        chunks: list[Chunk],
        *,
        force: bool = False,
        progress: Progress | None = None,
        on_total: Progress | None = None,
    ) -> BuildReport:
        """Build when needed; ``on_total`` is told how many chunks will be embedded, ``progress`` each batch."""
        started = time.perf_counter()
        if not chunks:
            raise ValueError("nothing to index: no chunks")
        digest = corpus_hash(chunks)  # hashes every chunk: computed once per build
        with self.store.lock():
            reason = "forced" if force else self.needs_build(chunks, digest=digest)
            if reason is None:
                manifest = self.store.read_manifest()
                assert manifest is not None
                return BuildReport(
                    "unchanged",
                    len(chunks),
                    0,
                    len(chunks),
                    time.perf_counter() - started,
                    manifest.dense_kind,
                    "corpus and embedder unchanged",
                )
            reusable = {} if force else self._reusable_vectors()
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
            dense = DenseIndex.build(vectors, exact_limit=self.exact_limit)
            bm25 = BM25Index.build([chunk_terms(c) for c in chunks])
            manifest = Manifest(
                embedder_id=self.embedder.id,
                dim=self.embedder.dim,
                corpus_hash=digest,
                chunk_count=len(chunks),
                dense_kind=dense.kind,
                analyzer_version=ANALYZER_VERSION,
                documents=tuple(dict.fromkeys(c.document for c in chunks)),
                created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
            surface = QueryNormalizer.surface_counts(chunks)
            self.store.save(StoredIndex(manifest=manifest, chunks=chunks, dense=dense, bm25=bm25, surface=surface))
        return BuildReport(
            "built", len(chunks), len(todo), len(chunks) - len(todo), time.perf_counter() - started, dense.kind, reason
        )

    def _reusable_vectors(self) -> dict[str, np.ndarray]:
        """Vectors of the stored index by chunk text, if it was built with this embedder."""
        manifest = self.store.read_manifest()
        if manifest is None or manifest.embedder_id != self.embedder.id:
            return {}
        try:
            stored = self.store.load()
        except IndexStoreError:
            return {}
        vectors = stored.dense.vectors()
        return {chunk.text: vectors[row] for row, chunk in enumerate(stored.chunks)}
