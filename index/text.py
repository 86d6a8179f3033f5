"""What BM25 sees of a chunk and of a query: Danish terms plus expanded abbreviations."""

from __future__ import annotations

import logging

from sikkerby.ingest.abbreviations import expand_abbreviations
from sikkerby.ingest.chunk import Chunk
from sikkerby.ingest.danish import terms

log = logging.getLogger(__name__)

#: Bump when the analysis below changes, so stored BM25 indexes are rebuilt.
ANALYZER_VERSION = 2


def chunk_search_text(chunk: Chunk) -> str:
    """The chunk's text with its departments and abbreviations spelled out."""
    parts = [expand_abbreviations(chunk.text), *chunk.departments]
    if chunk.principle:
        parts.append(chunk.principle)
    return " ".join(parts)


def chunk_terms(chunk: Chunk) -> list[str]:
    return terms(chunk_search_text(chunk))


def query_terms(query: str) -> list[str]:
    return terms(expand_abbreviations(query))
