"""One chat answer as it is written: the question is answered in a worker thread while the chat shows
the document's own (extractive) answer at once and, under it, the language model's sentences that have
passed the check as they come (never its raw tokens); a stop button ends the generation."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sikkerby.assistant.answer import Answer, Citation
from sikkerby.assistant.service import AssistantService
from sikkerby.assistant.streaming import TokenSink, streaming_to

log = logging.getLogger(__name__)

#: how often the chat is updated while the model writes
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class Progress:
    """What a reader is shown of an answer being written: the extractive answer (once the model is asked)
    and the model's checked sentences so far."""

    preview: str = ""
    citations: tuple[Citation, ...] = ()
    sentences: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


class LiveAnswer:
    """A question being answered; ``updates()`` yields the checked text so far, ``progress()`` the
    preview too, ``result()`` the answer."""

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
        self._preview: tuple[str, tuple[Citation, ...]] = ("", ())
        self._lock = threading.Lock()
        self.sink = TokenSink(on_sentence=self._add, on_preview=self._show)
        self._answer: Answer | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        kwargs: dict[str, Any] = {"principle": principle, "departments": list(departments), "history": list(history)}
        self._thread = threading.Thread(target=self._run, args=(service, question, kwargs), daemon=True)
        self._thread.start()

    def _add(self, sentence: str) -> None:
        with self._lock:
            self._sentences.append(sentence)

    def _show(self, text: str, citations: Sequence[Citation]) -> None:
        with self._lock:
            self._preview = (text, tuple(citations))

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

    def progress(self) -> Progress:
        with self._lock:
            return Progress(self._preview[0], self._preview[1], tuple(self._sentences))

    def done(self) -> bool:
        return self._done.is_set()

    def updates(self) -> Iterator[str]:
        """The checked text each time it grows, until the answer is ready."""
        shown = ""
        for progress in self.progresses():
            if progress.text != shown:
                shown = progress.text
                yield shown

    def progresses(self) -> Iterator[Progress]:
        """What is shown, each time it changes, until the answer is ready."""
        shown = Progress()
        while not self._done.wait(POLL_SECONDS):
            progress = self.progress()
            if progress != shown:
                shown = progress
                yield progress

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

    def stop(self, session: str) -> bool:
        """Stops the session's answer being written; False when none is."""
        with self._lock:
            live = self._live.get(session)
        if live is None:
            return False
        live.stop()
        return True
