"""The manifest that says what an index on disk was built from."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

log = logging.getLogger(__name__)

#: Bump when the on-disk layout changes; older indexes are then rebuilt, never misread.
FORMAT_VERSION = 2


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
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = asdict(self)
        data["documents"] = list(self.documents)
        return json.dumps(data, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("manifest is not a JSON object")
        required = {
            "embedder_id",
            "dim",
            "corpus_hash",
            "chunk_count",
            "dense_kind",
            "analyzer_version",
            "format_version",
        }
        missing = required - set(data)
        if missing:
            raise ValueError(f"manifest lacks {', '.join(sorted(missing))}")
        known = set(cls.__dataclass_fields__)
        values = {k: v for k, v in data.items() if k in known}
        values["documents"] = tuple(values.get("documents") or ())
        return cls(**values)
