"""One chat answer as it is written: the question is answered in a worker thread while the chat shows
the language model's sentences that have passed the check (never its raw tokens), and a stop button ends
the generation. An extractive answer takes milliseconds and is shown at once, whole."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from sikkerby.assistant.answer import Answer
from sikkerby.assistant.service import AssistantService
from sikkerby.assistant.streaming import TokenSink, streaming_to

log = logging.getLogger(__name__)

#: how often the chat is updated while the model writes
POLL_SECONDS = 0.1


class LiveAnswer:
    """A question being answered; ``updates()`` yields the checked text so far, ``result()`` the answer."""

    def __init__(
        self,
        service: AssistantService,
        question: str,
        *,
        principle: str | None = None,
        departments: Sequence[str] = (),
        history: Sequence[Answer] = (),
    ) -> None:
        self._sentences: list[str] = []
        self._lock = threading.Lock()
        self.sink = TokenSink(on_sentence=self._add)
        self._answer: Answer | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        kwargs: dict[str, Any] = {"principle": principle, "departments": list(departments), "history": list(history)}
        self._thread = threading.Thread(target=self._run, args=(service, question, kwargs), daemon=True)
        self._thread.start()

    def _add(self, sentence: str) -> None:
        with self._lock:
            self._sentences.append(sentence)

    def _run(self, service: AssistantService, question: str, kwargs: dict[str, Any]) -> None:
        try:
            with streaming_to(self.sink):
                self._answer = service.ask(question, **kwargs)
        except BaseException as exc:  # handed to the chat's thread by result()
            self._error = exc
        finally:
            self._done.set()

    def text(self) -> str:
        with self._lock:
            return " ".join(self._sentences)

    def updates(self) -> Iterator[str]:
        """The checked text each time it grows, until the answer is ready."""
        shown = ""
        while not self._done.wait(POLL_SECONDS):
            text = self.text()
            if text != shown:
                shown = text
                yield text

    def stop(self) -> None:
        """Ends the model's generation; the answer then says that it was stopped."""
        self.sink.stop()

    def result(self) -> Answer:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._answer is not None
        return self._answer


class LiveAnswers:
    """The answers being written, one per browser session, so that its stop button can end its own."""

    def __init__(self) -> None:
        self._live: dict[str, LiveAnswer] = {}
        self._lock = threading.Lock()

    def start(self, session: str, live: LiveAnswer) -> None:
        with self._lock:
            self._live[session] = live

    def finish(self, session: str, live: LiveAnswer) -> None:
        with self._lock:
            if self._live.get(session) is live:
                del self._live[session]

    def stop(self, session: str) -> None:
        with self._lock:
            live = self._live.get(session)
        if live is not None:
            live.stop()
