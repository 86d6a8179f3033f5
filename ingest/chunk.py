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
        """Rebuild a chunk from :meth:`to_dict` output; unknown keys and fields of the wrong type are a
        ValueError naming the field."""
        if not isinstance(data, dict):
            raise ValueError(f"a chunk record is a JSON object, not {type(data).__name__}")
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown chunk fields: {sorted(unknown)}")
        missing = {"document", "page", "text"} - set(data)
        if missing:
            raise ValueError(f"chunk record lacks {', '.join(sorted(missing))}")
        for name, value in data.items():  # exact types: JSON gives no subclasses, and True is not a page
            if type(value) not in _FIELD_TYPES[name]:
                raise ValueError(f"chunk field {name!r} has the wrong type ({type(value).__name__})")
        if data["page"] < 0 or data.get("ordinal", 0) < 0:
            raise ValueError("chunk fields 'page' and 'ordinal' must not be negative")
        if not all(type(d) is str for d in data.get("departments", ())):
            raise ValueError("chunk field 'departments' must be a list of names")
        values = dict(data)
        values["departments"] = tuple(values.get("departments") or ())
        return cls(**values)


#: the JSON type of each field of a chunk record
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "document": (str,),
    "page": (int,),
    "text": (str,),
    "kind": (str,),
    "principle": (str, type(None)),
    "statement": (str, type(None)),
    "departments": (list,),
    "raw_text": (str,),
    "ordinal": (int,),
    "id": (str,),
}
