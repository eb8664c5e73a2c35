"""Persistent vectors of answer units (sentences, lists), keyed by model and text.

The extractive answerer scores candidate sentences with the embedder. Embedding them at question time costs
seconds on 2 CPU cores with EmbeddingGemma, so they are embedded once at ingest and looked up here; a unit
first seen at question time is stored too. float16 halves the size; cosine ranking does not notice."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt


class VectorCache:
    def __init__(self, path: Path, model_id: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.model_id = model_id
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)")
            # Documents whose every unit is stored, per model: a warm-up that was interrupted resumes there.
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS warmed (model TEXT NOT NULL, doc_id TEXT NOT NULL, "
                "PRIMARY KEY (model, doc_id))"
            )

    def _key(self, text: str) -> bytes:
        return hashlib.sha1(f"{self.model_id}\x00{text}".encode()).digest()

    def get_many(self, texts: Iterable[str]) -> dict[str, npt.NDArray[np.float32]]:
        wanted = {self._key(t): t for t in texts}
        found: dict[str, npt.NDArray[np.float32]] = {}
        keys = list(wanted)
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                marks = ",".join("?" * len(part))
                for key, blob in self._conn.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                    found[wanted[key]] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        return found

    def put_many(self, vectors: Mapping[str, npt.NDArray[np.float32]]) -> None:
        rows = [(self._key(t), np.asarray(v, dtype=np.float16).tobytes()) for t, v in vectors.items()]
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
            self._conn.execute("COMMIT")

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def warmed(self) -> set[str]:
        """Documents whose answer units all have vectors of this model."""
        with self._lock:
            rows = self._conn.execute("SELECT doc_id FROM warmed WHERE model = ?", (self.model_id,))
            return {str(r[0]) for r in rows}

    def mark_warmed(self, doc_ids: Iterable[str]) -> None:
        rows = [(self.model_id, d) for d in doc_ids]
        with self._lock:
            self._conn.execute("BEGIN")
            self._conn.executemany("INSERT OR IGNORE INTO warmed VALUES (?, ?)", rows)
            self._conn.execute("COMMIT")

    def forget_warmed(self, keep: Iterable[str]) -> None:
        """Drop the marks of documents no longer in the index (their vectors stay: texts recur)."""
        alive = set(keep)
        with self._lock:
            gone = [d for (d,) in self._conn.execute("SELECT doc_id FROM warmed WHERE model = ?", (self.model_id,))]
            gone = [d for d in gone if d not in alive]
            if gone:
                self._conn.execute("BEGIN")
                self._conn.executemany(
                    "DELETE FROM warmed WHERE model = ? AND doc_id = ?", [(self.model_id, d) for d in gone]
                )
                self._conn.execute("COMMIT")
