"""The Gradio app: a Danish chat with cited answers, and an overview of the strategy. Callbacks only
call the AssistantService; this module holds no retrieval or answer logic."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from typing import Any

log = logging.getLogger(__name__)

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr  # noqa: E402

from sikkerby.assistant.answer import Answer  # noqa: E402
from sikkerby.assistant.feedback import FeedbackError  # noqa: E402
from sikkerby.assistant.service import AssistantService, ServiceError  # noqa: E402
from sikkerby.ui.payloads import AskRequest, FeedbackRequest, GivenAnswers, PayloadError, parse  # noqa: E402
from sikkerby.ui.render import (  # noqa: E402
    ALL_PRINCIPLES,
    answer_markdown,
    conversation_markdown,
    department_choices,
    department_from_choice,
    md_text,
    overview_html,
    overview_intro,
    question_markdown,
    sources_markdown,
    sources_title,
)
from sikkerby.ui.streaming import LiveAnswer, LiveAnswers  # noqa: E402

EXAMPLES = (
    "Hvilke indsatser hører under Fagprincip 2?",
    "Hvilket princip hører Den Korte Snor under?",
    "Hvad laver Natteværterne?",
    "Hvilke indsatser har Socialforvaltningen?",
    "Hvilke principper er der i strategien?",
)

CSS = """
.sb-overview { max-width: 980px; }
.sb-principle { border-left: 4px solid #1f6f8b; padding: 0.2rem 0 0.4rem 1rem; margin: 1.2rem 0; }
.sb-principle h3 { margin: 0.2rem 0; }
.sb-count { font-weight: normal; color: #555; font-size: 0.9em; }
.sb-statement { font-style: italic; margin: 0.3rem 0 0.6rem 0; }
.sb-initiative { margin: 0.25rem 0; }
.sb-initiative summary { cursor: pointer; }
.sb-passage { background: rgba(31, 111, 139, 0.07); padding: 0.4rem 0.8rem; border-radius: 6px; margin: 0.3rem 0; }
.sb-meta { color: #555; font-size: 0.85em; }
.sb-empty { color: #777; }
mark { background: #ffe48a; color: inherit; padding: 0 0.1em; }
"""

#: the conversation downloads from the browser's own memory: nothing is written on the server
DOWNLOAD_JS = """(text) => {
  if (!text) { return; }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], {type: 'text/markdown;charset=utf-8'}));
  link.download = 'samtale.md';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}"""


def _messages(answers: list[Answer]) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for answer in answers:
        messages.append({"role": "user", "content": question_markdown(answer)})
        messages.append({"role": "assistant", "content": answer_markdown(answer)})
        if answer.citations:
            messages.append(
                {
                    "role": "assistant",
                    "content": sources_markdown(answer),
                    "metadata": {"title": sources_title(answer), "status": "done"},
                }
            )
    return messages


def _turn_of(messages: list[dict[str, Any]], index: int) -> int:
    """Which conversation turn the message at ``index`` belongs to."""
    return sum(1 for m in messages[: index + 1] if m.get("role") == "user") - 1


class ChatUI:
    """Event handlers; state per browser session is the list of answers so far."""

    def __init__(self, service: AssistantService) -> None:
        self.service = service
        self.given = GivenAnswers()
        self.live = LiveAnswers()

    def respond(
        self, question: str, answers: list[Answer] | None, principle: str | None, department: str | None, session: str
    ) -> Iterator[tuple[Any, ...]]:
        answers = list(answers or [])
        question = (question or "").strip()
        if not question:
            yield "", _messages(answers), answers
            return
        live = LiveAnswer(
            self.service,
            question,
            principle=None if principle in (None, ALL_PRINCIPLES) else principle,
            departments=[d for d in [department_from_choice(department)] if d],
            history=answers,
        )
        self.live.start(session, live)
        try:
            asked = _messages(answers) + [{"role": "user", "content": md_text(question)}]
            for text in live.updates():  # a language model's checked sentences as they come
                yield "", asked + [{"role": "assistant", "content": md_text(text) + " …"}], answers
            answer = live.result()
        except ServiceError as exc:
            shown = md_text(question[: self.service.settings.max_question_chars])
            messages = _messages(answers) + [
                {"role": "user", "content": shown},
                {"role": "assistant", "content": f"Spørgsmålet kunne ikke besvares: {md_text(str(exc))}"},
            ]
            yield "", messages, answers
            return
        finally:
            live.stop()  # the reader left or stopped: the model stops too
            self.live.finish(session, live)
        yield "", _messages(answers + [answer]), answers + [answer]

    def stop(self, session: str) -> None:
        """The stop button: ends this session's generation (its answer then says so)."""
        self.live.stop(session)

    def conversation(self, answers: list[Answer] | None) -> str:
        """The conversation as Markdown, for the browser to download."""
        return conversation_markdown(list(answers or []))

    def like(
        self, data: gr.LikeData, answers: list[Answer] | None, messages: list[dict[str, Any]], session: str
    ) -> str:
        answers = list(answers or [])
        index = data.index if isinstance(data.index, int) else data.index[0]
        turn = _turn_of(messages or [], index)
        if not 0 <= turn < len(answers):
            return ""
        liked = data.liked is True or data.liked == "Like"
        try:
            self.service.record_feedback(answers[turn], liked=liked, session=session)
        except FeedbackError as exc:
            log.error("feedback not stored: %s", exc)
            return "Din feedback kunne ikke gemmes. Prøv igen senere."
        return "Tak for din feedback." if liked else "Tak. Svaret er markeret som dårligt, så det kan blive rettet."

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
        self.given.add(answer)
        return answer.to_dict()


def _streams(service: AssistantService) -> bool:
    """Whether answers are written by a language model (then they stream, and can be stopped)."""
    return service.settings.generator != "extractive"


def _refusal(what: str, reason: object) -> gr.Error:
    """An error for the API caller, logged as one line without the caller's text (no traceback)."""
    log.info("API request refused: %s (%s)", what, type(reason).__name__)
    return gr.Error(f"{what}: {reason}", print_exception=False)


def build_app(service: AssistantService) -> gr.Blocks:
    """The Blocks app for one loaded service."""
    catalog = service.catalog
    ui = ChatUI(service)
    departments = department_choices(catalog)
    with gr.Blocks(title="Sikker By-assistenten", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        session = gr.State(lambda: uuid.uuid4().hex[:12])
        answers = gr.State([])
        gr.Markdown(
            "# Sikker By-assistenten\n"
            "Spørg om Københavns Kommunes **Sikker By-strategi 2022-2025**: hvilke indsatser der hører under "
            "hvilket princip, hvem der gør hvad, og hvornår. Hvert svar henviser til kilden [1], [2] …, "
            "og siger det ærligt, når dokumentet ikke svarer."
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                with gr.Row():
                    principle = gr.Dropdown(
                        [ALL_PRINCIPLES, *catalog.principles], value=ALL_PRINCIPLES, label="Afgræns til princip"
                    )
                    department = gr.Dropdown(departments, value=departments[0], label="Afgræns til forvaltning")
                chatbot = gr.Chatbot(
                    label="Samtale",
                    latex_delimiters=[],  # no KaTeX: questions and documents are text
                    height=560,
                    examples=[{"text": q} for q in EXAMPLES],
                    placeholder="Stil et spørgsmål om Sikker By-strategien, eller vælg et eksempel.",
                    feedback_options=("Like", "Dislike"),
                    sanitize_html=True,
                    elem_id="sb-chat",
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Skriv dit spørgsmål her …",
                        show_label=False,
                        scale=8,
                        elem_id="sb-question",
                        # longer than the limit, so that a too-long question reaches the service, which
                        # cuts it and says so
                        max_length=2 * service.settings.max_question_chars,
                    )
                    send = gr.Button("Spørg", variant="primary", scale=1, elem_id="sb-send")
                    stop = gr.Button("Stop", variant="stop", scale=1, elem_id="sb-stop", visible=_streams(service))
                with gr.Row():
                    new = gr.Button("Ny samtale", scale=1)
                    download = gr.Button("Download samtalen (Markdown)", scale=1, elem_id="sb-download")
                    thanks = gr.Markdown("", elem_id="sb-feedback-note")
                conversation = gr.Textbox(visible="hidden", elem_id="sb-conversation")
            with gr.Tab("Overblik", id="overblik"):
                gr.Markdown(overview_intro(catalog))
                overview_filter = gr.Dropdown(
                    departments,
                    value=departments[0],
                    label="Vis indsatser for forvaltning",
                    elem_id="sb-overview-filter",
                )
                overview = gr.HTML(overview_html(catalog), elem_id="sb-overview")

        inputs = [box, answers, principle, department, session]
        outputs = [box, chatbot, answers]
        box.submit(ui.respond, inputs, outputs, api_visibility="private")
        send.click(ui.respond, inputs, outputs, api_visibility="private")
        stop.click(ui.stop, session, None, api_visibility="private", queue=False)

        def pick_example(
            event: gr.SelectData, state: list[Answer], p: str, d: str, s: str
        ) -> Iterator[tuple[Any, ...]]:
            yield from ui.respond(event.value["text"], state, p, d, s)

        chatbot.example_select(
            pick_example, [answers, principle, department, session], outputs, api_visibility="private"
        )
        chatbot.like(ui.like, [answers, chatbot, session], thanks, api_visibility="private")
        new.click(lambda: ([], [], ""), None, [chatbot, answers, thanks], api_visibility="private")
        download.click(ui.conversation, answers, conversation, api_visibility="private").then(
            None, conversation, None, js=DOWNLOAD_JS, api_visibility="private"
        )
        overview_filter.change(
            lambda choice: overview_html(catalog, department_from_choice(choice)),
            overview_filter,
            overview,
            api_visibility="private",
        )
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
