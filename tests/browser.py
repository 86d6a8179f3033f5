"""Driving the served chat in Debian's chromium (Playwright) and checking it with axe-core, the
accessibility checker from npm (`make test-system-deps` installs it into build/npm)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, ROOT

AXE_JS = ROOT / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = ROOT / "test-artifacts"


def launch(p: Any) -> Any:
    assert Path(CHROMIUM).exists(), "Debian chromium is missing: apt-get install chromium (make setup-dev does it)"
    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def new_context(browser: Any, *, phone: bool = False, dark: bool = False) -> Any:
    """A browser context (its own storage) at desktop or phone size, in light or dark mode."""
    options: dict[str, Any] = {"viewport": PHONE if phone else DESKTOP, "color_scheme": "dark" if dark else "light"}
    if phone:
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    return browser.new_context(accept_downloads=True, **options)


def open_chat(browser: Any, url: str, *, phone: bool = False, dark: bool = False, context: Any = None) -> Any:
    """A new page on the chat, loaded (the question box is there and Gradio has switched to Danish)."""
    if context is None:
        context = new_context(browser, phone=phone, dark=dark)
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("#sb-question textarea", timeout=60_000)
    page.wait_for_function("document.documentElement.lang === 'da'", timeout=30_000)
    try:
        wait_ready(page)
    except Exception as error:  # playwright's TimeoutError; the module is imported by each test
        if "Timeout" not in type(error).__name__:
            raise
        # on a loaded 2-core machine Gradio's frontend once never reported the restored conversation
        # drawn within 30 s; a page that does not become ready after a reload either fails the test
        page.reload(wait_until="domcontentloaded")
        page.wait_for_selector("#sb-question textarea", timeout=60_000)
        wait_ready(page)
    return page


def wait_ready(page: Any) -> None:
    """Until the page has drawn the conversation kept in the browser (what a reader sees before acting)
    and the events that drawing starts have settled: the status line has shown no queue or progress for
    half a second. A click in the first moments after a load can be lost in Gradio's frontend when it
    meets the answer handler that the restored conversation triggers (seen about one time in six)."""
    page.wait_for_function("document.documentElement.dataset.sbReady === 'ja'", timeout=30_000)
    page.wait_for_function(
        """() => {
          const status = document.querySelector('#sb-status');
          const busy = /queue|processing/.test(status ? status.innerText : '');
          const now = performance.now();
          if (busy || window.sbQuietSince === undefined) { window.sbQuietSince = busy ? undefined : now; return false; }
          return now - window.sbQuietSince > 500;
        }""",
        polling=100,
        timeout=30_000,
    )


def ask(page: Any, question: str) -> Any:
    """Send ``question`` and wait for its answer; returns the answer's turn."""
    before = page.locator("#sb-chat .sb-turn:not(.sb-pending)").count()
    page.fill("#sb-question textarea", question)
    page.click("#sb-send")
    turn = page.locator("#sb-chat .sb-turn:not(.sb-pending)").nth(before)
    turn.wait_for(timeout=60_000)
    return turn


def serious_violations(page: Any) -> list[str]:
    """axe-core's critical and serious WCAG 2.1 A/AA violations on the page, one line each."""
    assert AXE_JS.exists(), f"axe-core is missing ({AXE_JS}): run `make test-system-deps`"
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] in ("critical", "serious"):
            targets = "; ".join(str(node["target"]) for node in violation["nodes"][:5])
            found.append(f"{violation['impact']} {violation['id']}: {violation['help']} ({targets})")
    return found


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True, animations="disabled")
