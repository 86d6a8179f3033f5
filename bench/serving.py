"""The served app under load, through gradio_client on ``/ask`` as an API user calls it: 20 users who
each pause about a second between questions (about 15 questions/s offered), and a burst of 20 users
with no pause. The server runs in its own process (`sikkerby serve`), so the clients do not share its
interpreter."""

from __future__ import annotations

import logging
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

QUESTIONS = (
    "Hvad er Den Korte Snor?",
    "Hvilke indsatser hører under Fagprincip 2?",
    "Hvilket princip hører Din Betjent under?",
    "Hvad laver Natteværterne?",
    "Hvilke indsatser har Socialforvaltningen?",
    "Hvad er FILT?",
    "Hvor mange kroner koster Den Korte Snor?",
    "Which initiative helps young people get a leisure job?",
)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    home: Path, *, env: dict[str, str] | None = None, timeout: float = 120.0
) -> tuple[subprocess.Popen[bytes], str]:
    """`sikkerby serve` on a free port with the index in ``home`` (and ``env`` on top of this process's
    environment); returns once the page answers, within ``timeout`` seconds."""
    port = _free_port()
    env = {
        **os.environ,
        "SIKKERBY_HOME": str(home),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "sikkerby", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return proc, url
        except (OSError, urllib.error.HTTPError):
            if proc.poll() is not None:
                raise RuntimeError("the server exited") from None
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("the server did not start")


#: gradio_client builds a TLS context (loading every CA certificate) for each call unless told not to
#: verify; for a plain-http address that is about 50 ms of the client's CPU per call, on the same 2 cores
#: as the server, so the load is measured both ways
CLIENT = {"verify": True}


def _client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, ssl_verify=CLIENT["verify"])


def _user(client: Any, *, questions: int, pause: float, seed: int, stop: float | None = None) -> list[float]:
    """One user's round trips in ms: ``questions`` questions (or until ``stop``), ``pause`` s apart (±20 %)."""
    rng = random.Random(seed)
    latencies: list[float] = []
    i = 0
    if pause:  # users arrive spread over one pause, not all in the same millisecond
        time.sleep(rng.uniform(0, pause))
    while (stop is None and i < questions) or (stop is not None and time.monotonic() < stop):
        question = QUESTIONS[(seed + i) % len(QUESTIONS)]
        started = time.perf_counter()
        client.predict(question, None, None, api_name="/ask")
        latencies.append((time.perf_counter() - started) * 1000)
        i += 1
        if pause:
            time.sleep(pause * rng.uniform(0.8, 1.2))
    return latencies


def paced(url: str, *, users: int = 20, questions: int = 15, pause: float = 1.0) -> dict[str, float]:
    """``users`` users each asking ``questions`` questions about ``pause`` s apart."""
    with ThreadPoolExecutor(max_workers=users) as pool:
        clients = list(pool.map(lambda _k: _client(url), range(users)))  # connected before the clock starts
        started, cpu = time.perf_counter(), time.process_time()
        runs = list(pool.map(lambda k: _user(clients[k], questions=questions, pause=pause, seed=k), range(users)))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    latencies = sorted(ms for run in runs for ms in run)
    return {
        "answers": len(latencies),
        "offered_per_s": len(latencies) / seconds,
        "client_cpu_ms": 1000 * cpu / len(latencies),  # the clients' own CPU per call (all their threads)
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
    }


def burst(url: str, *, users: int = 20, seconds: float = 15.0) -> dict[str, float]:
    """``users`` users asking with no pause for ``seconds``: answers per second."""
    barrier = threading.Barrier(users)

    def run(k: int) -> list[float]:
        client = _client(url)  # connected first, so that the burst measures answers only
        barrier.wait()
        return _user(client, questions=0, pause=0.0, seed=k, stop=time.monotonic() + seconds)

    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [pool.submit(run, k) for k in range(users)]
        runs = [f.result() for f in futures]
    elapsed = seconds
    latencies = sorted(ms for run in runs for ms in run)
    return {
        "answers": len(latencies),
        "answers_per_s": len(latencies) / max(elapsed, 1e-9),
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
    }


def measure(
    home: Path, *, rounds: int = 3, verify: bool = True
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """``rounds`` paced runs and bursts against one server; ``verify`` is gradio_client's ssl_verify."""
    CLIENT["verify"] = verify
    proc, url = start_server(home)
    try:
        _user(_client(url), questions=len(QUESTIONS), pause=0.0, seed=0)  # warm: every question once
        paced_runs = [paced(url) for _ in range(rounds)]
        burst_runs = [burst(url) for _ in range(rounds)]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return paced_runs, burst_runs
