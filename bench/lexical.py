"""Lexical search for the PostgreSQL backend, measured: the project's BM25 (Danish stems, compounds,
OCR-tolerant skeletons) against PostgreSQL's own full-text search with the `danish` configuration
(`to_tsvector`/`ts_rank_cd`, the question's lexemes OR-ed), each alone, over the strategy's chunks.
`python bench/lexical.py`: recall@1/@5 of the question bank's dev and test questions whose evidence is
one passage (the blind split is never read). Results: bench/results/lexical.md.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import publish  # noqa: E402
from sikkerby.eval.evaluator import matches_group  # noqa: E402
from sikkerby.eval.golden import load_golden  # noqa: E402
from sikkerby.index.bm25 import BM25Index  # noqa: E402
from sikkerby.index.text import chunk_terms, query_terms  # noqa: E402
from sikkerby.ingest.pipeline import Ingestor  # noqa: E402
from tests.conftest import CORPUS_FILE, free_port  # noqa: E402
from tests.pgserver import LocalPostgres  # noqa: E402

K = 5
BANK = ROOT / "eval" / "golden" / "bank.jsonl"


def ranks(found: list[int], texts: list[str], group: tuple[str, ...]) -> int | None:
    for rank, row in enumerate(found[:K], start=1):
        if matches_group(texts[row], group):
            return rank
    return None


def main() -> int:
    import psycopg

    chunks = Ingestor().ingest([CORPUS_FILE]).chunks
    texts = [c.text for c in chunks]
    rows = [
        r
        for split in ("dev", "test")
        for r in load_golden(BANK, split=split)
        if r.answerable and r.evidence and not r.multi_evidence
    ]
    bm25 = BM25Index.build([chunk_terms(c) for c in chunks])
    server = LocalPostgres(free_port())
    results: dict[str, list[int | None]] = {"BM25 (this project)": [], "PostgreSQL FTS (danish)": []}
    times: dict[str, list[float]] = {name: [] for name in results}
    try:
        server.start()
        url = server.create_database("lexical")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE passages (row int PRIMARY KEY, tsv tsvector)")
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO passages VALUES (%s, to_tsvector('danish', %s))", list(enumerate(texts)))
            conn.execute("CREATE INDEX ON passages USING gin (tsv)")
            for row in rows:
                started = time.perf_counter()
                scores = bm25.scores(query_terms(row.question))
                found = [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
                times["BM25 (this project)"].append((time.perf_counter() - started) * 1000)
                results["BM25 (this project)"].append(ranks(found, texts, row.evidence[0]))
                started = time.perf_counter()
                pg = conn.execute(
                    "WITH q AS (SELECT replace(plainto_tsquery('danish', %s)::text, ' & ', ' | ') AS text) "
                    "SELECT row FROM passages, q WHERE q.text <> '' AND tsv @@ q.text::tsquery "
                    "ORDER BY ts_rank_cd(tsv, q.text::tsquery) DESC, row LIMIT %s",
                    (row.question, K),
                ).fetchall()
                times["PostgreSQL FTS (danish)"].append((time.perf_counter() - started) * 1000)
                results["PostgreSQL FTS (danish)"].append(ranks([r[0] for r in pg], texts, row.evidence[0]))
    finally:
        server.remove()
    lines = [
        f"Lexical search alone over the strategy's {len(chunks)} chunks: {len(rows)} answerable dev and test "
        "questions of the bank with one evidence passage",
        "",
        "| lexical search | recall@1 | recall@5 | found nothing | query p50 |",
        "|---|---|---|---|---|",
    ]
    for name, found in results.items():
        n = len(found)
        lines.append(
            f"| {name} | {sum(r == 1 for r in found) / n:.3f} | {sum(r is not None for r in found) / n:.3f} | "
            f"{sum(r is None for r in found)} | {statistics.median(times[name]):.2f} ms |"
        )
    publish("lexical", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
