"""Compose Danish answers from passages, every statement carrying a numbered citation.

No language model: answers are the document's own sentences and lists, so nothing is invented.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sikkerby.assistant.answer import Citation
from sikkerby.assistant.matching import TermMatcher
from sikkerby.index.catalog import Catalog, Principle
from sikkerby.index.hybrid import Hit
from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.danish import fold, split_sentences, term, terms, words
from sikkerby.ingest.departments import department_code

log = logging.getLogger(__name__)

SUMMARY_CHARS = 220
WHOLE_CHARS = 260
MAX_SENTENCES = 3

_DEFINITION = re.compile(
    r"^\s*(hvad\s+(er|laver|gør|går)|fortæl\s+(mig\s+)?om|beskriv|forklar|what\s+(is|are|does))\b", re.IGNORECASE
)
_CONTINUES = re.compile(r"^(Der|Den|Det|De|Dette|Disse|Indsatsen|Formålet|Målet|Med indsatsen|Desuden|Samtidig)\b")

_MONTHS = "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
_NUMBER_WORDS = "to|tre|fire|fem|seks|syv|otte|ni|ti|elleve|tolv|tyve|tredive|fyrre|halvtreds|hundrede|tusind"
_ROLES = r"leder|direktør|direktor|chef|formand|borgmester|rådmand|radmand|minister|koordinator|kontaktperson"


@dataclass(frozen=True)
class Intent:
    """A kind of fact a question asks for, and how to recognise a sentence that states one."""

    name: str
    asks: re.Pattern[str]
    answer: re.Pattern[str] | None = None

    def answered_by(self, question: str, sentence: str) -> bool:
        if self.name == "count":  # "hvor mange natteværter": a number next to the counted word
            match = self.asks.search(question)
            noun = match.group(1) if match else ""
            stem = fold(term(noun))[:5]
            pattern = rf"(\b\d+|\b(?:{_NUMBER_WORDS}))\s+(?:\w+\s+){{0,2}}{re.escape(stem)}"
            return bool(stem) and bool(re.search(pattern, fold(sentence)))
        assert self.answer is not None
        return bool(self.answer.search(sentence))


_I = re.IGNORECASE
INTENTS: tuple[Intent, ...] = (
    Intent(
        "date",
        re.compile(r"\b(hvilken dato|hvilke datoer|på hvilken dag|what date|which date)\b", _I),
        re.compile(rf"\b\d{{1,2}}\.\s*({_MONTHS})\b|\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b", _I),
    ),
    Intent(
        "money",
        re.compile(
            r"\b(kroner|kr|penge|belob|beløb|koster|pris|prisen|millioner|mio|mia|budgettet"
            r"|bevilling\w*|timeløn|løn|money|cost|costs|price|budget of|how much)\b",
            _I,
        ),
        re.compile(r"\d[\d.,]*\s*(kr\b|kroner|mio|millioner|mia|milliarder)", _I),
    ),
    Intent(
        "share",
        re.compile(r"\b(andel|procent|hvor stor en del|percentage|share of|proportion)\b", _I),
        re.compile(r"\d+([.,]\d+)?\s*(%|procent)", _I),
    ),
    Intent(
        "person",
        re.compile(rf"\bhvem\b.*\b({_ROLES})\w*|\bwho\b.*\b(head|director|mayor|manager|chief|leader)\b", _I),
        re.compile(rf"\b({_ROLES})\w*", _I),
    ),
    Intent("count", re.compile(r"\b(?:hvor mange|how many)\s+(?:af\s+|of\s+)?([^\W\d_]+)", _I)),
    Intent(
        "time",
        re.compile(
            r"\b(hvornår|hvornar|hvilket år|hvilket ar|hvilke år|siden hvornår|hvilke dage"
            r"|hvilken dag|hvilke nætter|hvilken nat|hvilke ugedage|when|what year|which year"
            r"|which days)\b",
            _I,
        ),
        re.compile(
            r"\b(19|20)\d{2}\b|\b(sommer\w*|vinter\w*|forår\w*|efterår\w*|ferieperiode\w*|måned\w*"
            r"|årlig\w*|ugentlig\w*|halvår\w*|torsdag\w*|fredag\w*|lørdag\w*|nat)\b",
            _I,
        ),
    ),
    Intent(
        "age",
        re.compile(r"\b(hvor gamle|hvilken alder|hvilke aldre|aldersgruppe\w*|alderen|how old|what age)\b", _I),
        re.compile(r"(?<!princip )\b\d+\b", _I),
    ),
    Intent(
        "place",
        re.compile(
            r"\bhvor\b(?!\s+(?:mange|meget|stor|store|gamle|ofte|længe|langt|tit))|\bhvilke[nt]?\s+(?:sted|steder|bydel)"
            r"|\bwhere\b",
            _I,
        ),
        re.compile(r"\b(i|på|ved|omkring)\s+[A-ZÆØÅ][\wæøå]+|\b(bydel\w*|byrum\w*|område\w*|gade\w*|station\w*)\b"),
    ),
    Intent(
        "result",
        re.compile(r"\b(effekt\w*|resultat\w*|virkning\w*|virker|outcomes?|effects?|results?)\b", _I),
        re.compile(r"\b(viste?|resulter\w*|faldt|steg|reducer\w*|færre|effekt\w*\s+(af|på)|har\s+ført)\b", _I),
    ),
)


def question_intent(question: str) -> Intent | None:
    """The first kind of fact the question asks for, if any."""
    return next((intent for intent in INTENTS if intent.asks.search(question)), None)


def summarize(chunk: Chunk, limit: int = SUMMARY_CHARS) -> str:
    """A short passage whole; else its first sentence, shortened at a word boundary if long."""
    if len(chunk.text) <= WHOLE_CHARS:
        return chunk.text
    sentences = split_sentences(chunk.text)
    first = sentences[0] if sentences else chunk.text
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + " …"


def short_statement(principle: Principle, limit: int = 140) -> str:
    statement = principle.statement
    if len(statement) <= limit:
        return statement
    return statement[:limit].rsplit(" ", 1)[0].rstrip(",;:-") + " …"


@dataclass(frozen=True)
class Draft:
    text: str
    citations: tuple[Citation, ...]
    abstained: bool
    route: str


class Citer:
    """Numbers sources in the order the answer first uses them."""

    def __init__(self) -> None:
        self._sources: dict[str, Citation] = {}

    def cite(self, chunk: Chunk, *, score: float = 0.0, highlight: str | None = None) -> str:
        existing = self._sources.get(chunk.id)
        if existing is None:
            existing = Citation(
                n=len(self._sources) + 1,
                chunk_id=chunk.id,
                document=chunk.document,
                page=chunk.page,
                principle=chunk.principle,
                text=chunk.text,
                score=score,
                departments=chunk.departments,
                statement=chunk.statement,
            )
        if highlight and highlight not in existing.highlights:
            existing = replace(existing, highlights=(*existing.highlights, highlight))
        self._sources[chunk.id] = existing
        return f"[{existing.n}]"

    def citations(self) -> tuple[Citation, ...]:
        return tuple(sorted(self._sources.values(), key=lambda c: c.n))


class AnswerComposer:
    """Builds the answer text for each route from the catalog or from retrieved hits."""

    def __init__(self, catalog: Catalog, matcher: TermMatcher) -> None:
        self.catalog = catalog
        self.matcher = matcher

    # -- structure-based answers ------------------------------------------------------------------

    def principle_list(
        self, principle: Principle, *, only: Sequence[Chunk] | None = None, about: str | None = None
    ) -> Draft:
        citer = Citer()
        head = citer.cite(principle.chunk, score=1.0, highlight=principle.statement)
        items = list(principle.initiatives if only is None else only)
        lines = [f"{principle.label}: «{principle.statement}» {head}", ""]
        total = len(principle.initiatives)
        if about is not None:
            if not items:
                lines.append(f"Ingen af de {indsatser(total)} under {principle.label} nævner «{about}».")
                return Draft("\n".join(lines).strip(), citer.citations(), False, "principle_list")
            lines.append(f"{len(items)} af de {indsatser(total)} under {principle.label} nævner «{about}»:")
        else:
            lines.append(f"Alle {total} udvalgte indsatser under {principle.label}:")
        for chunk in items:
            summary = summarize(chunk)
            lines.append(f"- {summary} {citer.cite(chunk, score=1.0, highlight=_first_sentence(chunk))}")
        return Draft("\n".join(lines), citer.citations(), False, "principle_list")

    def principle_statement(self, principle: Principle) -> Draft:
        citer = Citer()
        ref = citer.cite(principle.chunk, score=1.0, highlight=principle.statement)
        return Draft(
            f"{principle.label} lyder: «{principle.statement}» {ref}", citer.citations(), False, "principle_statement"
        )

    def overview(self) -> Draft:
        citer = Citer()
        principles = list(self.catalog.principles.values())
        grund = sum(1 for p in principles if p.label.startswith("Grundprincip"))
        fag = sum(1 for p in principles if p.label.startswith("Fagprincip"))
        lines = [
            f"Sikker By-strategien har {len(principles)} principper, {grund} grundprincipper og {fag} fagprincipper:",
            "",
        ]
        for p in principles:
            ref = citer.cite(p.chunk, score=1.0, highlight=p.statement)
            lines.append(f"- {p.label} ({indsatser(len(p.initiatives))}): {short_statement(p)} {ref}")
        return Draft("\n".join(lines), citer.citations(), False, "overview")

    def department_list(self, department: str, initiatives: Sequence[Chunk]) -> Draft:
        citer = Citer()
        code = department_code(department)
        if not initiatives:
            return Draft(
                f"Sikker By-strategien nævner ikke {department} ({code}) i nogen indsats.", (), True, "department_list"
            )
        lines = [f"{department} ({code}) nævnes i {indsatser(len(initiatives))}:", ""]
        for chunk in initiatives:
            ref = citer.cite(chunk, score=1.0, highlight=_department_sentence(chunk, department, code))
            lines.append(f"- {chunk.principle}: {summarize(chunk)} {ref}")
        return Draft("\n".join(lines), citer.citations(), False, "department_list")

    def topic_list(self, about: str, initiatives: Sequence[Chunk]) -> Draft:
        """Every initiative about a topic, grouped by principle in the strategy's order, each cited."""
        citer = Citer()
        order = {label: i for i, label in enumerate(self.catalog.principles)}
        groups: dict[str, list[Chunk]] = {}
        for chunk in sorted(initiatives, key=lambda c: order.get(c.principle or "", 99)):
            groups.setdefault(chunk.principle or "Uden princip", []).append(chunk)
        places = f"under {len(groups)} principper" if len(groups) > 1 else f"under {next(iter(groups))}"
        lines = [f"{indsatser(len(initiatives)).capitalize()} handler om «{about}», {places}:"]
        for label, chunks in groups.items():
            lines += ["", f"{label}:"]
            for chunk in chunks:
                lines.append(f"- {summarize(chunk)} {citer.cite(chunk, score=1.0, highlight=_first_sentence(chunk))}")
        return Draft("\n".join(lines), citer.citations(), False, "topic_list")

    def which_principle(self, matches: Sequence[Hit]) -> Draft:
        citer = Citer()
        by_principle: dict[str, list[Hit]] = {}
        for hit in matches:
            by_principle.setdefault(hit.chunk.principle or "", []).append(hit)
        if len(by_principle) == 1:
            hit = matches[0]
            principle = self.catalog.principle(hit.chunk.principle or "")
            text = f"Indsatsen hører under {hit.chunk.principle}"
            if principle is not None:
                ref = citer.cite(principle.chunk, score=1.0, highlight=principle.statement)
                text += f": «{principle.statement}» {ref}"
            ref = citer.cite(hit.chunk, score=hit.dense_score, highlight=_first_sentence(hit.chunk))
            text += f"\n\nIndsatsen: {summarize(hit.chunk)} {ref}"
            return Draft(text, citer.citations(), False, "which_principle")
        lines = ["Det nævnes under flere principper:", ""]
        for label, hits in by_principle.items():
            refs = " ".join(citer.cite(h.chunk, score=h.dense_score, highlight=_first_sentence(h.chunk)) for h in hits)
            lines.append(f"- {label}: {summarize(hits[0].chunk)} {refs}")
        return Draft("\n".join(lines), citer.citations(), False, "which_principle")

    # -- retrieval-based answers ------------------------------------------------------------------

    def general(
        self,
        question: str,
        hits: Sequence[Hit],
        question_terms: list[str],
        *,
        english: bool = False,
        partial: bool = False,
        focus: Sequence[str] = (),
    ) -> Draft:
        """The best sentences of the best passages, each cited.

        When the question asks for a kind of fact (a year, an amount, a number), some chosen sentence
        must carry one, in a passage that is about the question; otherwise the answer is an abstention.
        A short passage (an initiative of a few sentences) is given whole, so its facts come together.
        """
        intent = question_intent(question)
        if intent is not None:  # "hvilket år" says what kind of fact, not what it is about
            asked = intent.asks.search(question)
            question_terms = [t for t in question_terms if t not in set(terms(asked.group(0) if asked else ""))]
        scored, on_topic = self._score_sentences(
            question, hits, question_terms, intent, english=english, focus=list(focus) or question_terms
        )
        if not scored:
            return self.abstain(NO_MATCH)
        chosen = _choose_sentences(scored)
        answered = intent is None or any(intent.answered_by(question, c[3]) and on_topic[c[1]] for c in chosen)
        if not answered and not partial:
            return self.abstain(INTENT_MISSING[intent.name] if intent else NO_MATCH)
        _add_context(question, hits, scored, chosen)
        draft = _render_sentences(chosen)
        if answered or intent is None:
            return draft
        # what the document says about the subject, and plainly what it does not say
        missing = (MISSING_EN if english else MISSING_DA)[intent.name]
        return replace(draft, text=f"{draft.text}\n\n{missing}", route="partial")

    def _score_sentences(
        self,
        question: str,
        hits: Sequence[Hit],
        question_terms: list[str],
        intent: Intent | None,
        *,
        english: bool,
        focus: list[str],
    ) -> tuple[list[_Scored], dict[int, bool]]:
        """Every sentence of the first three passages, scored by coverage, answer type and rank."""
        scored: list[_Scored] = []
        on_topic: dict[int, bool] = {}
        for rank, hit in enumerate(hits[:3]):
            # an English question shares no words with the passages: trust the embedding's first choice
            # a passage is about the question when it holds the question's own subject words (a year in a
            # passage about something else answers nothing)
            on_topic[rank] = rank == 0 if english else self.matcher.coverage(focus, hit.chunk.text) >= 0.5
            for i, sentence in enumerate(split_sentences(hit.chunk.text)):
                coverage = self.matcher.coverage(question_terms, sentence)
                bonus = 0.35 if intent and intent.answered_by(question, sentence) and on_topic[rank] else 0.0
                prior = 0.3 / (rank + 1)
                scored.append((coverage + bonus + prior, rank, i, sentence, hit))
        scored.sort(key=lambda s: (-s[0], s[1], s[2]))
        return scored, on_topic

    def best_sentence(self, chunk: Chunk, question_terms: list[str]) -> tuple[str, float]:
        """The sentence of ``chunk`` that covers the question best, and how well."""
        scored = [(self.matcher.coverage(question_terms, s), -i, s) for i, s in enumerate(split_sentences(chunk.text))]
        if not scored:
            return chunk.text, 0.0
        coverage, _order, sentence = max(scored)
        if coverage == 0:
            coverage = self.matcher.coverage(question_terms, chunk.text)
            sentence = _first_sentence(chunk) if coverage == 0 else sentence
        return sentence, coverage

    def follow_up_list(self, matches: Sequence[tuple[Chunk, str]], *, total: int, about: str) -> Draft:
        """Which of the previous answer's initiatives concern ``about``."""
        if not matches:
            return self.abstain(f"Ingen af de {indsatser(total)} i det forrige svar passer på «{about}».")
        citer = Citer()
        lines = [f"{len(matches)} af de {indsatser(total)} i det forrige svar passer på «{about}»:", ""]
        for chunk, sentence in matches:
            lines.append(f"- {sentence} {citer.cite(chunk, score=1.0, highlight=sentence)}")
        return Draft("\n".join(lines), citer.citations(), False, "follow_up")

    @staticmethod
    def abstain(reason: str) -> Draft:
        return Draft(reason, (), True, "abstained")


NO_MATCH = (
    "Det kan jeg ikke finde svar på i Sikker By-strategien. Spørg gerne om en indsats, et princip eller en forvaltning."
)
INTENT_MISSING = {
    "date": "Sikker By-strategien nævner ingen dato for det, så det kan jeg ikke svare på.",
    "money": "Sikker By-strategien nævner ingen beløb i kroner om det, så det kan jeg ikke svare på.",
    "share": "Sikker By-strategien nævner ingen andele eller procenter om det, så det kan jeg ikke svare på.",
    "person": "Sikker By-strategien nævner ingen personer eller stillinger om det, så det kan jeg ikke svare på.",
    "count": "Sikker By-strategien nævner ikke, hvor mange der er, så det kan jeg ikke svare på.",
    "time": "Sikker By-strategien siger ikke, hvornår det sker, så det kan jeg ikke svare på.",
    "age": "Sikker By-strategien nævner ikke en alder om det, så det kan jeg ikke svare på.",
    "place": "Sikker By-strategien nævner ikke, hvor det foregår, så det kan jeg ikke svare på.",
    "result": "Sikker By-strategien siger ikke, hvilken effekt det har haft, så det kan jeg ikke svare på.",
}


#: the sentence a partial answer ends with, per kind of fact asked for
MISSING_DA = {
    "date": "Men dokumentet siger ikke, hvilken dato det var.",
    "money": "Men dokumentet siger ikke, hvad det koster: det nævner intet beløb.",
    "share": "Men dokumentet siger ikke, hvor stor en andel det er.",
    "person": "Men dokumentet siger ikke, hvem der står for det (ingen navne eller stillinger).",
    "count": "Men dokumentet siger ikke, hvor mange der er: det nævner intet antal.",
    "time": "Men dokumentet siger ikke, hvornår det skete eller startede.",
    "age": "Men dokumentet siger ikke, hvilken alder det gælder.",
    "place": "Men dokumentet siger ikke, hvor det foregår: det nævner intet sted.",
    "result": "Men dokumentet siger ikke, hvilken effekt eller hvilket resultat det har haft.",
}
MISSING_EN = {
    "date": "But the document does not say on which date.",
    "money": "But the document does not say how much it costs: it gives no amount.",
    "share": "But the document does not say how large a share it is.",
    "person": "But the document does not say who is in charge (it names no people or posts).",
    "count": "But the document does not say how many: it gives no number.",
    "time": "But the document does not say when it happened or started.",
    "age": "But the document does not say which ages it covers.",
    "place": "But the document does not say where it takes place.",
    "result": "But the document does not say what effect or result it has had.",
}


def indsatser(n: int) -> str:
    """ "1 indsats", "2 indsatser" """
    return f"{n} indsats" if n == 1 else f"{n} indsatser"


def not_mentioned(question: str, unknown_terms: Sequence[str]) -> str:
    """An abstention that names the words of the question the document never uses."""
    shown = [w for w in dict.fromkeys(words(question)) if term(w) in set(unknown_terms)]
    listed = ", ".join(f"«{w}»" for w in shown) or "det, du spørger om"
    return f"Det står der ikke noget om i Sikker By-strategien: dokumentet nævner ikke {listed}."


#: (score, passage rank, sentence number, sentence, passage)
_Scored = tuple[float, int, int, str, Hit]


def _choose_sentences(scored: list[_Scored]) -> list[_Scored]:
    """The best sentence and those close to it (at most MAX_SENTENCES)."""
    best = scored[0]
    chosen = [best]
    for candidate in scored[1:]:
        if len(chosen) >= MAX_SENTENCES:
            break
        if candidate[0] >= 0.75 * best[0] and candidate[0] - 0.3 / (candidate[1] + 1) > 0.25:
            chosen.append(candidate)
    return chosen


def _add_context(question: str, hits: Sequence[Hit], scored: list[_Scored], chosen: list[_Scored]) -> None:
    """A short passage is given whole; for "Hvad er X?" or a heading-like sentence, the next sentences too."""
    best = chosen[0]
    best_text = hits[best[1]].chunk.text
    whole = len(split_sentences(best_text)) <= 3 and len(best_text) <= 480
    if whole or (best[1] == 0 and (_DEFINITION.search(question) or len(best[3]) < 80)):
        for candidate in scored:
            same = candidate[1] == best[1] and candidate not in chosen
            if same and (whole or best[2] < candidate[2] <= best[2] + 2):
                chosen.append(candidate)


def _render_sentences(chosen: list[_Scored]) -> Draft:
    """Passages in order of their best sentence, sentences in reading order, one citation per run."""
    passage_order = {c[1]: pos for pos, c in reversed(list(enumerate(chosen)))}
    chosen = sorted(chosen, key=lambda s: (passage_order[s[1]], s[2]))
    citer = Citer()
    pieces: list[tuple[str, Hit]] = []
    for _score, _rank, index, sentence, hit in chosen:
        if index > 0 and _CONTINUES.match(sentence):
            first = split_sentences(hit.chunk.text)[0]
            if all(text != first for text, _ in pieces):
                pieces.append((first, hit))
        pieces.append((sentence, hit))
    parts: list[str] = []
    for i, (sentence, hit) in enumerate(pieces):
        ref = citer.cite(hit.chunk, score=hit.dense_score, highlight=sentence)
        last_of_run = i + 1 == len(pieces) or pieces[i + 1][1].chunk.id != hit.chunk.id
        parts.append(f"{sentence} {ref}" if last_of_run else sentence)
    return Draft(" ".join(parts), citer.citations(), False, "general")


def _first_sentence(chunk: Chunk) -> str:
    sentences = split_sentences(chunk.text)
    return sentences[0] if sentences else chunk.text


def _department_sentence(chunk: Chunk, department: str, code: str) -> str:
    key = fold(department.split("-")[0].split()[0])
    for sentence in split_sentences(chunk.text):
        if key in fold(sentence) or code in sentence:
            return sentence
    return _first_sentence(chunk)
