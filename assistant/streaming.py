"""Where a language model's tokens go while it writes, and how a reader stops it: a sink set for the
current thread (context) by whoever asks, read by the generator. Without a sink nothing streams."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sikkerby.assistant.answer import Citation

log = logging.getLogger(__name__)


class TokenSink:
    """Receives the model's tokens as they come, and each sentence as soon as it has passed the check
    (rendered with its citation marks as the final answer numbers them); ``stop()`` ends the generation at
    the next token. A reader is shown the checked sentences, never the raw tokens. Before the model is
    asked, ``on_preview`` gets the extractive answer (its text and citations), which a reader can be
    shown at once while the model writes."""

    def __init__(
        self,
        on_token: Callable[[str], None] | None = None,
        *,
        on_sentence: Callable[[str], None] | None = None,
        on_preview: Callable[[str, Sequence[Citation]], None] | None = None,
    ) -> None:
        self._on_token = on_token
        self._on_sentence = on_sentence
        self._on_preview = on_preview
        self._stop = threading.Event()

    def preview(self, text: str, citations: Sequence[Citation]) -> None:
        if self._on_preview is not None:
            self._on_preview(text, citations)

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
