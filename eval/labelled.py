"""Golden rows as the question models' training examples."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sikkerby.assistant.understanding.labels import KINDS, Labelled
from sikkerby.eval.evaluator import matches_group
from sikkerby.eval.golden import GoldenRow

log = logging.getLogger(__name__)

#: the first golden set's types as bank kinds (None: the type says nothing of the kind)
FIRST_SET_KINDS = {
    "list": "list_principle",
    "which_principle": "which_principle",
    "statement": "fact",
    "fact": "fact",
    "department": "list_department",
    "overview": "overview",
}


def labelled(row: GoldenRow) -> Labelled:
    """A golden row of either set as a training example."""
    if row.answers and row.type in KINDS:
        kind: str | None = row.type
        answers = row.answers
    else:
        kind, answers = FIRST_SET_KINDS.get(row.type), "full" if row.answerable else "none"
    groups = row.evidence
    return Labelled(
        question=row.question,
        kind=kind,
        answers=answers,
        is_evidence=lambda text: any(matches_group(text, g) for g in groups),
        context=row.context,
        many=row.multi_evidence,
        topic=row.extra.get("topic") or None,
        key_phrases=(*row.answer_words, *(phrase for group in groups for phrase in group)),
    )


def training_examples(rows: Sequence[GoldenRow]) -> list[Labelled]:
    return [labelled(r) for r in rows]
