"""Load .txt, .md and .pdf files into :class:`Document` objects, keeping page numbers."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from sikkerby.ingest.document import Document, Page
from sikkerby.ingest.errors import IngestError

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf")

# OCR'd text files of this project mark a new page by a line that starts with one space.
_PAGE_START = re.compile(r"^ (?=\S)")


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode text as UTF-8 (with or without BOM), falling back to Windows-1252 Danish."""
    if b"\x00" in data[:4096]:
        raise IngestError(path, "looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise IngestError(path, "text is neither UTF-8 nor Windows-1252") from exc


def split_text_pages(text: str) -> list[str]:
    """Split text into pages: on form feeds if any, else where a line starts with a single space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        return [page for page in text.split("\f")]
    pages: list[list[str]] = [[]]
    for line in text.split("\n"):
        if _PAGE_START.match(line) and any(existing.strip() for existing in pages[-1]):
            pages.append([])
        pages[-1].append(line)
    return ["\n".join(lines) for lines in pages]


def _load_text(path: Path) -> Document:
    text = decode_text(path.read_bytes(), path)
    pages = [text.replace("\r\n", "\n")] if path.suffix.lower() == ".md" else split_text_pages(text)
    return Document(
        name=path.name,
        path=str(path),
        pages=tuple(Page(number=i, text=page) for i, page in enumerate(pages, start=1)),
    )


def _load_pdf(path: Path) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise IngestError(path, "PDF is encrypted") from exc
            if not ok:
                raise IngestError(path, "PDF is encrypted with a password")
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            pages.append(Page(number=number, text=page.extract_text() or ""))
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise IngestError(path, f"unreadable PDF ({type(exc).__name__}: {exc})".rstrip()) from exc
    except Exception as exc:  # pypdf can fail in many ways on broken files; never a traceback
        raise IngestError(path, f"unreadable PDF ({type(exc).__name__})") from exc
    if not pages:
        raise IngestError(path, "PDF has no pages")
    if not any(p.text.strip() for p in pages):
        raise IngestError(path, "PDF has no text layer (scanned images without OCR)")
    return Document(name=path.name, path=str(path), pages=tuple(pages))


def load_document(path: str | Path) -> Document:
    """Load one file; raises :class:`IngestError` with the file and reason on any problem."""
    path = Path(path)
    if not path.exists():
        raise IngestError(path, "file not found")
    if path.is_dir():
        raise IngestError(path, "is a directory, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(path, f"unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(path, f"cannot read ({exc.strerror})") from exc
    if size == 0:
        raise IngestError(path, "file is empty (0 bytes)")
    try:
        document = _load_pdf(path) if suffix == ".pdf" else _load_text(path)
    except PermissionError as exc:
        raise IngestError(path, "permission denied") from exc
    if not document.text.strip():
        raise IngestError(path, "contains no text")
    return document


def expand_paths(paths: list[str | Path]) -> list[Path]:
    """Files named directly, plus supported files found recursively in named directories."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            files.append(path)
    return files
