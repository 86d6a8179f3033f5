"""The seam between deciding what to answer and writing the answer: the assistant routes the question and
gathers the evidence (and decides whether the document answers at all); a generator writes the draft."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sikkerby.assistant.composer import Draft
from sikkerby.assistant.router import Route
from sikkerby.index.catalog import Principle
from sikkerby.index.hybrid import Hit
from sikkerby.ingest.chunk import Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    """What the route found: ranked passages, or the catalog's complete selection (a principle and its
    initiatives, a department's, a topic's), and what the answer must say about it."""

    hits: tuple[Hit, ...] = ()
    principle: Principle | None = None
    #: the initiatives to list; None with a principle means all of the principle's
    initiatives: tuple[Chunk, ...] | None = None
    #: what a list is about ("migranter", a department's name), shown in its heading
    about: str | None = None
    department: str | None = None
    #: the question's search terms and its subject words (for choosing sentences)
    terms: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    english: bool = False
    #: the ask itself when the question is read after an earlier one: the kind of fact it asks for
    ask: str | None = None


class Generator(Protocol):
    """Writes the draft (text with [n] citations) for a routed question from its evidence."""

    name: str

    def generate(self, question: str, route: Route, evidence: Evidence) -> Draft: ...
