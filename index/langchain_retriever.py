"""The hybrid retriever as a LangChain ``BaseRetriever``, for teams with their own chains."""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from sikkerby.index.hybrid import HybridRetriever, SearchFilter

log = logging.getLogger(__name__)


class SikkerByRetriever(BaseRetriever):
    """Returns LangChain documents whose metadata carries the chunk id, page, principle and departments."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 5
    principle: str | None = None
    departments: tuple[str, ...] = ()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.retriever.search(
            query, k=self.k, search_filter=SearchFilter(principle=self.principle, departments=self.departments)
        )
        return [
            Document(
                page_content=hit.chunk.text,
                id=hit.chunk.id,
                metadata=_metadata(hit.chunk.to_dict(), score=hit.score, dense_score=hit.dense_score),
            )
            for hit in hits
        ]


def _metadata(chunk: dict[str, Any], **scores: float) -> dict[str, Any]:
    meta = {k: v for k, v in chunk.items() if k != "text"}
    meta["chunk_id"] = meta.pop("id")
    meta.update(scores)
    return meta
