"""The extractive generator against a language model over the same golden questions: answer quality
beside what the check removed, how often the extractive answer stood in, and the model's latency.
Reported, never gated."""

from __future__ import annotations

import logging
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sikkerby.assistant.service import AssistantService
from sikkerby.eval.evaluator import AnswerEvaluator, EvalResult
from sikkerby.eval.golden import load_golden
from sikkerby.eval.systems import AssistantSystem

log = logging.getLogger(__name__)

#: the answer metrics shown side by side
COMPARED = (
    "answer_correctness",
    "citation_precision",
    "faithfulness",
    "false_abstention",
    "abstention_recall",
    "list_completeness",
    "latency_p50_ms",
    "latency_p95_ms",
)


@dataclass
class Comparison:
    extractive: EvalResult
    llm: EvalResult
    model: str
    stats: dict[str, float | int | None]


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(math.ceil(q * len(ordered)) - 1, 0))]


def llm_stats(result: EvalResult) -> dict[str, float | int | None]:
    """What the model and the check did over a run: questions that reached the model, sentences kept and
    removed, fallbacks to the extractive answer by reason, latency to the first token and of the model's
    whole answer, and tokens."""
    generations = [r.answer.generation for r in result.rows if r.answer.generation is not None]
    asked = [g for g in generations if g.asked]
    kept = sum(g.kept for g in asked)
    removed = sum(g.removed for g in asked)
    first = [g.first_token_ms for g in asked if g.first_token_ms is not None]
    whole = [g.llm_ms for g in asked if g.fallback not in ("timeout", "error")]
    completion = [g.completion_tokens for g in asked if g.completion_tokens is not None]
    return {
        "questions": len(result.rows),
        "asked_model": len(asked),
        "sentences_kept": kept,
        "sentences_removed": removed,
        "removed_share": removed / (kept + removed) if kept + removed else None,
        "fallbacks": sum(1 for g in asked if g.fallback),
        "fallback_checked": sum(1 for g in asked if g.fallback == "checked"),
        "fallback_timeout": sum(1 for g in asked if g.fallback == "timeout"),
        "fallback_error": sum(1 for g in asked if g.fallback == "error"),
        "first_token_p50_ms": statistics.median(first) if first else None,
        "first_token_p95_ms": _percentile(first, 0.95),
        "model_answer_p50_ms": statistics.median(whole) if whole else None,
        "model_answer_p95_ms": _percentile(whole, 0.95),
        "completion_tokens_mean": statistics.mean(completion) if completion else None,
    }


def compare_generators(
    extractive: AssistantService,
    llm: AssistantService,
    *,
    golden: Path | Sequence[Path],
    split: str = "test",
    limit: int | None = None,
    types: Sequence[str] = (),
) -> Comparison:
    """Both generators over the split's rows (only those of ``types`` when given; the first ``limit``)."""
    rows = [r for r in load_golden(golden, split=split) if not types or r.type in types]
    rows = rows[:limit] if limit else rows
    evaluator = AnswerEvaluator(rows, split=split)
    plain = evaluator(AssistantSystem(extractive))
    plain.system = "extractive"
    model = llm.settings.llm_model or "llm"
    generated = evaluator(AssistantSystem(llm))
    generated.system = f"llm ({model})"
    return Comparison(plain, generated, model, llm_stats(generated))


def _fmt(value: float | int | None, name: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.0f}" if name.endswith("_ms") else f"{value:.3f}"


def comparison_markdown(comparison: Comparison) -> str:
    """Two Markdown tables: the answer metrics of both generators, then what the model and the check did."""
    e, m = comparison.extractive, comparison.llm
    lines = [
        f"## Generators: extractive and {comparison.model} ({len(m.rows)} questions, split {m.split})",
        "",
        f"| metric | {e.system} | {m.system} |",
        "|---|---|---|",
    ]
    for metric in COMPARED:
        lines.append(f"| {metric} | {_fmt(e.metrics.get(metric), metric)} | {_fmt(m.metrics.get(metric), metric)} |")
    lines += ["", "| the model and the check | value |", "|---|---|"]
    lines += [f"| {name} | {_fmt(value, name)} |" for name, value in comparison.stats.items()]
    return "\n".join(lines)
