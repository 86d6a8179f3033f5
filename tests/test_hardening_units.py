"""Fast checks of the pieces behind issue 11: CSV formula escaping and bounded feedback (item 5), Markdown
without images or links (item 6), escaped log and output lines (item 9), the login backoff (item 4),
the request guard (items 3, 11) and the ingest limits (items 7, 10). The real paths (CLI, server,
browser) are in test_hardening_cli.py and test_hardening_web.py."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

import pytest

from sikkerby.assistant.answer import Answer, Citation
from sikkerby.assistant.feedback import FeedbackError, FeedbackStore
from sikkerby.ingest.errors import IngestError
from sikkerby.ingest.loaders import find_files, load_document
from sikkerby.logs import SafeFormatter
from sikkerby.sanitize import one_line, terminal_text
from sikkerby.ui.guard import same_origin
from sikkerby.ui.login_guard import LoginThrottle
from sikkerby.ui.render import answer_markdown, conversation_markdown, md_text, question_markdown

# -- item 5: feedback ----------------------------------------------------------------------------------


def _add(store: FeedbackStore, **kw) -> int:
    fields = dict(rating=-1, question="Hvad er FILT?", answer="Svar [1]", abstained=False, citations=[])
    fields.update(kw)
    return store.add(**fields)


def test_csv_export_escapes_cells_that_start_like_a_formula(tmp_path: Path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    for text in ("=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "Almindelig tekst"):
        _add(store, question=text, comment=text)
    rows = list(csv.reader(io.StringIO(store.export("csv"))))
    questions = [row[3] for row in rows[1:]]
    assert questions == ["'=cmd|' /C calc'!A0", "'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "Almindelig tekst"]
    assert [row[7] for row in rows[1:]] == questions  # the comment too
    assert {row[2] for row in rows[1:]} == {"-1"}  # a number stays a number
    assert store.all()[0].question == "=cmd|' /C calc'!A0"  # stored as given; escaped only on export


def test_feedback_fields_are_typed_and_bounded(tmp_path: Path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3", max_chars=100)
    with pytest.raises(FeedbackError, match="'answer' has 5,000 characters; at most 100"):
        _add(store, answer="x" * 5000)
    with pytest.raises(FeedbackError, match="'session' has 65 characters; at most 64"):
        _add(store, session="s" * 65)
    with pytest.raises(FeedbackError, match="rating must be 1"):
        _add(store, rating=True)
    with pytest.raises(FeedbackError, match="'abstained' must be true or false"):
        _add(store, abstained="false")
    with pytest.raises(FeedbackError, match="'citations.text' has"):
        _add(store, citations=[{"n": 1, "text": "y" * 101}])
    assert store.all() == []


def test_liked_must_be_a_real_boolean(tmp_path: Path):
    from sikkerby.assistant.service import AssistantService, ServiceError
    from sikkerby.assistant.settings import load_settings

    service = AssistantService(load_settings(data_dir=tmp_path))
    answer = Answer(question="q", answer="a", abstained=False)
    with pytest.raises(ServiceError, match="liked must be true or false"):
        service.record_feedback(answer, liked="false")  # type: ignore[arg-type]
    assert service.record_feedback(answer, liked=False) == 1
    assert service.feedback.all()[0].rating == -1


# -- item 6: Markdown from questions and documents -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "![x](http://host/pixel.png)",
        "[klik](https://host/side)",
        "[ref]: http://host/p.png",
        "<img src=http://host/p.png>",
        "<http://host/p.png>",
        "http://host/p.png",
        "www.host.dk/p.png",
        "navn@host.dk",
        "\\](http://host/x)",
    ],
)
def test_markdown_text_makes_no_image_and_no_link(text: str):
    shown = md_text(text)
    assert "<" not in shown and "](" not in shown and "]:" not in shown
    assert "://" not in shown and "www." not in shown and "@" not in shown.replace("\\@", "")


def test_answers_keep_their_lists_and_citations():
    answer = Answer(question="Q ![x](http://h/p.png)", answer="Tre indsatser:\n- Den Korte Snor [1]", abstained=False)
    assert answer_markdown(answer) == "Tre indsatser:\n- Den Korte Snor [1]"
    assert question_markdown(answer) == "Q ![x]\\(http\\:\\//h/p.png)"
    cut = Answer(question="x" * 1000, answer="a", abstained=False, question_cut_from=5000)
    assert "*(Spørgsmålet var på 5.000 tegn og er afkortet til de første 1.000.)*" in question_markdown(cut)
    citation = Citation(1, "c", "doc.md", 1, None, "Se ![kort](http://h/k.png)", 0.9)
    md = conversation_markdown([Answer(question="Q", answer="a [1]", abstained=False, citations=(citation,))])
    assert "](http" not in md and "- [1] Uden princip · side 1 · doc.md: Se ![kort]\\(http" in md


# -- item 9: output and log lines ----------------------------------------------------------------------


def test_text_for_one_line_escapes_control_characters():
    assert one_line("a\nerror: forged\x1b[31m\r\u2028x\udcff") == "a\\nerror: forged\\x1b[31m\\r\\u2028x\\xff"
    assert terminal_text("linje 1\n\tlinje 2\x1b[2J") == "linje 1\n\tlinje 2\\x1b[2J"


def test_log_messages_cannot_forge_lines():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "user %r from %s", ("a\nERROR b", "c\x1b"), None)
    line = SafeFormatter("%(levelname)s %(message)s").format(record)
    assert line == "WARNING user 'a\\nERROR b' from c\\x1b" and "\n" not in line
    assert record.msg == "user %r from %s"  # the record itself is left as it was


# -- item 4: the login backoff -------------------------------------------------------------------------


def test_login_backoff_per_key_doubles_and_resets():
    now = [1000.0]
    throttle = LoginThrottle(free_attempts=2, max_wait=4.0, clock=lambda: now[0])
    keys = ["client:10.0.0.1", "user:anna"]
    assert throttle.wait(keys) == 0
    for expected in (0, 0, 1, 2, 4, 4):  # two free, then 1 s, 2 s, 4 s, and no more than the maximum
        throttle.failed(keys)
        assert throttle.wait(keys) == expected
        now[0] += expected
    assert throttle.wait(["client:10.0.0.2", "user:bo"]) == 0  # others are not held up
    assert throttle.wait(["client:10.0.0.2", "user:anna"]) == 0  # the wait was used up
    throttle.failed(keys)
    assert throttle.wait(["client:10.0.0.2", "user:anna"]) == 4  # the user's count applies from anywhere
    throttle.succeeded(keys)
    assert throttle.wait(keys) == 0


# -- items 3 and 11: the request guard's origin check --------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        ("http://127.0.0.1:7860", "127.0.0.1:7860", True),
        ("http://localhost:7860", "localhost:7860", True),
        ("http://[::1]:7860", "[::1]:7860", True),
        ("http://intra.kk.dk", "intra.kk.dk:80", True),
        ("http://evil.example.com", "127.0.0.1:7860", False),
        ("http://127.0.0.1:9999", "127.0.0.1:7860", False),
        ("null", "127.0.0.1:7860", False),
        ("file://", "127.0.0.1:7860", False),
    ],
)
def test_same_origin(origin: str, host: str, same: bool):
    assert same_origin(origin, host, {"scheme": "http"}) is same


# -- items 7 and 10: ingest -----------------------------------------------------------------------------


def test_limits_are_checked_before_a_file_is_read(tmp_path: Path):
    big = tmp_path / "stor.txt"
    big.write_bytes(b"x" * (3 * 2**20))
    with pytest.raises(IngestError, match=r"3.0 MB, larger than the limit of 2 MB per file"):
        load_document(big, max_bytes=2 * 2**20)
    pages = tmp_path / "sider.txt"
    pages.write_text("\f".join(f"Side {n}" for n in range(5)), encoding="utf-8")
    with pytest.raises(IngestError, match="5 pages, more than the limit of 4 per document"):
        load_document(pages, max_pages=4)
    assert len(load_document(pages, max_pages=5).pages) == 5


def test_symbolic_links_out_of_a_folder_are_noted_not_followed(tmp_path: Path):
    outside = tmp_path / "ude"
    (outside / "mappe").mkdir(parents=True)
    (outside / "hemmelig.txt").write_text("x", encoding="utf-8")
    (outside / "mappe" / "mere.md").write_text("x", encoding="utf-8")
    folder = tmp_path / "inde"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("x", encoding="utf-8")
    (folder / "sub" / "b.txt").symlink_to(folder / "a.txt")
    (folder / "passwd.txt").symlink_to(outside / "hemmelig.txt")
    (folder / "billede.png").symlink_to(outside / "hemmelig.txt")  # not a document: never read anyway
    (folder / "links").symlink_to(outside / "mappe")
    (folder / "loop").symlink_to(folder)
    files, skipped = find_files([folder])
    assert files == [folder / "a.txt", folder / "sub" / "b.txt"]
    assert (
        len(skipped) == 2
        and "passwd.txt: a symbolic link to a file outside" in skipped[1 if "links" in skipped[0] else 0]
    )
    followed, none = find_files([folder], follow_symlinks=True)
    assert none == [] and {p.name for p in followed} == {"a.txt", "b.txt", "passwd.txt", "mere.md"}
    named, _ = find_files([folder / "passwd.txt"])  # a file named on the command line is read
    assert named == [folder / "passwd.txt"]
