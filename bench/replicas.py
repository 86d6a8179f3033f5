"""Throughput of one and of two `sikkerby serve` replicas behind nginx against one PostgreSQL database:
`python bench/replicas.py [--clients 50] [--seconds 20]`. Each client is a session (its own cookie) asking
the strategy's questions through Gradio's HTTP API, pausing a think time between them (±20 %); a sweep of
think times gives answers per second against p50/p95 round trip, and the throughput at a fixed p95 is the
most answers per second of a sweep point whose p95 stays within ``--p95-ms``.
Uses the same PostgreSQL, replicas and nginx set-up as tests/test_replicas.py.
Results: bench/results/replicas.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import publish  # noqa: E402
from tests.conftest import free_port, run_cli  # noqa: E402
from tests.pgserver import LocalPostgres  # noqa: E402
from tests.test_replicas import QUESTIONS, Cluster, User  # noqa: E402


def load(front: int, clients: int, seconds: float, think: float = 0.0) -> tuple[int, int, list[float]]:
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]

    def client(n: int) -> None:
        user = User(front, f"bench-{n}")
        i = 0
        if think:  # arrivals spread over one think time, not 50 questions in the same millisecond
            time.sleep(rng.uniform(0, think))
        while time.monotonic() < stop:
            started = time.perf_counter()
            reply = user.ask(QUESTIONS[(n + i) % len(QUESTIONS)])
            if reply.error:
                errors[0] += 1
            else:
                latencies.append((time.perf_counter() - started) * 1000)
            i += 1
            if think:
                time.sleep(think * rng.uniform(0.8, 1.2))

    rng = random.Random(7)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), errors[0], latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--thinks", default="4,2,1,0.5,0.25,0", help="think times (s) of the sweep, comma-separated")
    parser.add_argument("--p95-ms", type=float, default=200.0, help="the p95 the throughput is measured at")
    args = parser.parse_args()
    thinks = [float(t) for t in args.thinks.split(",")]
    rows = []
    best: dict[int, tuple[float, float] | None] = {}
    with tempfile.TemporaryDirectory() as tmp:
        server = LocalPostgres(free_port())
        cluster: Cluster | None = None
        try:
            server.start()
            url = server.create_database("sikkerby")
            built = run_cli(["index", "--quiet"], Path(tmp) / "builder", env={"SIKKERBY_DATABASE_URL": url})
            if built.returncode != 0:
                print(built.stderr, file=sys.stderr)
                return 2
            cluster = Cluster(Path(tmp), url)
            started = time.perf_counter()
            cluster.start_replicas()
            start_seconds = time.perf_counter() - started
            for replicas in (2, 1):
                if cluster.nginx is not None:
                    cluster.nginx.terminate()
                    cluster.nginx.wait(timeout=30)
                    cluster.front = free_port()
                    (Path(tmp) / "nginx").rename(Path(tmp) / f"nginx-{replicas + 1}")
                if replicas == 1:
                    cluster.ports[1] = cluster.ports[0]  # both upstream lines on the first replica
                cluster.start_nginx()
                load(cluster.front, 4, 3.0)  # warm
                best[replicas] = None
                for think in thinks:
                    count, errors, latencies = load(cluster.front, args.clients, args.seconds, think)
                    ordered = sorted(latencies) or [float("inf")]
                    rate, p95 = count / args.seconds, ordered[int(0.95 * (len(ordered) - 1))]
                    if p95 <= args.p95_ms and errors == 0 and (best[replicas] is None or rate > best[replicas][0]):
                        best[replicas] = (rate, p95)
                    rows.append(
                        [
                            replicas,
                            args.clients,
                            f"{think:g} s",
                            f"{rate:.1f}",
                            f"{statistics.median(ordered):.0f} / {p95:.0f} ms",
                            errors,
                        ]
                    )
                    print(rows[-1], flush=True)
        finally:
            if cluster is not None:
                cluster.stop()
            server.remove()
    lines = [
        f"Replicas behind nginx, one PostgreSQL, {args.clients} concurrent sessions for {args.seconds:.0f} s each; "
        f"two replicas started (to their first page) in {start_seconds:.1f} s",
        "",
        "| replicas | clients | think time | answers/s | round trip p50 / p95 | errors |",
        "|---|---|---|---|---|---|",
        *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
        "",
        *(
            f"{n} replica(s): {found[0]:.1f} answers/s with p95 {found[1]:.0f} ms (≤ {args.p95_ms:.0f} ms)"
            if found
            else f"{n} replica(s): no sweep point kept p95 ≤ {args.p95_ms:.0f} ms"
            for n, found in sorted(best.items())
        ),
    ]
    publish("replicas", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
