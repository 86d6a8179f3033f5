"""What the API endpoints accept, typed and bounded (pydantic, strict: "false" is not a boolean), and
the answers this server has given, so that feedback is only taken on those."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sikkerby.assistant.answer import Answer, Citation
from sikkerby.assistant.feedback import MAX_CITATIONS, MAX_SESSION_CHARS

#: feedback is taken on any of this many answers given last
GIVEN_ANSWERS = 10_000
#: names of principles and departments are short; a filter value beyond this is not one
MAX_FILTER_CHARS = 200


class PayloadError(ValueError):
    """A request whose fields have the wrong type or size; the message names the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class AskRequest(_Strict):
    question: str
    principle: str | None = Field(default=None, max_length=MAX_FILTER_CHARS)
    department: str | None = Field(default=None, max_length=MAX_FILTER_CHARS)


class CitationPayload(_Strict):
    n: int = Field(ge=1, le=MAX_CITATIONS)
    chunk_id: str = Field(max_length=64)
    document: str = Field(max_length=1000)
    page: int = Field(ge=0)
    principle: str | None = Field(default=None, max_length=MAX_FILTER_CHARS)
    text: str
    score: float


class AnswerPayload(_Strict):
    """An answer as ``/ask`` returns it (``timing_ms`` is accepted and ignored)."""

    question: str
    answer: str
    abstained: bool
    citations: list[CitationPayload] = Field(default_factory=list, max_length=MAX_CITATIONS)
    timing_ms: dict[str, float] | None = None
    question_cut_from: int | None = Field(default=None, ge=0)
    # who wrote it and what the check did (issue 14); usage, like timing, is accepted and ignored
    generator: str | None = Field(default=None, max_length=200)
    checked: dict[str, int] | None = None
    fallback: str | None = Field(default=None, max_length=20)
    usage: dict[str, int | str | None] | None = None

    def fingerprint(self) -> str:
        """A hash of everything the answer says (not its timing or token counts)."""
        data = self.model_dump(exclude={"timing_ms", "usage"})
        for citation in data["citations"]:
            citation["score"] = round(float(citation["score"]), 4)
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()

    def to_answer(self) -> Answer:
        citations = tuple(
            Citation(
                n=c.n,
                chunk_id=c.chunk_id,
                document=c.document,
                page=c.page,
                principle=c.principle,
                text=c.text,
                score=c.score,
            )
            for c in self.citations
        )
        return Answer(
            question=self.question,
            answer=self.answer,
            abstained=self.abstained,
            citations=citations,
            question_cut_from=self.question_cut_from,
        )


class FeedbackRequest(_Strict):
    answer: AnswerPayload
    liked: bool
    session: str = Field(default="api", pattern=rf"^[A-Za-z0-9_.:-]{{1,{MAX_SESSION_CHARS}}}$")


def parse(model: type[_Strict], data: dict[str, Any]) -> Any:
    """``data`` as ``model``; a :class:`PayloadError` naming the first field that is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "request"
        raise PayloadError(f"{where}: {first['msg']}") from None


class GivenAnswers:
    """Fingerprints of the answers given last (bounded, safe across threads)."""

    def __init__(self, size: int = GIVEN_ANSWERS) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, answer: Answer) -> None:
        fingerprint = AnswerPayload.model_validate(answer.to_dict()).fingerprint()
        with self._lock:
            self._seen[fingerprint] = None
            self._seen.move_to_end(fingerprint)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)

    def __contains__(self, payload: object) -> bool:
        if not isinstance(payload, AnswerPayload):
            return False
        with self._lock:
            return payload.fingerprint() in self._seen
