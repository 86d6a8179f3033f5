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

log = logging.getLogger(__name__)

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


class FeedbackStore:
    """Append-only feedback in SQLite (WAL mode), safe when many users click at once."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._ready = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout = 30000")
            if not self._ready:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute(_SCHEMA)
                self._ready = True
            yield conn
        finally:
            conn.close()

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
        """Store one rating (+1 or -1); returns the new row id. Retries while another writer holds the lock."""
        if rating not in (1, -1):
            raise ValueError("rating must be 1 (thumbs up) or -1 (thumbs down)")
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

    def all(self, *, rating: int | None = None) -> list[FeedbackRecord]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            query = (
                "SELECT id, created_at, rating, question, answer, abstained, citations, comment, session FROM feedback"
            )
            params: tuple[Any, ...] = ()
            if rating is not None:
                query += " WHERE rating = ?"
                params = (rating,)
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [
            FeedbackRecord(
                id=r[0],
                created_at=r[1],
                rating=r[2],
                question=r[3],
                answer=r[4],
                abstained=bool(r[5]),
                citations=json.loads(r[6]),
                comment=r[7],
                session=r[8],
            )
            for r in rows
        ]

    def export(self, fmt: str, *, rating: int | None = None) -> str:
        """All feedback as JSON lines or CSV (citations as JSON in one column)."""
        records = self.all(rating=rating)
        if fmt == "jsonl":
            return "".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in records)
        if fmt == "csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(
                ["id", "created_at", "rating", "question", "answer", "abstained", "citations", "comment", "session"]
            )
            for r in records:
                writer.writerow(
                    [
                        r.id,
                        r.created_at,
                        r.rating,
                        r.question,
                        r.answer,
                        int(r.abstained),
                        json.dumps(r.citations, ensure_ascii=False),
                        r.comment,
                        r.session,
                    ]
                )
            return out.getvalue()
        raise ValueError(f"unknown export format {fmt!r}; use jsonl or csv")
