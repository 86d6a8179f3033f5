"""Serving the chat: the Gradio app mounted in a FastAPI app whose middleware checks every request
first (Host, Origin, body size, login backoff, API call shape; see ui/guard.py, ui/login_guard.py and
ui/api_guard.py), run by uvicorn
on one address. Gradio's own settings are used where it has them: ``max_file_size`` (the app takes no
uploads), ``blocked_paths`` (the data directory is never served), ``delete_cache``, ``ssr_mode``."""

from __future__ import annotations

import atexit
import contextlib
import errno
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from sikkerby.assistant.service import AssistantService
from sikkerby.errors import SikkerbyError
from sikkerby.ui.api_guard import ApiShapeGuard, arities_of
from sikkerby.ui.auth import LOCAL_HOSTS
from sikkerby.ui.guard import RequestGuard
from sikkerby.ui.html_lang import PageLanguage
from sikkerby.ui.login_guard import LoginGuard, LoginThrottle
from sikkerby.ui.pdf_pages import ROUTE, PdfPages

log = logging.getLogger(__name__)

#: seconds the server has to start, and to finish open requests when it stops
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
#: Gradio deletes the files it cached for this app every hour when they are older than an hour
DELETE_CACHE = (3600, 3600)
#: seconds between the queue's position estimates to waiting clients; Gradio's "auto" sends one to every
#: waiting client each time any job ends, which under load is most of the server's work
QUEUE_STATUS_EVERY = 10.0


class ServeError(SikkerbyError):
    """The server cannot start (address in use, cannot bind); the message says which address and why."""


class RunningApp:
    """A started server: ``block_thread`` waits until Ctrl+C, ``close`` stops it."""

    def __init__(self, demo: gr.Blocks, server: uvicorn.Server, thread: threading.Thread, host: str, port: int) -> None:
        self.demo = demo
        self.server = server
        self.thread = thread
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def block_thread(self) -> None:
        while self.thread.is_alive():
            time.sleep(0.2)

    def close(self) -> None:
        self.demo.close(verbose=False)  # stops the queue
        self.server.should_exit = True
        self.thread.join(timeout=STOP_TIMEOUT)


def private_cache_dir() -> Path:
    """A folder only this user can read for the files Gradio caches (``GRADIO_TEMP_DIR``), made once per
    process inside the folder ``GRADIO_TEMP_DIR`` named before (else the system's temporary folder) and
    removed when the process ends. Gradio's default, /tmp/gradio, is shared by every user."""
    current = os.environ.get("GRADIO_TEMP_DIR")
    if current and Path(current).name.startswith("sikkerby-gradio-") and Path(current).is_dir():
        return Path(current)
    folder = Path(tempfile.mkdtemp(prefix="sikkerby-gradio-", dir=current or None))  # mode 0700
    os.environ["GRADIO_TEMP_DIR"] = str(folder)
    atexit.register(shutil.rmtree, folder, True)
    return folder


def allowed_hosts(host: str, extra: str = "") -> list[str]:
    """The Host names the app answers to: this machine's loopback names, and when it is bound beyond
    them its own names and addresses, plus ``extra`` (comma-separated; "*" allows any). Anything else is a
    page that made its own name point here (DNS rebinding) and gets 400."""
    names = {"127.0.0.1", "localhost", "::1"}
    if host not in LOCAL_HOSTS:
        names |= {socket.gethostname(), socket.getfqdn()}
        if host not in ("0.0.0.0", "::"):
            names.add(host)
        with contextlib.suppress(OSError):  # this machine's addresses, as it knows them itself
            names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    names |= {h.strip() for h in extra.split(",") if h.strip()}
    return sorted(n.lower() for n in names if n)


def create_app(service: AssistantService, *, host: str, auth: Any = None) -> tuple[FastAPI, gr.Blocks]:
    """The FastAPI app with the guards in front and the chat mounted at /."""
    from sikkerby.ui.app import build_app
    from sikkerby.ui.danish import LOCALE_JS, translations
    from sikkerby.ui.style import CSS, theme

    settings = service.settings
    private_cache_dir()  # before the Blocks are made: they take their cache folder when created
    documents = dict.fromkeys(c.document for c in service.catalog.by_id.values())
    pdfs = PdfPages(list(documents), settings.corpus, follow_symlinks=settings.follow_symlinks)
    demo = build_app(service, pdfs=pdfs)
    demo.delete_cache = DELETE_CACHE
    demo.queue(default_concurrency_limit=8, status_update_rate=QUEUE_STATUS_EVERY)
    throttle = LoginThrottle(free_attempts=settings.login_attempts, max_wait=settings.login_backoff_max)
    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(host, settings.allowed_hosts)),
            Middleware(RequestGuard, max_body=settings.max_request_bytes),
            Middleware(LoginGuard, throttle=throttle),
            Middleware(ApiShapeGuard, arities=arities_of(demo), max_body=settings.max_request_bytes),
            Middleware(PageLanguage),
        ],
    )
    app.add_route(ROUTE, pdfs.serve, methods=["GET", "HEAD"])  # before the app at /, which would take it
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        auth=auth,
        server_name=host,
        footer_links=[],
        show_error=False,
        max_file_size=1,  # the app has no upload: Gradio refuses any file
        blocked_paths=[str(settings.data_dir.resolve())],
        ssr_mode=False,
        css=CSS,
        # system fonts only: the default themes fetch web fonts, and the app makes no outside calls
        theme=theme(),
        i18n=translations(),
        js=LOCALE_JS,
    )
    return app, demo


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``, bound here so that an address in use is one clear error
    (uvicorn would end its thread instead). IPv6 when the address is one, as uvicorn does."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except (OSError, UnicodeError) as exc:
        sock.close()
        if isinstance(exc, UnicodeError):
            raise ServeError(f"cannot listen on {host}: not a host name") from exc
        hint = "; choose another port with --port" if exc.errno == errno.EADDRINUSE else ""
        raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror}){hint}") from exc
    return sock


def serve(service: AssistantService, *, host: str = "127.0.0.1", port: int = 7860, auth: Any = None) -> RunningApp:
    """Load the index, then start the app in a thread; returns once it answers."""
    service.load()
    app, demo = create_app(service, host=host, auth=auth)
    sock = _listen(host, port)
    config = uvicorn.Config(
        app,
        log_level="warning",
        log_config=None,  # uvicorn's lines go through the process's logging (one line each, escaped)
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=int(STOP_TIMEOUT),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="sikkerby-serve")
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:  # bounded: the thread ends or the deadline passes
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise ServeError(f"the server on {host}:{port} did not start")
        time.sleep(0.01)
    return RunningApp(demo, server, thread, host, sock.getsockname()[1])
