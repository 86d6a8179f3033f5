"""The chat app: rendering (fast), the API through gradio_client, and a real browser (Debian chromium
driven by Playwright) against the app served on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sikkerby.assistant.answer import Answer, Citation
from sikkerby.assistant.feedback import FeedbackStore
from sikkerby.assistant.service import AssistantService
from sikkerby.assistant.settings import load_settings
from sikkerby.ui.app import EXAMPLES
from sikkerby.ui.render import conversation_markdown, highlighted, overview_html, sources_markdown
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, run_cli

ARTIFACTS = ROOT / "test-artifacts"
EXAMPLE_QUESTION = EXAMPLES[0]


def _citation(**kw) -> Citation:
    base = dict(
        n=1,
        chunk_id="abc",
        document="doc.txt",
        page=2,
        principle="Fagprincip 1",
        text="Første sætning. <script>alert(1)</script> Anden sætning.",
        score=0.9,
        departments=("Socialforvaltningen",),
        highlights=("Anden sætning.",),
    )
    base.update(kw)
    return Citation(**base)


def test_passages_are_escaped_and_the_cited_sentence_marked():
    text = highlighted(_citation())
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<mark>Anden sætning.</mark>" in text
    block = sources_markdown(Answer(question="q", answer="Svar [1]", abstained=False, citations=(_citation(),)))
    assert "[1] Fagprincip 1 · side 2 · doc.txt · Forvaltning: SOF" in block


def test_conversation_export_has_questions_answers_and_sources():
    answer = Answer(question="Hvad er X?", answer="X er Y. [1]", abstained=False, citations=(_citation(),))
    md = conversation_markdown([answer])
    assert md.startswith("# Samtale med Sikker By-assistenten")
    assert "## 1. Hvad er X?" in md and "- [1] Fagprincip 1 · side 2 · doc.txt:" in md


@pytest.mark.slow
def test_overview_filters_by_department(service: AssistantService):
    full = overview_html(service.catalog)
    assert full.count('class="sb-initiative"') == 52
    tmf = overview_html(service.catalog, "Teknik- og Miljøforvaltningen")
    assert tmf.count('class="sb-initiative"') == len(
        service.catalog.initiatives_of_department("Teknik- og Miljøforvaltningen")
    )
    assert "Nørrebro Station" in tmf and "Den Korte Snor" not in tmf


def test_feedback_store_is_safe_under_concurrent_writes(tmp_path: Path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")

    def worker(k: int) -> None:
        for i in range(25):
            store.add(rating=1 if i % 2 else -1, question=f"q{k}-{i}", answer="a", abstained=False, citations=[])

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = store.all()
    assert len(rows) == 200 and len({r.question for r in rows}) == 200
    assert len(store.all(rating=-1)) == 8 * 13  # i = 0, 2, ..., 24
    with pytest.raises(ValueError):
        store.add(rating=0, question="q", answer="a", abstained=False, citations=[])


# -- served app -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_url(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, AssistantService]]:
    from sikkerby.ui.app import serve

    feedback_db = tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    service = AssistantService(load_settings(data_dir=built_home, extra={"feedback_db": str(feedback_db)}))
    port = free_port()
    demo = serve(service, host="127.0.0.1", port=port)
    try:
        yield f"http://127.0.0.1:{port}/", service
    finally:
        demo.close()


@pytest.mark.slow
def test_api_answers_with_the_cli_citations(app_url: tuple[str, AssistantService], built_home: Path):
    from gradio_client import Client

    url, _service = app_url
    question = "Hvilke indsatser hører under Fagprincip 5?"
    result = Client(url, verbose=False).predict(question, None, None, api_name="/ask")
    cli = run_cli(["ask", "--json", question], built_home)
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    assert result["answer"] == expected["answer"]
    # two processes, one real model: equal but for the last digits of the scores on another CPU
    scores = [c.pop("score") for c in result["citations"]]
    expected_scores = [c.pop("score") for c in expected["citations"]]
    assert result["citations"] == expected["citations"]
    assert scores == pytest.approx(expected_scores, abs=0.01)
    assert len(result["citations"]) == 6  # the statement and the five initiatives


@pytest.mark.slow
def test_browser_chat_sources_overview_feedback(
    app_url: tuple[str, AssistantService], capsys: pytest.CaptureFixture[str]
):
    sync_api = pytest.importorskip("playwright.sync_api")
    assert Path(CHROMIUM).exists(), "Debian chromium is missing: apt-get install chromium (make setup-dev does it)"
    url, service = app_url
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1100}, accept_downloads=True)
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None,
        )
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("#sb-question textarea", timeout=60_000)
        page.get_by_text(EXAMPLE_QUESTION).first.wait_for(timeout=10_000)  # example questions to click
        page.screenshot(path=str(ARTIFACTS / "start.png"), full_page=True)

        # a question, an answer with a citation
        page.fill("#sb-question textarea", "Hvad laver Natteværterne i nattelivet?")
        page.click("#sb-send")
        sources = page.get_by_text("Kilder (", exact=False).first
        sources.wait_for(timeout=30_000)  # shown once the streamed answer is complete
        answer = page.locator("#sb-chat .message.bot").filter(has_text="[1]").first
        assert "Natteværter" in answer.inner_text()

        # the sources block opens and shows the passage with principle and page
        page.wait_for_timeout(600)  # let the last streamed update render before clicking into it
        sources.click()
        source = page.locator("#sb-chat").get_by_text("· side ", exact=False).first
        source.wait_for(timeout=10_000)
        assert "Fagprincip" in source.inner_text() or "Grundprincip" in source.inner_text()
        assert page.locator("#sb-chat mark").count() >= 1
        page.wait_for_timeout(400)  # the block opens with an animation
        page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True, animations="disabled")
        assert source.is_visible()  # still open in the screenshot

        # thumbs up is stored with the question, answer and citations
        page.locator("#sb-chat button[aria-label='Like']").last.click()
        page.get_by_text("Tak for din feedback").wait_for(timeout=10_000)

        # the conversation downloads as Markdown with its sources
        with page.expect_download() as download_info:
            page.get_by_text("Download samtalen (Markdown)").click()
        markdown = Path(download_info.value.path()).read_text(encoding="utf-8")
        assert "## 1. Hvad laver Natteværterne i nattelivet?" in markdown and "**Kilder**" in markdown

        # the overview, filtered by a department
        page.get_by_role("tab", name="Overblik").click()
        overview = page.locator("#sb-overview")
        overview.get_by_text("Grundprincip 1").first.wait_for(timeout=10_000)
        assert overview.locator("details").count() == 52
        page.locator("#sb-overview-filter input").click()
        page.get_by_role("option", name="Teknik- og Miljøforvaltningen (TMF)").click()
        overview.locator(".sb-filter-note").wait_for(timeout=10_000)  # the filtered view has rendered
        expected = len(service.catalog.initiatives_of_department("Teknik- og Miljøforvaltningen"))
        assert overview.locator("details").count() == expected
        overview.locator("details summary").first.click()
        assert "Kilde:" in overview.locator("details[open]").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "overblik.png"), full_page=True)
        browser.close()

    rows = (
        sqlite3.connect(service.settings.feedback_db)
        .execute("SELECT rating, question, answer, citations FROM feedback")
        .fetchall()
    )
    assert [(r[0], r[1]) for r in rows] == [(1, "Hvad laver Natteværterne i nattelivet?")]
    assert "[1]" in rows[0][2] and json.loads(rows[0][3])[0]["n"] == 1
    assert outside == [], f"the app made outside requests: {outside}"
    with capsys.disabled():
        print(f"\n[browser] screenshots in {ARTIFACTS}: start.png, chat.png, overblik.png")
