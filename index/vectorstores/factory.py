"""Pick where the index lives: the data directory (FAISS, the default) or PostgreSQL when a database URL
is configured."""

from __future__ import annotations

import logging
from pathlib import Path

from sikkerby.index.dense import DEFAULT_EXACT_LIMIT
from sikkerby.index.vectorstores.base import IndexStorage

log = logging.getLogger(__name__)

BACKENDS = ("faiss", "pgvector")


def create_index_store(
    index_dir: Path, *, database_url: str = "", exact_limit: int = DEFAULT_EXACT_LIMIT
) -> IndexStorage:
    """The index storage: PostgreSQL + pgvector at ``database_url`` when it is set, else FAISS files in
    ``index_dir``. Nothing is connected to here."""
    if database_url:
        from sikkerby.index.vectorstores.pgvector_store import PgIndexStore

        return PgIndexStore(database_url)
    from sikkerby.index.store import IndexStore

    return IndexStore(index_dir, exact_limit=exact_limit)


def reuse_sources(
    index_dir: Path, *, database_url: str = "", exact_limit: int = DEFAULT_EXACT_LIMIT
) -> tuple[IndexStorage, ...]:
    """Other storage whose last build may lend its vectors to a first build in the configured one: the
    FAISS files in ``index_dir`` when the index moves to PostgreSQL, so that switching backends does not
    embed the corpus again."""
    if not database_url or not (index_dir / "current").exists():
        return ()
    from sikkerby.index.store import IndexStore

    return (IndexStore(index_dir, exact_limit=exact_limit),)
