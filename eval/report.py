"""Readable reports of an evaluation run: a console table, Markdown and HTML (with an SVG bar chart of
the metrics against the baseline and the naive pipeline, and one row per question)."""

from __future__ import annotations

import html
import logging
from pathlib import Path

from sikkerby.eval.baseline import Baseline, Regression
from sikkerby.eval.evaluator import METRICS, EvalResult

log = logging.getLogger(__name__)

_RATIO_METRICS = [m for m in METRICS if not m.endswith("_ms")]


def _fmt(value: float | None, metric: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if metric.endswith("_ms") else f"{value:.3f}"


def metrics_table(result: EvalResult, *, baseline: Baseline | None = None, naive: EvalResult | None = None) -> str:
    """A Markdown table: metric, this run, baseline, change, naive."""
    head = ["metric", result.system]
    if baseline is not None:
        head += ["baseline", "change"]
    if naive is not None:
        head.append(naive.system)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for metric in METRICS:
        value = result.metrics.get(metric)
        cells = [metric, _fmt(value, metric)]
        if baseline is not None:
            base = baseline.metrics.get(metric)
            cells.append(_fmt(base, metric))
            if value is None or base is None:
                cells.append("")
            else:
                cells.append(f"{value - base:+.3f}" if not metric.endswith("_ms") else f"{value - base:+.1f}")
        if naive is not None:
            cells.append(_fmt(naive.metrics.get(metric), metric))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _svg_chart(result: EvalResult, baseline: Baseline | None, naive: EvalResult | None) -> str:
    series = [(result.system, result.metrics, "#1f6f8b")]
    if baseline is not None:
        series.insert(0, ("baseline", baseline.metrics, "#9aa5b1"))
    if naive is not None:
        series.append((naive.system, naive.metrics, "#e07a5f"))
    bar, gap, left, top = 12, 18, 190, 30
    group = bar * len(series) + gap
    width = 720
    chart_h = top + group * len(_RATIO_METRICS) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{chart_h}" role="img" '
        f'aria-label="Metrics against the baseline">'
    ]
    scale = width - left - 70
    for i in range(0, 11, 2):
        x = left + scale * i / 10
        parts.append(f'<line x1="{x:.0f}" y1="{top - 8}" x2="{x:.0f}" y2="{chart_h - 34}" stroke="#e3e7eb"/>')
        parts.append(f'<text x="{x:.0f}" y="{top - 12}" font-size="10" text-anchor="middle">{i / 10:.1f}</text>')
    for m_index, metric in enumerate(_RATIO_METRICS):
        y0 = top + m_index * group
        parts.append(f'<text x="{left - 8}" y="{y0 + group / 2:.0f}" font-size="12" text-anchor="end">{metric}</text>')
        for s_index, (_name, metrics, colour) in enumerate(series):
            value = metrics.get(metric)
            y = y0 + s_index * bar
            w = scale * (value or 0.0)
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{colour}"/>')
            label = "n/a" if value is None else f"{value:.2f}"
            parts.append(f'<text x="{left + w + 4:.1f}" y="{y + bar - 3}" font-size="10">{label}</text>')
    legend_y = chart_h - 14
    x = left
    for name, _metrics, colour in series:
        parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{legend_y}" font-size="11">{html.escape(name)}</text>')
        x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def write_reports(
    path: Path,
    result: EvalResult,
    *,
    baseline: Baseline | None,
    naive: EvalResult | None,
    regressions: list[Regression],
) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` (in ``path`` if a folder, else next to it)."""
    path = Path(path)
    if path.suffix in (".md", ".html"):
        md_path, html_path = path.with_suffix(".md"), path.with_suffix(".html")
    else:
        md_path, html_path = path / "report.md", path / "report.html"
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(_markdown(result, baseline, naive, regressions), encoding="utf-8")
    html_path.write_text(_html(result, baseline, naive, regressions), encoding="utf-8")
    return md_path, html_path


def _verdict(regressions: list[Regression], baseline: Baseline | None) -> str:
    if baseline is None:
        return "No baseline to compare with."
    if not regressions:
        return "PASS: no metric fell below the baseline by more than its tolerance."
    return "FAIL: " + "; ".join(r.describe() for r in regressions)


def _markdown(
    result: EvalResult, baseline: Baseline | None, naive: EvalResult | None, regressions: list[Regression]
) -> str:
    lines = [
        f"# Evaluation: {result.system}, split `{result.split}` ({len(result.rows)} questions)",
        "",
        _verdict(regressions, baseline),
        "",
        metrics_table(result, baseline=baseline, naive=naive),
        "",
        "## By question type",
        "",
        "| type | passed | questions |",
        "|---|---|---|",
    ]
    for kind, (passed, total) in sorted(result.by_type().items()):
        lines.append(f"| {kind} | {passed} | {total} |")
    lines += ["", "## Questions", ""]
    for r in result.rows:
        mark = "✅" if r.passed else "❌"
        lines.append(f"### {mark} {r.row.id} ({r.row.type}): {r.row.question}")
        lines.append("")
        lines.append("> " + r.answer.text.replace("\n", "\n> "))
        lines.append("")
        for i, c in enumerate(r.answer.citations, start=1):
            lines.append(f"- [{i}] {c.principle or 'uden princip'}, side {c.page or '-'}: {c.text[:160]}")
        if r.failures:
            lines.append("")
            lines.append("Failed: " + "; ".join(r.failures))
        lines.append("")
    return "\n".join(lines)


def _html(
    result: EvalResult, baseline: Baseline | None, naive: EvalResult | None, regressions: list[Regression]
) -> str:
    esc = html.escape
    rows = []
    for r in result.rows:
        cites = "".join(
            f"<li>[{i}] {esc(c.principle or 'uden princip')}, side {c.page or '-'}: {esc(c.text[:220])}</li>"
            for i, c in enumerate(r.answer.citations, start=1)
        )
        status = '<span class="ok">pass</span>' if r.passed else '<span class="bad">fail</span>'
        rows.append(
            f"<tr><td>{esc(r.row.id)}</td><td>{esc(r.row.type)}</td><td>{status}</td><td>{esc(r.row.question)}</td>"
            f"<td><div class='answer'>{esc(r.answer.text)}</div><ul>{cites}</ul></td>"
            f"<td>{esc('; '.join(r.failures))}</td></tr>"
        )
    table_rows = []
    for metric, (description, higher) in METRICS.items():
        value = result.metrics.get(metric)
        cells = [esc(metric), _fmt(value, metric)]
        if baseline is not None:
            cells.append(_fmt(baseline.metrics.get(metric), metric))
        if naive is not None:
            cells.append(_fmt(naive.metrics.get(metric), metric))
        cells.append(esc(description + ("" if higher else " (lower is better)")))
        table_rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = ["metric", esc(result.system)] + (["baseline"] if baseline else []) + ([esc(naive.system)] if naive else [])
    head.append("meaning")
    verdict_class = "ok" if baseline is not None and not regressions else "bad" if regressions else ""
    return f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Evaluering: {esc(result.system)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1d2733; }}
table {{ border-collapse: collapse; margin: 1rem 0; }} td, th {{ border: 1px solid #d5dbe1; padding: 4px 8px;
vertical-align: top; text-align: left; font-size: 14px; }} .ok {{ color: #1e7b34; font-weight: 600; }}
.bad {{ color: #b3261e; font-weight: 600; }} .answer {{ white-space: pre-wrap; }} ul {{ margin: 4px 0; }}
</style></head><body>
<h1>Evaluation: {esc(result.system)}, split <code>{esc(result.split)}</code> ({len(result.rows)} questions)</h1>
<p class="{verdict_class}">{esc(_verdict(regressions, baseline))}</p>
{_svg_chart(result, baseline, naive)}
<table><tr>{"".join(f"<th>{h}</th>" for h in head)}</tr>{"".join(table_rows)}</table>
<h2>Questions</h2>
<table><tr><th>id</th><th>type</th><th>result</th><th>question</th><th>answer and citations</th>
<th>what failed</th></tr>
{"".join(rows)}</table>
</body></html>
"""
