"""Thumbs up/down on answers, kept in a local SQLite file and exportable for the evaluation."""

from __future__ import annotations

import csv
import io
import json
import logging
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sikkerby.errors import SikkerbyError

log = logging.getLogger(__name__)

#: the columns of the feedback table, in order
COLUMNS = ("id", "created_at", "rating", "question", "answer", "abstained", "citations", "comment", "session")
#: at most this many citations per feedback (answers cite a principle's whole list: a few dozen at most)
MAX_CITATIONS = 200
MAX_SESSION_CHARS = 64
#: spreadsheet programs run a cell that starts with one of these as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    citations TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    session TEXT NOT NULL DEFAULT ''
)
"""


@dataclass(frozen=True)
class FeedbackRecord:
    id: int
    created_at: str
    rating: int
    question: str
    answer: str
    abstained: bool
    citations: list[dict[str, Any]]
    comment: str = ""
    session: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FeedbackError(SikkerbyError, ValueError):
    """Feedback that cannot be stored or read: a field of the wrong type or too long, or a database
    file that is not this store's; the message names the field or the file."""


class FeedbackStore:
    """Feedback in SQLite (WAL mode), safe when many users click at once. A file that is
    not a feedback database is reported, never overwritten."""

    def __init__(self, path: Path, *, max_chars: int = 20_000) -> None:
        self.path = Path(path)
        self.max_chars = max_chars
        self._ready = False

    @property
    def where(self) -> str:
        """Where the feedback is kept, for messages."""
        return str(self.path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self.path.is_dir():
            raise FeedbackError(f"{self.path}: is a folder, not a feedback database")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackError(f"{self.path}: cannot open the feedback database ({exc})") from exc
        try:
            try:
                conn.execute("PRAGMA busy_timeout = 30000")
                if not self._ready:
                    conn.execute("PRAGMA journal_mode = WAL")
                    conn.execute(_SCHEMA)
                    self._check_schema(conn)
                    self._ready = True
            except sqlite3.DatabaseError as exc:
                if "locked" in str(exc):
                    raise
                raise FeedbackError(f"{self.path}: not a feedback database ({exc})") from exc
            yield conn
        finally:
            conn.close()

    def _check_schema(self, conn: sqlite3.Connection) -> None:
        columns = tuple(row[1] for row in conn.execute("PRAGMA table_info(feedback)"))
        if columns != COLUMNS:
            raise FeedbackError(
                f"{self.path}: its feedback table has the columns {', '.join(columns)}, not {', '.join(COLUMNS)}; "
                "point SIKKERBY_FEEDBACK_DB at another file"
            )

    def _check(self, name: str, value: Any, *, limit: int | None = None) -> None:
        if not isinstance(value, str):
            raise FeedbackError(f"feedback field {name!r} must be text, not {type(value).__name__}")
        limit = self.max_chars if limit is None else limit
        if len(value) > limit:
            raise FeedbackError(f"feedback field {name!r} has {len(value):,} characters; at most {limit:,}")

    def _validate(
        self, rating: int, texts: dict[str, str], abstained: bool, citations: Sequence[dict[str, Any]]
    ) -> None:
        if type(rating) is not int or rating not in (1, -1):
            raise FeedbackError("rating must be 1 (thumbs up) or -1 (thumbs down)")
        if not isinstance(abstained, bool):
            raise FeedbackError("feedback field 'abstained' must be true or false")
        for name, value in texts.items():
            self._check(name, value, limit=MAX_SESSION_CHARS if name == "session" else None)
        if not isinstance(citations, Sequence) or len(citations) > MAX_CITATIONS:
            raise FeedbackError(f"feedback field 'citations' must be a list of at most {MAX_CITATIONS}")
        for citation in citations:
            if not isinstance(citation, dict):
                raise FeedbackError("each citation of a feedback is an object")
            self._check("citations.text", citation.get("text", ""))

    def add(
        self,
        *,
        rating: int,
        question: str,
        answer: str,
        abstained: bool,
        citations: Sequence[dict[str, Any]],
        comment: str = "",
        session: str = "",
    ) -> int:
        """Store one rating (+1 or -1); returns the new row id. Retries while another writer holds the lock.
        A field of the wrong type or longer than the limit is a :class:`FeedbackError`."""
        texts = {"question": question, "answer": answer, "comment": comment, "session": session}
        self._validate(rating, texts, abstained, citations)
        row = (
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            rating,
            question,
            answer,
            int(abstained),
            json.dumps(list(citations), ensure_ascii=False),
            comment,
            session,
        )
        return self._insert(row)

    def _insert(self, row: tuple[Any, ...]) -> int:
        for attempt in range(10):
            try:
                with self._connect() as conn:
                    cur = conn.execute(
                        "INSERT INTO feedback (created_at, rating, question, answer, abstained, citations, comment,"
                        " session) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    )
                    return int(cur.lastrowid or 0)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 9:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise RuntimeError("unreachable")

    def withdraw(self, row_id: int, *, session: str) -> bool:
        """Remove row ``row_id`` when it was given in ``session`` (a thumb clicked again takes it back, and
        a changed mind replaces it); returns whether a row was removed."""
        self._check("session", session, limit=MAX_SESSION_CHARS)
        if not isinstance(row_id, int) or isinstance(row_id, bool):
            return False
        return self._delete(row_id, session)

    def _delete(self, row_id: int, session: str) -> bool:
        if not self.path.exists():
            return False
        for attempt in range(10):
            try:
                with self._connect() as conn:
                    cur = conn.execute("DELETE FROM feedback WHERE id = ? AND session = ?", (row_id, session))
                    return cur.rowcount > 0
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 9:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise RuntimeError("unreachable")

    def all(self, *, rating: int | None = None) -> list[FeedbackRecord]:
        return [self._record(r) for r in self._select(rating)]

    def _select(self, rating: int | None) -> list[tuple[Any, ...]]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            query = f"SELECT {', '.join(COLUMNS)} FROM feedback"
            params: tuple[Any, ...] = ()
            if rating is not None:
                query += " WHERE rating = ?"
                params = (rating,)
            try:
                rows = conn.execute(query + " ORDER BY id", params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise FeedbackError(f"{self.path}: unreadable feedback database ({exc})") from exc
        return rows

    def _record(self, row: tuple[Any, ...]) -> FeedbackRecord:
        try:
            citations = json.loads(row[6])
        except (TypeError, ValueError, RecursionError) as exc:
            raise FeedbackError(f"{self.where}: row {row[0]} has unreadable citations") from exc
        return FeedbackRecord(
            id=row[0],
            created_at=row[1],
            rating=row[2],
            question=row[3],
            answer=row[4],
            abstained=bool(row[5]),
            citations=citations,
            comment=row[7],
            session=row[8],
        )

    def export(self, fmt: str, *, rating: int | None = None) -> str:
        """All feedback as JSON lines or CSV (citations as JSON in one column)."""
        records = self.all(rating=rating)
        if fmt == "jsonl":
            return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records)
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            for r in records:
                writer.writerow(
                    [
                        r.id,
                        r.created_at,
                        r.rating,
                        csv_cell(r.question),
                        csv_cell(r.answer),
                        int(r.abstained),
                        csv_cell(json.dumps(r.citations, ensure_ascii=False)),
                        csv_cell(r.comment),
                        csv_cell(r.session),
                    ]
                )
            return out.getvalue()
        raise ValueError(f"unknown export format {fmt!r}; use jsonl or csv")


def csv_cell(text: str) -> str:
    """Text for a CSV cell that a spreadsheet shows as text: one that starts like a formula (= + - @,
    a tab or a carriage return) gets a leading apostrophe, as OWASP advises against formula injection."""
    return "'" + text if text.startswith(_FORMULA_START) else text


_PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS sikkerby_feedback (
    id bigserial PRIMARY KEY,
    created_at text NOT NULL,
    rating integer NOT NULL CHECK (rating IN (-1, 1)),
    question text NOT NULL,
    answer text NOT NULL,
    abstained boolean NOT NULL,
    citations jsonb NOT NULL,
    comment text NOT NULL DEFAULT '',
    session text NOT NULL DEFAULT ''
)
"""


class PgFeedbackStore(FeedbackStore):
    """The same feedback in PostgreSQL (table ``sikkerby_feedback``), shared by every replica of the app.
    Validation and export are the SQLite store's; a database that is down is a :class:`FeedbackError`."""

    def __init__(self, url: str, *, max_chars: int = 20_000) -> None:
        from sikkerby.index.vectorstores.postgres import check_url

        super().__init__(Path("."), max_chars=max_chars)
        self.url = check_url(url)

    @property
    def where(self) -> str:
        from sikkerby.index.vectorstores.postgres import redact

        return f"{redact(self.url)} (table sikkerby_feedback)"

    @contextmanager
    def _pg(self) -> Iterator[Any]:
        from sikkerby.index.vectorstores.base import IndexUnavailable
        from sikkerby.index.vectorstores.postgres import connection

        try:
            with connection(self.url) as conn:
                if not self._ready:
                    conn.execute(_PG_SCHEMA)
                    conn.commit()
                    self._ready = True
                yield conn
        except IndexUnavailable as exc:
            raise FeedbackError(str(exc)) from None

    def _insert(self, row: tuple[Any, ...]) -> int:
        values = (*row[:4], bool(row[4]), *row[5:])
        with self._pg() as conn:
            found = conn.execute(
                "INSERT INTO sikkerby_feedback (created_at, rating, question, answer, abstained, citations, comment,"
                " session) VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s, %s) RETURNING id",
                values,
            ).fetchone()
        return int(found[0])

    def _delete(self, row_id: int, session: str) -> bool:
        with self._pg() as conn:
            cur = conn.execute("DELETE FROM sikkerby_feedback WHERE id = %s AND session = %s", (row_id, session))
            return cur.rowcount > 0

    def _select(self, rating: int | None) -> list[tuple[Any, ...]]:
        query = f"SELECT {', '.join(COLUMNS[:6])}, citations::text, comment, session FROM sikkerby_feedback"
        params: tuple[Any, ...] = ()
        if rating is not None:
            query += " WHERE rating = %s"
            params = (rating,)
        with self._pg() as conn:
            return [tuple(r) for r in conn.execute(query + " ORDER BY id", params).fetchall()]


def open_feedback_store(path: Path, *, database_url: str = "", max_chars: int = 20_000) -> FeedbackStore:
    """The feedback store: PostgreSQL when a database URL is configured, else the SQLite file at ``path``."""
    if database_url:
        return PgFeedbackStore(database_url, max_chars=max_chars)
    return FeedbackStore(path, max_chars=max_chars)
