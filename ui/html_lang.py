"""The page's language in the served HTML: Gradio's page template says ``<html lang="en">``; this app's
page is Danish, so the page itself says ``lang="da"`` from the first byte (WCAG 3.1.1), before any
script runs. ASGI middleware in front of the mounted Gradio app, for the app's page only."""

from __future__ import annotations

import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

_ENGLISH = b'lang="en"'
_DANISH = b'lang="da"'


class PageLanguage:
    """Rewrites the ``lang`` of the HTML page served at ``/`` (same length: Content-Length holds)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope.get("path") not in ("", "/"):
            await self.app(scope, receive, send)
            return
        # the page uncompressed (it is a few kB), so that its bytes can be read here
        headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        state = {"html": False, "done": False}

        async def sender(message: Message) -> None:
            if message["type"] == "http.response.start":
                content_type = MutableHeaders(scope=message).get("content-type", "")
                state["html"] = content_type.startswith("text/html")
            elif message["type"] == "http.response.body" and state["html"] and not state["done"]:
                body = message.get("body", b"")
                if _ENGLISH in body[:2048]:
                    message = {**message, "body": body.replace(_ENGLISH, _DANISH, 1)}
                    state["done"] = True
            await send(message)

        await self.app(scope, receive, sender)
