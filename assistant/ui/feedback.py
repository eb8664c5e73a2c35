"""Thumbs up/down with an optional comment, kept in a small SQLite file next to the index.

A connection per call: the app serves sessions from several threads, and feedback is rare.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,   -- JSON list of strings
    rating INTEGER NOT NULL, -- 1 thumbs up, -1 thumbs down
    comment TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    id: int
    created_at: float
    question: str
    answer_text: str
    sources: tuple[str, ...]
    rating: int
    comment: str


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(str(self.path), timeout=30)
        try:
            with conn:  # commits, or rolls back on an exception
                yield conn
        finally:
            conn.close()

    def add(self, question: str, answer_text: str, sources: list[str], rating: int, comment: str = "") -> int:
        """Store one rating (1 = useful, -1 = not useful). Returns the new row id."""
        if rating not in (1, -1):
            raise ValueError(f"rating must be 1 or -1, not {rating!r}")
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (created_at, question, answer, sources, rating, comment) VALUES (?,?,?,?,?,?)",
                (time.time(), question, answer_text, json.dumps(sources, ensure_ascii=False), rating, comment.strip()),
            )
            return int(cur.lastrowid or 0)

    def all(self) -> list[FeedbackRow]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, created_at, question, answer, sources, rating, comment FROM feedback ORDER BY id"
            ).fetchall()
        return [
            FeedbackRow(int(r[0]), float(r[1]), str(r[2]), str(r[3]), tuple(json.loads(r[4])), int(r[5]), str(r[6]))
            for r in rows
        ]
