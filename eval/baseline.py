"""The accepted baseline: stored metrics and tolerances; a run below them fails the gate."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sikkerby.errors import SikkerbyError
from sikkerby.eval.evaluator import METRICS, EvalResult

log = logging.getLogger(__name__)

DEFAULT_TOLERANCE = 0.02
#: rounding slack on top of one question's worth (stored baselines are rounded to 4 decimals)
ONE_QUESTION_EPS = 1e-3
#: Latency depends on the machine; it is reported, never gated.
UNGATED = ("latency_p50_ms", "latency_p95_ms")


class BaselineError(SikkerbyError, ValueError):
    pass


@dataclass(frozen=True)
class Regression:
    metric: str
    baseline: float
    current: float | None
    tolerance: float

    def describe(self) -> str:
        now = "n/a" if self.current is None else f"{self.current:.3f}"
        if not METRICS[self.metric][1]:
            return f"{self.metric}: {now} > baseline {self.baseline:.3f} + tolerance {self.tolerance:.3f}"
        return f"{self.metric}: {now} < baseline {self.baseline:.3f} - tolerance {self.tolerance:.3f}"


@dataclass
class Baseline:
    split: str
    metrics: dict[str, float | None]
    tolerance: dict[str, float] = field(default_factory=lambda: {"default": DEFAULT_TOLERANCE})
    created_at: str = ""
    golden: str = ""

    def tolerance_for(self, metric: str, count: int | None = None) -> float:
        """The drop a metric may show: the stored tolerance, but never less than what one question moves
        it by (``1/count``), so that floats that differ between CPUs cannot flip the gate on their own
        while a real regression of two questions still fails it."""
        stored = float(self.tolerance.get(metric, self.tolerance.get("default", DEFAULT_TOLERANCE)))
        return max(stored, 1.0 / count + ONE_QUESTION_EPS) if count else stored

    def describe_gate(self, result: EvalResult) -> str:
        parts = [
            f"{m} {self.tolerance_for(m, result.counts.get(m)):.3f}"
            for m, base in self.metrics.items()
            if m not in UNGATED and base is not None and m in METRICS
        ]
        return (
            "Gate: a metric fails when it falls below its baseline by more than its tolerance, which is at "
            "least one question's worth (1/n of the questions it averages over): " + ", ".join(parts)
        )

    def regressions(self, result: EvalResult) -> list[Regression]:
        """Gated metrics that fell below the baseline by more than their tolerance."""
        out = []
        for metric, base in self.metrics.items():
            if metric in UNGATED or base is None or metric not in METRICS:
                continue
            current = result.metrics.get(metric)
            tolerance = self.tolerance_for(metric, result.counts.get(metric))
            higher_is_better = METRICS[metric][1]
            worse = current is None or (current < base - tolerance if higher_is_better else current > base + tolerance)
            if worse:
                out.append(Regression(metric, base, current, tolerance))
        return out

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise BaselineError(
                f"{path}: no baseline yet; run `sikkerby eval --update-baseline` to accept one"
            ) from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise BaselineError(f"{path}: unreadable baseline ({exc})") from exc
        if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
            raise BaselineError(f"{path}: field 'metrics' missing")
        return cls(
            split=data.get("split", "test"),
            metrics=data["metrics"],
            tolerance=data.get("tolerance") or {"default": DEFAULT_TOLERANCE},
            created_at=data.get("created_at", ""),
            golden=data.get("golden", ""),
        )

    @classmethod
    def from_result(cls, result: EvalResult, *, golden: str, tolerance: dict[str, float] | None = None) -> Baseline:
        return cls(
            split=result.split,
            metrics={k: (round(v, 4) if v is not None else None) for k, v in result.metrics.items()},
            tolerance=tolerance or {"default": DEFAULT_TOLERANCE},
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            golden=golden,
        )

    def save(self, path: Path) -> None:
        data: dict[str, Any] = {
            "split": self.split,
            "golden": self.golden,
            "created_at": self.created_at,
            "tolerance": self.tolerance,
            "metrics": self.metrics,
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(path).with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
