"""The conversation as HTML for the chat: questions, answers whose [n] link to their sources, a sources
block per answer (a button with aria-expanded that opens a list), and feedback buttons that show what
was given (aria-pressed). All document and user text is escaped: nothing in it is markup."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sikkerby.assistant.answer import Answer, Citation
from sikkerby.ingest.abbreviations import explain_abbreviations
from sikkerby.ingest.departments import department_code
from sikkerby.ui.render import esc
from sikkerby.ui.turns import Conversation, Turn

log = logging.getLogger(__name__)

EMPTY = "Stil et spørgsmål om Sikker By-strategien, eller vælg et eksempel herunder."
SEARCHING = "Søger i strategien …"
_HEADING = '<h2 class="sb-sr">Samtale</h2>'
_REF = re.compile(r"\[(\d{1,3})\]")

#: a link to the page of a cited PDF, or None when the source is not a PDF in the index
PdfLink = Callable[[Citation], "str | None"]


def conversation_html(
    conversation: Conversation, *, pdf_link: PdfLink | None = None, live: LiveTurn | None = None
) -> str:
    """The whole conversation, the questions still being answered last with a "searching" note; ``live``
    is the first of them while a language model writes its answer."""
    if not conversation.turns and not conversation.pending:
        return f'<div class="sb-log">{_HEADING}<p class="sb-empty-chat">{esc(EMPTY)}</p></div>'
    parts = [turn_html(i, turn, pdf_link=pdf_link) for i, turn in enumerate(conversation.turns)]
    pending = conversation.pending
    if live is not None and pending:
        parts.append(live_turn_html(len(conversation.turns), live, pdf_link=pdf_link))
        pending = pending[1:]
    for question in pending:
        parts.append(
            '<div class="sb-turn sb-pending">'
            f"{_question_html(question)}"
            f'<div class="message bot sb-searching"><p>{esc(SEARCHING)}</p></div></div>'
        )
    return f'<div class="sb-log">{_HEADING}{"".join(parts)}</div>'


def _question_html(question: str, note: str = "") -> str:
    extra = f'<p class="sb-note">{esc(note)}</p>' if note else ""
    return (
        '<div class="message user"><h3 class="sb-sr">Dit spørgsmål</h3>'
        f'<p class="sb-question-text">{esc(question)}</p>{extra}</div>'
    )


def turn_html(index: int, turn: Turn, *, pdf_link: PdfLink | None = None) -> str:
    """One question with its answer (or error), sources and feedback buttons."""
    answer = turn.answer
    scope = f'<p class="sb-scope">{esc(turn.scope)}</p>' if turn.scope else ""
    if answer is None:
        return (
            f'<div class="sb-turn" id="sb-t{index}">{_question_html(turn.question)}'
            f'<div class="message bot sb-error"><h3 class="sb-sr">Svar</h3>{scope}<p>{esc(turn.error)}</p></div></div>'
        )
    note = ""
    if answer.question_cut_from is not None:
        note = (
            f"(Spørgsmålet var på {_number(answer.question_cut_from)} tegn og er afkortet til de første "
            f"{_number(len(answer.question))}.)"
        )
    return (
        f'<div class="sb-turn" id="sb-t{index}">{_question_html(answer.question, note)}'
        f'<div class="message bot"><h3 class="sb-sr">Svar</h3>{scope}{answer_html(index, answer)}'
        f"{sources_html(index, answer, pdf_link=pdf_link)}{feedback_html(index, turn)}</div></div>"
    )


def answer_html(index: int, answer: Answer) -> str:
    """The answer's text: lines starting with "- " as a list, the rest as paragraphs; [n] links to source n."""
    known = {c.n for c in answer.citations}
    blocks: list[str] = []
    items: list[str] = []
    for line in answer.answer.splitlines():
        text = line.strip()
        if text.startswith("- "):
            items.append(f"<li>{_linked(index, text[2:], known)}</li>")
            continue
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if text and answer.generation.asked and text.startswith("(") and text.endswith(")"):
            # what the language model's check did: its answer fell back to the document's, or lost sentences
            kind = "sb-fallback" if answer.generation.fallback else "sb-removed"
            blocks.append(f'<p class="sb-note {kind}">{_linked(index, text, known)}</p>')
        elif text:
            blocks.append(f"<p>{_linked(index, text, known)}</p>")
    if items:
        blocks.append(f"<ul>{''.join(items)}</ul>")
    return f'<div class="sb-answer">{"".join(blocks)}</div>'


def _linked(index: int, text: str, known: set[int]) -> str:
    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in known:
            return match.group(0)
        return (
            f'<a class="sb-ref" href="#sb-t{index}-kilde-{n}" data-sources="sb-t{index}-kilder" '
            f'aria-label="Kilde {n}">[{n}]</a>'
        )

    return _REF.sub(link, esc(text))


def highlighted_html(citation: Citation) -> str:
    """The cited passage, escaped, with the sentences the answer used marked."""
    text = esc(citation.text)
    for sentence in sorted(citation.highlights, key=len, reverse=True):
        marked = esc(sentence)
        if marked and marked in text and f"<mark>{marked}" not in text:
            text = text.replace(marked, f"<mark>{marked}</mark>", 1)
    return text


def sources_title(answer: Answer) -> str:
    n = len(answer.citations)
    return f"Kilder ({n})" if n != 1 else "Kilde (1)"


def sources_html(index: int, answer: Answer, *, pdf_link: PdfLink | None = None) -> str:
    """The sources block: a button that opens the list of sources (document, page, principle, passage)."""
    if not answer.citations:
        return ""
    region = f"sb-t{index}-kilder"
    items = [_source_item(index, c, pdf_link) for c in answer.citations]
    shown = answer.answer + " " + " ".join(c.text for c in answer.citations)
    explained = explain_abbreviations(shown)
    abbreviations = ""
    if explained:
        abbreviations = (
            '<p class="sb-abbr"><strong>Forkortelser:</strong> '
            + "; ".join(f"{esc(code)} = {esc(meaning)}" for code, meaning in explained)
            + "</p>"
        )
    return (
        f'<div class="sb-sources"><button type="button" class="sb-sources-toggle" id="{region}-knap" '
        f'aria-expanded="false" aria-controls="{region}">'
        f'<span aria-hidden="true">📄</span> {esc(sources_title(answer))}</button>'
        f'<div class="sb-sources-list" id="{region}" role="region" aria-labelledby="{region}-knap" hidden>'
        f"<ol>{''.join(items)}</ol>{abbreviations}</div></div>"
    )


def _source_item(index: int, citation: Citation, pdf_link: PdfLink | None) -> str:
    where = [
        f"Dokument: {esc(citation.document)}",
        f"side {citation.page}",
        f"Princip: {esc(citation.principle or 'uden princip')}",
    ]
    if citation.departments:
        where.append("Forvaltning: " + ", ".join(esc(department_code(d)) for d in citation.departments))
    link = pdf_link(citation) if pdf_link is not None else None
    opens = (
        f' <a class="sb-pdf" href="{esc(link)}" target="_blank" rel="noopener">Åbn side {citation.page} i PDF</a>'
        if link
        else ""
    )
    return (
        f'<li class="sb-source" id="sb-t{index}-kilde-{citation.n}" tabindex="-1">'
        f'<p class="sb-source-head"><strong>[{citation.n}]</strong> {" · ".join(where)}{opens}</p>'
        f"<blockquote>{highlighted_html(citation)}</blockquote></li>"
    )


def feedback_html(index: int, turn: Turn) -> str:
    """Thumbs up and down; the one given is pressed, and pressing it again takes it back."""
    buttons = []
    for rating, icon, label in ((1, "👍", "Godt svar"), (-1, "👎", "Dårligt svar")):
        pressed = "true" if turn.rating == rating else "false"
        name = "op" if rating == 1 else "ned"
        buttons.append(
            f'<button type="button" class="sb-fb" id="sb-t{index}-{name}" data-turn="{index}" '
            f'data-rating="{rating}" aria-pressed="{pressed}"><span aria-hidden="true">{icon}</span> {label}</button>'
        )
    return f'<div class="sb-feedback" role="group" aria-label="Var svaret brugbart?">{"".join(buttons)}</div>'


def _number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def conversation_turns(turns: Sequence[Turn]) -> list[Answer]:
    return [t.answer for t in turns if t.answer is not None]


# -- an answer being written by the language model (issue 14) ------------------------------------------

#: what a turn says while the language model writes
LIVE_PREVIEW = "Dokumentets egne sætninger, vist mens sprogmodellen skriver:"
LIVE_MODEL = "Sprogmodellens svar, kontrolleret mod kilderne"
LIVE_WAITING = "Sprogmodellen skriver … Hver sætning vises, når den er kontrolleret mod sin kilde."


@dataclass(frozen=True)
class LiveTurn:
    """A question whose answer a language model is writing: the extractive answer (``preview``, shown at
    once) and the model's sentences that have passed the check so far."""

    question: str
    scope: str = ""
    preview: Answer | None = None
    sentences: tuple[str, ...] = ()


def live_turn_html(index: int, live: LiveTurn, *, pdf_link: PdfLink | None = None) -> str:
    """The turn being written: busy for assistive technology, the model's checked sentences as text (their
    [n] become links when the answer is done and its sources are numbered)."""
    scope = f'<p class="sb-scope">{esc(live.scope)}</p>' if live.scope else ""
    preview = ""
    if live.preview is not None and live.preview.answer:
        preview = (
            f'<div class="sb-preview"><p class="sb-note">{esc(LIVE_PREVIEW)}</p>{answer_html(index, live.preview)}'
            f"{sources_html(index, live.preview, pdf_link=pdf_link)}</div>"
        )
    if live.sentences:
        written = f'<p>{esc(" ".join(live.sentences))} <span aria-hidden="true">…</span></p>'
    else:
        written = f'<p class="sb-note">{esc(LIVE_WAITING)}</p>'
    return (
        f'<div class="sb-turn sb-pending sb-live" id="sb-t{index}" aria-busy="true">{_question_html(live.question)}'
        f'<div class="message bot"><h3 class="sb-sr">Svar</h3>{scope}{preview}'
        f'<div class="sb-live-model"><h4 class="sb-live-title">{esc(LIVE_MODEL)}</h4>{written}</div></div></div>'
    )


#: the stop button, shown while a language model writes (ui/chat_js.py STOP_ON_LOAD sends its click)
STOP_BUTTON = (
    '<button type="button" class="sb-stop" id="sb-stop-knap" aria-label="Stop svaret fra sprogmodellen">'
    '<span aria-hidden="true">⏹</span> Stop svaret</button>'
)
