"""The one record that flows from ingest to index to answers."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

log = logging.getLogger(__name__)

#: Kinds of chunk the structure parser and the plain splitter produce.
KIND_INITIATIVE = "initiative"
KIND_PRINCIPLE = "principle"
KIND_INTRO = "intro"
KIND_PASSAGE = "passage"


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage with the metadata answers cite.

    ``text`` is what is shown and embedded (repaired Danish once repair runs); ``raw_text`` is the
    text as the source had it. The id hashes the raw text and the metadata, so it is stable across
    runs and does not change when the repair improves.
    """

    document: str
    page: int
    text: str
    kind: str = KIND_PASSAGE
    principle: str | None = None
    statement: str | None = None
    departments: tuple[str, ...] = ()
    raw_text: str = ""
    ordinal: int = 0
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.raw_text:
            object.__setattr__(self, "raw_text", self.text)
        if not self.id:
            object.__setattr__(self, "id", self.compute_id())

    def compute_id(self) -> str:
        """Hash of the source text and the metadata that place it."""
        key = json.dumps(
            [self.document, self.page, self.kind, self.principle, self.ordinal, self.raw_text],
            ensure_ascii=False,
        )
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["departments"] = list(self.departments)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        """Rebuild a chunk from :meth:`to_dict` output; unknown keys are an error."""
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown chunk fields: {sorted(unknown)}")
        values = dict(data)
        values["departments"] = tuple(values.get("departments") or ())
        return cls(**values)
