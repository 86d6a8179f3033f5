"""Calls to Gradio's API whose ``data`` does not fit the function are refused before Gradio sees them.
Gradio checks only that a call brings enough values, and when it does not, it prints the values it got
with a traceback into the server's output; this answers 422 with one clear message instead."""

from __future__ import annotations

import json
import logging
import re

from starlette.types import ASGIApp, Receive, Scope, Send

from sikkerby.ui.guard import json_response, read_body, replay

log = logging.getLogger(__name__)

_NAMED = re.compile(r"^/gradio_api/(?:call|run|api)/([A-Za-z0-9_-]+)/?$")
_QUEUE = ("/gradio_api/queue/join", "/gradio_api/queue/join/")


class ApiShapeGuard:
    """ASGI middleware; ``arities`` maps each function's api name and its index to how many values it takes."""

    def __init__(self, app: ASGIApp, *, arities: dict[str | int, int], max_body: int) -> None:
        self.app = app
        self.arities = arities
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        named = _NAMED.match(path) if scope["type"] == "http" and scope["method"] == "POST" else None
        if named is None and not (scope["type"] == "http" and scope["method"] == "POST" and path in _QUEUE):
            await self.app(scope, receive, send)
            return
        messages = await read_body(receive, self.max_body)
        if messages is None:
            await json_response(send, 413, f"Forespørgslen er større end {self.max_body:,} bytes.")
            return
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        problem = self._problem(body, named.group(1) if named else None)
        if problem is not None:
            log.info("refused an API call to %s: %s", path, problem)
            await json_response(send, 422, problem)
            return
        await self.app(scope, replay(messages, receive), send)

    def _problem(self, body: bytes, api_name: str | None) -> str | None:
        """Why the call's body does not fit its function, or None."""
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return "Forespørgslen er ikke gyldig JSON."
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            return "Forespørgslen skal være et JSON-objekt med en liste i 'data'."
        key: str | int | None = api_name
        if key is None:
            fn_index = payload.get("fn_index")
            key = fn_index if type(fn_index) is int else None
        expected = self.arities.get(key) if key is not None else None
        if expected is None:
            return None  # an unknown function: Gradio answers that itself
        got = len(payload["data"])
        if got != expected:
            return f"'data' skal have {expected} værdier, ikke {got}."
        return None


def arities_of(demo: object) -> dict[str | int, int]:
    """How many values each of the Blocks' functions takes, by api name and by index."""
    arities: dict[str | int, int] = {}
    for index, fn in getattr(demo, "fns", {}).items():
        count = len(fn.inputs)
        arities[index] = count
        if fn.api_name:
            arities[str(fn.api_name)] = count
    return arities
