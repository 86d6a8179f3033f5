"""Two app replicas against one PostgreSQL database behind Debian's nginx, all on loopback: answers come
through nginx from both, feedback through either lands in the one table, `sikkerby index` while both
serve fails no question and both switch to the new build, a replica killed with SIGKILL costs only its
in-flight requests, and a database that stops gives a clear error and comes back by itself."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, free_port, run_cli
from tests.pgserver import LocalPostgres

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
QUESTIONS = ["Hvad er FILT?", "Hvad laver Natteværterne?", "Hvilke indsatser hører under Fagprincip 2?"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is installed by `make setup-dev` (TEST_PACKAGES)"),
]


@dataclass
class Reply:
    answer: dict[str, Any] | None
    replica: str
    error: str | None = None


class User:
    """One browser session through nginx: its cookie picks (and keeps) the replica."""

    def __init__(self, port: int, name: str) -> None:
        self.port = port
        self.cookie = f"sikkerby_replica={name}"

    def call(self, api: str, data: list[Any]) -> Reply:
        """Gradio's HTTP API: POST starts the call, GET streams its result as server-sent events."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            headers = {"Content-Type": "application/json", "Cookie": self.cookie}
            conn.request("POST", f"/gradio_api/call/{api}", body=json.dumps({"data": data}), headers=headers)
            response = conn.getresponse()
            body = response.read()
            replica = response.getheader("X-Sikkerby-Replica") or ""
            if response.status != 200:
                return Reply(None, replica, f"HTTP {response.status}")
            event = json.loads(body)["event_id"]
            conn.request("GET", f"/gradio_api/call/{api}/{event}", headers={"Cookie": self.cookie})
            response = conn.getresponse()
            stream = response.read().decode("utf-8")
            replica = response.getheader("X-Sikkerby-Replica") or replica
        except (OSError, http.client.HTTPException, ValueError) as exc:
            return Reply(None, "", f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()
        kind, payload = "", ""
        for line in stream.splitlines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                payload = line[6:]
        if kind != "complete":
            with contextlib.suppress(ValueError, TypeError, KeyError):  # else shown as it came
                payload = json.loads(payload)["error"]
            return Reply(None, replica, f"{kind}: {payload}")
        return Reply(json.loads(payload)[0], replica)

    def ask(self, question: str) -> Reply:
        return self.call("ask", [question, None, None])


def _wait_for(port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(f"process exited: {log.read_text(errors='replace')[-2000:]}") from None
            time.sleep(0.3)
    raise AssertionError(f"nothing answered on port {port}")


class Cluster:
    def __init__(self, tmp: Path, url: str) -> None:
        self.tmp = tmp
        self.url = url
        self.env = {**os.environ, "SIKKERBY_DATABASE_URL": url, "SIKKERBY_RELOAD_SECONDS": "0.5"}
        self.ports = [free_port(), free_port()]
        self.front = free_port()
        self.replicas: list[subprocess.Popen[bytes]] = []
        self.logs = [tmp / f"replica-{i}.log" for i in range(2)]
        self.nginx: subprocess.Popen[bytes] | None = None

    def start_replicas(self) -> None:
        for i, port in enumerate(self.ports):
            home = self.tmp / f"replica-{i}"
            with open(self.logs[i], "wb") as log:
                self.replicas.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "sikkerby", "-v", "serve", "--port", str(port)],
                        cwd=ROOT,
                        env={**self.env, "SIKKERBY_HOME": str(home)},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        for i, port in enumerate(self.ports):
            _wait_for(port, self.replicas[i], self.logs[i])

    def start_nginx(self) -> None:
        prefix = self.tmp / "nginx"
        prefix.mkdir()
        config = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        config = config.replace("127.0.0.1:7861", f"127.0.0.1:{self.ports[0]}")
        config = config.replace("127.0.0.1:7862", f"127.0.0.1:{self.ports[1]}")
        config = config.replace("listen 127.0.0.1:8080", f"listen 127.0.0.1:{self.front}")
        (prefix / "nginx.conf").write_text(config, encoding="utf-8")
        log = self.tmp / "nginx.out"
        with open(log, "wb") as out:
            self.nginx = subprocess.Popen(
                [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_for(self.front, self.nginx, log, timeout=30)

    def stop(self) -> None:
        for proc in [*self.replicas, *([self.nginx] if self.nginx else [])]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.replicas, *([self.nginx] if self.nginx else [])]:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _users_on_both(cluster: Cluster) -> dict[str, list[User]]:
    """Users whose cookies stick to each replica (found by asking)."""
    by_replica: dict[str, list[User]] = {}
    for n in range(12):
        user = User(cluster.front, f"bruger-{n}")
        reply = user.ask("Hvad er FILT?")
        assert reply.error is None, reply.error
        assert "Tingbjerg" in reply.answer["answer"]  # type: ignore[index]
        again = user.ask("Hvad er FILT?")
        assert again.replica == reply.replica  # the session sticks
        by_replica.setdefault(reply.replica, []).append(user)
    return by_replica


def _load(users: list[User], stop: threading.Event, replies: list[tuple[str, Reply]]) -> list[threading.Thread]:
    def loop(user: User) -> None:
        i = 0
        while not stop.is_set() and i < 200:  # bounded
            replies.append((user.cookie, user.ask(QUESTIONS[i % len(QUESTIONS)])))
            i += 1

    threads = [threading.Thread(target=loop, args=(u,)) for u in users]
    for t in threads:
        t.start()
    return threads


def test_two_replicas_behind_nginx_share_one_database(tmp_path: Path):
    server = LocalPostgres(free_port())
    cluster: Cluster | None = None
    try:
        server.start()
        url = server.create_database("sikkerby")
        built = run_cli(["index", "--quiet"], tmp_path / "builder", env={"SIKKERBY_DATABASE_URL": url})
        assert built.returncode == 0, built.stderr
        cluster = Cluster(tmp_path, url)
        cluster.start_replicas()
        cluster.start_nginx()

        # answers through nginx from both replicas, each session on one
        by_replica = _users_on_both(cluster)
        assert len(by_replica) == 2, by_replica.keys()

        # feedback through either replica lands in the one table
        given = 0
        for users in by_replica.values():
            reply = users[0].ask("Hvad laver Natteværterne?")
            assert reply.error is None, reply.error
            feedback = users[0].call("feedback", [reply.answer, True, "replica-test"])
            assert feedback.error is None and feedback.replica == reply.replica, feedback.error
            given += 1
        rows = server.psql("SELECT count(*), count(DISTINCT id) FROM sikkerby_feedback", database="sikkerby")
        assert rows.strip() == f"{given}|{given}"

        # `sikkerby index` while both serve: no failed question, both switch to the new version
        stop = threading.Event()
        replies: list[tuple[str, Reply]] = []
        everyone = [u for users in by_replica.values() for u in users[:2]]
        threads = _load(everyone, stop, replies)
        rebuilt = run_cli(["index", "--force", "--quiet"], tmp_path / "builder", env={"SIKKERBY_DATABASE_URL": url})
        assert rebuilt.returncode == 0, rebuilt.stderr
        time.sleep(2.0)  # more than the replicas' reload interval, under load
        stop.set()
        for t in threads:
            t.join(timeout=120)
        failed = [r.error for _u, r in replies if r.error]
        assert replies and failed == [], failed[:3]
        for log in cluster.logs:
            assert "index version 2 replaces version 1" in log.read_text(errors="replace"), log
        for users in by_replica.values():
            assert users[0].ask("Hvad er FILT?").error is None

        # SIGKILL one replica under load: only its in-flight requests fail, the other keeps answering
        killed_replica, survivors = next(iter(by_replica.items()))
        other = next(users for name, users in by_replica.items() if name != killed_replica)
        stop = threading.Event()
        replies = []
        threads = _load(survivors[:3] + other[:3], stop, replies)
        time.sleep(3.0)
        victim = cluster.replicas[[f"127.0.0.1:{p}" for p in cluster.ports].index(killed_replica)]
        victim.send_signal(signal.SIGKILL)
        killed_at = len(replies)
        time.sleep(6.0)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        other_cookies = {u.cookie for u in other[:3]}
        assert [r.error for c, r in replies if c in other_cookies and r.error] == []  # the other replica: no loss
        lost = Counter(c for c, r in replies if c not in other_cookies and r.error)
        assert all(n <= 1 for n in lost.values()), lost  # at most the one question each session had in flight
        assert all(u.ask("Hvad er FILT?").error is None for u in survivors[:3])  # they moved to the survivor
        assert len(replies) > killed_at

        # the database stopped: a clear error (no hang), one error line in the CLI; back by itself
        server.stop()
        down = other[0].ask("Hvad er FILT?")
        assert down.error is not None and "søgeindekset kan ikke nås lige nu" in down.error, down.error
        cli = run_cli(["ask", "Hvad er FILT?"], tmp_path / "builder", env={"SIKKERBY_DATABASE_URL": url}, timeout=120)
        assert cli.returncode == 2 and len(cli.stderr.strip().splitlines()) == 1, cli.stderr
        assert cli.stderr.startswith("error: the database ") and "Traceback" not in cli.stderr
        server.start()
        deadline = time.monotonic() + 60
        while (back := other[0].ask("Hvad er FILT?")).error and time.monotonic() < deadline:
            time.sleep(1.0)
        assert back.error is None and "Tingbjerg" in back.answer["answer"]  # type: ignore[index]
    finally:
        if cluster is not None:
            cluster.stop()
        server.remove()
