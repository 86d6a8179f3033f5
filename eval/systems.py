"""The systems the evaluation compares: this assistant, and a naive RAG assembled the way a tutorial
would (RecursiveCharacterTextSplitter 1000/200 over the raw text, the same embedder, LangChain's FAISS,
top-4, no structure, no abstention)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sikkerby.assistant.answer import Answer, Generation
from sikkerby.assistant.service import AssistantService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Passage:
    id: str
    text: str
    principle: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class SystemAnswer:
    text: str
    citations: tuple[Passage, ...]
    abstained: bool
    latency_ms: float
    #: who wrote the answer and what a language model did for it (this assistant only)
    generation: Generation | None = None


class System(Protocol):
    """What the evaluator needs of a question-answering system."""

    name: str

    def retrieve(self, question: str, k: int, *, context: Sequence[str] = ()) -> list[Passage]: ...

    def answer(self, question: str, *, context: Sequence[str] = ()) -> SystemAnswer:
        """The answer to ``question`` asked after the ``context`` questions in the same conversation."""
        ...


class AssistantSystem:
    """This project's pipeline, through its service."""

    name = "Sikker By-assistenten"

    def __init__(self, service: AssistantService) -> None:
        self.service = service

    def retrieve(self, question: str, k: int, *, context: Sequence[str] = ()) -> list[Passage]:
        return [
            Passage(h.chunk.id, h.chunk.text, h.chunk.principle, h.chunk.page)
            for h in self.service.search(question, k=k, context=context)
        ]

    def answer(self, question: str, *, context: Sequence[str] = ()) -> SystemAnswer:
        history: list[Answer] = []
        for earlier in context:
            history.append(self.service.ask(earlier, history=tuple(history)))
        answer = self.service.ask(question, history=tuple(history))
        citations = tuple(Passage(c.chunk_id, c.text, c.principle, c.page) for c in answer.citations)
        return SystemAnswer(answer.answer, citations, answer.abstained, answer.timing_ms.total, answer.generation)


class NaiveSystem:
    """The tutorial pipeline: its "answer" is the 4 retrieved chunks, which a reader must go through."""

    name = "Naiv RAG (1000/200, FAISS top-4)"

    def __init__(
        self, service: AssistantService, *, chunk_size: int = 1000, chunk_overlap: int = 200, k: int = 4
    ) -> None:
        try:
            from langchain_community.vectorstores import FAISS
        except ImportError as exc:
            raise RuntimeError("the naive comparison needs langchain-community: pip install -e '.[eval]'") from exc
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.k = k
        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
        texts: list[str] = []
        for document in service.load_documents():
            texts.extend(splitter.split_text(document.text))
        self.chunk_count = len(texts)
        started = time.perf_counter()
        # its own embedder instance, so it shares no query cache with the assistant
        embeddings = service.langchain_embeddings(fresh=True)
        self.store = FAISS.from_texts(texts, embeddings, ids=[f"naive-{i}" for i in range(len(texts))])
        self.index_seconds = time.perf_counter() - started

    def retrieve(self, question: str, k: int, *, context: Sequence[str] = ()) -> list[Passage]:
        docs = self.store.similarity_search(question, k=min(k, self.k))
        return [Passage(d.id or "", d.page_content) for d in docs]

    def answer(self, question: str, *, context: Sequence[str] = ()) -> SystemAnswer:
        # a tutorial pipeline has no conversation: each question stands alone
        started = time.perf_counter()
        passages = self.retrieve(question, self.k)
        latency = (time.perf_counter() - started) * 1000
        return SystemAnswer("\n\n".join(p.text for p in passages), tuple(passages), False, latency)
