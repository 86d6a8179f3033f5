"""From a routed question to a drafted answer: which answer each kind of question gets, and when the
document cannot answer. Works on a loaded index; the service does the loading and timing."""

from __future__ import annotations

import time
from collections.abc import Sequence

from assistant.answer import Answer
from assistant.composer import NO_MATCH, AnswerComposer, Draft, not_mentioned
from assistant.followup import FollowUp, follow_up_topic, resolve_follow_up
from assistant.matching import TermMatcher, content_terms, is_english
from assistant.router import (
    DEPARTMENT_LIST,
    GENERAL,
    OVERVIEW,
    PRINCIPLE_LIST,
    PRINCIPLE_STATEMENT,
    WHICH_PRINCIPLE,
    Route,
    find_department,
)
from assistant.settings import Settings
from index.catalog import Catalog
from index.hybrid import Hit, HybridRetriever, SearchFilter
from ingest.chunk import KIND_INITIATIVE, KIND_PRINCIPLE
from ingest.danish import term, terms, words
from ingest.departments import resolve_department

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
        catalog, composer, matcher = self.catalog, self.composer, self.matcher
        english = is_english(question)
        question_terms = content_terms(question)
        residual = [] if english else [t for t in question_terms if t not in _ROUTING_TERMS]

        if route.kind in (PRINCIPLE_LIST, PRINCIPLE_STATEMENT):
            principle = catalog.principle(route.principle) if route.principle else None
            if principle is None and route.topic:
                with clock:
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
            department = find_department(question)
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
                return composer.principle_list(principle, only=only, about=_words_for(question, residual))
            return composer.principle_list(principle)

        if route.kind == OVERVIEW:
            return composer.overview()

        if route.kind == DEPARTMENT_LIST and route.department:
            initiatives = catalog.initiatives_of_department(route.department)
            if search_filter.principle:
                initiatives = [c for c in initiatives if c.principle == search_filter.principle]
            department = resolve_department(route.department)
            own = set(terms(f"{department.name} {department.code}")) if department else set()
            extra = [t for t in residual if t not in own]
            if extra:
                filtered = [c for c in initiatives if matcher.coverage(extra, c.text) > 0]
                if filtered:
                    initiatives = filtered
            return composer.department_list(route.department, initiatives)

        unknown = [] if english else matcher.unknown(question_terms)
        if route.kind == WHICH_PRINCIPLE:
            return self._which_principle(question, residual, unknown, search_filter, clock)

        with clock:
            hits = self.retriever.search(
                question, k=self.settings.top_k, search_filter=search_filter, lexical=not english
            )
        verdict = self._abstention(question, question_terms, unknown, hits, english=english)
        if verdict is not None:
            return composer.abstain(verdict)
        return composer.general(question, hits, question_terms, english=english)

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

    def _which_principle(
        self,
        question: str,
        residual: list[str],
        unknown: list[str],
        search_filter: SearchFilter,
        clock: RetrievalClock,
    ) -> Draft:
        focus = residual or content_terms(question)
        with clock:
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
