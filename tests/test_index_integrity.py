"""A damaged index is found and repaired: per-file SHA-256 in the manifest, strict parsing of every
part, loads that never mix two builds, and a thread-safe query cache (issue 11, items 1, 2 and 8).
Fast: a fake embedder over the bundled strategy; the CLI contract is in test_hardening_cli.py."""

from __future__ import annotations

import functools
import json
import random
import shutil
import threading
from pathlib import Path

import faiss
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sikkerby.index.builder import IndexBuilder
from sikkerby.index.store import IndexStore, IndexStoreError
from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.pipeline import Ingestor
from tests.conftest import CORPUS_FILE, FakeEmbedder, publish_while_reading, rehash_manifest

PARTS = [
    "chunks.jsonl",
    "dense.faiss",
    "surface.json",
    "bm25/data.csc.index.npy",
    "bm25/indices.csc.index.npy",
    "bm25/indptr.csc.index.npy",
    "bm25/vocab.index.json",
    "bm25/params.index.json",
]


@functools.lru_cache(maxsize=1)
def _chunks() -> tuple[Chunk, ...]:
    return tuple(Ingestor(repair=False).ingest([CORPUS_FILE]).chunks)


@functools.lru_cache(maxsize=1)
def _pristine(root: str) -> Path:
    """One built index (fake embedder), copied for each test that damages it."""
    store = IndexStore(Path(root) / "index")
    IndexBuilder(store, FakeEmbedder()).build(list(_chunks()))
    return store.root


@pytest.fixture
def store(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> IndexStore:
    pristine = _pristine(str(tmp_path_factory.getbasetemp() / "pristine-index"))
    shutil.copytree(pristine, tmp_path / "index", symlinks=True)
    return IndexStore(tmp_path / "index")


def _snapshot(store: IndexStore) -> tuple[list[str], np.ndarray, dict[str, int]]:
    stored = store.load()
    return [c.id for c in stored.chunks], stored.dense.vectors(), stored.surface


def _rehash(store: IndexStore) -> None:
    rehash_manifest(store.current)


def _rebuild(store: IndexStore) -> tuple[str, int]:
    embedder = FakeEmbedder()
    report = IndexBuilder(store, embedder).build(list(_chunks()))
    return report.reason, report.embedded


# -- item 1: damage is detected and repaired ----------------------------------------------------------


@pytest.mark.parametrize("part", PARTS)
def test_a_truncated_part_is_refused_and_repaired(store: IndexStore, part: str):
    before = _snapshot(store)
    path = store.current / part
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(IndexStoreError, match=rf"{part}: .*sikkerby index"):
        store.load()
    reason, embedded = _rebuild(store)
    assert reason.startswith("damaged index") and part in reason  # never "up to date"
    assert embedded == (len(_chunks()) if part == "dense.faiss" else 0)  # sound vectors are reused
    after = _snapshot(store)
    assert after[0] == before[0] and np.array_equal(after[1], before[1]) and after[2] == before[2]


def test_flipped_vector_bytes_are_not_accepted_silently(store: IndexStore):
    path = store.current / "dense.faiss"
    data = bytearray(path.read_bytes())
    data[-200] ^= 0x40  # inside the last vector: FAISS itself would read it without complaint
    path.write_bytes(bytes(data))
    faiss.read_index(str(path))  # (it does)
    with pytest.raises(IndexStoreError, match="dense.faiss: damaged"):
        store.load()
    assert _rebuild(store)[0].startswith("damaged index")
    store.load()


def test_an_index_without_checksums_is_rebuilt_reusing_its_vectors(store: IndexStore):
    manifest_path = store.current / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["files"]
    manifest["format_version"] = 2
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexStoreError, match="index format 2 is not"):
        store.load()
    reason, embedded = _rebuild(store)
    assert reason.startswith("index format 2 ->") and embedded == 0
    assert "files" in json.loads((store.current / "manifest.json").read_text(encoding="utf-8"))


# -- item 2: forged parts (checksums rewritten to fit) are refused with the file and the reason -------


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _edit_chunk(store: IndexStore, field: str, value) -> None:
    path = store.current / "chunks.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record[field] = value
    lines[0] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _other_faiss(store: IndexStore) -> None:
    vectors = np.random.default_rng(0).random((len(_chunks()), 64), dtype=np.float32)
    index = faiss.IndexIVFFlat(faiss.IndexFlatL2(64), 64, 1)
    index.train(vectors)
    index.add(vectors)
    faiss.write_index(index, str(store.current / "dense.faiss"))


def _out_of_range(store: IndexStore) -> None:
    path = store.current / "bm25" / "indices.csc.index.npy"
    array = np.load(path)
    array[0] = 10**6
    np.save(path, array)


FORGERIES = {
    "zero-byte npy": (lambda s: (s.current / "bm25" / "data.csc.index.npy").write_bytes(b""), "data.csc.index.npy"),
    "float document numbers": (
        lambda s: np.save(
            s.current / "bm25" / "indices.csc.index.npy",
            np.load(s.current / "bm25" / "indices.csc.index.npy").astype(np.float64),
        ),
        "must be integers",
    ),
    "vocab of the wrong shape": (
        lambda s: (s.current / "bm25" / "vocab.index.json").write_text("[1, 2]"),
        "vocab.index.json",
    ),
    "non-numeric num_docs": (
        lambda s: _edit_json(s.current / "bm25" / "params.index.json", lambda d: d.update(num_docs="x")),
        "num_docs",
    ),
    "unknown backend": (
        lambda s: _edit_json(s.current / "bm25" / "params.index.json", lambda d: d.update(backend="evil")),
        "unknown backend 'evil'",
    ),
    "out-of-range indices": (_out_of_range, "out of range"),
    "FAISS of another type": (_other_faiss, "IndexIVFFlat, not an IndexFlatIP"),
    "chunk page as text": (lambda s: _edit_chunk(s, "page", "3"), r"chunks.jsonl:1: .*'page'"),
    "chunk departments as a number": (lambda s: _edit_chunk(s, "departments", 5), r"chunks.jsonl:1: .*'departments'"),
    "chunk text as a list": (lambda s: _edit_chunk(s, "text", ["x"]), r"chunks.jsonl:1: .*'text'"),
    "nested JSON in the word counts": (
        lambda s: (s.current / "surface.json").write_text("[" * 100_000 + "]" * 100_000),
        "surface.json",
    ),
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_forged_parts_are_refused_naming_the_file(store: IndexStore, name: str):
    forge, message = FORGERIES[name]
    forge(store)
    _rehash(store)
    with pytest.raises(IndexStoreError, match=message):
        store.load()
    reason, _embedded = _rebuild(store)
    assert reason.startswith("damaged index")
    store.load()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(chunk_count="60"), "'chunk_count' must be int"),
        (lambda d: d.update(dim=True), "'dim' must be int"),
        (lambda d: d.update(dense_kind="ivf"), "dense_kind"),
        (lambda d: d.update(documents="x"), "'documents' must be list"),
        (lambda d: d["files"].update({"chunks.jsonl": "abc"}), "not a SHA-256"),
    ],
)
def test_a_manifest_with_fields_of_the_wrong_type_is_refused(store: IndexStore, change, message: str):
    _edit_json(store.current / "manifest.json", change)
    with pytest.raises(IndexStoreError, match=message):
        store.load()
    assert _rebuild(store)[0].startswith("damaged index")


def test_a_deeply_nested_manifest_is_refused_and_replaced(store: IndexStore):
    (store.current / "manifest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(IndexStoreError, match="manifest.json: unreadable manifest"):
        store.load()
    assert store.read_manifest() is None
    assert _rebuild(store)[0].startswith("damaged index")
    store.load()


def test_current_as_a_real_folder_loads_and_is_replaced(store: IndexStore):
    target = store.root / str(Path(store.current).readlink())
    store.current.unlink()
    shutil.copytree(target, store.current)
    shutil.rmtree(target)
    store.load()  # a copy of a build is still a build
    IndexBuilder(store, FakeEmbedder()).build(list(_chunks()), force=True)
    assert store.current.is_symlink()
    store.load()


def test_lock_as_a_folder_is_a_clear_error(store: IndexStore):
    lock = store.root / ".lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()
    with pytest.raises(IndexStoreError, match=r"\.lock: cannot take the writer lock"):
        IndexBuilder(store, FakeEmbedder()).build(list(_chunks()), force=True)


# -- fuzzing: a random byte flipped, a file truncated --------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    part=st.sampled_from([*PARTS, "manifest.json"]),
    cut=st.booleans(),
    where=st.floats(min_value=0.0, max_value=1.0, exclude_max=True),
    bit=st.integers(min_value=0, max_value=7),
)
def test_damage_anywhere_is_refused_or_harmless_and_always_repaired(
    tmp_path_factory: pytest.TempPathFactory, part: str, cut: bool, where: float, bit: int
):
    pristine = _pristine(str(tmp_path_factory.getbasetemp() / "pristine-index"))
    home = Path(tmp_path_factory.mktemp("fuzz"))
    shutil.copytree(pristine, home / "index", symlinks=True)
    store = IndexStore(home / "index")
    before = _snapshot(store)
    path = store.current / part
    data = bytearray(path.read_bytes())
    offset = int(where * len(data))
    if cut:
        del data[offset:]
    else:
        data[offset] ^= 1 << bit
    path.write_bytes(bytes(data))
    try:
        after = _snapshot(store)
    except IndexStoreError:
        pass  # refused, with a message (the only exception a load may raise)
    else:  # accepted: then the damage changed nothing that is read (the manifest's date, say)
        assert after[0] == before[0] and np.array_equal(after[1], before[1]) and after[2] == before[2]
    IndexBuilder(store, FakeEmbedder()).build(list(_chunks()))
    repaired = _snapshot(store)
    assert repaired[0] == before[0] and np.array_equal(repaired[1], before[1]) and repaired[2] == before[2]


# -- item 8: loads never mix two builds; the query cache under threads --------------------------------


def test_loads_during_publishes_see_one_whole_build(tmp_path: Path):
    store = IndexStore(tmp_path / "index")
    chunks = list(_chunks())
    corpora = [chunks[:20], chunks[20:]]  # two builds that differ in every part and in size
    embedder = FakeEmbedder()
    IndexBuilder(store, embedder).build(corpora[0])
    expected = {len(c): [x.id for x in c] for c in corpora}

    def read() -> list[str]:
        stored = store.load()
        ids = [c.id for c in stored.chunks]
        sizes = {len(ids), stored.dense.size, stored.bm25.size, stored.manifest.chunk_count}
        return [f"mixed build: {sizes}"] if len(sizes) != 1 or expected.get(len(ids)) != ids else []

    loads, problems = publish_while_reading(store, embedder, corpora, read, publishes=40, readers=3)
    assert loads > 40
    assert problems == [], f"{len(problems)} of {loads + len(problems)} loads failed: {problems[:3]}"


def test_the_query_cache_is_safe_under_threads():
    embedder = FakeEmbedder()
    embedder.query_cache_size = 4  # always full: every call evicts
    pool = [f"spørgsmål nummer {i} om tryghed" for i in range(40)]
    expected = {q: FakeEmbedder().embed_queries([q])[0] for q in pool}
    errors: list[str] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(1500):
            batch = rng.sample(pool, 3)
            try:
                vectors = embedder.embed_queries(batch)
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                return
            for q, v in zip(batch, vectors):
                if not np.array_equal(v, expected[q]):
                    errors.append(f"wrong vector for {q!r}")
                    return

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(embedder._query_cache) <= 4
