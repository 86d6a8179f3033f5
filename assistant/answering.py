"""From a routed question to a drafted answer: which answer each kind of question gets, and when the
document cannot answer. Works on a loaded index; the service does the loading and timing."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sikkerby.assistant.answer import Answer
from sikkerby.assistant.composer import NO_MATCH, AnswerComposer, Draft, not_mentioned
from sikkerby.assistant.followup import FollowUp, follow_up_topic, resolve_follow_up
from sikkerby.assistant.matching import TermMatcher, content_terms, is_english
from sikkerby.assistant.router import (
    DEPARTMENT_LIST,
    GENERAL,
    OVERVIEW,
    PRINCIPLE_LIST,
    PRINCIPLE_STATEMENT,
    WHICH_PRINCIPLE,
    Route,
    find_department,
)
from sikkerby.assistant.settings import Settings
from sikkerby.index.catalog import Catalog
from sikkerby.index.hybrid import Hit, HybridRetriever, SearchFilter
from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_PRINCIPLE
from sikkerby.ingest.danish import term, terms, words
from sikkerby.ingest.departments import resolve_department

log = logging.getLogger(__name__)

# Words that only say how a list or principle question is phrased, not what it is about.
_ROUTING_TERMS = frozenset(
    terms(
        "hvilke hvilket indsatser indsats initiativer tiltag eksempler projekter aktiviteter hører under falder "
        "ligger implementerer implementeres udmønter alle samtlige liste nævn vis giv udvalgte grundprincip "
        "grundprincippet fagprincip fagprincippet princip princippet nummer nr første andet anden tredje "
        "fjerde femte finder man står nævnes har laver gør bidrager deltager forvaltning forvaltningen "
        "disse heraf nævnte handler implementering eksemplerne eksempel"
    )
) | {str(n) for n in range(1, 10)}


@dataclass(frozen=True)
class _Asked:
    """One question as the route handlers see it."""

    question: str
    route: Route
    search_filter: SearchFilter
    clock: RetrievalClock
    english: bool
    terms: list[str]
    #: the question's content terms without the words that only phrase a list or principle question
    residual: list[str]


class RetrievalClock:
    """Accumulates time spent retrieving, for the answer's timing."""

    def __init__(self) -> None:
        self.retrieve_ms = 0.0
        self._start = 0.0

    def __enter__(self) -> RetrievalClock:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.retrieve_ms += (time.perf_counter() - self._start) * 1000


class Answerer:
    """Drafts the answer for one question over one loaded index."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        retriever: HybridRetriever,
        matcher: TermMatcher,
        composer: AnswerComposer,
        settings: Settings,
    ) -> None:
        self.catalog = catalog
        self.retriever = retriever
        self.matcher = matcher
        self.composer = composer
        self.settings = settings
        self._kinds = {c.id: c.kind for c in catalog.chunks}

    def draft(
        self,
        question: str,
        route: Route,
        search_filter: SearchFilter,
        clock: RetrievalClock,
        *,
        history: Sequence[Answer] = (),
    ) -> Draft:
        """The answer's text and citations; a follow-up is answered about what the history cited."""
        if history and route.kind in (GENERAL, WHICH_PRINCIPLE):
            follow_up = resolve_follow_up(question, history, self._kinds)
            if follow_up is not None:
                return self._follow_up(question, route, follow_up, clock)
        return self._answer(question, route, search_filter, clock)

    def _answer(self, question: str, route: Route, search_filter: SearchFilter, clock: RetrievalClock) -> Draft:
        english = is_english(question)
        question_terms = content_terms(question)
        asked = _Asked(
            question=question,
            route=route,
            search_filter=search_filter,
            clock=clock,
            english=english,
            terms=question_terms,
            residual=[] if english else [t for t in question_terms if t not in _ROUTING_TERMS],
        )
        handlers = {
            PRINCIPLE_LIST: self._principle,
            PRINCIPLE_STATEMENT: self._principle,
            OVERVIEW: lambda _asked: self.composer.overview(),
            DEPARTMENT_LIST: self._department,
            WHICH_PRINCIPLE: self._which_principle,
        }
        handler = handlers.get(route.kind, self._general)
        if route.kind == DEPARTMENT_LIST and not route.department:
            handler = self._general
        return handler(asked)

    def _principle(self, asked: _Asked) -> Draft:
        """A principle's statement, or its initiatives (all, or those of a department or about a topic)."""
        catalog, composer, matcher, route = self.catalog, self.composer, self.matcher, asked.route
        residual = asked.residual
        principle = catalog.principle(route.principle) if route.principle else None
        if principle is None and route.topic:
            with asked.clock:
                hits = self.retriever.search(route.topic, k=1, search_filter=SearchFilter(kinds=(KIND_PRINCIPLE,)))
            topic_terms = content_terms(route.topic)
            if hits and not (topic_terms and len(matcher.unknown(topic_terms)) == len(topic_terms)):
                principle = catalog.principle(hits[0].chunk.principle or "")
            residual = []
        if principle is None:
            if route.principle:
                known = ", ".join(catalog.principles)
                return composer.abstain(f"Strategien har ikke et {route.principle}. Principperne er: {known}.")
            return composer.abstain(NO_MATCH)
        if route.kind == PRINCIPLE_STATEMENT:
            return composer.principle_statement(principle)
        # a department named in the question filters by the initiatives' departments
        department = find_department(asked.question)
        if department is not None:
            own = set(terms(f"{department.name} {department.code}"))
            residual = [t for t in residual if t not in own]
            only = [c for c in principle.initiatives if department.name in c.departments]
            if residual:
                only = [c for c in only if matcher.coverage(residual, c.text) > 0] or only
            return composer.principle_list(principle, only=only, about=department.name)
        # "Fagprincip 1 om børn og unge" names the principle's own topic; "... der handler om
        # Nørrebro" asks for the initiatives that concern something
        if residual and matcher.coverage(residual, principle.statement) < 0.5:
            only = [c for c in principle.initiatives if matcher.coverage(residual, c.text) > 0]
            return composer.principle_list(principle, only=only, about=_words_for(asked.question, residual))
        return composer.principle_list(principle)

    def _department(self, asked: _Asked) -> Draft:
        """The initiatives a department takes part in, narrowed only by words the question adds."""
        code = asked.route.department or ""
        initiatives = self.catalog.initiatives_of_department(code)
        if asked.search_filter.principle:
            initiatives = [c for c in initiatives if c.principle == asked.search_filter.principle]
        department = resolve_department(code)
        own = set(terms(f"{department.name} {department.code}")) if department else set()
        extra = [t for t in asked.residual if t not in own]
        if extra:
            filtered = [c for c in initiatives if self.matcher.coverage(extra, c.text) > 0]
            if filtered:
                initiatives = filtered
        return self.composer.department_list(code, initiatives)

    def _general(self, asked: _Asked) -> Draft:
        """The best sentences of the best passages, unless the document does not answer."""
        unknown = [] if asked.english else self.matcher.unknown(asked.terms)
        with asked.clock:
            hits = self.retriever.search(
                asked.question, k=self.settings.top_k, search_filter=asked.search_filter, lexical=not asked.english
            )
        verdict = self._abstention(asked.question, asked.terms, unknown, hits, english=asked.english)
        if verdict is not None:
            return self.composer.abstain(verdict)
        return self.composer.general(asked.question, hits, asked.terms, english=asked.english)

    def _follow_up(self, question: str, route: Route, follow_up: FollowUp, clock: RetrievalClock) -> Draft:
        """Answer about the chunks the previous answer cited."""
        composer = self.composer
        scope = [self.catalog.by_id[i] for i in follow_up.scope if i in self.catalog.by_id]
        if route.kind == WHICH_PRINCIPLE and not follow_up.plural:
            with clock:
                hits = self.retriever.search(question, k=1, search_filter=SearchFilter(chunk_ids=follow_up.scope))
            return composer.which_principle(hits)
        about = [t for t in content_terms(question) if t not in _ROUTING_TERMS]
        if follow_up.plural and about:
            matches = []
            for chunk in scope:
                sentence, coverage = composer.best_sentence(chunk, about)
                if coverage > 0:
                    matches.append((chunk, sentence))
            return composer.follow_up_list(matches, total=len(scope), about=follow_up_topic(question))
        with clock:
            hits = self.retriever.search(
                question, k=min(self.settings.top_k, len(scope)), search_filter=SearchFilter(chunk_ids=follow_up.scope)
            )
        if not hits:
            return composer.abstain(NO_MATCH)
        return composer.general(question, hits, content_terms(question) or about)

    def _which_principle(self, asked: _Asked) -> Draft:
        question, search_filter = asked.question, asked.search_filter
        unknown = [] if asked.english else self.matcher.unknown(asked.terms)
        focus = asked.residual or content_terms(question)
        with asked.clock:
            hits = self.retriever.search(
                question,
                k=8,
                search_filter=SearchFilter(kinds=(KIND_INITIATIVE,), departments=search_filter.departments),
            )
        focus_unknown = [t for t in unknown if t in focus]
        verdict = self._abstention(question, focus, focus_unknown, hits, english=is_english(question))
        if verdict is not None:
            return self.composer.abstain(verdict)
        covered = [(self.matcher.coverage(focus, h.chunk.text), h) for h in hits]
        best = max(c for c, _ in covered)
        if best >= 0.5:
            matches = [h for c, h in covered if c >= 0.8 * best][:4]
        elif hits[0].dense_score >= self.settings.min_similarity + 0.05:
            matches = [hits[0]]
        else:
            return self.composer.abstain(NO_MATCH)
        return self.composer.which_principle(matches)

    def _abstention(
        self,
        question: str,
        question_terms: list[str],
        unknown: list[str],
        hits: Sequence[Hit],
        *,
        english: bool = False,
    ) -> str | None:
        """Why the document cannot answer, or None when the hits are good enough to answer from.

        A question whose words are largely absent from the corpus (a compound of which only a part
        occurs counts half) is about something the document does not cover, however similar some
        passage looks; otherwise the most similar passage must be similar enough."""
        if not hits:
            return NO_MATCH
        top = max(h.dense_score for h in hits)
        floor = self.settings.min_similarity - (0.02 if english else 0.0)
        partial = [] if english else self.matcher.partial(question_terms)
        if question_terms and (unknown or partial):
            share = (len(unknown) + 0.5 * len(partial)) / len(question_terms)
            if share >= 0.5 or top < floor + 0.05:
                return not_mentioned(question, unknown or partial)
        if top < floor:
            return NO_MATCH
        return None


def _words_for(question: str, question_terms: Sequence[str]) -> str:
    wanted = set(question_terms)
    shown = [w for w in dict.fromkeys(words(question)) if term(w) in wanted]
    return " ".join(shown) or " ".join(question_terms)
