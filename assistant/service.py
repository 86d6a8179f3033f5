"""The assistant as one service: index building, search and cited answers. UI, CLI and evaluation
all call this and nothing below it."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from assistant.answer import Answer, Timing
from assistant.composer import NO_MATCH, AnswerComposer, Draft, not_mentioned
from assistant.feedback import FeedbackStore
from assistant.followup import FollowUp, follow_up_topic, resolve_follow_up
from assistant.matching import TermMatcher, content_terms, is_english
from assistant.router import (
    DEPARTMENT_LIST,
    GENERAL,
    OVERVIEW,
    PRINCIPLE_LIST,
    PRINCIPLE_STATEMENT,
    WHICH_PRINCIPLE,
    QuestionRouter,
    Route,
    find_department,
)
from assistant.settings import Settings, load_settings
from index.builder import BuildReport, IndexBuilder
from index.catalog import Catalog
from index.embedders import Embedder, create_embedder
from index.embedders.base import Progress
from index.hybrid import Hit, HybridRetriever, SearchFilter
from index.langchain_embeddings import SikkerByEmbeddings
from index.store import IndexStore, StoredIndex
from ingest.chunk import KIND_INITIATIVE, KIND_PRINCIPLE, Chunk
from ingest.danish import term, terms, words
from ingest.departments import resolve_department
from ingest.document import Document
from ingest.loaders import expand_paths, load_document
from ingest.pipeline import Ingestor, IngestResult

MAX_QUESTION_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

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


class ServiceError(ValueError):
    """A request the service cannot serve (empty question, unknown filter); the message says why."""


@dataclass
class _Loaded:
    stored: StoredIndex
    catalog: Catalog
    retriever: HybridRetriever
    matcher: TermMatcher
    composer: AnswerComposer


class AssistantService:
    """Loads the index lazily once and answers questions with citations."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.router = QuestionRouter()
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    # -- building ---------------------------------------------------------------------------------

    @cached_property
    def embedder(self) -> Embedder:
        return self.new_embedder()

    def new_embedder(self) -> Embedder:
        """An embedder as configured (the model loads on first use)."""
        s = self.settings
        return create_embedder(
            s.embedder,
            model=s.embedder_model,
            query_prefix=s.query_prefix,
            passage_prefix=s.passage_prefix,
            threads=s.threads,
            workers=s.embed_workers,
        )

    @property
    def store(self) -> IndexStore:
        return IndexStore(self.settings.index_dir)

    def langchain_embeddings(self, *, fresh: bool = False) -> SikkerByEmbeddings:
        """The configured embedder as LangChain ``Embeddings`` (for comparisons and user chains);
        ``fresh`` gives a separate instance that shares no query cache."""
        return SikkerByEmbeddings(self.new_embedder() if fresh else self.embedder)

    def load_documents(self, paths: Iterable[str | Path] | None = None) -> list[Document]:
        """The corpus's documents as loaded, page by page, before any parsing or repair."""
        files = expand_paths(list(paths) if paths is not None else list(self.settings.corpus))
        return [load_document(path) for path in files]

    def ingest(self, paths: Iterable[str | Path] | None = None) -> IngestResult:
        """Chunks of ``paths`` (default: the configured corpus)."""
        ingestor = Ingestor(repair=self.settings.repair, cache_dir=self.settings.data_dir / "cache" / "chunks")
        return ingestor.ingest(list(paths) if paths is not None else list(self.settings.corpus))

    def build_index(
        self,
        paths: Iterable[str | Path] | None = None,
        *,
        force: bool = False,
        progress: Progress | None = None,
        on_total: Progress | None = None,
    ) -> tuple[IngestResult, BuildReport | None]:
        """Ingest and (re)build the index when needed; returns what was ingested and what was built."""
        result = self.ingest(paths)
        if not result.chunks:
            return result, None
        builder = IndexBuilder(self.store, self.embedder, exact_limit=self.settings.exact_limit)
        report = builder.build(result.chunks, force=force, progress=progress, on_total=on_total)
        if report.status == "built":
            self.reload()
        return result, report

    # -- loading ----------------------------------------------------------------------------------

    def load(self) -> _Loaded:
        """The index, loaded once per process (thread-safe)."""
        loaded = self._loaded
        if loaded is not None:
            return loaded
        with self._lock:
            if self._loaded is None:
                stored = self.store.load()
                if stored.manifest.embedder_id != self.embedder.id:
                    raise ServiceError(
                        f"the index in {self.settings.index_dir} was built with {stored.manifest.embedder_id}, "
                        f"not {self.embedder.id}; run `sikkerby index` to rebuild it"
                    )
                catalog = Catalog(stored.chunks)
                matcher = TermMatcher(stored.bm25)
                retriever = HybridRetriever(
                    stored.chunks,
                    stored.dense,
                    stored.bm25,
                    self.embedder,
                    rrf_k=self.settings.rrf_k,
                    candidates=self.settings.candidates,
                    surface=stored.surface,
                )
                self._loaded = _Loaded(stored, catalog, retriever, matcher, AnswerComposer(catalog, matcher))
                is_english("opvarmning af ordlister")  # loads word frequencies now, not in the first answer
            return self._loaded

    def reload(self) -> None:
        with self._lock:
            self._loaded = None

    @property
    def catalog(self) -> Catalog:
        return self.load().catalog

    # -- search and answers -----------------------------------------------------------------------

    def make_filter(self, *, principle: str | None = None, departments: Sequence[str] = ()) -> SearchFilter:
        """A filter from user input; unknown principles or departments are a :class:`ServiceError`."""
        if principle and principle not in self.catalog.principles:
            known = ", ".join(self.catalog.principles) or "none"
            raise ServiceError(f"unknown principle {principle!r}; known: {known}")
        names = []
        for value in departments:
            department = resolve_department(value)
            if department is None:
                raise ServiceError(f"unknown department {value!r}; use a code such as SOF or a full name")
            names.append(department.name)
        return SearchFilter(principle=principle or None, departments=tuple(names))

    def search(
        self, query: str, *, k: int | None = None, principle: str | None = None, departments: Sequence[str] = ()
    ) -> list[Hit]:
        query = clean_question(query)
        search_filter = self.make_filter(principle=principle, departments=departments)
        return self.load().retriever.search(query, k=k or self.settings.top_k, search_filter=search_filter)

    def ask(
        self,
        question: str,
        *,
        principle: str | None = None,
        departments: Sequence[str] = (),
        history: Sequence[Answer] = (),
    ) -> Answer:
        """A cited Danish answer, or an abstention when the document does not answer it.

        ``history`` holds the conversation's earlier answers, so a follow-up ("Og hvilke af dem er for
        unge over 18?") is answered about what the previous answer cited."""
        started = time.perf_counter()
        question_text = clean_question(question)
        loaded = self.load()
        search_filter = self.make_filter(principle=principle, departments=departments)
        route = self.router.route(question_text)
        clock = _Clock()
        follow_up = None
        if history and route.kind in (GENERAL, WHICH_PRINCIPLE):
            kinds = {c.id: c.kind for c in loaded.stored.chunks}
            follow_up = resolve_follow_up(question_text, history, kinds)
        if follow_up is not None:
            draft = self._follow_up(question_text, route, follow_up, loaded, clock)
        else:
            draft = self._answer(question_text, route, search_filter, loaded, clock)
        total = (time.perf_counter() - started) * 1000
        return Answer(
            question=question,
            answer=draft.text,
            abstained=draft.abstained,
            citations=draft.citations,
            timing_ms=Timing(retrieve=clock.retrieve_ms, answer=max(total - clock.retrieve_ms, 0.0), total=total),
            route=route.kind if not draft.abstained else f"{route.kind}:abstained",
        )

    def _answer(
        self, question: str, route: Route, search_filter: SearchFilter, loaded: _Loaded, clock: _Clock
    ) -> Draft:
        catalog, composer, matcher = loaded.catalog, loaded.composer, loaded.matcher
        english = is_english(question)
        question_terms = content_terms(question)
        residual = [] if english else [t for t in question_terms if t not in _ROUTING_TERMS]

        if route.kind in (PRINCIPLE_LIST, PRINCIPLE_STATEMENT):
            principle = catalog.principle(route.principle) if route.principle else None
            if principle is None and route.topic:
                with clock:
                    hits = loaded.retriever.search(
                        route.topic, k=1, search_filter=SearchFilter(kinds=(KIND_PRINCIPLE,))
                    )
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
            return self._which_principle(question, residual, unknown, search_filter, loaded, clock)

        with clock:
            hits = loaded.retriever.search(
                question, k=self.settings.top_k, search_filter=search_filter, lexical=not english
            )
        verdict = self._abstention(question, question_terms, unknown, hits, loaded, english=english)
        if verdict is not None:
            return composer.abstain(verdict)
        return composer.general(question, hits, question_terms, english=english)

    def _follow_up(self, question: str, route: Route, follow_up: FollowUp, loaded: _Loaded, clock: _Clock) -> Draft:
        """Answer about the chunks the previous answer cited."""
        composer = loaded.composer
        scope = [loaded.catalog.by_id[i] for i in follow_up.scope if i in loaded.catalog.by_id]
        if route.kind == WHICH_PRINCIPLE and not follow_up.plural:
            with clock:
                hits = loaded.retriever.search(question, k=1, search_filter=SearchFilter(chunk_ids=follow_up.scope))
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
            hits = loaded.retriever.search(
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
        loaded: _Loaded,
        clock: _Clock,
    ) -> Draft:
        focus = residual or content_terms(question)
        with clock:
            hits = loaded.retriever.search(
                question,
                k=8,
                search_filter=SearchFilter(kinds=(KIND_INITIATIVE,), departments=search_filter.departments),
            )
        focus_unknown = [t for t in unknown if t in focus]
        verdict = self._abstention(question, focus, focus_unknown, hits, loaded, english=is_english(question))
        if verdict is not None:
            return loaded.composer.abstain(verdict)
        covered = [(loaded.matcher.coverage(focus, h.chunk.text), h) for h in hits]
        best = max(c for c, _ in covered)
        if best >= 0.5:
            matches = [h for c, h in covered if c >= 0.8 * best][:4]
        elif hits[0].dense_score >= self.settings.min_similarity + 0.05:
            matches = [hits[0]]
        else:
            return loaded.composer.abstain(NO_MATCH)
        return loaded.composer.which_principle(matches)

    def _abstention(
        self,
        question: str,
        question_terms: list[str],
        unknown: list[str],
        hits: Sequence[Hit],
        loaded: _Loaded,
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
        partial = [] if english else loaded.matcher.partial(question_terms)
        if question_terms and (unknown or partial):
            share = (len(unknown) + 0.5 * len(partial)) / len(question_terms)
            if share >= 0.5 or top < floor + 0.05:
                return not_mentioned(question, unknown or partial)
        if top < floor:
            return NO_MATCH
        return None

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self.catalog.by_id.get(chunk_id)

    # -- feedback ---------------------------------------------------------------------------------

    @cached_property
    def feedback(self) -> FeedbackStore:
        return FeedbackStore(self.settings.feedback_db)

    def record_feedback(self, answer: Answer, *, liked: bool, comment: str = "", session: str = "") -> int:
        """Store a thumbs up or down on an answer, with its question and citations."""
        return self.feedback.add(
            rating=1 if liked else -1,
            question=answer.question,
            answer=answer.answer,
            abstained=answer.abstained,
            citations=[c.to_dict() for c in answer.citations],
            comment=comment,
            session=session,
        )


class _Clock:
    """Accumulates time spent retrieving, for the answer's timing."""

    def __init__(self) -> None:
        self.retrieve_ms = 0.0
        self._start = 0.0

    def __enter__(self) -> _Clock:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.retrieve_ms += (time.perf_counter() - self._start) * 1000


def clean_question(question: str) -> str:
    """The question without control characters, whitespace-normalised, at most 1000 characters."""
    if not isinstance(question, str):
        raise ServiceError("the question must be text")
    text = _CONTROL.sub(" ", question)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise ServiceError("the question is empty")
    return text[:MAX_QUESTION_CHARS]


def _words_for(question: str, question_terms: Sequence[str]) -> str:
    wanted = set(question_terms)
    shown = [w for w in dict.fromkeys(words(question)) if term(w) in wanted]
    return " ".join(shown) or " ".join(question_terms)
