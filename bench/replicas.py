"""Throughput of one and of two `sikkerby serve` replicas behind nginx against one PostgreSQL database:
`python bench/replicas.py [--clients 50] [--seconds 20]`. Each client is a session (its own cookie) asking
the strategy's questions one after another through Gradio's HTTP API; the result is answers per second
and their p50/p95 round trip. Uses the same PostgreSQL, replicas and nginx set-up as tests/test_replicas.py.
Results: bench/results/replicas.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port, run_cli  # noqa: E402
from tests.pgserver import LocalPostgres  # noqa: E402
from tests.test_replicas import QUESTIONS, Cluster, User  # noqa: E402


def load(front: int, clients: int, seconds: float) -> tuple[int, int, list[float]]:
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors = [0]

    def client(n: int) -> None:
        user = User(front, f"bench-{n}")
        i = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            reply = user.ask(QUESTIONS[(n + i) % len(QUESTIONS)])
            if reply.error:
                errors[0] += 1
            else:
                latencies.append((time.perf_counter() - started) * 1000)
            i += 1

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
    args = parser.parse_args()
    rows = []
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
                count, errors, latencies = load(cluster.front, args.clients, args.seconds)
                ordered = sorted(latencies)
                rows.append(
                    [
                        replicas,
                        args.clients,
                        f"{count / args.seconds:.1f}",
                        f"{statistics.median(ordered):.0f} / {ordered[int(0.95 * (len(ordered) - 1))]:.0f} ms",
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
        "| replicas | clients | answers/s | round trip p50 / p95 | errors |",
        "|---|---|---|---|---|",
        *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
    ]
    out = ROOT / "bench" / "results" / "replicas.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
