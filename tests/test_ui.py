"""The chat app: rendering (fast), the API through gradio_client, and a real browser (Debian chromium
driven by Playwright) against the app served on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
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
from sikkerby.ui.chat_view import answer_html, highlighted_html, sources_html
from sikkerby.ui.render import conversation_markdown, overview_html
from sikkerby.ui.turns import Conversation, Turn
from tests.browser import ARTIFACTS, ask, launch, new_context, open_chat, screenshot, serious_violations, wait_ready
from tests.conftest import FIXTURES, free_port, run_cli

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
    text = highlighted_html(_citation())
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<mark>Anden sætning.</mark>" in text
    answer = Answer(question="q", answer="Svar [1]", abstained=False, citations=(_citation(),))
    block = sources_html(0, answer)
    assert "Dokument: doc.txt · side 2 · Princip: Fagprincip 1 · Forvaltning: SOF" in block
    assert 'aria-expanded="false" aria-controls="sb-t0-kilder"' in block and 'id="sb-t0-kilde-1"' in block


def test_citations_in_an_answer_link_to_their_source_and_markup_stays_text():
    answer = Answer(
        question="q", answer="- Et <b>punkt</b> [1]\n- Et andet [2] [7]", abstained=False, citations=(_citation(),)
    )
    html = answer_html(3, answer)
    assert html.count("<li>") == 2 and "&lt;b&gt;punkt&lt;/b&gt;" in html
    assert '<a class="sb-ref" href="#sb-t3-kilde-1" data-sources="sb-t3-kilder" aria-label="Kilde 1">[1]</a>' in html
    assert "[2] [7]" in html  # no source 2 or 7: no link


def test_a_conversation_survives_its_json_and_bad_json_is_a_new_one():
    answer = Answer(question="Hvad er X?", answer="X er Y. [1]", abstained=False, citations=(_citation(),))
    conversation = Conversation(asked=("Hvad er X?",), turns=(Turn(question="Hvad er X?", answer=answer, rating=1),))
    again = Conversation.from_dict(json.loads(json.dumps(conversation.to_dict())))
    assert again == conversation and again.turns[0].answer == answer
    assert Conversation.from_dict({"id": "x", "turns": [{"nope": 1}]}).turns == ()
    assert Conversation.from_dict("<script>").turns == ()


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
    url, service = app_url
    outside: list[str] = []
    before = len(_feedback_rows(service))
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        context = new_context(browser)
        context.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None,
        )
        page = open_chat(browser, url, context=context)
        page.get_by_role("button", name=EXAMPLE_QUESTION).wait_for(timeout=10_000)  # example questions to click

        # an example question, answered with citations
        page.get_by_role("button", name=EXAMPLE_QUESTION).click()
        first = page.locator("#sb-chat .sb-turn:not(.sb-pending)").first
        first.wait_for(timeout=60_000)
        assert "Fagprincip 2" in first.inner_text() and first.locator("a.sb-ref").count() >= 1

        # a question, an answer with a citation; the sources block opens with principle and page
        answer = ask(page, "Hvad laver Natteværterne i nattelivet?")
        assert "Natteværter" in answer.inner_text() and "[1]" in answer.inner_text()
        answer.get_by_role("button", name="Kilder (").click()
        source = answer.locator(".sb-source").first
        assert source.is_visible()
        assert "Fagprincip" in source.inner_text() or "Grundprincip" in source.inner_text()
        assert answer.locator("mark").count() >= 1

        # thumbs up is stored with the question, answer and citations
        answer.get_by_role("button", name="Godt svar").click()
        page.get_by_text("Tak for din feedback").wait_for(timeout=10_000)

        # the conversation downloads as Markdown with its sources
        with page.expect_download() as download_info:
            page.get_by_text("Download samtalen (Markdown)").click()
        markdown = Path(download_info.value.path()).read_text(encoding="utf-8")
        assert "## 2. Hvad laver Natteværterne i nattelivet?" in markdown and "**Kilder**" in markdown

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
        browser.close()

    rows = (
        sqlite3.connect(service.settings.feedback_db)
        .execute("SELECT rating, question, answer, citations FROM feedback ORDER BY id")
        .fetchall()[before:]
    )
    assert [(r[0], r[1]) for r in rows] == [(1, "Hvad laver Natteværterne i nattelivet?")]
    assert "[1]" in rows[0][2] and json.loads(rows[0][3])[0]["n"] == 1
    assert outside == [], f"the app made outside requests: {outside}"
    with capsys.disabled():
        print(f"\n[browser] screenshots in {ARTIFACTS}: start-*.png, chat-*.png, overblik-*.png")


# -- the chat in a browser: WCAG 2.1 AA with axe, Danish, controls that do what they show ------------

ENGLISH = (
    "Copy",
    "Like",
    "Dislike",
    "Clear",
    "Share",
    "Select example",
    "'s message",
    "Textbox",
    "Submit",
    "More tabs",
    "Dropdown",
    "Loading",
)


def _read_aloud(page) -> list[str]:
    """What the page says to a screen reader and shows: labels, placeholders, titles, button texts."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('[aria-label], [placeholder], [title], button, [role=tab]'))
          .flatMap((e) => [e.getAttribute('aria-label'), e.getAttribute('placeholder'), e.getAttribute('title'),
                           e.matches('button, [role=tab]') ? e.innerText : null])
          .filter((t) => t && t.trim())"""
    )


def _feedback_rows(service: AssistantService) -> list[tuple[int, str]]:
    db = service.settings.feedback_db
    if not Path(db).exists():
        return []
    return sqlite3.connect(db).execute("SELECT rating, question FROM feedback ORDER BY id").fetchall()


@pytest.mark.slow
@pytest.mark.parametrize(("phone", "dark"), [(False, False), (True, False), (False, True), (True, True)])
def test_axe_finds_nothing_serious_on_start_answer_and_overview(
    app_url: tuple[str, AssistantService], phone: bool, dark: bool
):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _service = app_url
    name = f"{'phone' if phone else 'desktop'}-{'dark' if dark else 'light'}"
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url, phone=phone, dark=dark)
        assert page.evaluate("document.documentElement.lang") == "da"
        found = {"start": serious_violations(page)}
        screenshot(page, f"start-{name}.png")

        turn = ask(page, "Hvad laver Natteværterne i nattelivet?")
        turn.locator(".sb-sources-toggle").click()
        turn.locator(".sb-source").first.wait_for(state="visible")
        found["answer with sources open"] = serious_violations(page)
        screenshot(page, f"chat-{name}.png")

        page.get_by_role("tab", name="Overblik").click()
        page.locator("#sb-overview-filter input").click()
        page.get_by_role("option", name="Teknik- og Miljøforvaltningen (TMF)").click()
        page.locator("#sb-overview .sb-filter-note").wait_for(timeout=10_000)
        page.locator("#sb-overview details summary").first.click()
        found["overview with a filter"] = serious_violations(page)
        screenshot(page, f"overblik-{name}.png")
        english = [t for t in _read_aloud(page) if any(word in t for word in ENGLISH)]
        browser.close()
    assert {view: v for view, v in found.items() if v} == {}
    assert english == []


@pytest.mark.slow
def test_chat_speaks_danish_and_its_sources_link_and_open_by_keyboard(app_url: tuple[str, AssistantService]):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _service = app_url
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url)
        turn = ask(page, "Hvad laver Natteværterne i nattelivet?")
        spoken = _read_aloud(page)
        assert [t for t in spoken if any(word in t for word in ENGLISH)] == []
        assert "Godt svar" in " ".join(spoken) and "Dårligt svar" in " ".join(spoken)
        assert turn.locator("h3.sb-sr").all_inner_texts() == ["Dit spørgsmål", "Svar"]  # the roles, in Danish

        # the sources toggle: a button with aria-expanded that Space opens and closes
        toggle = turn.locator(".sb-sources-toggle")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert turn.locator(".sb-sources-list").is_hidden()
        toggle.focus()
        page.keyboard.press("Space")
        assert toggle.get_attribute("aria-expanded") == "true"
        first = turn.locator(".sb-source").first
        assert first.is_visible()
        head = first.locator(".sb-source-head").inner_text()
        assert "Dokument: " in head and "side " in head and "Princip: " in head
        assert turn.locator(".sb-pdf").count() == 0  # the bundled strategy is text, not a PDF: no page link
        page.keyboard.press("Space")
        assert toggle.get_attribute("aria-expanded") == "false" and first.is_hidden()

        # [1] in the answer links to source 1: Enter opens the sources and moves the focus there
        ref = turn.locator("a.sb-ref").first
        assert ref.inner_text() == "[1]"
        ref.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.evaluate("document.activeElement.id") == ref.get_attribute("href").lstrip("#")
        assert page.locator(ref.get_attribute("href")).is_visible()
        browser.close()


@pytest.mark.slow
def test_every_control_is_reached_by_tab_with_a_visible_focus_ring(app_url: tuple[str, AssistantService]):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _service = app_url
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url)
        ask(page, "Hvad er FILT?")
        page.locator("body").click(position={"x": 5, "y": 5})
        reached: dict[str, str] = {}
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => { const e = document.activeElement;
                  if (!e || e === document.body) return ['(the page itself)', true];
                  const s = getComputedStyle(e);
                  const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
                  return [e.id || e.getAttribute('aria-label') || e.innerText.trim().slice(0, 80) || e.tagName,
                          ring]; }"""
            )
            reached[focused[0]] = "ring" if focused[1] else "no ring"
        browser.close()
    expected = ["Afgræns til princip", "Afgræns til forvaltning", "sb-t0-kilder-knap", "sb-t0-op", "sb-t0-ned"]
    expected += ["sb-send", "sb-new", "sb-download", EXAMPLE_QUESTION]
    missing = [name for name in expected if not any(name in key for key in reached)]
    assert missing == [], f"not reached by Tab: {missing} (reached {list(reached)})"
    assert [k for k, v in reached.items() if v == "no ring"] == []
    question_box = [k for k in reached if k.startswith("TEXTAREA") or k == "Dit spørgsmål"]
    assert question_box, f"the question box is not reached by Tab: {list(reached)}"


@pytest.mark.slow
def test_feedback_thumbs_undo_and_replace_and_are_announced(app_url: tuple[str, AssistantService]):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, service = app_url
    question = "Hvilket princip hører Den Korte Snor under?"
    before = _feedback_rows(service)
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url)
        status = page.locator("#sb-status")
        assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
        turn = ask(page, question)
        up, down = turn.locator(".sb-fb[data-rating='1']"), turn.locator(".sb-fb[data-rating='-1']")

        up.click()
        page.get_by_text("Tak for din feedback.").wait_for()
        assert up.get_attribute("aria-pressed") == "true"
        assert _feedback_rows(service)[len(before) :] == [(1, question)]

        up.click()  # pressed again: taken back, not stored as a thumbs-down
        page.get_by_text("Din feedback er taget tilbage.").wait_for()
        assert up.get_attribute("aria-pressed") == "false"
        assert _feedback_rows(service)[len(before) :] == []

        down.click()
        page.get_by_text("Svaret er markeret som dårligt").wait_for()
        up.click()  # a changed mind replaces the thumbs-down: one row, never two that contradict
        page.get_by_text("Tak for din feedback.").wait_for()
        assert up.get_attribute("aria-pressed") == "true" and down.get_attribute("aria-pressed") == "false"
        browser.close()
    assert _feedback_rows(service)[len(before) :] == [(1, question)]


@pytest.mark.slow
def test_new_conversation_clears_and_download_needs_a_question(app_url: tuple[str, AssistantService]):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _service = app_url
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url)
        downloads: list[object] = []
        page.on("download", lambda d: downloads.append(d))
        page.click("#sb-download")  # before any question: it says so, and nothing downloads
        page.get_by_text("Der er ingen samtale at downloade endnu").wait_for()
        assert downloads == []

        ask(page, "Hvad er FILT?")
        page.click("#sb-new")
        page.get_by_text("Ny samtale er startet.").wait_for()
        turns = page.locator("#sb-chat .sb-turn")
        sync_api.expect(turns).to_have_count(0)  # retried: the view may be drawn just after the status line
        ask(page, "Hvad laver Natteværterne?")  # the old conversation does not come back
        sync_api.expect(turns).to_have_count(1)
        assert "FILT" not in page.locator("#sb-chat").inner_text()
        with page.expect_download() as download:
            page.click("#sb-download")
        markdown = Path(download.value.path()).read_text(encoding="utf-8")
        browser.close()
    assert "## 1. Hvad laver Natteværterne?" in markdown and "FILT" not in markdown and "**Kilder**" in markdown


@pytest.mark.slow
def test_typing_while_an_answer_is_pending_is_kept_and_a_second_question_is_answered(
    app_url: tuple[str, AssistantService],
):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _service = app_url
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url)
        # everything the status line said, as it said it
        page.evaluate(
            """() => { window.sbSaid = []; const s = document.querySelector('#sb-status');
              new MutationObserver(() => window.sbSaid.push(s.innerText)).observe(s,
                {childList: true, subtree: true, characterData: true}); }"""
        )
        box = page.locator("#sb-question textarea")
        emptied = "document.querySelector('#sb-question textarea').value === ''"
        box.fill("Hvad er FILT?")
        box.press("Enter")
        page.wait_for_function(emptied)  # the box empties when the question is sent
        box.fill("Hvad laver Natteværterne?")
        box.press("Enter")  # sent while the first is pending
        page.wait_for_function(emptied)
        box.fill("Hvilke indsatser har")  # typed while the answers come
        turns = page.locator("#sb-chat .sb-turn:not(.sb-pending)")
        turns.nth(1).wait_for(timeout=60_000)
        page.locator("#sb-chat .sb-pending").wait_for(state="detached", timeout=60_000)
        said = page.evaluate("window.sbSaid")
        assert box.input_value() == "Hvilke indsatser har"
        texts = turns.all_inner_texts()
        browser.close()
    assert len(texts) == 2 and "FILT" in texts[0] and "Natteværterne" in texts[1]
    assert any("Søger" in s for s in said), said  # a "searching" state while pending
    assert said[-1] == "Svaret er vist."


@pytest.mark.slow
def test_a_principle_filter_is_honoured_and_stated(app_url: tuple[str, AssistantService]):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _service = app_url
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url)
        page.locator("#sb-principle input").click()
        page.get_by_role("option", name="Grundprincip 1", exact=True).click()
        other = ask(page, "Hvilke indsatser hører under Fagprincip 2?").inner_text()
        within = ask(page, "Hvilke indsatser hører under Grundprincip 1?")
        within_text = within.inner_text()
        within.locator(".sb-sources-toggle").click()
        principles = [
            t.split("Princip: ")[1].split(" ·")[0] for t in within.locator(".sb-source-head").all_inner_texts()
        ]
        browser.close()
    assert "Afgrænset til: Grundprincip 1." in other and "handler om Fagprincip 2" in other
    assert "Fagprincip 2:" not in other and "Kilde" not in other
    assert "Afgrænset til: Grundprincip 1." in within_text
    assert principles and set(principles) == {"Grundprincip 1"}


@pytest.mark.slow
def test_on_a_phone_the_question_box_is_on_screen_values_fit_and_targets_are_large(
    app_url: tuple[str, AssistantService],
):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _service = app_url
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url, phone=True)
        box = page.locator("#sb-question textarea").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 844, box
        cut = page.evaluate(
            """() => Array.from(document.querySelectorAll('#sb-filters input'))
              .filter((i) => i.scrollWidth > i.clientWidth + 1).map((i) => i.value)"""
        )
        assert cut == []
        turn = ask(page, "Hvad er FILT?")
        small = [
            (b.get_attribute("id"), b.bounding_box())
            for b in turn.locator("button").all()
            if (b.bounding_box() or {"height": 0})["height"] < 44 or (b.bounding_box() or {"width": 0})["width"] < 44
        ]
        assert small == []
        # nothing lies over the answer's text: the element at the text's centre is the text's own
        covered = page.evaluate(
            """() => Array.from(document.querySelectorAll('#sb-chat .sb-answer p, #sb-chat .sb-answer li'))
              .filter((e) => { const r = e.getBoundingClientRect(); e.scrollIntoView({block: 'center'});
                const r2 = e.getBoundingClientRect();
                const hit = document.elementFromPoint(r2.left + 4, r2.top + r2.height / 2);
                return hit && !e.contains(hit); }).length"""
        )
        assert covered == 0
        browser.close()


@pytest.mark.slow
def test_the_conversation_survives_a_reload_and_new_conversation_starts_clean(
    app_url: tuple[str, AssistantService],
):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, service = app_url
    before = _feedback_rows(service)
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url)
        turn = ask(page, "Hvad er Den Korte Snor?")
        turn.locator(".sb-fb[data-rating='1']").click()
        page.get_by_text("Tak for din feedback.").wait_for()
        page.reload(wait_until="domcontentloaded")
        page.locator("#sb-chat .sb-turn").first.wait_for(timeout=30_000)
        wait_ready(page)
        restored = page.locator("#sb-chat .sb-turn")
        assert restored.count() == 1 and "Den Korte Snor" in restored.inner_text()
        up = restored.locator(".sb-fb[data-rating='1']")
        assert up.get_attribute("aria-pressed") == "true"
        up.click()  # taken back after the reload too: the row is removed
        page.get_by_text("Din feedback er taget tilbage.").wait_for()
        ask(page, "Hvad er FILT?")  # the restored conversation goes on
        assert page.locator("#sb-chat .sb-turn").count() == 2

        page.click("#sb-new")
        page.get_by_text("Ny samtale er startet.").wait_for()
        page.reload(wait_until="domcontentloaded")
        page.wait_for_selector("#sb-question textarea", timeout=60_000)
        page.get_by_text("Stil et spørgsmål om Sikker By-strategien").wait_for(timeout=30_000)
        assert page.locator("#sb-chat .sb-turn").count() == 0
        browser.close()
    assert _feedback_rows(service)[len(before) :] == []


@pytest.fixture(scope="module")
def pdf_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The chat over one indexed PDF (the fixture strategy_sample.pdf, in a folder of its own)."""
    from sikkerby.ui.app import serve

    tmp = tmp_path_factory.mktemp("pdf-app")
    corpus = tmp / "corpus"
    corpus.mkdir()
    pdf = corpus / "strategy_sample.pdf"
    shutil.copyfile(FIXTURES / "strategy_sample.pdf", pdf)
    (tmp / "ikke-indekseret.pdf").write_bytes(pdf.read_bytes())  # a PDF beside the corpus: never served
    settings = load_settings(data_dir=tmp / "home", corpus=(corpus,), extra={"feedback_db": str(tmp / "fb.sqlite3")})
    service = AssistantService(settings)
    result, _report = service.build_index()
    assert not result.errors
    port = free_port()
    demo = serve(service, host="127.0.0.1", port=port)
    try:
        yield f"http://127.0.0.1:{port}/", pdf
    finally:
        demo.close()


@pytest.mark.slow
def test_a_pdf_source_opens_at_its_page_and_only_indexed_pdfs_are_served(pdf_app: tuple[str, Path]):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, pdf = pdf_app
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        page = open_chat(browser, url)
        turn = ask(page, "Hvad laver Natteværterne i Nordvest?")
        turn.locator(".sb-sources-toggle").click()
        source = turn.locator(".sb-source").filter(has_text="strategy_sample.pdf").first
        head = source.locator(".sb-source-head").inner_text()
        link = source.get_by_role("link", name="Åbn side")
        href = link.get_attribute("href")
        page_number = head.split("side ")[1].split(" ")[0]
        assert href == f"kilde/0.pdf#page={page_number}" and f"Åbn side {page_number} i PDF" in head
        served = page.request.get(url + "kilde/0.pdf")
        body = served.body()
        statuses = [page.request.get(url + path).status for path in ("kilde/1.pdf", "kilde/-1.pdf", "kilde/x.pdf")]
        browser.close()
    assert served.status == 200 and served.headers["content-type"] == "application/pdf"
    assert body == pdf.read_bytes()
    assert statuses == [404, 404, 404]
