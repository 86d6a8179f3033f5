"""The Gradio app: a Danish chat with cited answers, and an overview of the strategy. Callbacks only
call the AssistantService; this module holds no retrieval or answer logic. The conversation is drawn as
HTML by ui/chat_view.py, with its browser code in ui/chat_js.py. With a language model (issue 14) the
document's own answer is shown at once and the model's checked sentences stream in under it; a stop
button ends the generation (ui/streaming.py)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

log = logging.getLogger(__name__)

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from sikkerby.assistant.answer import Answer  # noqa: E402
from sikkerby.assistant.feedback import FeedbackError  # noqa: E402
from sikkerby.assistant.service import AssistantService, IndexUnavailable, ServiceError  # noqa: E402
from sikkerby.ui.chat_js import (  # noqa: E402
    ADD_QUESTION_JS,
    CHAT_ON_LOAD,
    DOWNLOAD_JS,
    READY_JS,
    STATUS_ON_LOAD,
    STOP_ON_LOAD,
    example_js,
)
from sikkerby.ui.chat_view import STOP_BUTTON, LiveTurn, conversation_html  # noqa: E402
from sikkerby.ui.payloads import AskRequest, FeedbackRequest, GivenAnswers, PayloadError, parse  # noqa: E402
from sikkerby.ui.pdf_pages import PdfPages  # noqa: E402
from sikkerby.ui.render import (  # noqa: E402
    ALL_PRINCIPLES,
    conversation_markdown,
    department_choices,
    department_from_choice,
    overview_html,
    overview_intro,
)
from sikkerby.ui.streaming import LiveAnswer, LiveAnswers  # noqa: E402
from sikkerby.ui.turns import Conversation, Turn, asked_json, parse_asked  # noqa: E402

EXAMPLES = (
    "Hvilke indsatser hører under Fagprincip 2?",
    "Hvilket princip hører Den Korte Snor under?",
    "Hvad laver Natteværterne?",
    "Hvilke indsatser har Socialforvaltningen?",
    "Hvilke principper er der i strategien?",
)


#: the filters as an answer states them
def scope_text(principle: str | None, department: str | None) -> str:
    parts = [p for p in (principle, department) if p]
    return f"Afgrænset til: {' · '.join(parts)}." if parts else ""


#: what the status line says when a language model starts writing an answer
WRITING = (
    "Dokumentets eget svar er vist. Sprogmodellen skriver et svar, der kontrolleres mod kilderne; "
    "«Stop svaret» stopper den."
)

#: what the chat says while the index cannot be reached (its database is down); the next question tries again
UNAVAILABLE = (
    "Søgeindekset kan ikke nås lige nu, så spørgsmålet kunne ikke besvares. "
    "Prøv igen om lidt – dine tidligere svar er bevaret."
)


class ChatUI:
    """Event handlers; the state per browser is one :class:`Conversation` (kept in the browser's storage
    too, so that it survives a reload)."""

    def __init__(self, service: AssistantService, *, pdfs: PdfPages | None = None, streams: bool | None = None) -> None:
        self.service = service
        self._streams = streams
        self.given = GivenAnswers()
        self.pdfs = pdfs
        #: the answers a language model is writing, by conversation, for the stop button
        self.live = LiveAnswers()

    @property
    def streams(self) -> bool:
        """Whether answers are written by a language model (then they stream, and can be stopped)."""
        if self._streams is not None:
            return self._streams
        return self.service.settings.generator != "extractive"

    def html(self, conversation: Conversation, live: LiveTurn | None = None) -> str:
        pdf_link = self.pdfs.link if self.pdfs is not None else None
        return conversation_html(conversation, pdf_link=pdf_link, live=live)

    # -- questions --------------------------------------------------------------------------------------

    def respond(
        self, asked: str, conversation: Conversation | None, principle: str | None, department: str | None
    ) -> Iterator[tuple[Any, ...]]:
        """Answer the questions sent since the last answer (the hidden field holds them all, in order):
        first the chat with a "searching" note, then with the answers. A language model's answer is shown
        as it is written (the extractive answer at once, the checked sentences as they come), with the stop
        button beside it. Yields the chat, the state, the stored state, the status line and the stop button."""
        skip = gr.skip
        conversation = conversation if isinstance(conversation, Conversation) else Conversation()
        conversation_id, questions = parse_asked(asked)
        if not conversation_id:
            yield skip(), skip(), skip(), skip(), skip()
            return
        if (
            conversation_id != conversation.id
            or questions[: len(conversation.turns)] != conversation.asked[: len(conversation.turns)]
        ):
            conversation = Conversation(id=conversation_id[:32])  # "Ny samtale", or another tab's conversation
        conversation = Conversation(id=conversation.id, asked=questions, turns=conversation.turns)
        if not conversation.pending:
            yield skip(), skip(), skip(), skip(), skip()
            return
        yield self.html(conversation), skip(), skip(), skip(), skip()
        streamed = False
        for question in conversation.pending:
            if not self.streams:
                conversation = conversation.with_turn(self.turn(question, conversation.answers, principle, department))
                continue
            turn: Turn | None = None
            for step in self.live_turn(question, conversation, principle, department):
                if isinstance(step, Turn):
                    turn = step
                    continue
                status = skip() if streamed else WRITING
                yield self.html(conversation, step), skip(), skip(), status, skip() if streamed else STOP_BUTTON
                streamed = True
            assert turn is not None
            conversation = conversation.with_turn(turn)
        last = conversation.turns[-1]
        status = "Svaret er vist." if last.answer is not None else "Spørgsmålet kunne ikke besvares."
        if last.answer is not None and last.answer.generation.fallback:
            status = "Svaret er vist: dokumentets egne sætninger, ikke sprogmodellens."
        yield self.html(conversation), conversation, conversation.to_dict(), status, "" if streamed else skip()

    def live_turn(
        self, question: str, conversation: Conversation, principle: str | None, department: str | None
    ) -> Iterator[LiveTurn | Turn]:
        """A language model's answer as it is written (each change as a :class:`LiveTurn`), then its
        :class:`Turn`. Closing the iterator (the reader left) stops the model."""
        chosen, named, scope = self._filters(principle, department)
        limit = self.service.settings.max_question_chars
        refused = self._refused(question[:limit], chosen, scope)
        if refused is not None:
            yield refused
            return
        live = LiveAnswer(
            self.service, question, principle=chosen, departments=[named] if named else [], history=conversation.answers
        )
        self.live.start(conversation.id, live)
        shown = question[:limit]
        try:
            for progress in live.progresses():  # nothing before the model is asked: lists take milliseconds
                if not progress.preview and not progress.sentences:
                    continue
                preview = None
                if progress.preview:
                    preview = Answer(shown, progress.preview, abstained=False, citations=progress.citations)
                yield LiveTurn(shown, scope, preview, progress.sentences)
            answer = live.result()
        except IndexUnavailable as exc:
            log.error("question not answered: %s", exc)
            yield Turn(question=shown, scope=scope, error=UNAVAILABLE)
            return
        except ServiceError as exc:
            yield Turn(question=shown, scope=scope, error=f"Spørgsmålet kunne ikke besvares: {exc}")
            return
        finally:
            live.stop()  # the reader left or pressed stop: the model stops too
            self.live.finish(conversation.id, live)
        yield Turn(question=answer.question, answer=answer, scope=scope)

    def stop(self, asked: str) -> Any:
        """The stop button: ends the generation of this conversation's answer (which then says so)."""
        conversation_id, _ = parse_asked(asked)
        if conversation_id and self.live.stop(conversation_id[:32]):
            return "Sprogmodellen er stoppet."
        return gr.skip()

    @staticmethod
    def _filters(principle: str | None, department: str | None) -> tuple[str | None, str | None, str]:
        chosen = None if principle in (None, "", ALL_PRINCIPLES) else principle
        named = department_from_choice(department)
        return chosen, named, scope_text(chosen, named)

    def _refused(self, question: str, chosen: str | None, scope: str) -> Turn | None:
        """A turn that says why not, when the question is about another principle than the filter's."""
        if chosen is None:
            return None
        asked_about = self.service.router.route(question).principle
        if not asked_about or asked_about == chosen:
            return None
        return Turn(
            question=question,
            scope=scope,
            error=(
                f"Svaret er afgrænset til {chosen}, men spørgsmålet handler om {asked_about}. "
                f"Vælg «{ALL_PRINCIPLES}» eller {asked_about} under «Afgræns til princip» for at få svar."
            ),
        )

    def turn(self, question: str, history: list[Answer], principle: str | None, department: str | None) -> Turn:
        """One question answered within the filters, or why not."""
        chosen, named, scope = self._filters(principle, department)
        limit = self.service.settings.max_question_chars
        refused = self._refused(question[:limit], chosen, scope)
        if refused is not None:
            return refused
        try:
            answer = self.service.ask(question, principle=chosen, departments=[named] if named else [], history=history)
        except IndexUnavailable as exc:
            log.error("question not answered: %s", exc)
            return Turn(question=question[:limit], scope=scope, error=UNAVAILABLE)
        except ServiceError as exc:
            return Turn(question=question[:limit], scope=scope, error=f"Spørgsmålet kunne ikke besvares: {exc}")
        return Turn(question=answer.question, answer=answer, scope=scope)

    def restore(self, saved: Any) -> tuple[Any, ...]:
        """The conversation kept in the browser, after a reload."""
        conversation = Conversation.from_dict(saved)
        return conversation, asked_json(conversation), self.html(conversation)

    def new_conversation(self) -> tuple[Any, ...]:
        conversation = Conversation()
        return (
            conversation,
            asked_json(conversation),
            self.html(conversation),
            conversation.to_dict(),
            "Ny samtale er startet.",
        )

    def download(self, conversation: Conversation | None) -> tuple[str, str]:
        """The conversation as Markdown for the browser to download, and what the status line says."""
        answers = conversation.answers if isinstance(conversation, Conversation) else []
        if not answers:
            return "", "Der er ingen samtale at downloade endnu. Stil et spørgsmål først."
        return conversation_markdown(answers), "Samtalen er downloadet som samtale.md."

    # -- feedback ---------------------------------------------------------------------------------------

    def rate(self, event: gr.EventData, conversation: Conversation | None) -> tuple[Any, ...]:
        """A thumb clicked: stored; the same thumb again takes it back; the other thumb replaces it."""
        data = getattr(event, "_data", None) or {}
        index, rating = data.get("turn"), data.get("rating")
        if not isinstance(conversation, Conversation) or type(index) is not int or rating not in (1, -1):
            return gr.skip(), gr.skip(), ""
        if not 0 <= index < len(conversation.turns) or conversation.turns[index].answer is None:
            return gr.skip(), gr.skip(), ""
        turn = conversation.turns[index]
        answer = turn.answer
        assert answer is not None
        try:
            if turn.feedback_id is not None:
                self.service.withdraw_feedback(turn.feedback_id, session=conversation.id)
            if turn.rating == rating:  # pressed again: taken back
                conversation = conversation.with_rating(index, 0, None)
                note = "Din feedback er taget tilbage."
            else:
                row = self.service.record_feedback(answer, liked=rating == 1, session=conversation.id)
                conversation = conversation.with_rating(index, rating, row)
                note = (
                    "Tak for din feedback."
                    if rating == 1
                    else "Tak. Svaret er markeret som dårligt, så det kan blive rettet."
                )
        except FeedbackError as exc:
            log.error("feedback not stored: %s", exc)
            return gr.skip(), gr.skip(), "Din feedback kunne ikke gemmes. Prøv igen senere."
        return conversation, conversation.to_dict(), note

    # -- API ----------------------------------------------------------------------------------------------

    def feedback_json(self, answer: dict[str, Any], liked: bool, session: str | None = "api") -> int:
        """The API endpoint for thumbs up/down on an answer returned by ``/ask``; returns the row id. The
        payload is typed and bounded, and the answer must be one this server gave."""
        try:
            fields = {"answer": answer, "liked": liked, "session": "api" if session is None else session}
            request = parse(FeedbackRequest, fields)
        except PayloadError as exc:
            raise _refusal("Ugyldig feedback", exc) from None
        if request.answer not in self.given:
            raise _refusal("Ugyldig feedback", "answer: ikke et svar, som denne server har givet (eller det er ændret)")
        try:
            given = request.answer.to_answer()
            return self.service.record_feedback(given, liked=request.liked, session=request.session)
        except (FeedbackError, ServiceError) as exc:
            raise _refusal("Feedback kunne ikke gemmes", exc) from None

    def ask_json(self, question: str, principle: str | None = None, department: str | None = None) -> dict[str, Any]:
        """The API endpoint: the same answer as ``sikkerby ask --json``."""
        try:
            request = parse(AskRequest, {"question": question, "principle": principle, "department": department})
            answer = self.service.ask(
                request.question,
                principle=request.principle or None,
                departments=[request.department] if request.department else [],
            )
        except (PayloadError, ServiceError) as exc:
            raise _refusal("Spørgsmålet kunne ikke besvares", exc) from None
        except IndexUnavailable as exc:
            log.error("question not answered: %s", exc)
            raise _refusal(
                "Spørgsmålet kunne ikke besvares", "søgeindekset kan ikke nås lige nu; prøv igen om lidt"
            ) from None
        self.given.add(answer)
        return answer.to_dict()


def _refusal(what: str, reason: object) -> gr.Error:
    """An error for the API caller, logged as one line without the caller's text (no traceback)."""
    log.info("API request refused: %s (%s)", what, type(reason).__name__)
    return gr.Error(f"{what}: {reason}", print_exception=False)


def build_app(service: AssistantService, *, pdfs: PdfPages | None = None) -> gr.Blocks:
    """The Blocks app for one loaded service; ``pdfs`` links sources to the pages of indexed PDFs."""
    catalog = service.catalog
    ui = ChatUI(service, pdfs=pdfs)
    departments = department_choices(catalog)
    with gr.Blocks(title="Sikker By-assistenten", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        conversation = gr.State(lambda: Conversation())
        saved = gr.BrowserState(None, storage_key="sikkerby-samtale")
        gr.Markdown(
            "# Sikker By-assistenten\n"
            "Spørg om Københavns Kommunes **Sikker By-strategi 2022-2025**: hvilke indsatser der hører under "
            "hvilket princip, hvem der gør hvad, og hvornår. Hvert svar henviser til kilden [1], [2] …, "
            "og siger det ærligt, når dokumentet ikke svarer."
        )
        with gr.Tabs(elem_id="sb-tabs"):
            with gr.Tab("Chat", id="chat"):
                with gr.Row(elem_id="sb-filters"):
                    principle = gr.Dropdown(
                        [ALL_PRINCIPLES, *catalog.principles],
                        value=ALL_PRINCIPLES,
                        label="Afgræns til princip",
                        min_width=240,
                        elem_id="sb-principle",
                    )
                    department = gr.Dropdown(
                        departments,
                        value=departments[0],
                        label="Afgræns til forvaltning",
                        min_width=240,
                        elem_id="sb-department",
                    )
                chat = gr.HTML(
                    conversation_html(Conversation()),
                    js_on_load=CHAT_ON_LOAD,
                    elem_id="sb-chat",
                    apply_default_css=True,
                )
                status = gr.HTML("", js_on_load=STATUS_ON_LOAD, elem_id="sb-status")
                # the stop button, there while a language model writes (its own HTML: a Danish label and
                # aria-label, reached by Tab, 44 px, the page's focus ring)
                stop = gr.HTML("", js_on_load=STOP_ON_LOAD, elem_id="sb-stop", visible=ui.streams, padding=False)
                with gr.Row(equal_height=True):
                    box = gr.Textbox(
                        label="Dit spørgsmål",
                        placeholder="Skriv dit spørgsmål her …",
                        scale=8,
                        min_width=200,
                        elem_id="sb-question",
                        # longer than the limit, so that a too-long question reaches the service, which
                        # cuts it and says so
                        max_length=2 * service.settings.max_question_chars,
                    )
                    send = gr.Button("Spørg", variant="primary", scale=1, min_width=90, elem_id="sb-send")
                gr.HTML("<h2 class='sb-examples-title'>Eksempler på spørgsmål</h2>", padding=False)
                with gr.Row(elem_id="sb-examples"):
                    example_buttons = [gr.Button(q, size="sm", variant="secondary", min_width=160) for q in EXAMPLES]
                with gr.Row():
                    new = gr.Button("Ny samtale", scale=1, min_width=160, elem_id="sb-new")
                    download = gr.Button("Download samtalen (Markdown)", scale=1, min_width=160, elem_id="sb-download")
                asked = gr.Textbox(visible="hidden", elem_id="sb-asked")
                markdown = gr.Textbox(visible="hidden", elem_id="sb-conversation")
            with gr.Tab("Overblik", id="overblik"):
                gr.Markdown(overview_intro(catalog))
                overview_filter = gr.Dropdown(
                    departments,
                    value=departments[0],
                    label="Vis indsatser for forvaltning",
                    elem_id="sb-overview-filter",
                )
                overview = gr.HTML(overview_html(catalog), elem_id="sb-overview")

        private: dict[str, Any] = {"api_visibility": "private"}
        # the box empties at once in the browser and the question joins the conversation's list; one
        # handler answers what is new in the list, one call at a time ("always_last" runs the latest
        # list after the current call, so a question sent meanwhile is answered, never dropped)
        box.submit(None, [box, asked], [box, asked, status], js=ADD_QUESTION_JS, **private)
        send.click(None, [box, asked], [box, asked, status], js=ADD_QUESTION_JS, **private)
        for button, question in zip(example_buttons, EXAMPLES, strict=True):
            button.click(None, [asked], [asked, status], js=example_js(question), **private)
        asked.change(
            ui.respond,
            [asked, conversation, principle, department],
            [chat, conversation, saved, status, stop],
            trigger_mode="always_last",
            show_progress="hidden",
            **private,
        )
        # not queued: it must run while the answer's handler is still writing
        stop.click(ui.stop, [asked], [status], queue=False, show_progress="hidden", **private)
        chat.click(ui.rate, [conversation], [conversation, saved, status], show_progress="hidden", **private)
        new.click(ui.new_conversation, None, [conversation, asked, chat, saved, status], **private)
        download.click(ui.download, conversation, [markdown, status], **private).then(
            None, markdown, None, js=DOWNLOAD_JS, **private
        )
        overview_filter.change(
            lambda choice: overview_html(catalog, department_from_choice(choice)),
            overview_filter,
            overview,
            **private,
        )
        demo.load(ui.restore, saved, [conversation, asked, chat], **private).then(None, js=READY_JS, **private)
        gr.api(ui.ask_json, api_name="ask")
        gr.api(ui.feedback_json, api_name="feedback")
    return demo


def serve(
    service: AssistantService,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: Any = None,
) -> Any:
    """Load the index once, then start the app behind its guards (see ui/server.py); returns the
    running server (``close()`` stops it, ``block_thread()`` waits)."""
    from sikkerby.ui.server import serve as start

    return start(service, host=host, port=port, auth=auth)
