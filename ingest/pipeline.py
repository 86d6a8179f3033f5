"""From files to chunks: load, repair OCR'd Danish, parse the structure if there is one, else split
plainly. Results are cached per file content, so an unchanged corpus is not parsed or repaired again."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.document import Document
from sikkerby.ingest.errors import IngestError
from sikkerby.ingest.loaders import check_size, find_files, load_document
from sikkerby.ingest.splitter import PlainSplitter
from sikkerby.ingest.structure import PARSER_VERSION, StrategyParser

if TYPE_CHECKING:
    from sikkerby.ingest.repair import OcrRepairer

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    """Chunks of every file that loaded, and one error per file that did not."""

    chunks: list[Chunk] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    #: what was left out on purpose (symbolic links out of an indexed folder), one note each
    warnings: list[str] = field(default_factory=list)


class Ingestor:
    """Turns files into chunks; one bad file never stops the others."""

    def __init__(
        self,
        *,
        repair: bool = True,
        chunk_size: int = 900,
        cache_dir: Path | None = None,
        max_file_bytes: int | None = None,
        max_pages: int | None = None,
        follow_symlinks: bool = False,
    ) -> None:
        self.repair = repair
        self.chunk_size = chunk_size
        self.cache_dir = cache_dir
        self.max_file_bytes = max_file_bytes
        self.max_pages = max_pages
        self.follow_symlinks = follow_symlinks
        self._repairer: OcrRepairer | None = None

    @property
    def repairer(self) -> OcrRepairer:
        """Created on first use: the lexicon behind it takes seconds to load."""
        if self._repairer is None:
            from sikkerby.ingest.repair import OcrRepairer

            self._repairer = OcrRepairer()
        return self._repairer

    def _fingerprint(self) -> str:
        repair = self.repairer.fingerprint if self.repair else "no-repair"
        return f"parser{PARSER_VERSION}:{repair}:size{self.chunk_size}"

    def chunk_document(self, document: Document) -> list[Chunk]:
        """Chunks of one loaded document (structure-aware when it has the principle table)."""
        fix = self.repairer.for_document(document.text).repair if self.repair else None
        chunks = StrategyParser(repair=fix).parse(document)
        if chunks is None:
            chunks = PlainSplitter(chunk_size=self.chunk_size, repair=fix).split(document)
        return chunks

    def ingest(self, paths: Iterable[str | Path]) -> IngestResult:
        files, skipped = find_files(list(paths), follow_symlinks=self.follow_symlinks)
        result = IngestResult(warnings=skipped)
        seen: set[str] = set()
        for path in files:
            try:
                if path.is_file():
                    check_size(path, self.max_file_bytes)  # before the cache reads it to hash it
                chunks = self._cached(path)
                if chunks is None:
                    document = load_document(path, max_bytes=self.max_file_bytes, max_pages=self.max_pages)
                    chunks = self.chunk_document(document)
                    self._store(path, chunks)
            except IngestError as exc:
                result.errors.append(exc)
                continue
            except Exception as exc:  # a parser bug on odd input must not lose the other files
                result.errors.append(IngestError(path, f"could not parse ({type(exc).__name__}: {exc})"))
                continue
            if not chunks:
                result.errors.append(IngestError(path, "no text to index"))
                continue
            name = chunks[0].document
            if name in seen:
                result.errors.append(IngestError(path, f"another file is also named {name}"))
                continue
            seen.add(name)
            result.documents.append(name)
            result.chunks.extend(chunks)
        return result

    # -- cache of chunks by file content ------------------------------------------------------------

    def _cache_path(self, path: Path) -> Path | None:
        if self.cache_dir is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        key = hashlib.sha256(data + path.name.encode() + self._fingerprint().encode()).hexdigest()[:32]
        return self.cache_dir / f"{key}.jsonl"

    def _cached(self, path: Path) -> list[Chunk] | None:
        cache = self._cache_path(path) if path.is_file() else None
        if cache is None or not cache.is_file():
            return None
        try:
            lines = cache.read_text(encoding="utf-8").splitlines()
            chunks = [Chunk.from_dict(json.loads(line)) for line in lines]
        except (OSError, ValueError, TypeError):
            return None  # a damaged cache entry is rebuilt, never trusted
        if any(c.id != c.compute_id() for c in chunks):
            return None
        return chunks

    def _store(self, path: Path, chunks: list[Chunk]) -> None:
        cache = self._cache_path(path)
        if cache is None:
            return
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text("".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in chunks), encoding="utf-8")
        os.replace(tmp, cache)
