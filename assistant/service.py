"""The assistant as one service: index building, search and cited answers. UI, CLI and evaluation
all call this and nothing below it."""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sikkerby.assistant.answer import Answer, Timing
from sikkerby.assistant.answering import Answerer, RetrievalClock, Understander
from sikkerby.assistant.composer import AnswerComposer
from sikkerby.assistant.feedback import FeedbackStore, open_feedback_store
from sikkerby.assistant.generators import create_generator
from sikkerby.assistant.matching import TermMatcher, is_english
from sikkerby.assistant.policy import AnswerPolicy
from sikkerby.assistant.router import (
    QuestionRouter,
)
from sikkerby.assistant.settings import Settings, load_settings
from sikkerby.assistant.understanding.features import FeatureExtractor
from sikkerby.assistant.understanding.logreg import ModelFileError
from sikkerby.assistant.understanding.models import QuestionModels
from sikkerby.errors import SikkerbyError
from sikkerby.index.builder import BuildReport, IndexBuilder
from sikkerby.index.catalog import Catalog
from sikkerby.index.embedders import Embedder, create_embedder
from sikkerby.index.embedders.base import Progress
from sikkerby.index.hybrid import Hit, HybridRetriever, SearchFilter
from sikkerby.index.store import IndexMismatch, StoredIndex
from sikkerby.index.vectorstores.base import IndexStale, IndexStorage, IndexUnavailable
from sikkerby.index.vectorstores.factory import create_index_store, reuse_sources
from sikkerby.ingest import names
from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.departments import resolve_department
from sikkerby.ingest.document import Document
from sikkerby.ingest.loaders import expand_paths, load_document
from sikkerby.ingest.pipeline import Ingestor, IngestResult

if TYPE_CHECKING:  # LangChain is imported only when its adapter is asked for
    from sikkerby.assistant.understanding.labels import Labelled
    from sikkerby.assistant.understanding.training import TrainingReport
    from sikkerby.index.langchain_embeddings import SikkerByEmbeddings

log = logging.getLogger(__name__)

#: the errors callers of the service handle, whatever backend holds the index
__all__ = ["AssistantService", "IndexUnavailable", "ServiceError", "clean_question"]

MAX_QUESTION_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class ServiceError(SikkerbyError, ValueError):
    """A request the service cannot serve (empty question, unknown filter); the message says why."""


@dataclass
class _Loaded:
    stored: StoredIndex
    catalog: Catalog
    retriever: HybridRetriever
    answerer: Answerer


class AssistantService:
    """Loads the index lazily once and answers questions with citations."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.router = QuestionRouter()
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()
        #: when the published version was last compared with the loaded one (time.monotonic)
        self._checked = -math.inf

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
        )

    @cached_property
    def store(self) -> IndexStorage:
        """Where the index is published: the data directory, or the database of SIKKERBY_DATABASE_URL."""
        s = self.settings
        return create_index_store(s.index_dir, database_url=s.database_url, exact_limit=s.exact_limit)

    def langchain_embeddings(self, *, fresh: bool = False) -> SikkerByEmbeddings:
        """The configured embedder as LangChain ``Embeddings`` (for comparisons and user chains);
        ``fresh`` gives a separate instance that shares no query cache."""
        from sikkerby.index.langchain_embeddings import SikkerByEmbeddings

        return SikkerByEmbeddings(self.new_embedder() if fresh else self.embedder)

    def load_documents(self, paths: Iterable[str | Path] | None = None) -> list[Document]:
        """The corpus's documents as loaded, page by page, before any parsing or repair."""
        files = expand_paths(list(paths) if paths is not None else list(self.settings.corpus))
        return [load_document(path) for path in files]

    def ingest(self, paths: Iterable[str | Path] | None = None) -> IngestResult:
        """Chunks of ``paths`` (default: the configured corpus)."""
        s = self.settings
        ingestor = Ingestor(
            repair=s.repair,
            cache_dir=s.data_dir / "cache" / "chunks",
            max_file_bytes=s.max_file_mb * 2**20,
            max_pages=s.max_pages,
            follow_symlinks=s.follow_symlinks,
        )
        return ingestor.ingest(list(paths) if paths is not None else list(s.corpus))

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
        s = self.settings
        builder = IndexBuilder(
            self.store,
            self.embedder,
            exact_limit=s.exact_limit,
            max_chunks=s.max_chunks,
            reuse_from=reuse_sources(s.index_dir, database_url=s.database_url, exact_limit=s.exact_limit),
        )
        report = builder.build(result.chunks, force=force, progress=progress, on_total=on_total)
        if report.status == "built":
            self.reload()
        return result, report

    # -- loading ----------------------------------------------------------------------------------

    def load(self) -> _Loaded:
        """The index, loaded once per process (thread-safe). Where the storage numbers its builds (the
        database), a newer published build is noticed within ``reload_seconds`` and loaded while the
        one before keeps answering."""
        loaded = self._loaded
        if loaded is not None and not self._superseded(loaded):
            return loaded
        with self._lock:
            if self._loaded is None or self._loaded is loaded:
                stored = self.store.load()
                if stored.manifest.embedder_id != self.embedder.id:
                    raise IndexMismatch(
                        f"the index in {self.store.location} was built with {stored.manifest.embedder_id}, "
                        f"not {self.embedder.id}; run `sikkerby index` to rebuild it"
                    )
                if loaded is not None:
                    log.info("index version %s replaces version %s", stored.version, loaded.stored.version)
                self._checked = time.monotonic()
                catalog = Catalog(stored.chunks)
                names.register(c.text for c in stored.chunks)
                retriever = HybridRetriever(
                    stored.chunks,
                    stored.dense,
                    stored.bm25,
                    self.embedder,
                    rrf_k=self.settings.rrf_k,
                    candidates=self.settings.candidates,
                    surface=stored.surface,
                )
                matcher = TermMatcher(stored.bm25, respell=retriever.normalizer.respell)
                composer = AnswerComposer(catalog, matcher)
                answerer = Answerer(
                    catalog=catalog,
                    retriever=retriever,
                    matcher=matcher,
                    composer=composer,
                    settings=self.settings,
                    understanding=self._understanding(retriever, matcher),
                    generator=create_generator(self.settings.generator, composer, settings=self.settings),
                )
                self._loaded = _Loaded(stored, catalog, retriever, answerer)
                is_english("opvarmning af ordlister")  # loads word frequencies now, not in the first answer
            return self._loaded

    def _understanding(self, retriever: HybridRetriever, matcher: TermMatcher) -> Understander | None:
        """The fitted question models, when they were fitted for this embedder; else None (the
        pattern router answers alone, and a warning says to run `sikkerby train`)."""
        if not self.settings.question_models:
            return None
        try:
            models = QuestionModels.load()
        except ModelFileError as exc:
            log.warning("question models unavailable (%s); answering with the pattern router", exc)
            return None
        if models.embedder_id != self.embedder.id:
            log.warning(
                "question models were fitted for %s, not %s; run `sikkerby train` to fit them for this embedder",
                models.embedder_id,
                self.embedder.id,
            )
            return None
        stale = models.stale()
        if stale is not None:
            log.warning("question models unavailable (%s); run `sikkerby train`", stale)
            return None
        policy = AnswerPolicy()
        features = FeatureExtractor(
            retriever=retriever, matcher=matcher, focus_model=models.focus, focus_at=policy.focus_at
        )
        return Understander(features, models, policy)

    def train_question_models(
        self, rows: Sequence[Labelled], *, folds: int = 5
    ) -> tuple[QuestionModels, TrainingReport]:
        """Fit the question models on labelled questions (the bank's train and dev splits) for this embedder,
        cross-validated over ``folds`` folds."""
        from sikkerby.assistant.understanding.training import fit_models

        loaded = self.load()
        extractor = FeatureExtractor(
            retriever=loaded.retriever, matcher=loaded.answerer.matcher, focus_at=AnswerPolicy().focus_at
        )
        return fit_models(rows, extractor, embedder_id=self.embedder.id, k=folds)

    def _superseded(self, loaded: _Loaded) -> bool:
        """Whether another build has been published since ``loaded`` (asked at most every ``reload_seconds``)."""
        if loaded.stored.version is None:
            return False
        now = time.monotonic()
        if now - self._checked < self.settings.reload_seconds:
            return False
        self._checked = now
        return self.store.version() != loaded.stored.version

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
        self,
        query: str,
        *,
        k: int | None = None,
        principle: str | None = None,
        departments: Sequence[str] = (),
        context: Sequence[str] = (),
    ) -> list[Hit]:
        """Ranked passages; ``context`` holds the conversation's earlier questions (a follow-up that names
        nothing itself is searched together with the one before it). With the question models, the
        hybrid search's candidates are put in the fitted ranker's order."""
        query = clean_question(query, limit=self.settings.max_question_chars)
        if k is not None and k < 1:
            raise ServiceError(f"the number of results must be at least 1, not {k}")
        for attempt in (1, 2):
            loaded = self.load()
            search_filter = self.make_filter(principle=principle, departments=departments)
            k = k or self.settings.top_k
            prefix = loaded.answerer.context_for(query, list(context)) if context else ""
            try:
                if loaded.answerer.understanding is not None:
                    return loaded.answerer.understanding.rank(query, context=prefix, search_filter=search_filter)[:k]
                return loaded.retriever.search(f"{prefix} {query}".strip(), k=k, search_filter=search_filter)
            except IndexStale:
                if attempt == 2:
                    raise
                self._stale()
        raise AssertionError("unreachable")

    def _stale(self) -> None:
        """The loaded build was removed under a search: load the published one before trying again."""
        log.info("the loaded index was replaced while it was searched; loading the new one")
        self._checked = -math.inf

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
        asked = _normalise_question(question)
        limit = self.settings.max_question_chars
        question_text = asked[:limit]
        route = self.router.route(question_text)
        for attempt in (1, 2):
            loaded = self.load()
            search_filter = self.make_filter(principle=principle, departments=departments)
            clock = RetrievalClock()
            try:
                draft = loaded.answerer.draft(question_text, route, search_filter, clock, history=history)
                break
            except IndexStale:
                if attempt == 2:
                    raise
                self._stale()
        total = (time.perf_counter() - started) * 1000
        log.debug(
            "question %r: route %s (principle=%s department=%s topic=%s), %s, %d citations, %.1f ms",
            question_text[:200],
            route.kind,
            route.principle,
            route.department,
            route.topic,
            f"abstained: {draft.text[:160]!r}" if draft.abstained else "answered",
            len(draft.citations),
            total,
        )
        return Answer(
            question=question_text,
            question_cut_from=len(asked) if len(asked) > limit else None,
            answer=draft.text,
            abstained=draft.abstained,
            citations=draft.citations,
            timing_ms=Timing(
                retrieve=clock.retrieve_ms,
                answer=max(total - clock.retrieve_ms, 0.0),
                total=total,
                llm=draft.generation.llm_ms if draft.generation.asked else None,
                first_token=draft.generation.first_token_ms,
            ),
            route=draft.route if not draft.abstained else f"{draft.route}:abstained",
            generation=draft.generation,
        )

    def chunk(self, chunk_id: str) -> Chunk | None:
        return self.catalog.by_id.get(chunk_id)

    # -- feedback ---------------------------------------------------------------------------------

    @cached_property
    def feedback(self) -> FeedbackStore:
        s = self.settings
        return open_feedback_store(s.feedback_db, database_url=s.database_url, max_chars=s.max_feedback_chars)

    def record_feedback(self, answer: Answer, *, liked: bool, comment: str = "", session: str = "") -> int:
        """Store a thumbs up or down on an answer, with its question and citations."""
        if not isinstance(liked, bool):
            raise ServiceError(f"liked must be true or false, not {type(liked).__name__}")
        return self.feedback.add(
            rating=1 if liked else -1,
            question=answer.question,
            answer=answer.answer,
            abstained=answer.abstained,
            citations=[c.to_dict() for c in answer.citations],
            comment=comment,
            session=session,
        )

    def withdraw_feedback(self, row_id: int, *, session: str) -> bool:
        """Take back feedback row ``row_id`` given in ``session``; returns whether there was one."""
        return self.feedback.withdraw(row_id, session=session)


def clean_question(question: str, *, limit: int = MAX_QUESTION_CHARS) -> str:
    """The question without control characters, whitespace-normalised, at most ``limit`` characters."""
    return _normalise_question(question)[:limit]


def _normalise_question(question: str) -> str:
    """The question without control characters, whitespace-normalised; text that was not valid UTF-8
    (lone surrogates from the command line or stdin) becomes U+FFFD."""
    if not isinstance(question, str):
        raise ServiceError("the question must be text")
    text = _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", question))
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise ServiceError("the question is empty")
    return text
