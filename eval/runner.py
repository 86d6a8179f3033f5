"""One evaluation run: the assistant and (optionally) the naive pipeline over a split of the golden set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.service import AssistantService
from assistant.settings import PROJECT_ROOT
from eval.evaluator import AnswerEvaluator, EvalResult
from eval.golden import load_golden
from eval.systems import AssistantSystem, NaiveSystem

DEFAULT_GOLDEN = PROJECT_ROOT / "eval" / "golden" / "sikker_by.jsonl"
DEFAULT_BASELINE = PROJECT_ROOT / "eval" / "baseline.json"
DEFAULT_REPORT = PROJECT_ROOT / "eval" / "reports" / "latest"


@dataclass
class Run:
    result: EvalResult
    naive: EvalResult | None
    naive_note: str = ""


def run_evaluation(
    service: AssistantService, *, golden: Path = DEFAULT_GOLDEN, split: str = "test", naive: bool = True
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
