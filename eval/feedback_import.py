"""Thumbs-down feedback becomes candidate golden rows, for a person to review before they count."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from sikkerby.eval.golden import GoldenError

log = logging.getLogger(__name__)


def feedback_candidates(export: Path, *, existing_questions: set[str] | None = None) -> list[dict[str, Any]]:
    """Candidate rows from a `sikkerby feedback export --format jsonl` file: every thumbs-down answer
    whose question is not in the golden set yet. They carry ``needs_review: true`` and are refused by
    the golden loader until a person fills in the expected principle, evidence and answer words."""
    existing = {q.strip().lower() for q in (existing_questions or set())}
    candidates: dict[str, dict[str, Any]] = {}
    try:
        lines = Path(export).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise GoldenError(f"{export}: file not found") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldenError(f"{export}:{number}: invalid JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or "question" not in record or "rating" not in record:
            raise GoldenError(f"{export}:{number}: not a feedback record (needs 'question' and 'rating')")
        question = str(record["question"]).strip()
        if record["rating"] != -1 or not question or question.lower() in existing:
            continue
        candidates.setdefault(
            question.lower(),
            {
                "id": f"fb-{record.get('id', number)}",
                "split": "dev",
                "type": "unanswerable" if record.get("abstained") else "fact",
                "question": question,
                "answerable": None,
                "principles": [],
                "evidence": [],
                "answer_words": [],
                "reference": "",
                "needs_review": True,
                "review": {
                    "given_answer": record.get("answer", ""),
                    "given_citations": [
                        {k: c.get(k) for k in ("n", "principle", "page", "text")} for c in record.get("citations", [])
                    ],
                    "comment": record.get("comment", ""),
                },
            },
        )
    return list(candidates.values())
