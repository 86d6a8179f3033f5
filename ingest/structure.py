"""Parse the strategy's two-column table (Princip | Udvalgte indsatser) into chunks.

The OCR text interleaves the narrow left column (the principle's statement) with the wide right
column (the initiatives). A section starts at a "Grundprincip"/"Fagprincip" header; its leading
narrow paragraphs are the statement, the rest are initiatives, one or more per paragraph.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_INTRO, KIND_PRINCIPLE, Chunk
from sikkerby.ingest.danish import fold, term, words
from sikkerby.ingest.departments import find_departments
from sikkerby.ingest.document import Document

log = logging.getLogger(__name__)

#: Bump when parsing changes, so cached chunks are redone.
PARSER_VERSION = 1
_HEADER_RE = re.compile(r"^(grundprincip|fagprincip)(?:\s+(\d))?\s*:?$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^(\d)\s*[.)]\s*")
_TABLE_HEADER = {"princip", "udvalgte indsatser"}
#: Lines of the left (statement) column are at most this wide; the right column's are wider.
STATEMENT_COLUMN_WIDTH = 34
_SENTENCE_END_RE = re.compile(r"[.!?][\"”»)]?$")

# A sentence that starts with one of these continues the initiative before it.
_CONTINUATION_WORDS = frozenset(
    fold(w)
    for w in (
        "der",
        "desuden",
        "den",
        "det",
        "dette",
        "disse",
        "de",
        "derudover",
        "herudover",
        "endvidere",
        "samtidig",
        "her",
        "heraf",
        "herunder",
        "formålet",
        "målet",
        "med",
        "og",
        "men",
        "som",
        "hvor",
        "hvilket",
        "også",
    )
)
# ... or that refers back within its first words ("Data herfra bruges ...") ...
_BACK_REFERENCES = frozenset(
    fold(w) for w in ("herfra", "heraf", "herved", "herigennem", "derfor", "dermed", "derved", "hertil")
)
# ... or with a definite noun that points back: "Indsatsen ...", or a compound whose stem the item
# already used ("... en skoleindsats ... Skoleindsatsen skal ...", "forandringsplan ... Forandringsplanerne").
_ANAPHORIC_HEADS = tuple(
    fold(w)
    for w in (
        "indsatsen",
        "indsatserne",
        "planen",
        "planerne",
        "projektet",
        "projekterne",
        "tilbuddet",
        "tilbuddene",
        "ordningen",
        "samarbejdet",
        "folderen",
        "evalueringen",
        "undersøgelsen",
        "resultaterne",
        "initiativet",
        "aftalen",
        "puljen",
        "forløbet",
    )
)

Repair = Callable[[str], str]


@dataclass(frozen=True)
class _Line:
    page: int
    text: str


def principle_label(kind: str, number: int) -> str:
    """The canonical label, e.g. "Fagprincip 1"."""
    return f"{kind.capitalize()} {number}"


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines into running text; "Infohus-\\nsamarbejdet" stays one word."""
    out = ""
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith("-") and line[:1].islower() and not re.match(r"(og|eller|samt|til)\b", line):
            out += line
        else:
            out += " " + line
    return out


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    paras: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        if line.text.strip():
            current.append(line)
        elif current:
            paras.append(current)
            current = []
    if current:
        paras.append(current)
    return paras


def _starts_continuation(line: str, before: str) -> bool:
    """Whether a sentence starting a line continues the item whose text so far is ``before``."""
    first_words = [fold(w) for w in words(line)[:3]]
    if not first_words:
        return False
    word = first_words[0]
    if word in _CONTINUATION_WORDS or _BACK_REFERENCES.intersection(first_words):
        return True
    head = next((h for h in _ANAPHORIC_HEADS if word.endswith(h)), None)
    if head is None:
        return False
    return word == head or term(word) in fold(before)


def split_initiatives(paragraph: list[_Line]) -> list[list[_Line]]:
    """Split a paragraph where a sentence ends at a line end and the next line starts a new item."""
    items: list[list[_Line]] = [[paragraph[0]]]
    for prev, line in zip(paragraph, paragraph[1:]):
        before = " ".join(x.text for x in items[-1])
        if _SENTENCE_END_RE.search(prev.text.strip()) and not _starts_continuation(line.text, before):
            items.append([line])
        else:
            items[-1].append(line)
    return items


def order_statement(fragments: list[str]) -> str:
    """Undo the OCR's interleaving of a statement's fragments: the numbered one first, the one that
    ends the sentence last, the rest in reading order between them."""
    if len(fragments) <= 1:
        return fragments[0] if fragments else ""
    first = next((f for f in fragments if _NUMBER_RE.match(f)), fragments[0])
    rest = [f for f in fragments if f is not first]
    last = next((f for f in reversed(rest) if _SENTENCE_END_RE.search(f)), None)
    middle = [f for f in rest if f is not last]
    return " ".join([first, *middle, *([last] if last else [])])


class StrategyParser:
    """Turns a Sikker By style strategy document into principle and initiative chunks."""

    def __init__(self, *, repair: Repair | None = None) -> None:
        self.repair = repair or (lambda text: text)

    def parse(self, document: Document) -> list[Chunk] | None:
        """Chunks of the document, or None when it has no principle structure."""
        lines = [
            _Line(page.number, raw.strip())
            for page in document.pages
            for raw in page.text.replace("\r\n", "\n").split("\n")
        ]
        header_idx = [i for i, line in enumerate(lines) if _HEADER_RE.match(line.text)]
        if not header_idx:
            return None
        chunks: list[Chunk] = []
        intro = [line for line in lines[: header_idx[0]] if line.text.strip().lower() not in _TABLE_HEADER]
        if any(line.text for line in intro):
            raw = "\n\n".join(join_lines([x.text for x in p]) for p in _paragraphs(intro))
            chunks.append(
                self._chunk(document, intro[0].page, self.repair(raw), KIND_INTRO, None, None, len(chunks), raw=raw)
            )
        bounds = [*header_idx, len(lines)]
        counters: dict[str, int] = {}
        for start, end in zip(bounds, bounds[1:]):
            header = _HEADER_RE.match(lines[start].text)
            assert header is not None
            kind = header.group(1).capitalize()
            section = lines[start + 1 : end]
            # the statement is the run of narrow (left-column) lines before the first wide one
            cut = next((i for i, x in enumerate(section) if len(x.text) > STATEMENT_COLUMN_WIDTH), len(section))
            statement_paras = _paragraphs(section[:cut])
            body = _paragraphs(section[cut:])
            fragments = [join_lines([x.text for x in p]) for p in statement_paras]
            statement_raw = order_statement(fragments)
            number_match = _NUMBER_RE.match(statement_raw)
            if header.group(2):
                number = int(header.group(2))
            elif number_match:
                number = int(number_match.group(1))
            else:
                number = counters.get(kind, 0) + 1
            counters[kind] = number
            label = principle_label(kind, number)
            statement_raw = _NUMBER_RE.sub("", statement_raw, count=1)
            statement = self.repair(statement_raw)
            page = statement_paras[0][0].page if statement_paras else lines[start].page
            chunks.append(
                self._chunk(
                    document,
                    page,
                    f"{label}: {statement}",
                    KIND_PRINCIPLE,
                    label,
                    statement,
                    len(chunks),
                    raw=f"{label}: {statement_raw}",
                )
            )
            for paragraph in body:
                for item in split_initiatives(paragraph):
                    raw = join_lines([x.text for x in item])
                    chunks.append(
                        self._chunk(
                            document,
                            item[0].page,
                            self.repair(raw),
                            KIND_INITIATIVE,
                            label,
                            statement,
                            len(chunks),
                            raw=raw,
                        )
                    )
        return chunks

    @staticmethod
    def _chunk(
        document: Document,
        page: int,
        text: str,
        kind: str,
        principle: str | None,
        statement: str | None,
        ordinal: int,
        *,
        raw: str | None = None,
    ) -> Chunk:
        departments = find_departments(text) if kind == KIND_INITIATIVE else ()
        return Chunk(
            document=document.name,
            page=page,
            text=text,
            kind=kind,
            principle=principle,
            statement=statement,
            departments=departments,
            raw_text=raw if raw is not None else text,
            ordinal=ordinal,
        )
