"""The index on disk: FAISS's own file, BM25 arrays, chunk metadata as JSON lines, and a manifest.

Nothing is pickled. Each build is written to a fresh versioned folder and published by atomically
replacing the ``current`` symlink, so a crash mid-write leaves the previous index in place and a
half-written folder is never read.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sikkerby.errors import SikkerbyError
from sikkerby.index.bm25 import BM25Index
from sikkerby.index.dense import DenseIndex
from sikkerby.index.manifest import FORMAT_VERSION, Manifest
from sikkerby.ingest.chunk import Chunk

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
DENSE = "dense.faiss"
BM25_DIR = "bm25"
SURFACE = "surface.json"
CURRENT = "current"


class IndexStoreError(SikkerbyError):
    """The stored index is missing or cannot be trusted; the message says which and why."""


class IndexMissing(IndexStoreError):
    """No index has been built in this data directory yet."""


class IndexMismatch(IndexStoreError):
    """The index was built with another embedder (or analyzer) than the one configured now."""


@dataclass
class StoredIndex:
    manifest: Manifest
    chunks: list[Chunk]
    dense: DenseIndex
    bm25: BM25Index
    #: lowercase word -> count over the chunks, for respelling queries (computed at build time)
    surface: dict[str, int] = field(default_factory=dict)


class IndexStore:
    """Reads and atomically publishes indexes under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def current(self) -> Path:
        return self.root / CURRENT

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock for writers, so two builds never interleave."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def exists(self) -> bool:
        return (self.current / MANIFEST).is_file()

    def read_manifest(self) -> Manifest | None:
        """The published manifest, or None when there is no readable index."""
        try:
            return Manifest.from_json((self.current / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, stored: StoredIndex) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"index-{uuid.uuid4().hex[:12]}"
        tmp = self.root / f".tmp-{name}"
        tmp.mkdir()
        try:
            with open(tmp / CHUNKS, "w", encoding="utf-8") as fh:
                for chunk in stored.chunks:
                    fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
            stored.dense.save(tmp / DENSE)
            stored.bm25.save(tmp / BM25_DIR)
            (tmp / SURFACE).write_text(json.dumps(stored.surface, ensure_ascii=False), encoding="utf-8")
            (tmp / MANIFEST).write_text(stored.manifest.to_json(), encoding="utf-8")
            _fsync_tree(tmp)
            final = self.root / name
            os.rename(tmp, final)
            link = self.root / f".link-{name}"
            os.symlink(name, link)
            os.replace(link, self.current)  # the atomic publish
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.cleanup()
        return final

    def cleanup(self) -> None:
        """Remove unpublished temp folders and superseded builds."""
        keep = os.readlink(self.current) if self.current.is_symlink() else None
        for entry in self.root.iterdir():
            if entry.name == CURRENT or entry.name == keep:
                continue
            if entry.name.startswith((".tmp-index-", "index-")) and entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(".link-"):
                entry.unlink(missing_ok=True)

    def load(self) -> StoredIndex:
        """The published index; raises :class:`IndexStoreError` with a clear reason if it is unusable."""
        folder = self.current
        if not (folder / MANIFEST).is_file():
            raise IndexMissing(f"no index in {self.root}; run `sikkerby index` first")
        try:
            manifest = Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
        except (ValueError, TypeError) as exc:
            raise IndexStoreError(f"{folder / MANIFEST}: unreadable manifest ({exc})") from exc
        if manifest.format_version != FORMAT_VERSION:
            raise IndexStoreError(
                f"{folder}: index format {manifest.format_version} is not {FORMAT_VERSION}; "
                "run `sikkerby index` to rebuild it"
            )
        chunks = _read_chunks(folder / CHUNKS)
        try:
            dense = DenseIndex.load(folder / DENSE)
        except RuntimeError as exc:
            raise IndexStoreError(f"{folder / DENSE}: unreadable FAISS index") from exc
        try:
            bm25 = BM25Index.load(folder / BM25_DIR)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexStoreError(f"{folder / BM25_DIR}: unreadable BM25 index ({exc})") from exc
        counts = {"manifest": manifest.chunk_count, "chunks": len(chunks), "faiss": dense.size, "bm25": bm25.size}
        if len(set(counts.values())) != 1:
            raise IndexStoreError(f"{folder}: parts disagree on the number of chunks {counts}")
        if dense.dim != manifest.dim:
            raise IndexStoreError(f"{folder}: vectors have {dense.dim} dimensions, manifest says {manifest.dim}")
        surface = _read_surface(folder / SURFACE)
        return StoredIndex(manifest=manifest, chunks=chunks, dense=dense, bm25=bm25, surface=surface)


def _read_surface(path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexStoreError(f"{path}: unreadable word counts ({exc})") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, int) for k, v in data.items()):
        raise IndexStoreError(f"{path}: word counts must map words to integers")
    return data


def _read_chunks(path: Path) -> list[Chunk]:
    chunks: list[Chunk] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexStoreError(f"{path}: unreadable ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        try:
            chunk = Chunk.from_dict(json.loads(line))
        except (ValueError, TypeError) as exc:
            raise IndexStoreError(f"{path}:{number}: invalid chunk record ({exc})") from exc
        if chunk.id != chunk.compute_id():
            raise IndexStoreError(f"{path}:{number}: chunk {chunk.id} does not match its content (tampered?)")
        chunks.append(chunk)
    return chunks


def _fsync_tree(folder: Path) -> None:
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(Path(dirpath))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
