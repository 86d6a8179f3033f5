"""Connections to PostgreSQL: one psycopg pool per database URL and process, and the errors a database
that is down or missing turns into.

psycopg, psycopg_pool and pgvector are an optional extra (``pip install 'sikkerby[pg]'``); they are imported
only when a database URL is configured.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from sikkerby.errors import SikkerbyError
from sikkerby.index.vectorstores.base import IndexUnavailable

if TYPE_CHECKING:
    import psycopg
    from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)

#: how long a request waits for a connection before it reports the database as unreachable
CONNECT_TIMEOUT = 5.0
#: connections per process (Gradio answers a few requests at once per replica)
POOL_MAX = 8
URL_SCHEMES = ("postgresql", "postgres")
#: how every connection searches an HNSW index: 128 candidates (as FAISS's efSearch), and scanning on until
#: a filtered query has its k rows, in exact distance order (pgvector 0.8)
SESSION_SETTINGS = ("SET hnsw.ef_search = 128", "SET hnsw.iterative_scan = strict_order")
#: pg_advisory_lock key that serialises creating the pgvector extension
EXTENSION_LOCK = 0x73696B6B657200

T = TypeVar("T")

_pools: dict[str, ConnectionPool] = {}
_pools_lock = threading.Lock()


class DatabaseError(SikkerbyError):
    """The database URL is unusable or the database holds something this project did not write there."""


class MissingDriver(SikkerbyError):
    """A database URL is configured but the PostgreSQL client packages are not installed."""


def check_url(url: str) -> str:
    """``url`` when it is a PostgreSQL URL (``postgresql://…``); else a :class:`DatabaseError` naming the setting."""
    if urlsplit(url).scheme not in URL_SCHEMES:
        raise DatabaseError(
            f"setting database_url: {redact(url)!r} is not a postgresql:// URL "
            "(SIKKERBY_DATABASE_URL or --database-url)"
        )
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _drivers() -> tuple[Any, Any, Any]:
    try:
        import psycopg
        import psycopg_pool
        from pgvector import psycopg as pgvector_psycopg
    except ImportError as exc:
        raise MissingDriver(
            f"the PostgreSQL backend needs {exc.name or 'psycopg'}: install sikkerby[pg] "
            "(pip install 'sikkerby[pg]'), or unset SIKKERBY_DATABASE_URL"
        ) from None
    return psycopg, psycopg_pool, pgvector_psycopg


def pool_for(url: str) -> ConnectionPool:
    """The process's connection pool for ``url``, opened without waiting for the database (a replica
    starts while its database is still coming up; requests then wait up to :data:`CONNECT_TIMEOUT`)."""
    check_url(url)
    with _pools_lock:
        pool = _pools.get(url)
        if pool is None:
            psycopg, psycopg_pool, pgvector_psycopg = _drivers()

            def configure(conn: Any) -> None:
                try:
                    pgvector_psycopg.register_vector(conn)
                except psycopg.ProgrammingError:  # a new database: the first connection creates the extension
                    conn.rollback()
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (EXTENSION_LOCK,))
                    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
                    conn.commit()
                    pgvector_psycopg.register_vector(conn)
                for statement in SESSION_SETTINGS:  # once per connection, not per query
                    conn.execute(statement)
                conn.commit()

            pool = psycopg_pool.ConnectionPool(
                url,
                min_size=1,
                max_size=POOL_MAX,
                timeout=CONNECT_TIMEOUT,
                configure=configure,
                check=psycopg_pool.ConnectionPool.check_connection,
                kwargs={"connect_timeout": int(CONNECT_TIMEOUT), "application_name": "sikkerby"},
                reconnect_timeout=3600.0,
                open=False,
                name="sikkerby",
            )
            pool.open(wait=False)
            _pools[url] = pool
        return pool


def reset_pools() -> None:
    """Close every pool (tests, and a process that forks)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.close(timeout=1.0)
        _pools.clear()


def unavailable(url: str, exc: BaseException) -> IndexUnavailable:
    """The error a request gets while the database cannot be reached."""
    reason = " ".join(str(exc).split())[:200] or type(exc).__name__
    return IndexUnavailable(
        f"the database {redact(url)} cannot be reached ({reason}); it is retried on the next request"
    )


@contextmanager
def connection(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A pooled connection in a transaction (committed when the block ends, rolled back on an error);
    a database that is down or unreachable is an :class:`IndexUnavailable`."""
    psycopg, _pool, _vector = _drivers()
    pool = pool_for(url)
    try:
        with pool.connection() as conn:
            yield conn
    except psycopg.OperationalError as exc:  # also the pool's PoolTimeout, and a server shutting down
        raise unavailable(url, exc) from None


def run(url: str, work: Callable[[psycopg.Connection[Any]], T]) -> T:
    """``work`` on a pooled connection; see :func:`connection`."""
    with connection(url) as conn:
        return work(conn)
