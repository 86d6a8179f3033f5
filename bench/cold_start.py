"""Time from starting `sikkerby serve` to the page answering its first question (median of runs).

Usage: python bench/cold_start.py [--runs 3]. Needs a built index (make index)."""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Hvilket princip hører Den Korte Snor under?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run() -> tuple[float, float]:
    from gradio_client import Client

    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sikkerby", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
            if proc.poll() is not None:
                raise SystemExit("sikkerby serve exited; is there an index? (make index)")
        page_ready = time.perf_counter() - started
        result = Client(url, verbose=False).predict(QUESTION, None, None, api_name="/ask")
        assert "Fagprincip 1" in result["answer"]
        return page_ready, time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [one_run() for _ in range(args.runs)]
    page = statistics.median(r[0] for r in runs)
    answer = statistics.median(r[1] for r in runs)
    print("| measure | median (s) | runs |")
    print("|---|---|---|")
    print(f"| start of `sikkerby serve` -> page served | {page:.2f} | {', '.join(f'{r[0]:.2f}' for r in runs)} |")
    print(f"| start of `sikkerby serve` -> first answer | {answer:.2f} | {', '.join(f'{r[1]:.2f}' for r in runs)} |")


if __name__ == "__main__":
    main()
