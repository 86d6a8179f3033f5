"""Index building, persistence and hybrid retrieval with a fast fake embedder (logic only;
the real model is exercised in test_embedders.py, test_questions.py and test_cli.py)."""

from __future__ import annotations

import json
import pickletools
from pathlib import Path

import numpy as np
import pytest

from sikkerby.index.builder import IndexBuilder
from sikkerby.index.dense import DenseIndex
from sikkerby.index.hybrid import HybridRetriever, SearchFilter
from sikkerby.index.langchain_retriever import SikkerByRetriever
from sikkerby.index.store import IndexMissing, IndexStore, IndexStoreError
from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.pipeline import Ingestor
from tests.conftest import CORPUS_FILE, FIXTURES, FakeEmbedder, rehash_manifest


@pytest.fixture
def chunks() -> list[Chunk]:
    return Ingestor().ingest([CORPUS_FILE]).chunks


def _retriever(store: IndexStore, embedder: FakeEmbedder) -> HybridRetriever:
    stored = store.load()
    return HybridRetriever(stored.chunks, stored.dense, stored.bm25, embedder)


def test_build_save_load_roundtrip(tmp_path: Path, chunks: list[Chunk], fake_embedder: FakeEmbedder):
    store = IndexStore(tmp_path / "index")
    report = IndexBuilder(store, fake_embedder).build(chunks)
    assert (report.status, report.embedded, report.dense_kind) == ("built", len(chunks), "flat")
    stored = store.load()
    assert [c.id for c in stored.chunks] == [c.id for c in chunks]
    assert stored.manifest.embedder_id == fake_embedder.id
    assert stored.manifest.dim == 64
    assert stored.dense.size == stored.bm25.size == len(chunks)
    files = sorted(p.name for p in store.current.iterdir())
    assert files == ["bm25", "chunks.jsonl", "dense.faiss", "manifest.json", "surface.json"]


def _npy_needs_pickle(path: Path) -> bool:
    """Whether a .npy file holds Python objects (which numpy can only read back through pickle)."""
    with open(path, "rb") as fh:
        major, _minor = np.lib.format.read_magic(fh)
        read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
        _shape, _order, dtype = read_header(fh)
    return bool(dtype.hasobject)


def test_the_pickle_check_sees_object_arrays(tmp_path: Path):
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    np.save(tmp_path / "numbers.npy", np.arange(3, dtype=np.int32))
    assert _npy_needs_pickle(tmp_path / "objects.npy")
    assert not _npy_needs_pickle(tmp_path / "numbers.npy")


def test_saved_index_contains_no_pickle(tmp_path: Path, chunks: list[Chunk], fake_embedder: FakeEmbedder):
    store = IndexStore(tmp_path / "index")
    IndexBuilder(store, fake_embedder).build(chunks)
    npy = [p for p in store.current.rglob("*.npy")]
    assert npy, "the BM25 arrays are .npy files"
    for path in store.current.rglob("*"):
        if path.suffix == ".npy":
            assert not _npy_needs_pickle(path), path
            np.load(path, allow_pickle=False)  # and numpy agrees
        elif path.suffix in (".json", ".jsonl"):
            text = path.read_text(encoding="utf-8")
            for line in text.splitlines() if path.suffix == ".jsonl" else [text]:
                json.loads(line)
        elif path.is_file():
            assert path.name == "dense.faiss"
            with pytest.raises(ValueError):  # FAISS's own format is not a pickle stream
                list(pickletools.genops(path.read_bytes()))


def test_rebuild_only_when_corpus_or_embedder_changes(tmp_path: Path, chunks: list[Chunk]):
    store = IndexStore(tmp_path / "index")
    embedder = FakeEmbedder()
    IndexBuilder(store, embedder).build(chunks)
    embedder.embedded.clear()
    again = IndexBuilder(store, embedder).build(chunks)
    assert again.status == "unchanged" and embedder.embedded == []

    extra = Ingestor().ingest([FIXTURES / "plain_sample.pdf"]).chunks
    grown = IndexBuilder(store, embedder).build(chunks + extra)
    assert (grown.status, grown.embedded, grown.reason) == ("built", len(extra), "corpus changed")
    assert sorted(embedder.embedded) == sorted(c.text for c in extra)

    other = FakeEmbedder(dim=32, name="other")
    switched = IndexBuilder(store, other).build(chunks + extra)
    assert switched.status == "built" and switched.embedded == len(chunks + extra)
    assert "embedder changed" in switched.reason
    assert store.load().manifest.dim == 32


def test_half_written_index_is_never_picked_up(tmp_path: Path, chunks: list[Chunk], fake_embedder: FakeEmbedder):
    store = IndexStore(tmp_path / "index")
    IndexBuilder(store, fake_embedder).build(chunks)
    before = store.load().manifest
    # a crashed build leaves a temp folder behind; it is ignored and later removed
    junk = store.root / ".tmp-index-deadbeef0000"
    junk.mkdir()
    (junk / "manifest.json").write_text("{not json", encoding="utf-8")
    assert store.load().manifest == before
    IndexBuilder(store, fake_embedder).build(chunks, force=True)
    assert not junk.exists()
    assert len([p for p in store.root.iterdir() if p.name.startswith("index-")]) == 1


def test_missing_and_tampered_indexes_give_clear_errors(
    tmp_path: Path, chunks: list[Chunk], fake_embedder: FakeEmbedder
):
    store = IndexStore(tmp_path / "index")
    with pytest.raises(IndexMissing, match="sikkerby index"):
        store.load()
    IndexBuilder(store, fake_embedder).build(chunks)
    path = store.current / "chunks.jsonl"
    original = path.read_text(encoding="utf-8").splitlines()
    lines = list(original)
    record = json.loads(lines[3])
    record["text"] = record["text"] + " Ekstra tekst."
    record["raw_text"] = record["raw_text"] + " Ekstra tekst."
    lines[3] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(IndexStoreError, match=r"chunks.jsonl: damaged \(its SHA-256 differs"):
        store.load()
    rehash_manifest(store.current)  # a forger who also fixes the checksums
    with pytest.raises(IndexStoreError, match=r"chunks.jsonl:4: chunk .* does not match its content"):
        store.load()
    path.write_text("\n".join(original[:10]) + "\n", encoding="utf-8")
    rehash_manifest(store.current)
    with pytest.raises(IndexStoreError, match="disagree"):
        store.load()


def test_hybrid_search_fuses_and_filters(tmp_path: Path, chunks: list[Chunk], fake_embedder: FakeEmbedder):
    store = IndexStore(tmp_path / "index")
    IndexBuilder(store, fake_embedder).build(chunks)
    retriever = _retriever(store, fake_embedder)
    hits = retriever.search("Den Korte Snor", k=3)
    assert hits[0].chunk.text.startswith("Den Korte Snor")
    assert hits[0].dense_rank is not None and hits[0].bm25_rank == 1
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    only = retriever.search("natteliv", k=10, search_filter=SearchFilter(principle="Fagprincip 5"))
    assert only and {h.chunk.principle for h in only} == {"Fagprincip 5"}
    dept = retriever.search("unge", k=20, search_filter=SearchFilter(departments=("Socialforvaltningen",)))
    assert dept and all("Socialforvaltningen" in h.chunk.departments for h in dept)
    assert retriever.search("unge", search_filter=SearchFilter(principle="Fagprincip 9")) == []


def test_bm25_matches_compounds_and_ocr_spellings(tmp_path: Path, chunks: list[Chunk], fake_embedder: FakeEmbedder):
    store = IndexStore(tmp_path / "index")
    IndexBuilder(store, fake_embedder).build(chunks)
    bm25 = store.load().bm25
    from sikkerby.ingest.danish import term

    assert any(t.startswith("fritidsjob") and t != "fritidsjob" for t, _ in bm25.expand(term("fritidsjob")))
    # "Natteværterne" is in the OCR text only as "Natteveerterne": found through its skeleton
    assert bm25.expand(term("Natteværterne"))


def test_dense_index_switches_to_hnsw_above_the_exact_limit():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert DenseIndex.build(vectors, exact_limit=1000).kind == "flat"
    approx = DenseIndex.build(vectors, exact_limit=100)
    assert approx.kind == "hnsw"
    _scores, ids = approx.search(vectors[7], 1)
    assert ids[0] == 7
    _scores, ids = approx.search(vectors[7], 5, allowed=np.array([1, 2, 3]))
    assert set(ids.tolist()) <= {1, 2, 3}


def test_langchain_retriever_returns_documents_with_metadata(
    tmp_path: Path, chunks: list[Chunk], fake_embedder: FakeEmbedder
):
    store = IndexStore(tmp_path / "index")
    IndexBuilder(store, fake_embedder).build(chunks)
    lc = SikkerByRetriever(retriever=_retriever(store, fake_embedder), k=2, principle="Fagprincip 1")
    docs = lc.invoke("Den Korte Snor")
    assert len(docs) == 2
    assert docs[0].page_content.startswith("Den Korte Snor")
    assert docs[0].metadata["principle"] == "Fagprincip 1"
    assert docs[0].metadata["page"] == 3
    assert docs[0].metadata["chunk_id"] == docs[0].id


def test_faiss_filters_by_columns_accept_exactly_what_the_filter_accepts():
    """The FAISS store's filter columns pick the same rows as ``SearchFilter.accepts`` for filters built
    from the strategy's own values, alone and combined, including values no chunk has."""
    import random

    from sikkerby.index.vectorstores.faiss_store import FaissVectorStore

    chunks = Ingestor().ingest([CORPUS_FILE]).chunks
    vectors = FakeEmbedder().embed_batch([c.text for c in chunks], kind="passage")
    store = FaissVectorStore.build(chunks, vectors)
    principles = sorted({c.principle for c in chunks if c.principle}) + ["Fagprincip 9"]
    departments = sorted({d for c in chunks for d in c.departments}) + ["Ingen forvaltning"]
    kinds = sorted({c.kind for c in chunks})
    documents = sorted({c.document for c in chunks}) + ["andet.txt"]
    rng = random.Random(7)
    for _ in range(300):
        search_filter = SearchFilter(
            principle=rng.choice([None, *principles]),
            departments=tuple(rng.sample(departments, rng.choice([0, 0, 1, 2]))),
            kinds=tuple(rng.sample(kinds, rng.choice([0, 0, 1]))),
            documents=tuple(rng.sample(documents, rng.choice([0, 0, 0, 1]))),
            chunk_ids=tuple(rng.sample([c.id for c in chunks] + ["ukendt"], rng.choice([0, 0, 0, 5]))),
        )
        expected = {c.id for c in chunks if search_filter.accepts(c)}
        found = store.search(vectors[rng.randrange(len(chunks))], len(chunks), search_filter=search_filter)
        assert {chunk_id for chunk_id, _score in found} == expected


def test_a_filtered_hnsw_search_is_exact_when_the_filter_leaves_few_rows():
    """A filter that leaves at most ``exact_limit`` rows of an HNSW index is searched exactly among them
    (the same neighbours and scores as brute force); a wider filter still walks the graph within it."""
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((400, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    dense = DenseIndex.build(vectors, exact_limit=100)
    assert dense.kind == "hnsw"
    query = vectors[5]
    allowed = np.sort(rng.choice(400, size=80, replace=False)).astype(np.int64)
    scores, rows = dense.search(query, 10, allowed=allowed)
    truth = allowed[np.argsort(-(vectors[allowed] @ query))[:10]]
    assert rows.tolist() == truth.tolist()
    assert np.allclose(scores, vectors[truth] @ query, atol=1e-5)
    wide = np.arange(0, 400, 2, dtype=np.int64)  # 200 rows: more than exact_limit
    _scores, rows = dense.search(query, 10, allowed=wide)
    assert len(rows) == 10 and set(rows.tolist()) <= set(wide.tolist())
