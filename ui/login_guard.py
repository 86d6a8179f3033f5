"""A small backoff on Gradio's login, per client address and per user name: after a few failed
attempts each further one must wait (1 s, 2 s, 4 s … up to a maximum) or gets 429. Failed logins
are logged with the user name and the client, never the password. Gradio's ``auth`` has no such
setting (its handler sees no client address), so this sits in front of its ``/login`` route."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sikkerby.ui.guard import json_response, read_body, replay

log = logging.getLogger(__name__)

LOGIN_PATHS = ("/login", "/login/")
#: a login form is a user name and a password; a larger body is not one
MAX_LOGIN_BODY = 8192
#: failures older than this are forgotten
FORGET_AFTER = 15 * 60.0
#: at most this many clients and users are remembered (the oldest are forgotten first)
MAX_KEYS = 10_000


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    wait_until: float = 0.0


class LoginThrottle:
    """Failed logins per key ("client:…", "user:…") and how long the next attempt must wait."""

    def __init__(
        self, *, free_attempts: int = 5, max_wait: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.free_attempts = free_attempts
        self.max_wait = max_wait
        self.clock = clock
        self._keys: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, keys: list[str]) -> float:
        """Seconds until any of ``keys`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            entries = [self._keys.get(key) for key in keys]
            waits = [e.wait_until - now for e in entries if e is not None and now - e.last <= FORGET_AFTER]
        return max([0.0, *waits])

    def failed(self, keys: list[str]) -> int:
        """Record a failure for each key; returns the most failures in a row among them."""
        now = self.clock()
        worst = 0
        with self._lock:
            for key in keys:
                entry = self._entry(key, now)
                entry.count += 1
                entry.last = now
                over = entry.count - self.free_attempts
                if over > 0:
                    entry.wait_until = now + min(2.0 ** (over - 1), self.max_wait)
                worst = max(worst, entry.count)
        return worst

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._keys.pop(key, None)

    def _entry(self, key: str, now: float) -> _Failures:
        entry = self._keys.get(key)
        if entry is None or now - entry.last > FORGET_AFTER:
            entry = _Failures()
            self._keys[key] = entry
        self._keys.move_to_end(key)
        while len(self._keys) > MAX_KEYS:
            self._keys.popitem(last=False)
        return entry


class LoginGuard:
    """ASGI middleware: the backoff in front of ``POST /login``."""

    def __init__(self, app: ASGIApp, *, throttle: LoginThrottle) -> None:
        self.app = app
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("path") not in LOGIN_PATHS:
            await self.app(scope, receive, send)
            return
        messages = await read_body(receive, MAX_LOGIN_BODY)
        if messages is None:
            await json_response(send, 413, "Login-formularen er for stor.")
            return
        user = await _user_name(scope, replay(messages, receive))
        client = (scope.get("client") or ("?", 0))[0]
        keys = [f"client:{client}"] + ([f"user:{user}"] if user else [])
        wait = self.throttle.wait(keys)
        if wait > 0:
            seconds = math.ceil(wait)
            await json_response(
                send,
                429,
                f"For mange forkerte forsøg. Prøv igen om {seconds} sekund{'er' if seconds != 1 else ''}.",
                headers={"retry-after": str(seconds)},
            )
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, replay(messages, receive), watch)
        if status and status[0] == 200:
            self.throttle.succeeded(keys)
        elif status and status[0] in (400, 401):
            count = self.throttle.failed(keys)
            log.warning("failed login for user %r from %s (%d failed in a row)", user[:64], client, count)


async def _user_name(scope: Scope, receive: Receive) -> str:
    """The form's user name, as Gradio reads it (stripped); "" when the body is not a form."""
    try:
        form = await Request(scope, receive).form(max_files=0, max_fields=10)
    except Exception:  # not a form: Gradio answers it (422), and it counts as no user
        return ""
    value = form.get("username")
    return value.strip() if isinstance(value, str) else ""
