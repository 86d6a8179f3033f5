"""What the web app refuses before Gradio sees it, for what Gradio has no setting of its own: requests
from other web pages (an Origin that is not the app's), addresses with control characters (they would
forge lines in the server's output), request bodies beyond a limit, and routes this app does not use.
Every response gets a Content-Security-Policy that lets the browser load nothing from outside.

The Host header is checked by Starlette's TrustedHostMiddleware in front of this (see ui/server.py)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

#: the browser may load and connect to this app only: no outside images (tracking), fonts, scripts
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; "
    "worker-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
#: Gradio routes this app has no use for: custom components (it has none; the route also prints its
#: arguments to the server's output) and keyword-argument calls (gradio_client and the browser call
#: with a list of values, which ui/api_guard.py checks)
BLOCKED_PREFIXES = ("/gradio_api/custom_component/", "/custom_component/", "/gradio_api/call/v2/")
_BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class RequestGuard:
    """ASGI middleware in front of the mounted Gradio app."""

    def __init__(self, app: ASGIApp, *, max_body: int, blocked_prefixes: Iterable[str] = BLOCKED_PREFIXES) -> None:
        self.app = app
        self.max_body = max_body
        self.blocked_prefixes = tuple(blocked_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            status, message = refusal
            log.info("refused %s request (%d): %s", scope["type"], status, message)
            await _refuse(scope, send, status, message)
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        if scope["method"] in _BODY_METHODS:
            body = await read_body(receive, self.max_body)
            if body is None:
                await _refuse(scope, send, 413, f"Forespørgslen er større end {self.max_body:,} bytes.")
                return
            receive = replay(body, receive)
        await self.app(scope, receive, _with_headers(send))

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        path = scope.get("path", "")
        query = unquote(scope.get("query_string", b"").decode("latin-1"))
        if _CONTROL.search(path) or _CONTROL.search(query):
            return 400, "Adressen indeholder kontroltegn."
        if path.startswith(self.blocked_prefixes):
            return 404, "Ikke fundet."
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is not None and not same_origin(origin, headers.get("host", ""), scope):
            return 403, "Forespørgsler fra andre websider afvises."
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return 413, f"Forespørgslen er større end {self.max_body:,} bytes."
        return None


def same_origin(origin: str, host: str, scope: Scope) -> bool:
    """Whether ``origin`` (a browser's Origin header) is this app as the request addressed it."""
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    secure = scope.get("scheme") in ("https", "wss")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False  # "null" and anything else a page can send
    default = "443" if parts.scheme == "https" else "80"
    origin_host = parts.netloc.lower()
    request_host = host.lower()
    if ":" not in request_host.rsplit("]", 1)[-1]:
        request_host += f":{'443' if secure else '80'}"
    if ":" not in origin_host.rsplit("]", 1)[-1]:
        origin_host += f":{default}"
    return origin_host == request_host


async def read_body(receive: Receive, limit: int) -> list[Message] | None:
    """The request's body messages, or None when it is larger than ``limit``."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages  # the client went away: pass that on
        size += len(message.get("body", b""))
        if size > limit:
            return None
        if not message.get("more_body", False):
            return messages


def replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _with_headers(send: Send) -> Send:
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS.items():
                headers.setdefault(name, value)
        await send(message)

    return sender


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await json_response(send, status, message, headers=SECURITY_HEADERS)


async def json_response(send: Send, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
    """A JSON ``{"detail": message}`` response (what Gradio's own errors look like)."""
    body = json.dumps({"detail": message}, ensure_ascii=False).encode("utf-8")
    raw = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *((k.encode(), v.encode()) for k, v in (headers or {}).items()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
