"""One conversation in the chat: its id, the questions asked in order, and the turns answered so far,
each with the feedback given on it. It round-trips through JSON, for the browser's storage (the
conversation survives a reload) and the hidden field the page sends questions through."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from sikkerby.assistant.answer import EXTRACTIVE, Answer, Citation, Generation

log = logging.getLogger(__name__)

#: at most this many turns are kept in one conversation (the oldest go first)
MAX_TURNS = 200


@dataclass(frozen=True)
class Turn:
    """A question and what the chat showed for it: an answer, or an error message when there is none.
    ``rating`` is the feedback given on it (1, -1, or 0 for none) and ``feedback_id`` its stored row."""

    question: str
    answer: Answer | None = None
    error: str = ""
    rating: int = 0
    feedback_id: int | None = None
    #: what the filters were when it was asked, as the answer states them ("" for none)
    scope: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": _answer_dict(self.answer) if self.answer is not None else None,
            "error": self.error,
            "rating": self.rating,
            "feedback_id": self.feedback_id,
            "scope": self.scope,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        answer = data.get("answer")
        return cls(
            question=str(data["question"]),
            answer=_answer_from(answer) if isinstance(answer, dict) else None,
            error=str(data.get("error") or ""),
            rating=int(data.get("rating") or 0) if data.get("rating") in (1, -1, 0, None) else 0,
            feedback_id=int(data["feedback_id"]) if isinstance(data.get("feedback_id"), int) else None,
            scope=str(data.get("scope") or ""),
        )

    def rated(self, rating: int, feedback_id: int | None) -> Turn:
        return replace(self, rating=rating, feedback_id=feedback_id)


@dataclass(frozen=True)
class Conversation:
    """The chat's state: ``asked`` is every question sent in this conversation, ``turns`` the ones
    answered (a prefix of ``asked``)."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    asked: tuple[str, ...] = ()
    turns: tuple[Turn, ...] = ()

    @property
    def pending(self) -> tuple[str, ...]:
        return self.asked[len(self.turns) :]

    @property
    def answers(self) -> list[Answer]:
        return [t.answer for t in self.turns if t.answer is not None]

    def with_turn(self, turn: Turn) -> Conversation:
        turns = (*self.turns, turn)
        drop = max(0, len(turns) - MAX_TURNS)
        return replace(self, turns=turns[drop:], asked=self.asked[drop:])

    def with_rating(self, index: int, rating: int, feedback_id: int | None) -> Conversation:
        turns = list(self.turns)
        turns[index] = turns[index].rated(rating, feedback_id)
        return replace(self, turns=tuple(turns))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "asked": list(self.asked), "turns": [t.to_dict() for t in self.turns]}

    @classmethod
    def from_dict(cls, data: Any) -> Conversation:
        """A conversation from stored JSON; anything that is not one is a new, empty conversation."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return cls()
        try:
            turns = tuple(Turn.from_dict(t) for t in data.get("turns") or [])
            asked = tuple(str(q) for q in data.get("asked") or [])
        except (KeyError, TypeError, ValueError) as exc:
            log.info("stored conversation not readable (%s): starting a new one", type(exc).__name__)
            return cls()
        if len(asked) < len(turns):
            asked = tuple(t.question for t in turns)
        return cls(id=data["id"][:32], asked=asked, turns=turns[-MAX_TURNS:])


def asked_json(conversation: Conversation) -> str:
    """The hidden field's value: the conversation's id and the questions asked in it."""
    return json.dumps({"id": conversation.id, "asked": list(conversation.asked)}, ensure_ascii=False)


def parse_asked(value: str | None) -> tuple[str, tuple[str, ...]]:
    """The hidden field's conversation id and questions; ("", ()) for anything else."""
    try:
        data = json.loads(value or "{}")
    except ValueError:
        return "", ()
    if not isinstance(data, dict) or not isinstance(data.get("asked"), list):
        return "", ()
    return str(data.get("id") or ""), tuple(str(q) for q in data["asked"] if isinstance(q, str))


def _answer_dict(answer: Answer) -> dict[str, Any]:
    return {
        "question": answer.question,
        "answer": answer.answer,
        "abstained": answer.abstained,
        "route": answer.route,
        "question_cut_from": answer.question_cut_from,
        # who wrote it and what the check did (issue 14): the chat marks a fallback's note after a reload too
        "generation": {
            "generator": answer.generation.generator,
            "asked": answer.generation.asked,
            "kept": answer.generation.kept,
            "removed": answer.generation.removed,
            "fallback": answer.generation.fallback,
        },
        "citations": [c.to_dict(full=True) for c in answer.citations],
    }


def _answer_from(data: dict[str, Any]) -> Answer:
    citations = tuple(Citation.from_dict(c) for c in data.get("citations") or [])
    cut = data.get("question_cut_from")
    generation = EXTRACTIVE
    made = data.get("generation")
    if isinstance(made, dict):
        fallback = made.get("fallback")
        generation = Generation(
            generator=str(made.get("generator") or "extractive"),
            asked=bool(made.get("asked")),
            kept=int(made.get("kept") or 0),
            removed=int(made.get("removed") or 0),
            fallback=str(fallback) if fallback else None,
        )
    return Answer(
        question=str(data["question"]),
        answer=str(data["answer"]),
        abstained=bool(data["abstained"]),
        citations=citations,
        route=str(data.get("route") or "general"),
        question_cut_from=int(cut) if isinstance(cut, int) else None,
        generation=generation,
    )
