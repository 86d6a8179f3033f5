"""Where the stand-alone benchmarks leave their tables: bench/results/<name>.md, also printed."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def publish(name: str, lines: list[str]) -> Path:
    """Write ``lines`` as bench/results/``name``.md and print them; returns the file."""
    out = RESULTS / f"{name}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return out
