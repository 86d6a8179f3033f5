"""From a routed question to a drafted answer: which answer each kind of question gets, and when the
document cannot answer. Works on a loaded index; the service does the loading and timing."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sikkerby.assistant.answer import Answer
from sikkerby.assistant.composer import NO_MATCH, AnswerComposer, Draft, not_mentioned
from sikkerby.assistant.followup import FollowUp, follow_up_topic, resolve_follow_up
from sikkerby.assistant.generators.base import Evidence, Generator
from sikkerby.assistant.generators.extractive import ExtractiveGenerator
from sikkerby.assistant.matching import TermMatcher, content_terms, is_english
from sikkerby.assistant.policy import AnswerPolicy
from sikkerby.assistant.router import (
    DEPARTMENT_LIST,
    GENERAL,
    OUT_OF_SCOPE,
    OVERVIEW,
    PRINCIPLE_LIST,
    PRINCIPLE_STATEMENT,
    TOPIC_LIST,
    WHICH_PRINCIPLE,
    Route,
    find_department,
    find_principle,
)
from sikkerby.assistant.settings import Settings
from sikkerby.assistant.understanding.features import FeatureExtractor, QuestionView, rare_terms
from sikkerby.assistant.understanding.models import QuestionModels
from sikkerby.index.catalog import Catalog
from sikkerby.index.hybrid import Hit, HybridRetriever, SearchFilter
from sikkerby.ingest.chunk import KIND_INITIATIVE, KIND_PRINCIPLE, Chunk
from sikkerby.ingest.danish import term, terms, words
from sikkerby.ingest.departments import resolve_department

log = logging.getLogger(__name__)

#: the principle slot's word ("princip", "principle") in a question the models read as a fact question
_PRINCIPLE_WORD = re.compile(r"\bprincip", re.IGNORECASE)

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
    #: content terms whose words are rare in Danish and occur in the corpus: what the question is
    #: about, and the only words that may narrow a list ("… om migranter"); chat words never do
    focus: list[str]
    searched: tuple[Hit, ...] = ()


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


@dataclass(frozen=True)
class Understander:
    """The fitted question models with what they need: the features and the policy that decides."""

    features: FeatureExtractor
    models: QuestionModels
    policy: AnswerPolicy

    def route(self, question: str, *, patterns: Route | None = None) -> tuple[Route, QuestionView]:
        view = self.features.view(question)
        understood = self.models.understand(
            self.features.kind_vector(view), lambda p: self.features.answer_vector(view, p)
        )
        route = self.policy.route(view, understood, patterns=patterns)
        log.debug(
            "understood %r: kind %s (%.2f), answers %s (%s), slots principle=%s department=%s rare=%s -> %s",
            question[:200],
            understood.kind,
            understood.kind_proba[understood.kind],
            understood.answers,
            ", ".join(f"{k} {v:.2f}" for k, v in understood.answers_proba.items()),
            view.principle,
            view.department,
            view.rare_terms,
            route,
        )
        return route, view


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
        understanding: Understander | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.catalog = catalog
        self.retriever = retriever
        self.matcher = matcher
        self.composer = composer
        self.settings = settings
        self.understanding = understanding
        self.generator: Generator = generator or ExtractiveGenerator(composer)
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
            # "Hvilke af dem …" narrows the previous answer's list; with the question models, a follow-up
            # about one thing ("Hvilke dage er de på arbejde?") is understood in its context instead
            if follow_up is not None and (follow_up.plural or self.understanding is None):
                narrowed = self._follow_up(question, route, follow_up, clock)
                # "Hvilke dage er de på arbejde?" asks about them, not which of them: when narrowing the
                # previous list finds nothing, the question is read in its context instead
                if not narrowed.abstained or self.understanding is None:
                    return narrowed
                in_context = self._understood(question, route, search_filter, clock, history)
                return in_context if not in_context.abstained else narrowed
        if self.understanding is not None:
            return self._understood(question, route, search_filter, clock, history)
        return self._answer(question, route, search_filter, clock)

    def _understood(
        self, question: str, route: Route, search_filter: SearchFilter, clock: RetrievalClock, history: Sequence[Answer]
    ) -> Draft:
        """The answer the fitted models and the policy choose, the question read in its conversation."""
        assert self.understanding is not None
        question = self.contextualize(question, [a.question for a in history])
        with clock:
            route, view = self.understanding.route(question, patterns=route)
        if route.kind == OUT_OF_SCOPE:
            # name the question's rare words the document never uses, never an everyday word
            unknown = (
                [] if is_english(question) else self.matcher.unknown(rare_terms(question, content_terms(question)))
            )
            return self.composer.abstain(not_mentioned(question, unknown) if unknown else NO_MATCH)
        return self._answer(question, route, search_filter, clock, searched=view.hits)

    def contextualize(self, question: str, earlier: Sequence[str]) -> str:
        """A follow-up that names nothing itself ("Hvilke dage er de på arbejde?") is read together with
        the question before it; one that names its own subject, principle or department stands alone."""
        if not earlier:
            return question
        names = self._focus(question, content_terms(question), english=False)
        if names or find_principle(question) or find_department(question):
            return question
        return f"{earlier[-1]} {question}"

    def _answer(
        self,
        question: str,
        route: Route,
        search_filter: SearchFilter,
        clock: RetrievalClock,
        *,
        searched: Sequence[Hit] = (),
    ) -> Draft:
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
            focus=self._focus(question, question_terms, english=english),
            # the understanding step's own search (no filter, top 5), reused when nothing narrows it
            searched=tuple(searched) if search_filter.empty else (),
        )
        handlers = {
            PRINCIPLE_LIST: self._principle,
            PRINCIPLE_STATEMENT: self._principle,
            OVERVIEW: lambda asked: self.generator.generate(asked.question, asked.route, Evidence()),
            DEPARTMENT_LIST: self._department,
            WHICH_PRINCIPLE: self._which_principle,
            TOPIC_LIST: self._topic,
        }
        handler = handlers.get(route.kind, self._general)
        if route.kind == DEPARTMENT_LIST and not route.department:
            handler = self._general
        return handler(asked)

    def _focus(self, question: str, question_terms: list[str], *, english: bool) -> list[str]:
        if english:
            return []
        rare = [t for t in rare_terms(question, question_terms) if t not in _ROUTING_TERMS]
        unknown = set(self.matcher.unknown(rare))
        return [t for t in rare if t not in unknown]

    def _principle(self, asked: _Asked) -> Draft:
        """A principle's statement, or its initiatives (all, or those of a department or about a topic)."""
        catalog, composer, matcher, route = self.catalog, self.composer, self.matcher, asked.route
        residual = [t for t in asked.residual if t in asked.focus]
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
            return self.generator.generate(asked.question, route, Evidence(principle=principle))
        # a department named in the question filters by the initiatives' departments
        department = find_department(asked.question)
        if department is not None:
            own = set(terms(f"{department.name} {department.code}"))
            residual = [t for t in residual if t not in own]
            only = [c for c in principle.initiatives if department.name in c.departments]
            if residual:
                only = [c for c in only if matcher.coverage(residual, c.text) > 0] or only
            evidence = Evidence(principle=principle, initiatives=tuple(only), about=department.name)
            return self.generator.generate(asked.question, route, evidence)
        # "Fagprincip 1 om børn og unge" names the principle's own topic; "... der handler om
        # Nørrebro" asks for the initiatives that concern something
        if residual and matcher.coverage(residual, principle.statement) < 0.5:
            only = [c for c in principle.initiatives if matcher.coverage(residual, c.text) > 0]
            about = _words_for(asked.question, residual)
            evidence = Evidence(principle=principle, initiatives=tuple(only), about=about)
            return self.generator.generate(asked.question, route, evidence)
        return self.generator.generate(asked.question, route, Evidence(principle=principle))

    def _department(self, asked: _Asked) -> Draft:
        """The initiatives a department takes part in, narrowed only by words the question adds."""
        code = asked.route.department or ""
        initiatives = self.catalog.initiatives_of_department(code)
        for principle in (asked.search_filter.principle, asked.route.principle):
            if principle:
                initiatives = [c for c in initiatives if c.principle == principle]
        department = resolve_department(code)
        own = set(terms(f"{department.name} {department.code}")) if department else set()
        extra = [t for t in asked.residual if t not in own and t in asked.focus]
        if extra:
            filtered = [c for c in initiatives if self.matcher.coverage(extra, c.text) > 0]
            if filtered:
                initiatives = filtered
        evidence = Evidence(department=code, initiatives=tuple(initiatives))
        return self.generator.generate(asked.question, asked.route, evidence)

    def _topic(self, asked: _Asked) -> Draft:
        """Every initiative about the question's topic, across principles: those that name its words,
        and those whose meaning is within the policy's margin of the closest one."""
        policy = self.understanding.policy if self.understanding else AnswerPolicy()
        # the topic is what the question names with rare words ("migranter", "Tingbjerg"); everyday words
        # of a chatty question ("jeg er lige startet …") never narrow it
        topic = asked.focus
        rare = rare_terms(asked.question, asked.terms)
        if rare and not topic and not asked.english:  # the topic's own words are nowhere in the document
            return self.composer.abstain(not_mentioned(asked.question, self.matcher.unknown(rare)))
        department = resolve_department(asked.route.department) if asked.route.department else None
        initiatives = [c for c in self.catalog.chunks if c.kind == KIND_INITIATIVE and asked.search_filter.accepts(c)]
        if department is not None:
            initiatives = [c for c in initiatives if department.name in c.departments] or initiatives
        if not initiatives:
            return self.composer.abstain(NO_MATCH)
        named = self._named_by(topic, initiatives, policy.topic_relative) if topic and not asked.english else set()
        close: set[str] = set()
        if not named:  # the topic's words are not in the corpus (English, a paraphrase): by meaning
            with asked.clock:
                hits = self.retriever.search(
                    asked.question,
                    k=len(initiatives),
                    search_filter=SearchFilter(chunk_ids=tuple(c.id for c in initiatives)),
                    lexical=not asked.english,
                )
            best = max((h.dense_score for h in hits), default=0.0)
            close = {h.chunk.id for h in hits if h.dense_score >= best - policy.topic_margin}
        chosen = [c for c in initiatives if c.id in named | close]
        if not chosen:
            return self._general(asked)
        about = _words_for(asked.question, topic) if topic and not asked.english else asked.question.strip(" ?")
        return self.generator.generate(asked.question, asked.route, Evidence(initiatives=tuple(chosen), about=about))

    def _named_by(self, topic: list[str], initiatives: Sequence[Chunk], relative: float) -> set[str]:
        """The initiatives whose BM25 score for the topic's words is at least ``relative`` of the best one's."""
        scores = self.retriever.bm25.scores(topic)
        rows = {c.id: self.retriever.row_of(c.id) for c in initiatives}
        best = max((float(scores[r]) for r in rows.values()), default=0.0)
        if best <= 0:
            return set()
        return {cid for cid, r in rows.items() if scores[r] >= relative * best}

    def _general(self, asked: _Asked) -> Draft:
        """The best sentences of the best passages, unless the document does not answer."""
        unknown = [] if asked.english else self.matcher.unknown(asked.terms)
        if len(asked.searched) >= self.settings.top_k:
            hits = list(asked.searched[: self.settings.top_k])
        else:
            with asked.clock:
                hits = self.retriever.search(
                    asked.question, k=self.settings.top_k, search_filter=asked.search_filter, lexical=not asked.english
                )
        verdict = self._abstention(asked.question, asked.terms, unknown, hits, english=asked.english)
        if verdict is not None:
            return self.composer.abstain(verdict)
        evidence = Evidence(hits=tuple(hits), terms=tuple(asked.terms), focus=tuple(asked.focus), english=asked.english)
        draft = self.generator.generate(asked.question, replace(asked.route, kind=GENERAL), evidence)
        if _PRINCIPLE_WORD.search(asked.question) and draft.citations and not draft.abstained:
            # a fact question that also asks which principle ("… og hvilket princip hører den under?")
            first = draft.citations[0]
            if first.principle:
                said = "It belongs under" if asked.english else "Det hører under"
                draft = replace(draft, text=f"{draft.text}\n\n{said} {first.principle}. [{first.n}]")
        return draft

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
                lexical=not asked.english,
            )
        if asked.english and hits:  # no shared words to weigh: the embedding's first choice
            return self.generator.generate(question, asked.route, Evidence(hits=tuple(hits[:1])))
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
        return self.generator.generate(
            question, replace(asked.route, kind=WHICH_PRINCIPLE), Evidence(hits=tuple(matches))
        )

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

        With the fitted question models the policy has already decided that the document answers; then
        only an empty search declines here.

        A question whose words are largely absent from the corpus (a compound of which only a part
        occurs counts half) is about something the document does not cover, however similar some
        passage looks; otherwise the most similar passage must be similar enough."""
        if not hits:
            return NO_MATCH
        if self.understanding is not None:
            return None
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
