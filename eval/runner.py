"""One evaluation run: the assistant and (optionally) the naive pipeline over a split of the golden set."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sikkerby.assistant.service import AssistantService
from sikkerby.assistant.settings import package_data
from sikkerby.eval.evaluator import AnswerEvaluator, EvalResult
from sikkerby.eval.golden import GoldenRow, load_golden
from sikkerby.eval.systems import AssistantSystem, NaiveSystem

log = logging.getLogger(__name__)

#: the question bank (dev and test splits) and its blind split ship with the package, as do the
#: accepted baselines, one per gated split
GOLDEN_DIR = package_data("sikkerby.eval", "golden")
DEFAULT_GOLDEN: tuple[Path, ...] = (GOLDEN_DIR / "bank.jsonl", GOLDEN_DIR / "blind.jsonl")
#: the first, smaller golden set (99 questions, dev/test), kept for comparison
FIRST_GOLDEN = GOLDEN_DIR / "sikker_by.jsonl"
#: questions written only to fit the models on (split "train")
TRAIN_GOLDEN = GOLDEN_DIR / "train.jsonl"


def training_rows() -> list[GoldenRow]:
    """What the question models are fitted on: the train split and the dev splits of both sets (never
    test or blind)."""
    return (
        load_golden(TRAIN_GOLDEN, split="train")
        + load_golden(DEFAULT_GOLDEN, split="dev")
        + load_golden(FIRST_GOLDEN, split="dev")
    )


def default_baseline(split: str) -> Path:
    return package_data("sikkerby.eval", f"baseline-{split}.json")


def default_report_dir(data_dir: Path) -> Path:
    """Reports go to the data directory, never into the installed package."""
    return data_dir / "reports" / "latest"


@dataclass
class Run:
    result: EvalResult
    naive: EvalResult | None
    naive_note: str = ""


def run_evaluation(
    service: AssistantService,
    *,
    golden: Path | Sequence[Path] = DEFAULT_GOLDEN,
    split: str = "test",
    naive: bool = True,
) -> Run:
    rows = load_golden(golden, split=split)
    evaluator = AnswerEvaluator(rows, split=split)
    result = evaluator(AssistantSystem(service))
    result.info["index_chunks"] = len(service.load().stored.chunks)
    naive_result, note = None, ""
    if naive:
        try:
            system = NaiveSystem(service)
        except RuntimeError as exc:
            note = str(exc)
        else:
            naive_result = evaluator(system)
            naive_result.info.update(chunks=system.chunk_count, index_seconds=round(system.index_seconds, 2))
    return Run(result, naive_result, note)
