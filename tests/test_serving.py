"""Serving safely: bound to this machine unless told, login required beyond it, markup shown as text,
and many users at once without errors or lost feedback."""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sikkerby.ui.auth import AuthError, load_credentials, require_auth
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port

QUESTIONS = [
    "Hvad er Den Korte Snor?",
    "Hvilke indsatser hører under Fagprincip 2?",
    "Hvilket princip hører Din Betjent under?",
    "Hvem er overborgmester?",
    "Hvad laver Natteværterne?",
    "Hvornår blev Børnesundhedsprofilundersøgelsen gennemført første gang?",
    "Hvilke indsatser har Socialforvaltningen?",
    "Hvad er FILT?",
    "Hvor mange kroner koster Den Korte Snor?",
    "Which initiative helps young people get a leisure job?",
]


def test_credentials_come_from_env_or_file_and_are_never_weak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SIKKERBY_AUTH", raising=False)
    assert load_credentials() == []
    with pytest.raises(AuthError, match="binding to 0.0.0.0 makes the assistant reachable"):
        require_auth("0.0.0.0", [])
    require_auth("127.0.0.1", [])  # this machine only: no login needed
    monkeypatch.setenv("SIKKERBY_AUTH", "anna:kort")
    with pytest.raises(AuthError, match="at least 8 characters"):
        load_credentials()
    monkeypatch.setenv("SIKKERBY_AUTH", "anna:langt-nok-kodeord,bo:ogsaa-langt-nok")
    assert load_credentials() == [("anna", "langt-nok-kodeord"), ("bo", "ogsaa-langt-nok")]
    path = tmp_path / "users"
    path.write_text("# brugere\nclara:hemmeligt-ord\nforkert-linje\n", encoding="utf-8")
    with pytest.raises(AuthError, match=rf"{path}:3: expected user:password"):
        load_credentials(str(path))


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_for(url: str, proc: subprocess.Popen[str], timeout: float = 90.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stdout.read() if proc.stdout else ''}") from None
            time.sleep(0.2)
    raise AssertionError("server did not start")


@pytest.mark.slow
def test_binding_beyond_localhost_requires_login(built_home: Path, tmp_path: Path):
    env = {**os.environ, "SIKKERBY_HOME": str(built_home)}
    env.pop("SIKKERBY_AUTH", None)
    refused = subprocess.run(
        [sys.executable, "-m", "sikkerby", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: binding to 0.0.0.0 makes the assistant reachable from the network")

    users = tmp_path / "users"
    users.write_text("medarbejder:sikker-by-2025\n", encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sikkerby",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--auth-file",
            str(users),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for(url, proc)
        from gradio_client import Client
        from gradio_client.exceptions import AuthenticationError

        with pytest.raises(AuthenticationError, match="credentials were not provided"):  # nothing without login
            Client(url, verbose=False).predict("Hvad er FILT?", None, None, api_name="/ask")
        assert _status(url + "config") == 401 and _status(url + "gradio_api/info") == 401
        client = Client(url, auth=("medarbejder", "sikker-by-2025"), verbose=False)
        assert "Tingbjerg" in client.predict("Hvad er FILT?", None, None, api_name="/ask")["answer"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "login kræves (1 bruger)" in out


@pytest.fixture(scope="module")
def served(built_home: Path, tmp_path_factory: pytest.TempPathFactory):
    from sikkerby.assistant.service import AssistantService
    from sikkerby.assistant.settings import load_settings
    from sikkerby.ui.app import serve

    feedback_db = tmp_path_factory.mktemp("load") / "feedback.sqlite3"
    service = AssistantService(load_settings(data_dir=built_home, extra={"feedback_db": str(feedback_db)}))
    port = free_port()
    demo = serve(service, port=port)
    try:
        yield f"http://127.0.0.1:{port}/", feedback_db
    finally:
        demo.close()


@pytest.mark.slow
def test_twenty_concurrent_users(served: tuple[str, Path], capsys: pytest.CaptureFixture[str]):
    from gradio_client import Client

    url, feedback_db = served

    def user(k: int) -> list[float]:
        client = Client(url, verbose=False)
        latencies = []
        for i, question in enumerate(QUESTIONS):
            started = time.perf_counter()
            answer = client.predict(question, None, None, api_name="/ask")
            latencies.append((time.perf_counter() - started) * 1000)
            assert answer["question"] == question
            client.predict(answer, (k + i) % 2 == 0, api_name="/feedback")
        return latencies

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(user, range(20)))
    latencies = sorted(ms for user_latencies in results for ms in user_latencies)
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    rows = sqlite3.connect(feedback_db).execute("SELECT COUNT(*), SUM(rating = 1) FROM feedback").fetchone()
    assert rows == (200, 100)  # every click stored, none lost
    with capsys.disabled():
        print(
            f"\n[load] 20 users x 10 questions over gradio_client: 200 answers, 0 errors, 200 feedback rows; "
            f"round-trip latency p50 {p50:.0f} ms, p95 {p95:.0f} ms"
        )


@pytest.mark.slow
def test_markup_in_a_question_is_shown_as_text(served: tuple[str, Path]):
    sync_api = pytest.importorskip("playwright.sync_api")
    url, _db = served
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector("#sb-question textarea", timeout=60_000)
        question = '<img src=x onerror="alert(1)"><script>alert(2)</script> Hvad er FILT?'
        page.fill("#sb-question textarea", question)
        page.click("#sb-send")
        page.locator("#sb-chat .message.bot").first.wait_for(timeout=30_000)
        page.locator("#sb-chat .sb-pending").wait_for(state="detached", timeout=30_000)
        chat = page.locator("#sb-chat")
        assert chat.locator("img[src='x']").count() == 0 and chat.locator("script").count() == 0
        assert "<img src=x" in chat.inner_text()  # the user's text, shown as text
        page.wait_for_timeout(500)
        browser.close()
    assert dialogs == []
