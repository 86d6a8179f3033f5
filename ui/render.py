"""Turn answers and the strategy's structure into Markdown/HTML for the browser. Formatting only:
every fact comes from the service's answers and catalog. All document and user text is escaped."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence

from sikkerby.assistant.answer import Answer
from sikkerby.assistant.composer import summarize
from sikkerby.index.catalog import Catalog, Principle
from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.departments import department_code

log = logging.getLogger(__name__)

ALL_PRINCIPLES = "Alle principper"
ALL_DEPARTMENTS = "Alle forvaltninger"


def esc(text: str) -> str:
    """Text for HTML: markup in it is shown, never run."""
    return html.escape(text, quote=False)


#: Markdown that would make the browser load or link something: a link or image target ("](" and a
#: reference definition "]:"), what GFM links by itself (http://, www., e-mail addresses), and the
#: backslash that could undo an escape. Brackets alone stay: "[1]" is a citation, not a link.
_MARKDOWN_ACTIVE = re.compile(r"\\|\](?=[(:])|(?<=[A-Za-z]):(?=//)|(?<=:)/|(?<=\b[wW]{3})\.|@")


def md_text(text: str) -> str:
    """Text from a question or a document for the chat's Markdown: shown as written, with no image,
    no link and no raw HTML. HTML is escaped, and the Markdown that makes images and links (``![x](url)``,
    ``[x](url)``, ``[x]: url``, ``<http://…>``, bare URLs and addresses) is broken with backslashes, so
    nothing is fetched from outside and the only links are the app's own."""
    return _MARKDOWN_ACTIVE.sub(_escape_markdown, esc(text))


def _escape_markdown(match: re.Match[str]) -> str:
    found = match.group(0)
    return "]\\" if found == "]" else "\\" + found


def answer_markdown(answer: Answer) -> str:
    """The answer as shown in the chat (escaped; [n] refers to the sources below it). The answer's own
    list items ("- …") stay Markdown; its text, taken from the documents, makes no image or link."""
    return md_text(answer.answer)


def question_markdown(answer: Answer) -> str:
    """The question as shown in the chat, with a note when it was cut to the limit."""
    text = md_text(answer.question)
    if answer.question_cut_from is not None:
        text += (
            f"\n\n*(Spørgsmålet var på {_number(answer.question_cut_from)} tegn og er afkortet til de første "
            f"{_number(len(answer.question))}.)*"
        )
    return text


def _number(n: int) -> str:
    """A number written the Danish way: 1.000."""
    return f"{n:,}".replace(",", ".")


def department_choices(catalog: Catalog) -> list[str]:
    return [ALL_DEPARTMENTS, *(f"{name} ({department_code(name)})" for name in catalog.departments())]


def department_from_choice(choice: str | None) -> str | None:
    if not choice or choice == ALL_DEPARTMENTS:
        return None
    return choice.rsplit(" (", 1)[0]


def _initiative_html(principle: Principle, chunk: Chunk) -> str:
    short = summarize(chunk, limit=170)
    departments = ", ".join(f"{esc(d)} ({department_code(d)})" for d in chunk.departments) or "ikke nævnt"
    return (
        f'<details class="sb-initiative" id="kilde-{chunk.id}">'
        f"<summary>{esc(short)}</summary>"
        f'<div class="sb-passage"><p>{esc(chunk.text)}</p>'
        f'<p class="sb-meta">Kilde: {esc(chunk.document)}, side {chunk.page} · {principle.label} · '
        f"Forvaltning: {departments}</p></div></details>"
    )


def overview_html(catalog: Catalog, department: str | None = None) -> str:
    """The Overblik view: each principle with its statement and its initiatives (optionally only those
    that name ``department``); each initiative opens to its source passage."""
    parts = []
    total = 0
    for principle in catalog.principles.values():
        initiatives = [c for c in principle.initiatives if department is None or department in c.departments]
        total += len(initiatives)
        items = "".join(_initiative_html(principle, c) for c in initiatives)
        if not items:
            items = '<p class="sb-empty">Ingen indsatser nævner denne forvaltning.</p>'
        count = f"{len(initiatives)} af {len(principle.initiatives)}" if department else f"{len(initiatives)}"
        parts.append(
            f'<section class="sb-principle" id="princip-{principle.label.replace(" ", "-").lower()}">'
            f'<h3>{esc(principle.label)} <span class="sb-count">({count} indsatser)</span></h3>'
            f'<p class="sb-statement">{esc(principle.statement)}</p>{items}</section>'
        )
    header = (
        f'<p class="sb-filter-note">Viser {total} indsatser, hvor {esc(department)} er nævnt.</p>' if department else ""
    )
    return f'<div class="sb-overview">{header}{"".join(parts)}</div>'


def overview_intro(catalog: Catalog) -> str:
    principles = list(catalog.principles.values())
    grund = sum(1 for p in principles if p.label.startswith("Grundprincip"))
    fag = len(principles) - grund
    initiatives = sum(len(p.initiatives) for p in principles)
    return (
        f"**Sikker By-strategien 2022-2025** bygger på **{len(principles)} principper**: {grund} grundprincipper, "
        f"som gælder alt arbejdet, og {fag} fagprincipper for bestemte områder. Under hvert princip giver "
        f"dokumentet eksempler på **udvalgte indsatser** i forvaltningerne ({initiatives} i alt). "
        "Klik på en indsats for at se kildeteksten. Vælg en forvaltning for kun at se dens indsatser."
    )


def conversation_markdown(answers: Sequence[Answer]) -> str:
    """The whole conversation with its sources, for download."""
    lines = ["# Samtale med Sikker By-assistenten", ""]
    for i, answer in enumerate(answers, start=1):
        lines += [f"## {i}. {question_markdown(answer)}", "", md_text(answer.answer), ""]
        if answer.citations:
            lines.append("**Kilder**")
            lines.append("")
            for c in answer.citations:
                where = " · ".join([md_text(c.principle or "Uden princip"), f"side {c.page}", md_text(c.document)])
                lines.append(f"- [{c.n}] {where}: {md_text(c.text)}")
            lines.append("")
    return "\n".join(lines)
