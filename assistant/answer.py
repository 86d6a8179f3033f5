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

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """The JSON shape of ``sikkerby ask --json``; ``full`` adds what a saved conversation needs to draw
        its sources again (departments, the principle's statement, the highlighted sentences)."""
        data: dict[str, Any] = {
            "n": self.n,
            "chunk_id": self.chunk_id,
            "document": self.document,
            "page": self.page,
            "principle": self.principle,
            "text": self.text,
            "score": round(self.score, 4),
        }
        if full:
            data["departments"] = list(self.departments)
            data["statement"] = self.statement
            data["highlights"] = list(self.highlights)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        """A citation from either shape of :meth:`to_dict`."""
        return cls(
            n=int(data["n"]),
            chunk_id=str(data["chunk_id"]),
            document=str(data["document"]),
            page=int(data["page"]),
            principle=None if data.get("principle") is None else str(data["principle"]),
            text=str(data["text"]),
            score=float(data.get("score") or 0.0),
            departments=tuple(str(d) for d in data.get("departments") or ()),
            statement=None if data.get("statement") is None else str(data["statement"]),
            highlights=tuple(str(h) for h in data.get("highlights") or ()),
        )


@dataclass(frozen=True)
class Generation:
    """Who wrote an answer, and what a language model did for it (assistant/generators/llm.py)."""

    #: "extractive", or the model's name when the shown answer is the model's (checked) text
    generator: str = "extractive"
    #: whether a language model was asked at all (lists, abstentions and principles never are)
    asked: bool = False
    #: the model's sentences that passed the check, and those removed
    kept: int = 0
    removed: int = 0
    #: why the extractive answer is shown although the model was asked: "checked" (too little of the
    #: model's answer survived the check), "timeout", "error"; None otherwise
    fallback: str | None = None
    #: time to the model's first token and to its whole answer, in milliseconds
    first_token_ms: float | None = None
    llm_ms: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    #: "server" when the endpoint reported the tokens, "chunks" when they were counted from the stream
    usage_source: str | None = None

    def joined(self, other: Generation) -> Generation:
        """Two asks' generations as one answer's (a question of several asks)."""
        if not other.asked:
            return self
        if not self.asked:
            return other

        def add(a: int | None, b: int | None) -> int | None:
            return None if a is None and b is None else (a or 0) + (b or 0)

        first = [t for t in (self.first_token_ms, other.first_token_ms) if t is not None]
        return Generation(
            generator=self.generator if self.generator != "extractive" else other.generator,
            asked=True,
            kept=self.kept + other.kept,
            removed=self.removed + other.removed,
            fallback=self.fallback or other.fallback,
            first_token_ms=min(first) if first else None,
            llm_ms=self.llm_ms + other.llm_ms,
            prompt_tokens=add(self.prompt_tokens, other.prompt_tokens),
            completion_tokens=add(self.completion_tokens, other.completion_tokens),
            usage_source=self.usage_source or other.usage_source,
        )


EXTRACTIVE = Generation()


@dataclass(frozen=True)
class Timing:
    retrieve: float = 0.0
    answer: float = 0.0
    total: float = 0.0
    #: the language model's share of ``answer`` (only when a model was asked)
    llm: float | None = None
    first_token: float | None = None

    def to_dict(self) -> dict[str, float]:
        data = {"retrieve": round(self.retrieve, 2), "answer": round(self.answer, 2), "total": round(self.total, 2)}
        if self.llm is not None:
            data["llm"] = round(self.llm, 2)
        if self.first_token is not None:
            data["first_token"] = round(self.first_token, 2)
        return data


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
    generation: Generation = EXTRACTIVE

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        """An answer from its JSON shape (as the API returns it), e.g. to record feedback on it."""
        citations = tuple(Citation.from_dict(c) for c in data.get("citations") or [])
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
        data["generator"] = self.generation.generator
        generation = self.generation
        if generation.asked:
            # what the check did with the model's sentences, and what the model cost
            data["checked"] = {"kept": generation.kept, "removed": generation.removed}
            data["fallback"] = generation.fallback
            prompt, completion = generation.prompt_tokens, generation.completion_tokens
            data["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": None if prompt is None or completion is None else prompt + completion,
                "source": generation.usage_source,
            }
        return data
