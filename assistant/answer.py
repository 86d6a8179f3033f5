"""What the assistant returns: an answer with numbered citations, or an explicit abstention."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Citation:
    """Source ``n`` of an answer: the chunk, where it is, and the sentences the answer took from it."""

    n: int
    chunk_id: str
    document: str
    page: int
    principle: str | None
    text: str
    score: float
    departments: tuple[str, ...] = ()
    statement: str | None = None
    highlights: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "chunk_id": self.chunk_id,
            "document": self.document,
            "page": self.page,
            "principle": self.principle,
            "text": self.text,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Timing:
    retrieve: float = 0.0
    answer: float = 0.0
    total: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {"retrieve": round(self.retrieve, 2), "answer": round(self.answer, 2), "total": round(self.total, 2)}


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    timing_ms: Timing = field(default_factory=Timing)
    route: str = "general"
    #: the question's length as asked, when it was longer than the limit and ``question`` is cut
    question_cut_from: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """An answer from its JSON shape (as the API returns it), e.g. to record feedback on it."""
        citations = tuple(
            Citation(
                n=int(c["n"]),
                chunk_id=str(c["chunk_id"]),
                document=str(c["document"]),
                page=int(c["page"]),
                principle=c.get("principle"),
                text=str(c["text"]),
                score=float(c.get("score", 0.0)),
            )
            for c in data.get("citations", [])
        )
        return cls(
            question=str(data["question"]),
            answer=str(data["answer"]),
            abstained=bool(data["abstained"]),
            citations=citations,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``sikkerby ask --json`` (``question_cut_from`` only when the question was cut)."""
        data: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "timing_ms": self.timing_ms.to_dict(),
        }
        if self.question_cut_from is not None:
            data["question_cut_from"] = self.question_cut_from
        return data
