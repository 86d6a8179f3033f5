"""Load .txt, .md and .pdf files into :class:`Document` objects, keeping page numbers."""

from __future__ import annotations

import logging
import os
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


def _too_many_pages(path: Path, pages: int, max_pages: int | None) -> None:
    if max_pages is not None and pages > max_pages:
        raise IngestError(
            path,
            f"{pages:,} pages, more than the limit of {max_pages:,} per document "
            "(--max-pages or SIKKERBY_MAX_PAGES raises it)",
        )


def check_size(path: Path, max_bytes: int | None) -> int:
    """The file's size in bytes; an :class:`IngestError` when it is larger than ``max_bytes``."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(path, f"cannot read ({exc.strerror})") from exc
    if max_bytes is not None and size > max_bytes:
        raise IngestError(
            path,
            f"{size / 2**20:,.1f} MB, larger than the limit of {max_bytes / 2**20:,.0f} MB per file "
            "(--max-file-mb or SIKKERBY_MAX_FILE_MB raises it)",
        )
    return size


def _load_text(path: Path, max_pages: int | None) -> Document:
    text = decode_text(path.read_bytes(), path)
    pages = [text.replace("\r\n", "\n")] if path.suffix.lower() == ".md" else split_text_pages(text)
    _too_many_pages(path, len(pages), max_pages)
    return Document(
        name=path.name,
        path=str(path),
        pages=tuple(Page(number=i, text=page) for i, page in enumerate(pages, start=1)),
    )


def _load_pdf(path: Path, max_pages: int | None) -> Document:
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
        _too_many_pages(path, len(reader.pages), max_pages)  # counted from the page tree, nothing extracted
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


def load_document(path: str | Path, *, max_bytes: int | None = None, max_pages: int | None = None) -> Document:
    """Load one file; raises :class:`IngestError` with the file and reason on any problem, including a
    file larger than ``max_bytes`` or with more than ``max_pages`` pages."""
    path = Path(path)
    if not path.exists():
        raise IngestError(path, "file not found")
    if path.is_dir():
        raise IngestError(path, "is a directory, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(path, f"unsupported file type {suffix or '(none)'}; use {', '.join(SUPPORTED_SUFFIXES)}")
    if check_size(path, max_bytes) == 0:
        raise IngestError(path, "file is empty (0 bytes)")
    try:
        document = _load_pdf(path, max_pages) if suffix == ".pdf" else _load_text(path, max_pages)
    except PermissionError as exc:
        raise IngestError(path, "permission denied") from exc
    if not document.text.strip():
        raise IngestError(path, "contains no text")
    return document


def expand_paths(paths: list[str | Path], *, follow_symlinks: bool = False) -> list[Path]:
    """Files named directly, plus supported files found recursively in named directories."""
    return find_files(paths, follow_symlinks=follow_symlinks)[0]


def find_files(paths: list[str | Path], *, follow_symlinks: bool = False) -> tuple[list[Path], list[str]]:
    """Files named directly, plus supported files found recursively in named directories, and a note
    for each symbolic link in a directory that leads outside it and so was not followed (unless
    ``follow_symlinks``). A file named directly is read wherever it links to: it was asked for."""
    files: list[Path] = []
    skipped: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, links = _walk(path, follow_symlinks)
            files.extend(found)
            skipped.extend(links)
        else:
            files.append(path)
    return files, skipped


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _walk(folder: Path, follow_symlinks: bool) -> tuple[list[Path], list[str]]:
    walker = _FolderWalk(folder, follow_symlinks)
    seen: set[Path] = set()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=follow_symlinks):
        here = Path(dirpath)
        real = here.resolve()
        if real in seen:  # a link cycle, when links are followed
            dirnames[:] = []
            continue
        seen.add(real)
        for name in dirnames:
            if (here / name).is_symlink():
                walker.outside(here / name, "a folder")  # not descended into unless links are followed
        found.extend(walker.files(here, filenames))
    return sorted(found), walker.skipped


class _FolderWalk:
    """Which files of one folder are read, and notes for the links out of it that are not followed."""

    def __init__(self, folder: Path, follow_symlinks: bool) -> None:
        self.folder = folder
        self.root = folder.resolve()
        self.follow_symlinks = follow_symlinks
        self.skipped: list[str] = []

    def outside(self, link: Path, what: str) -> bool:
        """Whether ``link`` leads outside the folder and is not to be followed (noted if so)."""
        target = link.resolve()
        if self.follow_symlinks or _inside(target, self.root):
            return False
        self.skipped.append(
            f"{link}: a symbolic link to {what} outside {self.folder} ({target}); not followed "
            "(--follow-symlinks or SIKKERBY_FOLLOW_SYMLINKS follows it)"
        )
        return True

    def files(self, here: Path, names: list[str]) -> list[Path]:
        out = []
        for name in names:
            path = here / name
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            if path.is_symlink() and self.outside(path, "a file"):
                continue
            if path.is_file():
                out.append(path)
        return out
