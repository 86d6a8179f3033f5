"""The index on disk: FAISS's own file, BM25 arrays, chunk metadata as JSON lines, and a manifest.

Nothing is pickled. Each build is written to a fresh versioned folder and published by atomically
replacing the ``current`` symlink, so a crash mid-write leaves the previous index in place and a
half-written folder is never read. The manifest holds the SHA-256 of every other file; a load resolves
``current`` once, reads every part from that one folder and checks each against its checksum, so it
never mixes two builds and never trusts a damaged file.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from sikkerby.errors import SikkerbyError
from sikkerby.index import bm25 as bm25_files
from sikkerby.index.bm25 import BM25Error, BM25Index
from sikkerby.index.dense import DEFAULT_EXACT_LIMIT, DenseIndex, DenseIndexError
from sikkerby.index.manifest import FORMAT_VERSION, Manifest, ManifestError
from sikkerby.index.text import chunk_terms
from sikkerby.index.vectorstores.base import VectorStore
from sikkerby.index.vectorstores.faiss_store import FaissVectorStore
from sikkerby.ingest.chunk import Chunk

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
DENSE = "dense.faiss"
BM25_DIR = "bm25"
SURFACE = "surface.json"
CURRENT = "current"
LOCK = ".lock"
#: every part a build writes besides the manifest, as paths relative to its folder
PARTS = (CHUNKS, DENSE, SURFACE, *(f"{BM25_DIR}/{name}" for name in bm25_files.FILES))
#: a manifest is a few hundred bytes per document; anything this large is not one
MAX_MANIFEST_BYTES = 16 * 2**20
#: how often a load starts again when builds are published (and old ones removed) while it reads
LOAD_ATTEMPTS = 5


class IndexStoreError(SikkerbyError):
    """The stored index is missing or cannot be trusted; the message says which and why."""


class IndexMissing(IndexStoreError):
    """No index has been built in this data directory yet."""


class IndexMismatch(IndexStoreError):
    """The index was built with another embedder (or analyzer) than the one configured now."""


class IndexDamaged(IndexStoreError):
    """A part of the published index is missing, unreadable or differs from its checksum;
    ``sikkerby index`` rebuilds it."""


class _Vanished(Exception):
    """A part disappeared while it was being read (a newer build was published and this one removed)."""


@dataclass
class StoredIndex:
    manifest: Manifest
    chunks: list[Chunk]
    #: the chunks' vectors (FAISS here; pgvector from :class:`~sikkerby.index.vectorstores.pgvector_store.PgIndexStore`)
    dense: VectorStore
    bm25: BM25Index
    #: lowercase word -> count over the chunks, for respelling queries (computed at build time)
    surface: dict[str, int] = field(default_factory=dict)
    #: the published version this was loaded from, where the storage numbers them (PostgreSQL)
    version: str | None = None


class IndexStore:
    """Reads and atomically publishes indexes under one directory (the FAISS backend)."""

    def __init__(self, root: Path, *, exact_limit: int = DEFAULT_EXACT_LIMIT) -> None:
        self.root = Path(root)
        self.exact_limit = exact_limit

    @property
    def location(self) -> str:
        return str(self.root)

    def version(self) -> str | None:
        """None: a process keeps the build it loaded until it is told to reload (``sikkerby index`` in
        the same process does that)."""
        return None

    @property
    def current(self) -> Path:
        return self.root / CURRENT

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock for writers, so two builds never interleave."""
        path = self.root / LOCK
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fh = open(path, "a")  # noqa: SIM115 (held for the whole block)
        except OSError as exc:
            raise IndexStoreError(
                f"{path}: cannot take the writer lock ({exc.strerror}); remove it if it is not a file"
            ) from exc
        with fh:
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
            return self.manifest()
        except IndexStoreError:
            return None

    def manifest(self) -> Manifest:
        """The published manifest; :class:`IndexMissing` or :class:`IndexDamaged` when there is none to read."""
        folder = self._resolve()
        try:
            return self._parse_manifest(folder)
        except _Vanished as exc:
            raise IndexMissing(f"no index in {self.root}; run `sikkerby index` first") from exc

    # -- publishing ---------------------------------------------------------------------------------

    def publish(
        self, manifest: Manifest, chunks: list[Chunk], vectors: np.ndarray, surface: dict[str, int]
    ) -> Manifest:
        """Build the FAISS index of the kind ``manifest.dense_kind`` asks for and the BM25 index of
        ``chunks``, and publish them with :meth:`save`."""
        exact_limit = len(chunks) if manifest.dense_kind == "flat" else 0
        dense = FaissVectorStore.build(chunks, vectors, exact_limit=exact_limit)
        bm25 = BM25Index.build([chunk_terms(c) for c in chunks])
        self.save(StoredIndex(manifest=manifest, chunks=chunks, dense=dense, bm25=bm25, surface=surface))
        return manifest

    def save(self, stored: StoredIndex) -> Path:
        """Write a build to a new folder and publish it; returns the folder. The manifest gets the
        SHA-256 of every part."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"index-{uuid.uuid4().hex[:12]}"
        tmp = self.root / f".tmp-{name}"
        tmp.mkdir()
        try:
            parts = _parts_of(stored)
            (tmp / BM25_DIR).mkdir()
            for rel, data in parts.items():
                (tmp / rel).write_bytes(data)
            manifest = replace(stored.manifest, files={rel: _sha256(data) for rel, data in parts.items()})
            (tmp / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
            _fsync_tree(tmp)
            final = self.root / name
            os.rename(tmp, final)
            self._publish(name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.cleanup()
        return final

    def _publish(self, name: str) -> None:
        """Point ``current`` at ``name`` atomically. A ``current`` that is a real folder (copied without
        its symlink, say) is first moved aside, to be removed with the other superseded builds."""
        if self.current.is_dir() and not self.current.is_symlink():
            aside = self.root / f"index-replaced-{uuid.uuid4().hex[:12]}"
            log.warning("%s is a folder, not a link; replacing it with the new build", self.current)
            os.rename(self.current, aside)
        link = self.root / f".link-{name}"
        os.symlink(name, link)
        try:
            os.replace(link, self.current)  # the atomic publish
        except OSError as exc:
            link.unlink(missing_ok=True)
            raise IndexStoreError(f"{self.current}: cannot publish the new index there ({exc.strerror})") from exc
        _fsync_dir(self.root)

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

    # -- loading ------------------------------------------------------------------------------------

    def load(self) -> StoredIndex:
        """The published index, every part verified; raises :class:`IndexStoreError` with a clear reason
        if it is unusable. ``current`` is resolved once and every part read from that one folder; if a
        newer build replaces it while it is read, the load starts again on the newer one."""
        for attempt in range(LOAD_ATTEMPTS):
            try:
                folder = self._resolve()
            except IndexMissing:
                # ``current`` was read just before a newer publish removed the folder it named
                if attempt + 1 < LOAD_ATTEMPTS and self.current.is_symlink():
                    continue
                raise
            try:
                return self._load_from(folder)
            except _Vanished as exc:
                if self._resolve_or_none() == folder:  # not replaced: a part is really missing
                    raise IndexDamaged(f"{exc}: missing; run `sikkerby index` to repair the index") from exc
                log.debug("a new index was published while %s was read; reading the new one", folder)
        raise IndexStoreError(f"{self.root}: the index was replaced {LOAD_ATTEMPTS} times while it was read")

    def _resolve(self) -> Path:
        """The folder ``current`` points to now (a plain name inside the index directory)."""
        missing = IndexMissing(f"no index in {self.root}; run `sikkerby index` first")
        try:
            target = os.readlink(self.current)
        except FileNotFoundError:
            raise missing from None
        except OSError as exc:
            if exc.errno == errno.EINVAL and self.current.is_dir():  # a real folder, not a link
                return self.current
            raise IndexStoreError(f"{self.current}: not a link to an index folder ({exc.strerror})") from exc
        if "/" in target or target in (".", "..") or not target.startswith("index-"):
            raise IndexDamaged(
                f"{self.current}: points to {target!r}, outside {self.root}; run `sikkerby index` to replace it"
            )
        folder = self.root / target
        if not folder.is_dir():
            raise missing
        return folder

    def _resolve_or_none(self) -> Path | None:
        try:
            return self._resolve()
        except IndexStoreError:
            return None

    def _parse_manifest(self, folder: Path) -> Manifest:
        """The manifest as written, whatever its format version."""
        path = folder / MANIFEST
        data = _read(path)
        if len(data) > MAX_MANIFEST_BYTES:
            raise IndexDamaged(f"{path}: {len(data):,} bytes is too large for a manifest")
        try:
            manifest = Manifest.from_json(data)
        except ManifestError as exc:
            raise IndexDamaged(f"{path}: unreadable manifest ({exc}); run `sikkerby index` to repair it") from exc
        return manifest

    def _read_manifest(self, folder: Path) -> Manifest:
        """The manifest of a build this version can read."""
        manifest = self._parse_manifest(folder)
        if manifest.format_version != FORMAT_VERSION:
            raise IndexStoreError(
                f"{folder}: index format {manifest.format_version} is not {FORMAT_VERSION}; "
                "run `sikkerby index` to rebuild it"
            )
        return manifest

    def salvage(self, embedder_id: str) -> tuple[Manifest, np.ndarray, list[Chunk] | None] | None:
        """From a published index that does not load: its manifest, its vectors when its FAISS file is
        sound (matches its checksum; an older format has none) and was built with ``embedder_id``, and its
        chunks when their file is sound too. None when no vectors can be trusted."""
        try:
            folder = self._resolve()
            data = _read(folder / MANIFEST)
            manifest = Manifest.from_json(data)
        except (IndexStoreError, ManifestError, _Vanished):
            return None
        if manifest.embedder_id != embedder_id:
            return None
        try:
            dense = DenseIndex.from_bytes(self._sound_part(folder, manifest, DENSE), folder / DENSE)
            vectors = dense.vectors()
        except (IndexStoreError, DenseIndexError, _Vanished, RuntimeError):
            return None
        try:
            chunks: list[Chunk] | None = _parse_chunks(self._sound_part(folder, manifest, CHUNKS), folder / CHUNKS)
        except (IndexStoreError, _Vanished):
            chunks = None
        return manifest, vectors, chunks

    @staticmethod
    def _sound_part(folder: Path, manifest: Manifest, rel: str) -> bytes:
        if manifest.format_version == FORMAT_VERSION:
            if rel not in manifest.files:
                raise IndexDamaged(f"{folder / rel}: no checksum")
            return _read_verified(folder / rel, manifest.files[rel])
        return _read(folder / rel)  # an older format, without checksums: read to be rebuilt

    def _load_from(self, folder: Path) -> StoredIndex:
        manifest = self._read_manifest(folder)
        unlisted = [rel for rel in PARTS if rel not in manifest.files]
        if unlisted:
            raise IndexDamaged(f"{folder / MANIFEST}: no checksum for {', '.join(unlisted)}")
        parts = {rel: _read_verified(folder / rel, manifest.files[rel]) for rel in PARTS}
        chunks = _parse_chunks(parts[CHUNKS], folder / CHUNKS)
        try:
            dense_index = DenseIndex.from_bytes(parts[DENSE], folder / DENSE)
            bm25 = BM25Index.from_files(
                {name: parts[f"{BM25_DIR}/{name}"] for name in bm25_files.FILES}, folder / BM25_DIR
            )
        except (DenseIndexError, BM25Error) as exc:
            raise IndexDamaged(str(exc)) from exc
        _check_agreement(folder, manifest, chunks, dense_index, bm25)
        dense = FaissVectorStore(dense_index, chunks, exact_limit=self.exact_limit)
        surface = _parse_surface(parts[SURFACE], folder / SURFACE)
        return StoredIndex(manifest=manifest, chunks=chunks, dense=dense, bm25=bm25, surface=surface)


def _parts_of(stored: StoredIndex) -> dict[str, bytes]:
    """The bytes of every part of a build, by path relative to its folder."""
    chunks = "".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in stored.chunks)
    parts = {
        CHUNKS: chunks.encode("utf-8"),
        DENSE: _faiss_of(stored.dense).to_bytes(),
        SURFACE: json.dumps(stored.surface, ensure_ascii=False).encode("utf-8"),
    }
    parts.update({f"{BM25_DIR}/{name}": data for name, data in stored.bm25.to_files().items()})
    return parts


def _faiss_of(store: VectorStore) -> DenseIndex:
    if not isinstance(store, FaissVectorStore):
        raise IndexStoreError(f"the data directory holds FAISS indexes, not a {type(store).__name__}")
    return store.dense


def _check_agreement(folder: Path, manifest: Manifest, chunks: list[Chunk], dense: DenseIndex, bm25: BM25Index) -> None:
    counts = {"manifest": manifest.chunk_count, "chunks": len(chunks), "faiss": dense.size, "bm25": bm25.size}
    if len(set(counts.values())) != 1:
        raise IndexDamaged(f"{folder}: parts disagree on the number of chunks {counts}")
    if dense.dim != manifest.dim:
        raise IndexDamaged(f"{folder}: vectors have {dense.dim} dimensions, manifest says {manifest.dim}")
    if dense.kind != manifest.dense_kind:
        raise IndexDamaged(f"{folder}: the FAISS index is {dense.kind}, manifest says {manifest.dense_kind}")
    documents = tuple(dict.fromkeys(c.document for c in chunks))
    if manifest.documents and documents != manifest.documents:
        raise IndexDamaged(f"{folder}: the chunks come from other documents than the manifest lists")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError as exc:
        raise _Vanished(str(path)) from exc
    except OSError as exc:
        raise IndexDamaged(f"{path}: unreadable ({exc.strerror}); run `sikkerby index` to repair the index") from exc


def _read_verified(path: Path, expected: str) -> bytes:
    data = _read(path)
    if _sha256(data) != expected:
        raise IndexDamaged(
            f"{path}: damaged (its SHA-256 differs from the manifest's); run `sikkerby index` to repair it"
        )
    return data


def _parse_surface(data: bytes, path: Path) -> dict[str, int]:
    try:
        surface = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise IndexDamaged(f"{path}: unreadable word counts ({type(exc).__name__})") from exc
    if not isinstance(surface, dict) or not all(
        isinstance(k, str) and type(v) is int and v >= 0 for k, v in surface.items()
    ):
        raise IndexDamaged(f"{path}: word counts must map words to integers")
    return surface


def _parse_chunks(data: bytes, path: Path) -> list[Chunk]:
    chunks: list[Chunk] = []
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise IndexDamaged(f"{path}: unreadable ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        try:
            chunk = Chunk.from_dict(json.loads(line))
        except (ValueError, TypeError, RecursionError) as exc:
            raise IndexDamaged(f"{path}:{number}: invalid chunk record ({type(exc).__name__}: {exc})") from exc
        if chunk.id != chunk.compute_id():
            raise IndexDamaged(f"{path}:{number}: chunk {chunk.id} does not match its content (tampered?)")
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
