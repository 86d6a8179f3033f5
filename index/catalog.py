"""The corpus's structure as data: principles, their initiatives, departments."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_INTRO, KIND_PRINCIPLE, Chunk
from sikkerby.ingest.departments import DEPARTMENTS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principle:
    label: str
    statement: str
    chunk: Chunk
    initiatives: tuple[Chunk, ...]


def _principle_sort_key(label: str) -> tuple[int, int]:
    match = re.match(r"(Grundprincip|Fagprincip) (\d+)", label)
    if not match:
        return (9, 0)
    return (0 if match.group(1) == "Grundprincip" else 1, int(match.group(2)))


class Catalog:
    """Lookups over the chunks: complete lists come from here, never from top-k retrieval."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self.by_id = {c.id: c for c in chunks}
        principles: dict[str, Principle] = {}
        for chunk in chunks:
            if chunk.kind == KIND_PRINCIPLE and chunk.principle:
                initiatives = tuple(
                    c
                    for c in chunks
                    if c.kind == KIND_INITIATIVE and c.principle == chunk.principle and c.document == chunk.document
                )
                label = chunk.principle
                if label in principles:  # the same label in a second strategy document
                    label = f"{chunk.principle} ({chunk.document})"
                principles[label] = Principle(chunk.principle, chunk.statement or "", chunk, initiatives)
        self.principles = dict(sorted(principles.items(), key=lambda kv: _principle_sort_key(kv[0])))
        #: the passage in which the (first) document says what it is, if it has one
        self.intro: Chunk | None = next((c for c in chunks if c.kind == KIND_INTRO), None)

    def principle(self, label: str) -> Principle | None:
        return self.principles.get(label)

    def initiatives_of_department(self, name: str) -> list[Chunk]:
        return [c for c in self.chunks if c.kind == KIND_INITIATIVE and name in c.departments]

    def departments(self) -> list[str]:
        present = {d for c in self.chunks for d in c.departments}
        return [d.name for d in DEPARTMENTS if d.name in present]
