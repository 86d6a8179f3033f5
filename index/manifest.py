"""The manifest that says what an index on disk was built from, and the SHA-256 of every other file."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

log = logging.getLogger(__name__)

#: Bump when the on-disk layout changes; older indexes are then rebuilt, never misread.
#: 3: per-file SHA-256 checksums in the manifest.
FORMAT_VERSION = 3

DENSE_KINDS = ("flat", "hnsw")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """A manifest that is not JSON or whose fields have the wrong type; the message names the field."""


@dataclass(frozen=True)
class Manifest:
    embedder_id: str
    dim: int
    corpus_hash: str
    chunk_count: int
    dense_kind: str
    analyzer_version: int
    documents: tuple[str, ...] = ()
    created_at: str = ""
    format_version: int = FORMAT_VERSION
    #: path of each part relative to the index folder -> SHA-256 of its bytes (hex)
    files: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = asdict(self)
        data["documents"] = list(self.documents)
        return json.dumps(data, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> Manifest:
        """Parse and type-check a manifest; anything else is a :class:`ManifestError` naming the field."""
        try:
            data = json.loads(text)
        except RecursionError as exc:  # a deeply nested document
            raise ManifestError("nested too deeply to be a manifest") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ManifestError(f"not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise ManifestError("not a JSON object")
        missing = set(_REQUIRED) - set(data)
        if missing:
            raise ManifestError(f"lacks {', '.join(sorted(missing))}")
        for name, kind in _REQUIRED.items():
            _check(name, data[name], kind)
        for name, kind in _OPTIONAL.items():
            if name in data:
                _check(name, data[name], kind)
        if data["format_version"] == FORMAT_VERSION:
            _check_v3(data)
        known = set(cls.__dataclass_fields__)
        values = {k: v for k, v in data.items() if k in known}
        values["documents"] = tuple(values.get("documents") or ())
        return cls(**values)


_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "embedder_id": str,
    "dim": int,
    "corpus_hash": str,
    "chunk_count": int,
    "dense_kind": str,
    "analyzer_version": int,
    "format_version": int,
}
_OPTIONAL: dict[str, type | tuple[type, ...]] = {
    "documents": list,
    "created_at": str,
    "files": dict,
    "extra": dict,
}


def _check(name: str, value: Any, kind: type | tuple[type, ...]) -> None:
    # bool is an int in Python; a manifest never means True by 1
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ManifestError(f"field {name!r} must be {expected}, not {type(value).__name__}")


def _check_v3(data: dict[str, Any]) -> None:
    """The fields a current-format manifest must have right (older formats are only read to be rebuilt)."""
    if data["dim"] < 1 or data["chunk_count"] < 0:
        raise ManifestError("fields 'dim' and 'chunk_count' must be positive")
    if data["dense_kind"] not in DENSE_KINDS:
        raise ManifestError(f"field 'dense_kind' must be one of {', '.join(DENSE_KINDS)}")
    if not all(isinstance(d, str) for d in data.get("documents", [])):
        raise ManifestError("field 'documents' must be a list of names")
    files = data.get("files")
    if not files:
        raise ManifestError("lists no file checksums")
    for path, digest in files.items():
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise ManifestError(f"checksum of {path!r} is not a SHA-256 hex digest")
        if path.startswith("/") or ".." in path.split("/"):
            raise ManifestError(f"file {path!r} lies outside the index folder")
