"""Where a language model's tokens go while it writes, and how a reader stops it: a sink set for the
current thread (context) by whoever asks, read by the generator. Without a sink nothing streams."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

log = logging.getLogger(__name__)


class TokenSink:
    """Receives the model's tokens as they come, and each sentence as soon as it has passed the check
    (rendered with its citation marks as the final answer numbers them); ``stop()`` ends the generation at
    the next token. A reader is shown the checked sentences, never the raw tokens."""

    def __init__(
        self, on_token: Callable[[str], None] | None = None, *, on_sentence: Callable[[str], None] | None = None
    ) -> None:
        self._on_token = on_token
        self._on_sentence = on_sentence
        self._stop = threading.Event()

    def token(self, text: str) -> None:
        if self._on_token is not None:
            self._on_token(text)

    def sentence(self, text: str) -> None:
        if self._on_sentence is not None:
            self._on_sentence(text)

    def stop(self) -> None:
        self._stop.set()

    def stopped(self) -> bool:
        return self._stop.is_set()


_SINK: ContextVar[TokenSink | None] = ContextVar("sikkerby_token_sink", default=None)


def current_sink() -> TokenSink | None:
    return _SINK.get()


@contextmanager
def streaming_to(sink: TokenSink) -> Iterator[TokenSink]:
    """Tokens generated inside the block go to ``sink``."""
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)
