"""Plain size-bounded chunks for documents without the strategy's principle structure."""

from __future__ import annotations

import logging
import re

from sikkerby.ingest.chunk import KIND_PASSAGE, Chunk
from sikkerby.ingest.departments import find_departments
from sikkerby.ingest.document import Document
from sikkerby.ingest.structure import Repair

log = logging.getLogger(__name__)


class PlainSplitter:
    """Splits each page on paragraphs, then sentences, into chunks of at most ``chunk_size`` chars."""

    def __init__(self, *, chunk_size: int = 900, chunk_overlap: int = 120, repair: Repair | None = None) -> None:
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.repair = repair or (lambda text: text)

    def split(self, document: Document) -> list[Chunk]:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=self.chunk_size,
            chunk_overlap=self.chunk_overlap,
            separators=["\n\n", "\n", ". ", " ", ""],
            keep_separator="end",
        )
        chunks: list[Chunk] = []
        for page in document.pages:
            for piece in splitter.split_text(page.text):
                raw = re.sub(r"[ \t]*\n[ \t]*", " ", piece).strip()
                raw = re.sub(r"\s{2,}", " ", raw)
                if not raw:
                    continue
                text = self.repair(raw)
                chunks.append(
                    Chunk(
                        document=document.name,
                        page=page.number,
                        text=text,
                        kind=KIND_PASSAGE,
                        departments=find_departments(text),
                        raw_text=raw,
                        ordinal=len(chunks),
                    )
                )
        return chunks
