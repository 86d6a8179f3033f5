"""Compose answers from passages, every statement carrying a numbered citation: the renderer of drafts
(templates in wording.py, citation numbering). It decides neither intent nor abstention.

No language model: answers are the document's own sentences and lists, so nothing is invented.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sikkerby.assistant.answer import EXTRACTIVE, Citation, Generation
from sikkerby.assistant.intents import Intent, enumerated, question_intent
from sikkerby.assistant.matching import TermMatcher
from sikkerby.assistant.wording import no_match, wording
from sikkerby.index.catalog import Catalog, Principle
from sikkerby.index.hybrid import Hit
from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.danish import fold, split_sentences, terms
from sikkerby.ingest.departments import department_code

log = logging.getLogger(__name__)

SUMMARY_CHARS = 220
WHOLE_CHARS = 260
MAX_SENTENCES = 3

_DEFINITION = re.compile(
    r"^\s*(hvad\s+(er|laver|gør|går)|fortæl\s+(mig\s+)?om|beskriv|forklar|what\s+(is|are|does))\b", re.IGNORECASE
)
_CONTINUES = re.compile(r"^(Der|Den|Det|De|Dette|Disse|Indsatsen|Formålet|Målet|Med indsatsen|Desuden|Samtidig)\b")


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
    #: who wrote it, and what a language model did for it
    generation: Generation = EXTRACTIVE


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
        self,
        principle: Principle,
        *,
        only: Sequence[Chunk] | None = None,
        about: str | None = None,
        english: bool = False,
    ) -> Draft:
        say = wording(english)
        citer = Citer()
        head = citer.cite(principle.chunk, score=1.0, highlight=principle.statement)
        items = list(principle.initiatives if only is None else only)
        lines = [f"{principle.label}: «{principle.statement}» {head}", ""]
        total = say.count(len(principle.initiatives))
        if about is not None:
            if not items:
                lines.append(say.none_of_principle.format(count=total, label=principle.label, about=about))
                return Draft("\n".join(lines).strip(), citer.citations(), False, "principle_list")
            lines.append(say.some_of_principle.format(k=len(items), count=total, label=principle.label, about=about))
        else:
            lines.append(say.all_of_principle.format(n=len(principle.initiatives), label=principle.label))
        for chunk in items:
            summary = summarize(chunk)
            lines.append(f"- {summary} {citer.cite(chunk, score=1.0, highlight=_first_sentence(chunk))}")
        return Draft("\n".join(lines), citer.citations(), False, "principle_list")

    def principle_statement(self, principle: Principle, *, english: bool = False, which: bool = False) -> Draft:
        """A principle's wording; ``which``: as the answer to which principle is about something."""
        citer = Citer()
        ref = citer.cite(principle.chunk, score=1.0, highlight=principle.statement)
        say = wording(english)
        template = say.principle_is if which else say.statement
        text = template.format(label=principle.label, statement=principle.statement, ref=ref)
        return Draft(text, citer.citations(), False, "which_principle" if which else "principle_statement")

    def overview(self, *, only: str | None = None, english: bool = False) -> Draft:
        """The principles with their statements; ``only`` "Grundprincip" or "Fagprincip" for one kind."""
        say = wording(english)
        citer = Citer()
        principles = list(self.catalog.principles.values())
        grund = sum(1 for p in principles if p.label.startswith("Grundprincip"))
        fag = sum(1 for p in principles if p.label.startswith("Fagprincip"))
        shown = [p for p in principles if only is None or p.label.startswith(only)]
        if only and shown:
            kinds = say.kind_names[0 if only == "Grundprincip" else 1]
            lines = [say.overview_only.format(n=len(shown), kinds=kinds, total=len(principles)), ""]
        else:
            shown = principles
            lines = [say.overview.format(n=len(principles), grund=grund, fag=fag), ""]
        for p in shown:
            ref = citer.cite(p.chunk, score=1.0, highlight=p.statement)
            lines.append(f"- {p.label} ({say.count(len(p.initiatives))}): {short_statement(p)} {ref}")
        return Draft("\n".join(lines), citer.citations(), False, "overview")

    def department_list(
        self,
        department: str,
        initiatives: Sequence[Chunk],
        *,
        shared: str | None = None,
        under: str | None = None,
        english: bool = False,
    ) -> Draft:
        """A department's initiatives; ``shared`` names the departments when they are the ones several
        departments share ("Teknik- og Miljøforvaltningen og Økonomiforvaltningen"); ``under``: the
        principle the list was limited to."""
        say = wording(english)
        citer = Citer()
        code = department_code(department)
        if not initiatives:
            none = say.department_none_under if under else say.department_none
            text = none.format(department=shared or department, code=code, label=under)
            return Draft(text, (), True, "department_list")
        count = say.count(len(initiatives))
        if shared:
            lines = [say.departments_share.format(departments=shared, count=count), ""]
        else:
            lines = [say.department.format(department=department, code=code, count=count), ""]
        for chunk in initiatives:
            ref = citer.cite(chunk, score=1.0, highlight=_department_sentence(chunk, department, code))
            lines.append(f"- {chunk.principle}: {summarize(chunk)} {ref}")
        return Draft("\n".join(lines), citer.citations(), False, "department_list")

    def topic_list(self, about: str, initiatives: Sequence[Chunk], *, english: bool = False) -> Draft:
        """Every initiative about a topic, grouped by principle, each cited. ``initiatives`` come likeliest
        first: the principle of the likeliest leads (the one the topic is most about), and the others
        follow in the order of their likeliest; within a principle, the strategy's order."""
        say = wording(english)
        citer = Citer()
        rank = {c.id: i for i, c in enumerate(initiatives)}
        groups: dict[str, list[Chunk]] = {}
        for chunk in initiatives:
            groups.setdefault(chunk.principle or ("No principle" if english else "Uden princip"), []).append(chunk)
        for chunks in groups.values():
            chunks.sort(key=lambda c: (c.ordinal, rank[c.id]))
        count = say.count(len(initiatives)).capitalize()
        concern = "concerns" if len(initiatives) == 1 else "concern"  # the English verb agrees with the count
        if len(groups) > 1:
            places = f"{len(groups)} principles" if english else f"{len(groups)} principper"
            lines = [say.topic_many.format(count=count, concern=concern, about=about, places=places)]
        else:
            lines = [say.topic_one.format(count=count, concern=concern, about=about, label=next(iter(groups)))]
        for label, chunks in groups.items():
            lines += ["", f"{label}:"]
            for chunk in chunks:
                lines.append(f"- {summarize(chunk)} {citer.cite(chunk, score=1.0, highlight=_first_sentence(chunk))}")
        return Draft("\n".join(lines), citer.citations(), False, "topic_list")

    def which_principle(self, matches: Sequence[Hit], *, english: bool = False) -> Draft:
        say = wording(english)
        citer = Citer()
        by_principle: dict[str, list[Hit]] = {}
        for hit in matches:
            by_principle.setdefault(hit.chunk.principle or "", []).append(hit)
        if len(by_principle) == 1:
            hit = matches[0]
            principle = self.catalog.principle(hit.chunk.principle or "")
            text = say.belongs.format(label=hit.chunk.principle)
            if principle is not None:
                ref = citer.cite(principle.chunk, score=1.0, highlight=principle.statement)
                text += f": «{principle.statement}» {ref}"
            ref = citer.cite(hit.chunk, score=hit.dense_score, highlight=_first_sentence(hit.chunk))
            text += f"\n\n{say.the_initiative} {summarize(hit.chunk)} {ref}"
            return Draft(text, citer.citations(), False, "which_principle")
        lines = [say.several, ""]
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
        scant: bool = False,
        focus: Sequence[str] = (),
        about: str | None = None,
        ask: str | None = None,
    ) -> Draft:
        """The best sentences of the best passages, each cited.

        When the question asks for a kind of fact (a year, an amount, a number), some chosen sentence
        must carry one, in a passage that is about the question; otherwise, with ``partial``, the answer
        gives what the passages say and then plainly what they do not (without, it declines). With
        ``scant`` (the document says less than asked, and no kind of fact names what), it ends by saying
        that the document says no more about ``about``. ``ask``: the ask itself when ``question`` is it
        read after an earlier question; the kind of fact asked for is the ask's.
        A short passage (an initiative of a few sentences) is given whole, so its facts come together.
        """
        ask = ask or question
        intent = question_intent(ask)
        if intent is not None:  # "hvilket år" says what kind of fact, not what it is about
            asked = intent.asks.search(ask)
            question_terms = [t for t in question_terms if t not in set(terms(asked.group(0) if asked else ""))]
        scored, on_topic = self._score_sentences(
            question, hits, question_terms, intent, english=english, focus=list(focus) or question_terms
        )
        if not scored:
            return self.abstain(no_match(english))
        chosen = _choose_sentences(scored)
        answered = intent is None or any(intent.answered_by(ask, c[3]) and on_topic[c[1]] for c in chosen)
        if not answered and not partial:
            return self.abstain(intent.declined(english=english) if intent else no_match(english))
        _add_context(question, hits, scored, chosen)
        draft = _render_sentences(chosen)
        if intent is None:
            if scant:
                said = wording(english).no_more.format(about=f"«{about}»" if about else ("it" if english else "det"))
                return replace(draft, text=f"{draft.text}\n\n{said}", route="partial")
            return draft
        if answered:
            return draft
        if intent.name == "count":
            # "Hvor mange haller …?" answered by a list of them: no number, but the items can be counted
            listed = max((enumerated(c[3]) for c in chosen if on_topic[c[1]]), default=0)
            if listed:
                said = wording(english).counted.format(n=listed)
                return replace(draft, text=f"{draft.text}\n\n{said}", route="partial")
        # what the document says about the subject, and plainly what it does not say
        return replace(draft, text=f"{draft.text}\n\n{intent.lacks(english=english)}", route="partial")

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

    def follow_up_list(
        self, matches: Sequence[tuple[Chunk, str]], *, total: int, about: str, english: bool = False
    ) -> Draft:
        """Which of the previous answer's initiatives concern ``about``."""
        say = wording(english)
        if not matches:
            return self.abstain(say.follow_up_none.format(count=say.count(total), about=about))
        citer = Citer()
        lines = [say.follow_up.format(k=len(matches), count=say.count(total), about=about), ""]
        for chunk, sentence in matches:
            lines.append(f"- {sentence} {citer.cite(chunk, score=1.0, highlight=sentence)}")
        return Draft("\n".join(lines), citer.citations(), False, "follow_up")

    @staticmethod
    def near_miss(draft: Draft, *, about: str, english: bool = False, declined: str | None = None) -> Draft:
        """What the document says about a question's subject, after saying plainly that it does not
        say what was asked ("Hvorfor blev Den Korte Snor lukket?"), or, ``declined``, what it never names."""
        words = wording(english)
        said = f"{declined} {words.said_about}" if declined else words.near_miss
        said = said.format(about=f"«{about}»")
        return replace(draft, text=f"{said}\n\n{draft.text}", route="partial")

    @staticmethod
    def named_only(draft: Draft, *, about: str, label: str, english: bool = False) -> Draft:
        """A passage that is no more than the name asked about: the answer says that the document only
        names it (under which principle) and says nothing more of it, then quotes the name, cited."""
        said = wording(english).named_only.format(about=f"«{about}»", label=label)
        return replace(draft, text=f"{said}\n\n{draft.text}", route="partial")

    @staticmethod
    def premise(draft: Draft, *, department: str, about: str, english: bool = False) -> Draft:
        """What the document says about something a department was asked about, after saying plainly
        that it does not name the department there ("Er BUF med i Den Korte Snor?")."""
        said = wording(english).premise.format(department=department, about=f"«{about}»")
        return replace(draft, text=f"{said}\n\n{draft.text}", route="partial")

    @staticmethod
    def abstain(reason: str) -> Draft:
        return Draft(reason, (), True, "abstained")


_REF = re.compile(r"\[(\d+)\]")


def merge_drafts(drafts: Sequence[Draft]) -> Draft:
    """The answers to the asks of one question as one answer, in order: citations numbered again in
    order of first use, sentences an earlier ask's answer already gave left out, and an ask whose every
    source a fuller answer (a list) already cites left out (a principle's wording beside its list)."""
    kept = [d for i, d in enumerate(drafts) if not any(_subsumed(d, other) for j, other in enumerate(drafts) if j != i)]
    answered = [d for d in kept if not d.abstained]
    generation = EXTRACTIVE
    for draft in drafts:
        generation = generation.joined(draft.generation)
    if not answered:
        unique = list(dict.fromkeys(d.text for d in kept))
        return Draft("\n\n".join(unique), (), True, "abstained", generation)
    numbers: dict[str, int] = {}
    sources: dict[str, Citation] = {}
    seen: set[str] = set()
    texts: list[str] = []
    for draft in kept:
        by_n = {c.n: c for c in draft.citations}

        def renumber(match: re.Match[str], by_n: dict[int, Citation] = by_n) -> str:
            citation = by_n.get(int(match.group(1)))
            if citation is None:
                return match.group(0)
            n = numbers.setdefault(citation.chunk_id, len(numbers) + 1)
            known = sources.get(citation.chunk_id)
            highlights = tuple(dict.fromkeys((*(known.highlights if known else ()), *citation.highlights)))
            sources[citation.chunk_id] = replace(known or citation, n=n, highlights=highlights)
            return f"[{n}]"

        lines = []
        for raw in draft.text.split("\n"):
            line = _unseen(raw, seen)
            if line is not None:
                lines.append(_REF.sub(renumber, line))
        text = "\n".join(lines).strip()
        if text:
            texts.append(text)
    route = "partial" if any(d.route == "partial" for d in kept) else answered[0].route
    citations = tuple(sorted(sources.values(), key=lambda c: c.n))
    return Draft("\n\n".join(texts), citations, False, route, generation)


def _unseen(line: str, seen: set[str]) -> str | None:
    """The line without the sentences an earlier line gave (their citation marks kept at its end);
    None when nothing is left. Headings ("… under Fagprincip 2:") always stay, and so do the items of a
    list (each ask's list is complete: "SOF og BUF" lists an initiative they share under both)."""
    text = _REF.sub("", line).strip()
    if not text or text.endswith(":"):
        return line
    sentences = split_sentences(text.lstrip("- "))
    new = [s for s in sentences if s.strip() not in seen]
    seen.update(s.strip() for s in sentences)
    if len(new) == len(sentences) or line.lstrip().startswith("- "):
        return line
    if not new:
        return None
    marks = " ".join(f"[{n}]" for n in dict.fromkeys(_REF.findall(line)))
    bullet = "- " if line.lstrip().startswith("- ") else ""
    return f"{bullet}{' '.join(new)} {marks}".rstrip()


def _subsumed(draft: Draft, other: Draft) -> bool:
    """A short answer (a principle's wording, which principle) whose sources a longer answer cites too,
    or an abstention beside the same abstention earlier."""
    if draft.abstained:
        return False
    if draft.route not in ("principle_statement", "which_principle", "overview") or other.abstained:
        return False
    mine = {c.chunk_id for c in draft.citations}
    theirs = {c.chunk_id for c in other.citations}
    return bool(mine) and mine < theirs


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
