"""The PostgreSQL backend: chunks, their vectors (pgvector, an HNSW index for cosine distance), the
manifest and the published version live in one database that any number of app replicas share.

Every build gets a new version: its own table ``sikkerby_chunks_v<N>`` (rows, metadata, vectors and
indexes) and a row in ``sikkerby_index_version`` (manifest, word counts). The table is filled, indexed and
made current in one transaction, so a reader sees the previous build or the new one, never part of one.
Replicas notice the new version by polling :meth:`PgIndexStore.version` and load it without a restart;
the build before the current one is kept until the next publish, so a replica that has not noticed yet
still answers. BM25 is built in each replica from the chunks it loads (the same analysis as the file
backend, so the answers are the same).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np

from sikkerby.index.bm25 import BM25Index
from sikkerby.index.manifest import FORMAT_VERSION, Manifest, ManifestError
from sikkerby.index.store import IndexDamaged, IndexMissing, IndexStoreError, StoredIndex
from sikkerby.index.text import chunk_terms
from sikkerby.index.vectorstores import postgres
from sikkerby.index.vectorstores.base import IndexStale, SearchFilter, VectorStoreError
from sikkerby.ingest.chunk import Chunk

log = logging.getLogger(__name__)

#: pg_advisory_lock key of writers (builds and schema set-up): "sikkerby" in ASCII, truncated to 63 bits
LOCK_KEY = 0x73696B6B657262
CHUNKS_PART = "chunks"
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
EF_SEARCH = 128

_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE SEQUENCE IF NOT EXISTS sikkerby_index_version_seq;
CREATE TABLE IF NOT EXISTS sikkerby_index_version (
    version bigint PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    chunk_table text NOT NULL,
    manifest jsonb NOT NULL,
    surface jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS sikkerby_index_current (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version bigint NOT NULL REFERENCES sikkerby_index_version (version)
);
"""

#: the columns of a version's chunk table besides the vector, in the order of :func:`_row`
_COLUMNS = (
    "row",
    "id",
    "document",
    "page",
    "kind",
    "principle",
    "statement",
    "departments",
    "raw_text",
    "ordinal",
    "text",
)
_COPY_TYPES = [
    "integer",
    "text",
    "text",
    "integer",
    "text",
    "text",
    "text",
    "text[]",
    "text",
    "integer",
    "text",
    "vector",
]


def ensure_schema(conn: Any) -> None:
    """Create the extension and the shared tables when missing (serialised: replicas may start at once)."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY + 1,))
    conn.execute(_SCHEMA)
    conn.commit()


def _row(row: int, chunk: Chunk) -> tuple[Any, ...]:
    return (
        row,
        chunk.id,
        chunk.document,
        chunk.page,
        chunk.kind,
        chunk.principle,
        chunk.statement,
        list(chunk.departments),
        chunk.raw_text,
        chunk.ordinal,
        chunk.text,
    )


def _chunk(record: Sequence[Any]) -> Chunk:
    _row_number, chunk_id, document, page, kind, principle, statement, departments, raw_text, ordinal, text = record
    return Chunk(
        document=document,
        page=page,
        text=text,
        kind=kind,
        principle=principle,
        statement=statement,
        departments=tuple(departments or ()),
        raw_text=raw_text,
        ordinal=ordinal,
        id=chunk_id,
    )


def _array(value: Any) -> np.ndarray:
    """A vector as pgvector's adapter returns it (a ``Vector``, or already an array) as float32."""
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    return np.asarray(value, dtype=np.float32)


def chunks_digest(chunks: Sequence[Chunk]) -> str:
    """SHA-256 of the chunks as the file backend writes them (one JSON object a line)."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update((json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n").encode("utf-8"))
    return digest.hexdigest()


def _where(search_filter: SearchFilter | None) -> tuple[Any, list[Any]]:
    """The filter as an SQL condition with its parameters."""
    from psycopg import sql

    conditions: list[Any] = []
    params: list[Any] = []
    if search_filter is not None:
        if search_filter.chunk_ids:
            conditions.append(sql.SQL("id = ANY(%s)"))
            params.append(list(search_filter.chunk_ids))
        if search_filter.principle:
            conditions.append(sql.SQL("principle = %s"))
            params.append(search_filter.principle)
        if search_filter.departments:
            conditions.append(sql.SQL("departments && %s::text[]"))
            params.append(list(search_filter.departments))
        if search_filter.kinds:
            conditions.append(sql.SQL("kind = ANY(%s)"))
            params.append(list(search_filter.kinds))
        if search_filter.documents:
            conditions.append(sql.SQL("document = ANY(%s)"))
            params.append(list(search_filter.documents))
    if not conditions:
        return sql.SQL("TRUE"), params
    return sql.SQL(" AND ").join(conditions), params


class PgVectorStore:
    """The vectors of one published build, searched in PostgreSQL. Filters are SQL conditions (with
    btree and GIN indexes on the metadata). An exact build ("flat", at most ``exact_limit`` chunks, as
    with FAISS) is ranked by inner product over every accepted row; an "hnsw" build by the HNSW cosine
    index, scanning on (iteratively) until ``k`` rows pass the filter."""

    def __init__(self, url: str, table: str, *, dim: int, kind: str, size: int) -> None:
        self.url = url
        self.table = table
        self._dim = dim
        self._kind = kind
        self._size = size

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def size(self) -> int:
        return self._size

    def _ident(self) -> Any:
        from psycopg import sql

        return sql.Identifier(self.table)

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        import psycopg

        with postgres.connection(self.url) as conn:
            try:
                yield conn
            except psycopg.errors.UndefinedTable as exc:
                raise IndexStale(f"{self.table} was removed by a newer build; reload the index") from exc

    def search(
        self, vector: np.ndarray, k: int, *, search_filter: SearchFilter | None = None
    ) -> list[tuple[str, float]]:
        from psycopg import sql

        if k <= 0:
            return []
        query = np.ascontiguousarray(np.asarray(vector, dtype=np.float32).reshape(-1))
        where, params = _where(search_filter)
        if self._kind == "flat":
            # <#> is the negative inner product: no cosine index serves it, so every accepted row is scored,
            # exactly like FAISS's IndexFlatIP (the vectors are normalised: inner product = cosine)
            statement = sql.SQL(
                "SELECT id, -(embedding <#> %s) FROM {} WHERE {} ORDER BY embedding <#> %s, row LIMIT %s"
            ).format(self._ident(), where)
        else:
            statement = sql.SQL(
                "SELECT id, 1 - (embedding <=> %s) FROM {} WHERE {} ORDER BY embedding <=> %s LIMIT %s"
            ).format(self._ident(), where)
        with self._connection() as conn:
            if self._kind != "flat" and k > EF_SEARCH:  # each connection has ef_search 128 (postgres.py)
                conn.execute(sql.SQL("SET LOCAL hnsw.ef_search = {}").format(sql.Literal(k)))
            rows = conn.execute(statement, [query, *params, query, k]).fetchall()
        return [(chunk_id, float(score)) for chunk_id, score in rows]

    def vectors(self, ids: Sequence[str] | None = None) -> np.ndarray:
        from psycopg import sql

        with self._connection() as conn:
            if ids is None:
                rows = conn.execute(sql.SQL("SELECT id, embedding FROM {} ORDER BY row").format(self._ident()))
                found = rows.fetchall()
                order = [chunk_id for chunk_id, _v in found]
            else:
                order = list(ids)
                found = conn.execute(
                    sql.SQL("SELECT id, embedding FROM {} WHERE id = ANY(%s)").format(self._ident()), [order]
                ).fetchall()
        by_id = {chunk_id: _array(v) for chunk_id, v in found}
        missing = [i for i in order if i not in by_id]
        if missing:
            raise VectorStoreError(f"no chunk {missing[0]!r} in {self.table}")
        if not order:
            return np.empty((0, self._dim), dtype=np.float32)
        return np.stack([by_id[i] for i in order])

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Insert the chunks, replacing rows with the same id (new ones go after the last row)."""
        from psycopg import sql

        vectors = np.asarray(vectors, dtype=np.float32)
        if len(chunks) != len(vectors) or (len(vectors) and vectors.shape[1] != self._dim):
            raise VectorStoreError(f"{len(chunks)} chunks and {vectors.shape} vectors do not fit a {self._dim}-d index")
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in (*_COLUMNS, "embedding"))
        updates = sql.SQL(", ").join(
            sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in (*_COLUMNS[2:], "embedding")
        )
        statement = sql.SQL(
            "INSERT INTO {} ({}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET {}"
        ).format(self._ident(), columns, updates)
        with self._connection() as conn:
            conn.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(self._ident()))
            start = conn.execute(sql.SQL("SELECT coalesce(max(row), -1) + 1 FROM {}").format(self._ident())).fetchone()
            with conn.cursor() as cur:
                cur.executemany(
                    statement, [(*_row(start[0] + i, c), v) for i, (c, v) in enumerate(zip(chunks, vectors))]
                )
            self._size = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(self._ident())).fetchone()[0]

    def delete_document(self, document: str) -> int:
        from psycopg import sql

        with self._connection() as conn:
            removed = conn.execute(sql.SQL("DELETE FROM {} WHERE document = %s").format(self._ident()), [document])
            count = removed.rowcount
            self._size -= count
        return int(count)


class PgIndexStore:
    """Published builds in PostgreSQL (see the module's description)."""

    def __init__(self, url: str) -> None:
        self.url = postgres.check_url(url)
        self._schema_ready = False

    @property
    def location(self) -> str:
        return postgres.redact(self.url)

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        with postgres.connection(self.url) as conn:
            if not self._schema_ready:
                ensure_schema(conn)
                self._schema_ready = True
            yield conn

    # -- versions -----------------------------------------------------------------------------------

    def version(self) -> str | None:
        with self._connection() as conn:
            row = conn.execute("SELECT version FROM sikkerby_index_current").fetchone()
        return None if row is None else str(row[0])

    def exists(self) -> bool:
        return self.version() is not None

    def _current(self, conn: Any) -> tuple[int, str, Manifest, Any]:
        row = conn.execute(
            "SELECT v.version, v.chunk_table, v.manifest::text, v.surface FROM sikkerby_index_current c "
            "JOIN sikkerby_index_version v USING (version)"
        ).fetchone()
        if row is None:
            raise IndexMissing(f"no index in the database {self.location}; run `sikkerby index` first")
        version, table, manifest_text, surface = row
        try:
            manifest = Manifest.from_json(manifest_text)
        except ManifestError as exc:
            raise IndexDamaged(f"{self.location}: version {version} has an unreadable manifest ({exc})") from exc
        return version, table, manifest, surface

    def manifest(self) -> Manifest:
        with self._connection() as conn:
            return self._current(conn)[2]

    def salvage(self, embedder_id: str) -> tuple[Manifest, np.ndarray, list[Chunk] | None] | None:
        """None: a build is published in one transaction, so there is never a half-damaged one to salvage."""
        return None

    @contextmanager
    def lock(self) -> Iterator[None]:
        """A session advisory lock, held on its own connection for the whole build."""
        with self._connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
            conn.commit()
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
                conn.commit()

    # -- loading ------------------------------------------------------------------------------------

    def load(self) -> StoredIndex:
        """The current build: manifest and chunks read in one snapshot, each chunk checked against its id
        and all of them against the manifest's checksum; BM25 is built here from the chunks."""
        import psycopg
        from psycopg import sql

        for _attempt in range(3):
            with self._connection() as conn:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                version, table, manifest, surface = self._current(conn)
                columns = sql.SQL(", ").join(sql.Identifier(c) for c in _COLUMNS)
                try:
                    records = conn.execute(
                        sql.SQL("SELECT {} FROM {} ORDER BY row").format(columns, sql.Identifier(table))
                    ).fetchall()
                except psycopg.errors.UndefinedTable:  # dropped by a newer publish between two statements
                    conn.rollback()
                    continue
            return self._verified(version, table, manifest, surface, records)
        raise IndexStoreError(f"{self.location}: the index was replaced 3 times while it was read")

    def _verified(self, version: int, table: str, manifest: Manifest, surface: Any, records: list[Any]) -> StoredIndex:
        if manifest.format_version != FORMAT_VERSION:
            raise IndexStoreError(
                f"{self.location}: index format {manifest.format_version} is not {FORMAT_VERSION}; "
                "run `sikkerby index` to rebuild it"
            )
        chunks = [_chunk(r) for r in records]
        for chunk in chunks:
            if chunk.id != chunk.compute_id():
                raise IndexDamaged(f"{self.location}: chunk {chunk.id} in {table} does not match its content")
        if len(chunks) != manifest.chunk_count:
            raise IndexDamaged(f"{table}: {len(chunks)} chunks, the manifest says {manifest.chunk_count}")
        if manifest.files.get(CHUNKS_PART) != chunks_digest(chunks):
            raise IndexDamaged(f"{table}: the chunks differ from the manifest's checksum; run `sikkerby index`")
        if not isinstance(surface, dict) or not all(type(v) is int for v in surface.values()):
            raise IndexDamaged(f"{self.location}: version {version} has unreadable word counts")
        dense = PgVectorStore(self.url, table, dim=manifest.dim, kind=manifest.dense_kind, size=len(chunks))
        bm25 = BM25Index.build([chunk_terms(c) for c in chunks])
        return StoredIndex(
            manifest=manifest, chunks=chunks, dense=dense, bm25=bm25, surface=surface, version=str(version)
        )

    # -- publishing ---------------------------------------------------------------------------------

    def publish(
        self, manifest: Manifest, chunks: list[Chunk], vectors: np.ndarray, surface: dict[str, int]
    ) -> Manifest:
        """One transaction: a new version's table filled by COPY, its indexes built, the version made
        current, and builds older than the one it replaces dropped."""
        from psycopg import sql

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._connection() as conn:
            conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
            version = conn.execute("SELECT nextval('sikkerby_index_version_seq')").fetchone()[0]
            table = f"sikkerby_chunks_v{version}"
            manifest = replace(
                manifest,
                files={CHUNKS_PART: chunks_digest(chunks)},
                extra={**manifest.extra, "backend": "pgvector", "version": version, "table": table},
            )
            ident = sql.Identifier(table)
            conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (row integer PRIMARY KEY, id text NOT NULL UNIQUE, document text NOT NULL, "
                    "page integer NOT NULL, kind text NOT NULL, principle text, statement text, "
                    "departments text[] NOT NULL, raw_text text NOT NULL, ordinal integer NOT NULL, "
                    "text text NOT NULL, embedding vector({}) NOT NULL)"
                ).format(ident, sql.Literal(manifest.dim))
            )
            columns = sql.SQL(", ").join(sql.Identifier(c) for c in (*_COLUMNS, "embedding"))
            with (
                conn.cursor() as cur,
                cur.copy(sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT BINARY)").format(ident, columns)) as copy,
            ):
                copy.set_types(_COPY_TYPES)
                for row, (chunk, vector) in enumerate(zip(chunks, vectors)):
                    copy.write_row((*_row(row, chunk), vector))
            conn.execute(
                sql.SQL(
                    "CREATE INDEX ON {} USING hnsw (embedding vector_cosine_ops) WITH (m = {}, ef_construction = {})"
                ).format(ident, sql.Literal(HNSW_M), sql.Literal(HNSW_EF_CONSTRUCTION))
            )
            for column, method in (
                ("principle", "btree"),
                ("kind", "btree"),
                ("document", "btree"),
                ("departments", "gin"),
            ):
                conn.execute(
                    sql.SQL("CREATE INDEX ON {} USING {} ({})").format(ident, sql.SQL(method), sql.Identifier(column))
                )
            conn.execute(
                "INSERT INTO sikkerby_index_version (version, chunk_table, manifest, surface) VALUES (%s, %s, %s, %s)",
                (version, table, manifest.to_json(), json.dumps(surface, ensure_ascii=False)),
            )
            previous = conn.execute("SELECT version FROM sikkerby_index_current FOR UPDATE").fetchone()
            conn.execute(
                "INSERT INTO sikkerby_index_current (singleton, version) VALUES (true, %s) "
                "ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version",
                (version,),
            )
            self._drop_older(conn, keep=(version, previous[0] if previous else version))
            conn.execute(sql.SQL("NOTIFY sikkerby_index, {}").format(sql.Literal(str(version))))
            conn.execute("ANALYZE " + sql.Identifier(table).as_string(conn))
        log.info("published index version %s (%d chunks) in %s", version, len(chunks), self.location)
        return manifest

    @staticmethod
    def _drop_older(conn: Any, *, keep: tuple[int, int]) -> None:
        """Remove builds older than the two kept (the new one and the one replicas may still be reading)."""
        from psycopg import sql

        old = conn.execute(
            "SELECT version, chunk_table FROM sikkerby_index_version WHERE version <> ALL(%s)", (list(keep),)
        ).fetchall()
        for version, table in old:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
            conn.execute("DELETE FROM sikkerby_index_version WHERE version = %s", (version,))
