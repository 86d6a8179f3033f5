"""The command line on damaged state and hostile input, as a real subprocess (issue 11, items 1, 2,
7, 9 and 10): one `error:` line and exit 2 or a repair, never a traceback; bounded input."""

from __future__ import annotations

import json
import os
import pty
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sikkerby.index.store import IndexStore
from tests.conftest import ROOT, rehash_manifest, run_cli
from tests.fixtures.make_pdfs import write_pdf

pytestmark = pytest.mark.slow


#: for the small documents written here: no OCR repair (it loads the Danish lexicon, seconds per run)
NO_REPAIR = {"SIKKERBY_REPAIR": "0"}


@pytest.fixture
def home(built_home: Path, tmp_path: Path) -> Path:
    """A copy of the real index (and of its chunk cache, so that `index` parses nothing), to damage."""
    copy = tmp_path / "home"
    shutil.copytree(built_home, copy, symlinks=True)
    return copy


@pytest.fixture
def cache_only(built_home: Path, tmp_path: Path) -> Path:
    """A data directory with the strategy's chunk cache but no index."""
    copy = tmp_path / "cache-only"
    shutil.copytree(built_home / "cache", copy / "cache")
    return copy


def _one_error(result: subprocess.CompletedProcess[str], starts: str = "error: ") -> str:
    """The single stderr line of a failed command (exit 2, no traceback)."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(starts), result.stderr
    return lines[0]


# -- item 1: ask names the damage, index repairs it and says so --------------------------------------


def test_a_truncated_faiss_file_is_reported_then_repaired(home: Path):
    faiss_file = home / "index" / "current" / "dense.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:1000])
    line = _one_error(run_cli(["ask", "Hvad er FILT?"], home))
    assert "dense.faiss: damaged" in line and "run `sikkerby index` to repair it" in line
    repaired = run_cli(["index", "--quiet"], home)
    assert repaired.returncode == 0, repaired.stderr
    assert "The index was damaged and has been rebuilt" in repaired.stdout and "dense.faiss" in repaired.stdout
    assert "Index is up to date" not in repaired.stdout
    again = run_cli(["index", "--json", "--quiet"], home)
    assert json.loads(again.stdout)["status"] == "unchanged"  # repaired once, sound since
    answer = run_cli(["ask", "--json", "Hvad er FILT?"], home)
    assert answer.returncode == 0 and "Tingbjerg" in json.loads(answer.stdout)["answer"]


def test_flipped_chunk_bytes_are_repaired_without_embedding_again(home: Path):
    chunks = home / "index" / "current" / "chunks.jsonl"
    data = bytearray(chunks.read_bytes())
    data[len(data) // 2] ^= 0x01
    chunks.write_bytes(bytes(data))
    summary = json.loads(run_cli(["index", "--json", "--quiet"], home).stdout)
    assert "chunks.jsonl: damaged" in summary["repaired"]
    assert summary["embedded"] == 0 and summary["reused"] == summary["chunks"]  # the sound vectors are kept


# -- item 2: one error line instead of a traceback -----------------------------------------------------


def test_a_deeply_nested_manifest_is_one_error_line_and_index_replaces_it(home: Path):
    (home / "index" / "current" / "manifest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert "manifest.json: unreadable manifest" in _one_error(run_cli(["ask", "Hvad er FILT?"], home))
    rebuilt = run_cli(["index", "--quiet"], home)
    assert rebuilt.returncode == 0 and "damaged and has been rebuilt" in rebuilt.stdout, rebuilt.stderr


def test_a_forged_part_with_a_fitting_checksum_is_one_error_line(home: Path):
    params = home / "index" / "current" / "bm25" / "params.index.json"
    params.write_text(json.dumps({**json.loads(params.read_text()), "num_docs": "many"}), encoding="utf-8")
    rehash_manifest(home / "index" / "current")
    assert "'num_docs' must be a non-negative integer" in _one_error(run_cli(["ask", "Hvad er FILT?"], home))


def test_current_as_a_real_folder_and_lock_as_a_folder(home: Path):
    index = home / "index"
    target = index / os.readlink(index / "current")
    (index / "current").unlink()
    shutil.move(target, index / "current")
    forced = run_cli(["index", "--force", "--quiet"], home)
    assert forced.returncode == 0 and "Traceback" not in forced.stderr, forced.stderr
    assert (index / "current").is_symlink() and IndexStore(index).load()
    (index / ".lock").unlink()
    (index / ".lock").mkdir()
    assert ".lock: cannot take the writer lock" in _one_error(run_cli(["index", "--force", "--quiet"], home))


def test_serve_on_a_busy_port_or_an_impossible_one(built_home: Path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        line = _one_error(run_cli(["serve", "--port", str(port)], built_home, timeout=120))
    assert f"cannot listen on 127.0.0.1:{port}" in line and "--port" in line
    line = _one_error(run_cli(["serve", "--port", "99999"], built_home))
    assert "argument --port: must be between 0 and 65535, not 99999" in line


def test_search_with_a_negative_k_is_refused(built_home: Path):
    assert "argument -k: must be at least 1, not -5" in _one_error(
        run_cli(["search", "-k", "-5", "natteliv"], built_home)
    )


def test_feedback_export_errors_name_the_file(tmp_path: Path):
    home = tmp_path / "home"
    missing = tmp_path / "no" / "such" / "folder" / "out.csv"
    assert f"{missing}: cannot write" in _one_error(run_cli(["feedback", "export", "-o", str(missing)], home))
    db = home / "feedback.sqlite3"
    db.mkdir(parents=True)
    assert f"{db}: is a folder, not a feedback database" in _one_error(run_cli(["feedback", "export"], home))
    db.rmdir()
    db.write_bytes(os.urandom(4096))
    before = db.read_bytes()
    assert f"{db}: not a feedback database" in _one_error(run_cli(["feedback", "export"], home))
    assert db.read_bytes() == before  # nothing lost: a file that is not ours is never overwritten
    db.unlink()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE feedback (x INTEGER)")
    assert "its feedback table has the columns x" in _one_error(run_cli(["feedback", "export"], home))


def test_questions_that_are_not_utf8_are_answered(built_home: Path):
    bad = "Hvad er FILT\udcff?"  # how Python hands over the argument bytes b"...FILT\xff?"
    result = run_cli(["ask", "--json", bad], built_home)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["question"] == "Hvad er FILT\ufffd?"
    batch = subprocess.run(
        [sys.executable, "-m", "sikkerby", "ask", "--json", "-"],
        input=b"Hvad er FILT?\n" + b"Hvad er \xff\xfe Den Korte Snor?\n" + "Hvad laver Natteværterne?\n".encode(),
        capture_output=True,
        env={**os.environ, "SIKKERBY_HOME": str(built_home)},
        cwd=ROOT,
        timeout=300,
    )
    assert batch.returncode == 0, batch.stderr.decode(errors="replace")
    answers = [json.loads(line) for line in batch.stdout.decode().splitlines()]
    assert (
        len(answers) == 3 and answers[1]["question"] == "Hvad er \ufffd\ufffd Den Korte Snor?"
    )  # one bad line ends nothing


# -- item 7: symbolic links out of an indexed folder ---------------------------------------------------


def test_symlinks_out_of_the_folder_are_not_followed_unless_asked(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "hemmelig.txt").write_text("Adgangskoden til serveren er blæksprutte-42.\n", encoding="utf-8")
    (outside / "mappe").mkdir()
    (outside / "mappe" / "mere.txt").write_text("Kodeordet til arkivet er vandmand-17.\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "referat.txt").write_text("Natteværterne går ture på Nørrebro fredag nat.\n", encoding="utf-8")
    (corpus / "under").mkdir()
    (corpus / "under" / "genvej.txt").symlink_to(corpus / "referat.txt")  # a link inside the folder: read
    (corpus / "passwd.txt").symlink_to(outside / "hemmelig.txt")
    (corpus / "links").symlink_to(outside / "mappe")
    home = tmp_path / "home"
    result = run_cli(["index", "--json", "--quiet", str(corpus)], home, env=NO_REPAIR)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["documents"] == ["referat.txt", "genvej.txt"]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any(f"{corpus / 'passwd.txt'}: a symbolic link to a file outside" in w for w in warnings)
    assert any(f"{corpus / 'links'}: a symbolic link to a folder outside" in w for w in warnings)
    texts = " ".join(c.text for c in IndexStore(home / "index").load().chunks)
    assert "blæksprutte" not in texts and "vandmand" not in texts
    followed = run_cli(["index", "--json", "--quiet", "--follow-symlinks", str(corpus)], home, env=NO_REPAIR)
    assert followed.returncode == 0 and "warning:" not in followed.stderr, followed.stderr
    texts = " ".join(c.text for c in IndexStore(home / "index").load().chunks)
    assert "blæksprutte" in texts and "vandmand" in texts


# -- item 9: a file name cannot forge lines ------------------------------------------------------------


def test_a_file_name_with_a_newline_forges_no_error_line(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "god.txt").write_text("Natteværterne går ture på Nørrebro fredag nat.\n", encoding="utf-8")
    (folder / "tom\nerror: forfalsket linje\x1b[31m.txt").write_bytes(b"")
    result = run_cli(["index", "--quiet", str(folder)], tmp_path / "home", env=NO_REPAIR)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "tom\\nerror: forfalsket linje\\x1b[31m.txt: file is empty (0 bytes)" in lines[0]


# -- item 10: size limits on ingest --------------------------------------------------------------------


def test_files_pages_and_chunks_are_bounded_by_settings(tmp_path: Path, cache_only: Path, home: Path):
    big = tmp_path / "stor.txt"
    big.write_text(("Tryghed og trivsel i byen. " * 40 + "\n") * 2000, encoding="utf-8")  # 2.1 MB
    limited = run_cli(["index", "--quiet", str(big)], cache_only, env={"SIKKERBY_MAX_FILE_MB": "1"})
    line = _one_error(limited)
    assert f"{big}: 2.1 MB, larger than the limit of 1 MB per file" in line and "SIKKERBY_MAX_FILE_MB" in line
    pdf = tmp_path / "lang.pdf"
    write_pdf(pdf, [[f"Side {n} om tryghedsvandringer."] for n in range(1, 13)])
    line = _one_error(run_cli(["index", "--quiet", str(pdf)], cache_only, env={"SIKKERBY_MAX_PAGES": "10"}))
    assert f"{pdf}: 12 pages, more than the limit of 10 per document" in line
    line = _one_error(run_cli(["index", "--quiet"], cache_only, env={"SIKKERBY_MAX_CHUNKS": "10"}))
    assert "60 chunks to index, more than the limit of 10 per build" in line and "--max-chunks" in line
    assert not (cache_only / "index" / "current").exists()  # nothing was built
    line = _one_error(run_cli(["index", "--quiet", "--max-chunks", "59"], home))  # the flag, over the variable
    assert "more than the limit of 59 per build" in line
    assert run_cli(["index", "--quiet", "--max-chunks", "60"], home, env={"SIKKERBY_MAX_CHUNKS": "10"}).returncode == 0


def test_many_chunks_to_embed_warn_with_an_estimate_and_ask_in_a_terminal(tmp_path: Path):
    home = tmp_path / "home"
    doc = tmp_path / "referater.txt"
    paragraph = "tryghedsvandring i bydelen med beboere, politi og natteværter. " * 11  # one chunk each
    doc.write_text("\n\n".join(f"Referat {i}: {paragraph}" for i in range(22)), encoding="utf-8")
    env = {**os.environ, "SIKKERBY_HOME": str(home), "SIKKERBY_WARN_CHUNKS": "20", **NO_REPAIR}
    # in a terminal: asked, and "n" stops before any embedding
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sikkerby", "index", "--quiet", str(doc)],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        text=True,
    )
    os.close(terminal)
    os.write(controller, b"n\n")
    out, err = proc.communicate(timeout=300)
    os.close(controller)
    assert proc.returncode == 2, err
    assert "warning: 22 chunks to embed: about 1 minutes" in err and "SIKKERBY_WARN_CHUNKS=20" in err
    assert "Embed them now? [y/N]" in err and "error: stopped before embedding; nothing changed" in err
    assert not (home / "index" / "current").exists()
    # not in a terminal (a script), or with --yes: warned, and built
    piped = run_cli(["index", "--quiet", str(doc)], home, env={"SIKKERBY_WARN_CHUNKS": "20", **NO_REPAIR}, stdin="")
    assert piped.returncode == 0, piped.stderr
    assert "warning: 22 chunks to embed" in piped.stderr and "Embed them now" not in piped.stderr
