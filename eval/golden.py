"""The golden set: hand-written Danish questions with what a right answer must contain."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sikkerby.assistant.understanding.labels import ANSWERS, KINDS, MISSING
from sikkerby.errors import SikkerbyError

log = logging.getLogger(__name__)

#: the bank's labels (eval/golden/bank.jsonl, blind.jsonl, train.jsonl) KINDS, ANSWERS and MISSING are
#: defined with the models that learn them; these are how a question is phrased
STYLES = ("formal", "chatty", "short", "typo", "multi", "english", "followup")
#: kinds of the first, smaller golden set (sikker_by.jsonl)
TYPES = (
    *KINDS,
    "list",
    "which_principle",
    "statement",
    "fact",
    "department",
    "paraphrase",
    "english",
    "overview",
    "unanswerable",
)
SPLITS = ("train", "dev", "test", "blind")


class GoldenError(SikkerbyError, ValueError):
    """A golden file that cannot be used; the message names the file, line and field."""


@dataclass(frozen=True)
class GoldenRow:
    id: str
    split: str
    type: str
    question: str
    answerable: bool
    principles: tuple[str, ...] = ()
    #: groups of phrases; a passage is evidence for a group when it contains all the group's phrases
    evidence: tuple[tuple[str, ...], ...] = ()
    answer_words: tuple[str, ...] = ()
    reference: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: bank rows: "full", "partial" or "none"; the missing piece; the phrasing style; earlier questions
    answers: str = ""
    missing: str | None = None
    style: str = ""
    context: tuple[str, ...] = ()

    @property
    def partial(self) -> bool:
        return self.answers == "partial"

    @property
    def multi_evidence(self) -> bool:
        """Questions whose answer is a set of passages (a principle's or a department's initiatives)."""
        return len(self.evidence) > 1


_REQUIRED = ("id", "split", "type", "question", "answerable")


def parse_row(data: Any, where: str) -> GoldenRow:
    if not isinstance(data, dict):
        raise GoldenError(f"{where}: not a JSON object")
    if "kind" in data:
        data = _bank_row(data, where)
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise GoldenError(f"{where}: missing field {missing[0]!r}")
    if data.get("needs_review"):
        raise GoldenError(f"{where}: row {data['id']!r} is a candidate that still needs review")
    if data["split"] not in SPLITS:
        raise GoldenError(f"{where}: field 'split' must be one of {', '.join(SPLITS)}")
    if data["type"] not in TYPES:
        raise GoldenError(f"{where}: field 'type' must be one of {', '.join(TYPES)}")
    if not isinstance(data["answerable"], bool):
        raise GoldenError(f"{where}: field 'answerable' must be true or false")
    if not isinstance(data["question"], str) or not data["question"].strip():
        raise GoldenError(f"{where}: field 'question' is empty")
    evidence = _evidence(data, where)
    known = {"id", "split", "type", "question", "answerable", "principles", "evidence", "answer_words", "reference"}
    known |= {"answers", "missing", "style", "context", "kind"}
    return GoldenRow(
        id=str(data["id"]),
        split=data["split"],
        type=data["type"],
        question=data["question"],
        answerable=data["answerable"],
        principles=tuple(data.get("principles") or ()),
        evidence=tuple(tuple(str(p) for p in group) for group in evidence),
        answer_words=tuple(data.get("answer_words") or ()),
        reference=data.get("reference") or "",
        extra={k: v for k, v in data.items() if k not in known},
        answers=data.get("answers") or ("full" if data["answerable"] else "none"),
        missing=data.get("missing"),
        style=data.get("style") or "",
        context=tuple(data.get("context") or ()),
    )


def _evidence(data: dict[str, Any], where: str) -> list[list[Any]]:
    evidence = data.get("evidence") or []
    if not isinstance(evidence, list) or not all(isinstance(g, list) and g for g in evidence):
        raise GoldenError(f"{where}: field 'evidence' must be a list of non-empty lists of phrases")
    if data["answerable"] and data["type"] != "overview" and not evidence:
        raise GoldenError(f"{where}: answerable row without 'evidence'")
    return evidence


def _bank_row(data: dict[str, Any], where: str) -> dict[str, Any]:
    """A question-bank row (kind, answers, missing, style, context) in the golden row's terms."""
    for name, allowed in (("kind", KINDS), ("answers", ANSWERS), ("style", STYLES)):
        if data.get(name) not in allowed:
            raise GoldenError(f"{where}: field {name!r} must be one of {', '.join(allowed)}")
    if data.get("missing") is not None and data["missing"] not in MISSING:
        raise GoldenError(f"{where}: field 'missing' must be null or one of {', '.join(MISSING)}")
    if data["answers"] == "partial" and not data.get("missing"):
        raise GoldenError(f"{where}: a partial row must name what is 'missing'")
    context = data.get("context") or []
    if not isinstance(context, list) or not all(isinstance(q, str) and q.strip() for q in context):
        raise GoldenError(f"{where}: field 'context' must be a list of earlier questions")
    return {**data, "type": data["kind"], "answerable": data["answers"] != "none"}


def load_golden(path: Path | Sequence[Path], *, split: str | None = None) -> list[GoldenRow]:
    """Rows of one or more golden JSONL files, optionally one split ("dev", "test", "blind"; None or
    "all" for every split)."""
    if not isinstance(path, (str, Path)):
        combined = [row for p in path for row in load_golden(p)]
        ids = [r.id for r in combined]
        if len(set(ids)) != len(ids):
            raise GoldenError(f"duplicate ids across {', '.join(str(p) for p in path)}")
        return _one_split(combined, split, ", ".join(str(p) for p in path))
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise GoldenError(f"{path}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldenError(f"{path}: unreadable ({exc})") from exc
    rows: list[GoldenRow] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldenError(f"{where}: invalid JSON ({exc.msg})") from exc
        row = parse_row(data, where)
        if row.id in seen:
            raise GoldenError(f"{where}: duplicate id {row.id!r}")
        seen.add(row.id)
        rows.append(row)
    return _one_split(rows, split, str(path))


def _one_split(rows: list[GoldenRow], split: str | None, where: str) -> list[GoldenRow]:
    if split not in (None, "all"):
        if split not in SPLITS:
            raise GoldenError(f"unknown split {split!r}; use {', '.join(SPLITS)} or all")
        rows = [r for r in rows if r.split == split]
    if not rows:
        raise GoldenError(f"{where}: no rows{f' in split {split}' if split else ''}")
    return rows
