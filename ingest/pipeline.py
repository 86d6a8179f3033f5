"""From files to chunks: load, parse the structure if there is one, else split plainly."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunk import Chunk
from ingest.errors import IngestError
from ingest.loaders import expand_paths, load_document
from ingest.splitter import PlainSplitter
from ingest.structure import Repair, StrategyParser


@dataclass
class IngestResult:
    """Chunks of every file that loaded, and one error per file that did not."""

    chunks: list[Chunk] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)


class Ingestor:
    """Turns files into chunks; one bad file never stops the others."""

    def __init__(self, *, repair: Repair | None = None, chunk_size: int = 900) -> None:
        self.parser = StrategyParser(repair=repair)
        self.splitter = PlainSplitter(chunk_size=chunk_size, repair=repair)

    def ingest(self, paths: Iterable[str | Path]) -> IngestResult:
        result = IngestResult()
        seen: set[str] = set()
        for path in expand_paths(list(paths)):
            try:
                document = load_document(path)
                chunks = self.parser.parse(document)
                if chunks is None:
                    chunks = self.splitter.split(document)
            except IngestError as exc:
                result.errors.append(exc)
                continue
            except Exception as exc:  # a parser bug on odd input must not lose the other files
                result.errors.append(IngestError(path, f"could not parse ({type(exc).__name__}: {exc})"))
                continue
            if not chunks:
                result.errors.append(IngestError(path, "no text to index"))
                continue
            if document.name in seen:
                result.errors.append(IngestError(path, f"another file is also named {document.name}"))
                continue
            seen.add(document.name)
            result.documents.append(document.name)
            result.chunks.extend(chunks)
        return result
