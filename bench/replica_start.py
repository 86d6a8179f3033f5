"""Replica start time against a large database: `python bench/replica_start.py [--chunks 100000] [--runs 3]`.
Publishes ``--chunks`` synthetic chunks (clustered 384-d vectors, as bench/backends.py) to a fresh
PostgreSQL database under the configured embedder's id, then starts `sikkerby serve` against it
``--runs`` times and measures, from the process start, when the page is served and when the first
question is answered (the index loaded, BM25 built from the chunks in the database). Results:
bench/results/replica_start.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.backends import chunks_for, manifest_for  # noqa: E402
from bench.report import publish  # noqa: E402
from bench.run import clustered_vectors  # noqa: E402
from bench.serving import start_server  # noqa: E402
from sikkerby.assistant.service import AssistantService  # noqa: E402
from sikkerby.assistant.settings import load_settings  # noqa: E402
from sikkerby.index.vectorstores import postgres  # noqa: E402
from sikkerby.index.vectorstores.pgvector_store import PgIndexStore  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.pgserver import LocalPostgres  # noqa: E402
from tests.test_replicas import User  # noqa: E402

TIMEOUT = 600.0


def start_once(url: str, home: Path) -> tuple[float, float]:
    """Seconds from starting `sikkerby serve` to its page, and to its first answer."""
    started = time.perf_counter()
    proc, page_url = start_server(home, env={"SIKKERBY_DATABASE_URL": url}, timeout=TIMEOUT)
    try:
        page = time.perf_counter() - started
        reply = User(int(page_url.rstrip("/").rsplit(":", 1)[1]), "start").ask("Hvad gør natteværterne?")
        if reply.error:
            raise RuntimeError(f"the first question failed: {reply.error}")
        return page, time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    server = LocalPostgres(free_port())
    try:
        server.start()
        url = server.create_database("replica_start")
        chunks = chunks_for(args.chunks)
        vectors = clustered_vectors(args.chunks)
        embedder_id = AssistantService(load_settings()).embedder.id  # the id only: no model is loaded
        manifest = dataclasses.replace(manifest_for(chunks, vectors.shape[1]), embedder_id=embedder_id)
        PgIndexStore(url).publish(manifest, chunks, vectors, {})
        postgres.reset_pools()
        runs = []
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(args.runs):
                runs.append(start_once(url, Path(tmp) / f"home-{run}"))
                print(f"run {run + 1}: page {runs[-1][0]:.1f} s, first answer {runs[-1][1]:.1f} s", flush=True)
    finally:
        postgres.reset_pools()
        server.remove()
    pages, answers = [r[0] for r in runs], [r[1] for r in runs]
    lines = [
        f"`sikkerby serve` against a PostgreSQL database of {args.chunks:,} chunks (medians of {args.runs} runs; "
        f"load average {os.getloadavg()[0]:.1f}): page served after {statistics.median(pages):.1f} s, first answer "
        f"after {statistics.median(answers):.1f} s",
    ]
    publish("replica_start", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
