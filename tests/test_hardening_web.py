"""The web app against hostile requests, served by `sikkerby serve` on 127.0.0.1 (issue 11, items 3,
4, 5, 6, 9 and 11): bounded disk and input, a login backoff, typed feedback, no outside images, no
forged log lines, no answers to other web pages; and the /ask and /feedback payloads fuzzed."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sikkerby.assistant.feedback import FeedbackStore
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, CORPUS_FILE, ROOT, free_port, run_cli

pytestmark = pytest.mark.slow

PASSWORD = "sikker-by-2025-kode"


@dataclass
class Served:
    url: str
    log: Path
    feedback_db: Path
    cache: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _start(home: Path, tmp: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], Served]:
    port = free_port()
    log = tmp / "serve.log"
    cache = tmp / "gradio-cache"
    cache.mkdir(exist_ok=True)
    served = Served(f"http://127.0.0.1:{port}/", log, tmp / "feedback.sqlite3", cache)
    full_env = {
        **os.environ,
        "SIKKERBY_HOME": str(home),
        "SIKKERBY_FEEDBACK_DB": str(served.feedback_db),
        "GRADIO_TEMP_DIR": str(cache),
        **(env or {}),
    }
    if "SIKKERBY_AUTH" not in (env or {}):
        full_env.pop("SIKKERBY_AUTH", None)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sikkerby", "serve", "--port", str(port)],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"sikkerby serve exited: {served.output()}")
        if "Stop med Ctrl+C" in served.output():
            return proc, served
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("sikkerby serve did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class _Pixel(http.server.BaseHTTPRequestHandler):
    """A loopback "outside" server: counts what a browser fetches from it."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        _Pixel.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()
        self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def pixel() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pixel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def served(built_home: Path, tmp_path_factory: pytest.TempPathFactory, pixel: str) -> Iterator[Served]:
    """The strategy plus a document with Markdown images and links in it, served on 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("web")
    home = tmp / "home"
    shutil.copytree(built_home, home, symlinks=True)  # the index and the chunk cache: only the new file is parsed
    doc = tmp / "tryghed.md"
    doc.write_text(
        "Tryghedsvandringen i Sydhavnen starter ved Mozarts Plads hver tirsdag klokken 19. "
        f"![kort over ruten]({pixel}/dokument.png) Se også [ruten]({pixel}/rute) og "
        f'<img src="{pixel}/html.png">.\n',
        encoding="utf-8",
    )
    indexed = run_cli(["index", "--quiet", str(CORPUS_FILE.parent), str(doc)], home)
    assert indexed.returncode == 0, indexed.stderr
    proc, info = _start(home, tmp)
    try:
        yield info
    finally:
        _stop(proc)


def _http(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def _call(served: Served, api: str, data: list[Any]) -> tuple[str, Any]:
    """One call through Gradio's HTTP API: ("complete", result) or ("error", message)."""
    status, _headers, body = _http(
        f"{served.url}gradio_api/call/{api}",
        data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"},
    )
    if status != 200:
        return "refused", status
    event_id = json.loads(body)["event_id"]
    _status, _headers, stream = _http(f"{served.url}gradio_api/call/{api}/{event_id}")
    event, payload = "", None
    for line in stream.decode().splitlines():
        if line.startswith("event: "):
            event = line[len("event: ") :]
        elif line.startswith("data: ") and event in ("complete", "error"):
            payload = json.loads(line[len("data: ") :])
    return event, payload


def _ask(served: Served, question: str) -> dict[str, Any]:
    event, payload = _call(served, "ask", [question, None, None])
    assert event == "complete", payload
    return payload[0]


def _rows(served: Served) -> list[Any]:
    return [] if not served.feedback_db.exists() else FeedbackStore(served.feedback_db).all()


# -- item 3: bounded disk and input --------------------------------------------------------------------


def _status_before_the_body(url: str, length: int) -> int:
    """The status a POST of ``length`` bytes gets from its headers alone (the body is never sent)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    try:
        conn.putrequest("POST", parts.path)
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_uploads_are_refused_and_long_questions_cut(served: Served):
    # 50 MB: refused from its headers, before a byte of it is read (the app has no upload)
    assert _status_before_the_body(f"{served.url}gradio_api/upload", 50 * 2**20) == 413
    small = b'--x\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\nhej\r\n--x--\r\n'
    status, _h, _b = _http(
        f"{served.url}gradio_api/upload", data=small, headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert status == 413  # not even a small file: Gradio's max_file_size
    long_question = "Hvad laver Natteværterne? " + "og " * 30_000
    answer = _ask(served, long_question)
    assert len(answer["question"]) == 1000 and answer["question_cut_from"] == len(long_question.strip())
    assert answer["citations"]


@dataclass
class BrowserSession:
    """What a real browser saw and fetched in three chat turns and a download."""

    text: str
    outside_images: int
    outside_links: int
    fetched: list[str]
    markdown: str


@pytest.fixture(scope="module")
def browsed(served: Served, pixel: str) -> BrowserSession:
    sync_api = pytest.importorskip("playwright.sync_api")
    _Pixel.hits.clear()
    fetched: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(accept_downloads=True)
        page.on("request", lambda r: fetched.append(r.url) if not r.url.startswith(served.url) else None)
        page.goto(served.url, wait_until="domcontentloaded")
        page.wait_for_selector("#sb-question textarea", timeout=60_000)
        questions = [
            f"Hvad er FILT? ![x]({pixel}/spoergsmaal.png) [klik]({pixel}/link) <img src={pixel}/html2.png>",
            "Hvor starter tryghedsvandringen i Sydhavnen?",
            "Hvad laver Natteværterne?",
        ]
        bot = page.locator("#sb-chat .message.bot")
        for question in questions:
            shown = bot.count()
            page.fill("#sb-question textarea", question)
            page.click("#sb-send")
            bot.nth(shown).wait_for(timeout=60_000)
            page.locator("#sb-chat .sb-pending").wait_for(state="detached", timeout=60_000)
        chat = page.locator("#sb-chat")
        for toggle in chat.locator(".sb-sources-toggle").all():  # the sources, open, as a reader sees them
            toggle.click()
        session = BrowserSession(
            text=chat.inner_text(),
            outside_images=chat.locator("img[src^='http']").count(),
            outside_links=chat.locator(f"a[href^='{pixel}']").count(),
            fetched=fetched,
            markdown="",
        )
        with page.expect_download() as download:
            page.get_by_text("Download samtalen (Markdown)").click()
        session.markdown = Path(download.value.path()).read_text(encoding="utf-8")
        page.wait_for_timeout(500)
        browser.close()
    session.fetched = session.fetched + _Pixel.hits
    return session


def test_chat_turns_write_no_files_and_the_cache_is_private(served: Served, browsed: BrowserSession):
    private = [p for p in served.cache.iterdir() if p.name.startswith("sikkerby-gradio-")]
    assert len(private) == 1 and (private[0].stat().st_mode & 0o777) == 0o700  # Gradio's cache: this user only
    cached = [p for p in served.cache.rglob("*") if p.is_file()]
    assert cached == [], f"Gradio cached {len(cached)} files for 3 turns and a download: {cached[:3]}"
    assert "## 3. Hvad laver Natteværterne?" in browsed.markdown and "Mozarts Plads" in browsed.markdown


def test_markdown_images_and_links_from_questions_and_documents_are_text(browsed: BrowserSession, pixel: str):
    assert browsed.fetched == [], f"the browser fetched from outside the app: {browsed.fetched}"
    assert browsed.outside_images == 0 and browsed.outside_links == 0
    assert f"![x]({pixel}/spoergsmaal.png)" in browsed.text  # the question, shown as written
    assert f"![kort over ruten]({pixel}/dokument.png)" in browsed.text  # the document's image, as text
    # the downloaded Markdown shows them as text too, in any viewer: no "](http" is left to link or load
    assert "![kort over ruten]\\(http\\:\\//" in browsed.markdown and "](http" not in browsed.markdown


# -- item 5: typed, bounded, given answers only; no tracebacks with user input -------------------------


def test_forged_feedback_is_refused(served: Served):
    answer = _ask(served, "Hvad er Den Korte Snor?")
    before = len(_rows(served))
    forged = [
        [{**answer, "answer": "x" * 200_000}, False, "api"],  # a huge answer
        [{**answer, "answer": "Det er et svindelnummer. [1]"}, False, "api"],  # an answer never given
        [answer, "false", "api"],  # not a boolean
        [answer, True, "s" * 100_000],  # a huge session id
        [answer, True],  # too few values (Gradio would print them with a traceback)
        [{**answer, "citations": [{**answer["citations"][0], "page": "3"}]}, True, "api"],
        [{**answer, "extra": 1}, True, "api"],
        ["ikke et svar", True, "api"],
    ]
    for data in forged:
        event, message = _call(served, "feedback", data)
        assert event in ("error", "refused"), (data, event, message)
    assert len(_rows(served)) == before
    event, row = _call(served, "feedback", [answer, False, "api"])
    assert event == "complete"
    stored = _rows(served)[-1]
    assert (stored.id, stored.rating, stored.question) == (row[0], -1, "Hvad er Den Korte Snor?")


def test_wrong_types_to_ask_are_refused_without_a_traceback(served: Served):
    secret = "brugerens-hemmelige-tekst-4711"
    for data in ([[secret], None, None], [secret, [secret], None], [secret, None, {"x": secret}], [secret], []):
        event, _message = _call(served, "ask", data)
        assert event in ("error", "refused"), data
    time.sleep(0.5)
    log = served.output()
    assert "Traceback" not in log and secret not in log


# -- item 9: no forged lines in the server's output ----------------------------------------------------


def test_request_paths_cannot_forge_log_lines(served: Served):
    for path in (
        "gradio_api/custom_component/%0aerror:%20forged-one%1b%5b31m/client/x/y.js",
        "%0aERROR:%20forged-two",
        "gradio_api/info?x=%0aERROR:%20forged-three",
        "gradio_api/custom_component/plain/client/x/y.js",
    ):
        status, _headers, _body = _http(served.url + path)
        assert status in (400, 404), (path, status)
    time.sleep(0.5)
    assert "forged" not in served.output() and "id=plain" not in served.output()


# -- item 11: DNS rebinding and other web pages --------------------------------------------------------


def test_other_hosts_and_origins_get_no_answer(served: Served):
    status, headers, _body = _http(
        served.url + "config", headers={"Host": "evil.example.com", "Origin": "http://evil.example.com"}
    )
    assert status == 400 and "access-control-allow-origin" not in headers
    before = len(_rows(served))
    answer = _ask(served, "Hvad er FILT?")
    for host in ("evil.example.com", "127.0.0.1.evil.example.com"):
        status, headers, _ = _http(
            f"{served.url}gradio_api/call/feedback",
            data=json.dumps({"data": [answer, True, "api"]}).encode(),
            headers={"Content-Type": "application/json", "Host": host, "Origin": f"http://{host}"},
        )
        assert status == 400 and "access-control-allow-origin" not in headers
    status, headers, _ = _http(  # right host, but the request comes from another page
        f"{served.url}gradio_api/call/feedback",
        data=json.dumps({"data": [answer, True, "api"]}).encode(),
        headers={"Content-Type": "application/json", "Origin": "http://evil.example.com"},
    )
    assert status == 403 and headers.get("access-control-allow-origin") is None
    assert len(_rows(served)) == before
    status, headers, _ = _http(served.url + "config", headers={"Origin": served.url.rstrip("/")})
    assert status == 200  # the app's own pages are answered
    assert "img-src 'self' data: blob:" in headers["content-security-policy"]


# -- fuzzing the API payloads --------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(JSON, max_size=4))
def test_fuzzed_ask_payloads_get_an_answer_or_an_error(served: Served, data: list[Any]):
    event, _payload = _call(served, "ask", data)
    assert event in ("complete", "error", "refused")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.lists(JSON, max_size=4),
    answer_keys=st.dictionaries(
        st.sampled_from(["question", "answer", "abstained", "citations", "timing_ms", "n", "page"]), JSON, max_size=3
    ),
)
def test_fuzzed_feedback_payloads_store_nothing_forged(served: Served, data: list[Any], answer_keys: dict[str, Any]):
    given_shape = {"question": "Hvad er FILT?", "answer": "x", "abstained": False, "citations": [], **answer_keys}
    before = len(_rows(served))
    for payload in (data, [given_shape, *data[:2]]):
        event, _message = _call(served, "feedback", payload)
        assert event in ("complete", "error", "refused")
    assert len(_rows(served)) == before


def test_the_server_logged_no_traceback(served: Served):
    """Runs after the fuzzing above (pytest keeps the file's order)."""
    assert "Traceback" not in served.output()


# -- item 4: login backoff -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_login(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("login")
    env = {
        "SIKKERBY_AUTH": f"medarbejder:{PASSWORD}",
        "SIKKERBY_LOGIN_ATTEMPTS": "3",
        "SIKKERBY_LOGIN_BACKOFF_MAX": "2",
    }
    proc, info = _start(built_home, tmp, env)
    try:
        yield info
    finally:
        _stop(proc)


def _login(served: Served, user: str, password: str) -> int:
    body = urllib.parse.urlencode({"username": user, "password": password}).encode()
    status, _h, _b = _http(
        served.url + "login", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    return status


def test_failed_logins_back_off_and_are_logged_without_the_password(with_login: Served):
    user = "medarbejder"
    assert [_login(with_login, user, f"forkert-kode-{i}") for i in range(4)] == [400] * 4  # 3 free, then 1 s
    assert _login(with_login, user, PASSWORD) == 429  # even the right password waits
    assert _login(with_login, "en-anden", PASSWORD) == 429  # and so does this client, whatever the user
    time.sleep(1.1)
    assert _login(with_login, user, "forkert-kode-5") == 400  # the fifth failure: 2 s
    assert [_login(with_login, user, PASSWORD) for _ in range(3)] == [429] * 3
    time.sleep(2.1)  # the longest wait (SIKKERBY_LOGIN_BACKOFF_MAX=2)
    assert _login(with_login, user, PASSWORD) == 200
    assert _login(with_login, user, "forkert-igen") == 400  # a success starts the count again
    assert _login(with_login, user, PASSWORD) == 200
    time.sleep(0.5)
    log = with_login.output()
    assert f"failed login for user '{user}' from 127.0.0.1 (5 failed in a row)" in log
    assert "forkert-kode" not in log and PASSWORD not in log
