"""SQLite manifest: which files map to which documents, which chunks each document has, and what failed.

It is the source of truth for consistency with the vector store. A document is first recorded as
`pending` with its chunk ids, then its chunks are written, then it becomes `ok`; a replaced document
becomes `deleting` until its chunks are gone. After a crash, `recover()` finishes or undoes whatever was
half done, so the store never keeps duplicates or orphans.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.records import Chunk, Document
from ingest.chunking import CHUNKING, LEGACY_CHUNKING
from ingest.pdffonts import PDF_READER, PDF_READER_VERSION
from ingest.quality import RUN_TOGETHER

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    language TEXT NOT NULL,
    date TEXT,
    date_end TEXT,
    pages INTEGER NOT NULL,
    chars INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL,
    status TEXT NOT NULL,             -- pending | ok | deleting
    warnings TEXT NOT NULL,           -- JSON list
    metadata TEXT NOT NULL,           -- JSON object
    ingested_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,            -- absolute path
    source TEXT NOT NULL,             -- name shown to users
    doc_id TEXT,                      -- NULL when the file failed
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    status TEXT NOT NULL,             -- ok | failed
    error TEXT,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_doc ON files(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', 0);
"""


_INSERT_DOCUMENT = "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"


def _document_row(doc: Document, chunk_count: int, status: str) -> tuple[object, ...]:
    """A `documents` row, in the table's column order."""
    return (
        doc.doc_id,
        doc.sha256,
        doc.source,
        doc.path,
        doc.title,
        doc.doc_type,
        doc.language,
        doc.date,
        doc.date_end,
        max(1, len(doc.pages)),
        len(doc.text),
        chunk_count,
        status,
        json.dumps(list(doc.warnings), ensure_ascii=False),
        json.dumps(dict(doc.metadata), ensure_ascii=False),
        time.time(),
    )


@dataclass(frozen=True, slots=True)
class FileRow:
    path: str
    source: str
    doc_id: str | None
    size: int
    mtime_ns: int
    status: str
    error: str | None


@dataclass(frozen=True, slots=True)
class DocumentRow:
    doc_id: str
    sha256: str
    source: str
    path: str
    title: str
    doc_type: str
    language: str
    date: str | None
    pages: int
    chars: int
    chunk_count: int
    status: str
    warnings: tuple[str, ...]
    groups: tuple[str, ...] = ()  # access groups; empty = public (assistant.access.principal)


def stale_reason(warnings: Sequence[str], metadata: Mapping[str, Any], chunking: str | None) -> str | None:
    """Why a stored document's reading is out of date, or None when it is not:
    - it was flagged for words running together by an older PDF reader (before spaces were restored,
      `ingest.respace`, or before composite fonts' word gaps were read, `ingest.pdffonts`): its text improves
      when it is read again;
    - it was cut with another chunk size or overlap than `chunking` (`ingest.chunking.chunking_label`; None:
      not checked): a library must not mix passages of two sizes."""
    flagged = any(RUN_TOGETHER in warning for warning in warnings)
    reader = str(metadata.get(PDF_READER, "1"))  # absent: before versions were kept
    if flagged and (not reader.isdigit() or int(reader) < PDF_READER_VERSION):
        return f"read again: PDF reader {reader} → {PDF_READER_VERSION}"
    recorded = str(metadata.get(CHUNKING, LEGACY_CHUNKING))
    if chunking is not None and recorded != chunking:
        return f"chunked again: chunk size/overlap {recorded} → {chunking}"
    return None


class Manifest:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection guarded by a lock: the app serves several sessions from threads.
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.RLock()
        self._own: set[int] = set()  # generations this process made: the others came from another process
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # --- files -------------------------------------------------------------------------------------------

    def file(self, path: str) -> FileRow | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT path, source, doc_id, size, mtime_ns, status, error FROM files WHERE path = ?",
                (path,),
            ).fetchone()
        return FileRow(*row) if row else None

    def files(self) -> list[FileRow]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT path, source, doc_id, size, mtime_ns, status, error FROM files ORDER BY source"
            ).fetchall()
        return [FileRow(*r) for r in rows]

    def record_failure(self, path: str, source: str, size: int, mtime_ns: int, error: str) -> list[str]:
        """Record a failed file. Returns chunk ids of a document that no longer has any file (to delete)."""
        with self.transaction() as tx:
            old = tx.execute("SELECT doc_id FROM files WHERE path = ?", (path,)).fetchone()
            tx.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, NULL, ?, ?, 'failed', ?, ?)",
                (path, source, size, mtime_ns, error, time.time()),
            )
            return self._orphan_if_unreferenced(tx, old[0] if old else None)

    def link_file(self, path: str, source: str, doc_id: str, size: int, mtime_ns: int) -> list[str]:
        """Point a file at a document. Returns chunk ids of a previous document left without files."""
        with self.transaction() as tx:
            return self._link(tx, path, source, doc_id, size, mtime_ns)

    def commit_file(self, path: str, source: str, doc_id: str, size: int, mtime_ns: int) -> list[str]:
        """Mark a pending document ok and point its file at it in one transaction: a crash between the two
        would leave a searchable document that no file owns (never removed by --sync, and shown beside the
        version it replaced). Returns chunk ids of a previous document left without files."""
        with self.transaction() as tx:
            tx.execute("UPDATE documents SET status = 'ok' WHERE doc_id = ?", (doc_id,))
            self._bump(tx)
            return self._link(tx, path, source, doc_id, size, mtime_ns)

    def _link(self, tx: sqlite3.Connection, path: str, source: str, doc_id: str, size: int, mtime_ns: int) -> list[str]:
        old = tx.execute("SELECT doc_id FROM files WHERE path = ?", (path,)).fetchone()
        tx.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, 'ok', NULL, ?)",
            (path, source, doc_id, size, mtime_ns, time.time()),
        )
        old_doc = old[0] if old and old[0] != doc_id else None
        return self._orphan_if_unreferenced(tx, old_doc)

    def remove_file(self, path: str) -> list[str]:
        with self.transaction() as tx:
            old = tx.execute("SELECT doc_id FROM files WHERE path = ?", (path,)).fetchone()
            tx.execute("DELETE FROM files WHERE path = ?", (path,))
            return self._orphan_if_unreferenced(tx, old[0] if old else None)

    def _orphan_if_unreferenced(self, tx: sqlite3.Connection, doc_id: str | None) -> list[str]:
        if doc_id is None:
            return []
        still = tx.execute("SELECT 1 FROM files WHERE doc_id = ? LIMIT 1", (doc_id,)).fetchone()
        if still:
            return []
        tx.execute("UPDATE documents SET status = 'deleting' WHERE doc_id = ?", (doc_id,))
        return [r[0] for r in tx.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]

    # --- documents ---------------------------------------------------------------------------------------

    def document_status(self, doc_id: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT status FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return str(row[0]) if row else None

    def refresh_document(self, doc: Document) -> None:
        """Rewrite a stored document's record (title, dates, warnings, metadata) from a new reading that left its
        chunks as they were; its status and chunks stay."""
        with self.transaction() as tx:
            row = tx.execute("SELECT chunk_count, status FROM documents WHERE doc_id = ?", (doc.doc_id,)).fetchone()
            if row is not None:
                tx.execute(_INSERT_DOCUMENT, _document_row(doc, int(row[0]), str(row[1])))

    def begin_document(self, doc: Document, chunks: Sequence[Chunk]) -> None:
        """Record the document and its chunk ids as pending, before any chunk reaches the store."""
        with self.transaction() as tx:
            tx.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
            tx.execute(_INSERT_DOCUMENT, _document_row(doc, len(chunks), "pending"))
            tx.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?)",
                [(c.chunk_id, doc.doc_id, c.ordinal) for c in chunks],
            )

    def commit_document(self, doc_id: str) -> None:
        with self.transaction() as tx:
            tx.execute("UPDATE documents SET status = 'ok' WHERE doc_id = ?", (doc_id,))
            self._bump(tx)

    def _bump(self, tx: sqlite3.Connection) -> None:
        tx.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
        self._own.add(int(tx.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]))

    def generation(self) -> int:
        """Changes whenever the set of searchable chunks changes: derived indexes (BM25) compare it cheaply."""
        with self._lock:
            return int(self._conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def changed_elsewhere(self, since: int) -> tuple[int, bool]:
        """(the generation now, whether another process changed the library after generation `since`): each
        change adds one, and this process knows the ones it made itself."""
        current = self.generation()
        with self._lock:
            return current, any(g not in self._own for g in range(since + 1, current + 1))

    def searchable_chunk_ids(self) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT chunk_id FROM chunks JOIN documents USING(doc_id) WHERE documents.status = 'ok'"
            ).fetchall()
        return [r[0] for r in rows]

    def forget_documents(self, doc_ids: Sequence[str]) -> None:
        """Drop rows of documents whose chunks are gone from the store."""
        with self.transaction() as tx:
            for doc_id in doc_ids:
                tx.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                tx.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            self._bump(tx)

    def documents(self, status: str | None = "ok") -> list[DocumentRow]:
        query = (
            "SELECT doc_id, sha256, source, path, title, doc_type, language, date, pages, chars, chunk_count,"
            " status, warnings, metadata FROM documents"
        )
        args: tuple[str, ...] = ()
        if status:
            query += " WHERE status = ?"
            args = (status,)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY source", args).fetchall()
        return [
            DocumentRow(
                doc_id=r[0],
                sha256=r[1],
                source=r[2],
                path=r[3],
                title=r[4],
                doc_type=r[5],
                language=r[6],
                date=r[7],
                pages=r[8],
                chars=r[9],
                chunk_count=r[10],
                status=r[11],
                warnings=tuple(json.loads(r[12])),
                groups=_groups(r[13]),
            )
            for r in rows
        ]

    def read_again(self, doc_id: str, chunking: str | None = None) -> str | None:
        """Why the stored reading of a document is out of date, or None when it is not (`stale_reason`)."""
        with self._lock:
            row = self._conn.execute("SELECT warnings, metadata FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else stale_reason(json.loads(row[0]), json.loads(row[1]), chunking)

    def out_of_date(
        self, chunking: str | None = None, visible: Callable[[tuple[str, ...]], bool] | None = None
    ) -> dict[str, int]:
        """How many stored documents the next ingest will read again, by reason (`stale_reason`): what
        `assistant status` and the app's documents page warn about before anyone ingests. `visible`: counts
        only documents whose access groups it accepts (`Principal.can_see`)."""
        with self._lock:
            rows = self._conn.execute("SELECT warnings, metadata FROM documents").fetchall()
        reasons = (
            stale_reason(json.loads(w), json.loads(m), chunking)
            for w, m in rows
            if visible is None or visible(_groups(m))
        )
        return dict(Counter(r for r in reasons if r is not None))

    def document_groups(self, doc_id: str) -> tuple[str, ...] | None:
        """The access groups recorded for a document (None when it is unknown)."""
        with self._lock:
            row = self._conn.execute("SELECT metadata FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return _groups(row[0]) if row else None

    def chunk_at(self, doc_id: str, ordinal: int) -> str | None:
        """The id of chunk number `ordinal` of a document (0-based, in document order; negative counts from
        the end, -1 is the last), or None."""
        with self._lock:
            if ordinal < 0:
                row = self._conn.execute(
                    "SELECT chunk_id FROM chunks WHERE doc_id = ? ORDER BY ordinal DESC LIMIT 1 OFFSET ?",
                    (doc_id, -ordinal - 1),
                ).fetchone()
            else:
                row = self._conn.execute(
                    "SELECT chunk_id FROM chunks WHERE doc_id = ? AND ordinal = ?", (doc_id, ordinal)
                ).fetchone()
        return str(row[0]) if row else None

    def chunk_ids(self, doc_id: str | None = None) -> list[str]:
        with self._lock:
            if doc_id:
                rows = self._conn.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall()
            else:
                rows = self._conn.execute("SELECT chunk_id FROM chunks").fetchall()
        return [r[0] for r in rows]

    def unowned(self) -> dict[str, list[str]]:
        """Ok documents that no file points at, with their chunk ids (left by versions that committed a
        document and linked its file in two steps, when killed in between)."""
        with self._lock:
            docs = [
                r[0]
                for r in self._conn.execute(
                    "SELECT doc_id FROM documents d WHERE status = 'ok' "
                    "AND NOT EXISTS (SELECT 1 FROM files f WHERE f.doc_id = d.doc_id)"
                )
            ]
        return {d: self.chunk_ids(d) for d in docs}

    def unfinished(self) -> dict[str, list[str]]:
        """Documents left pending or deleting by an interrupted run, with their chunk ids."""
        with self._lock:
            docs = [r[0] for r in self._conn.execute("SELECT doc_id FROM documents WHERE status != 'ok'")]
        return {d: self.chunk_ids(d) for d in docs}

    def counts(self) -> dict[str, int]:
        with self._lock:
            q = self._conn.execute
            return {
                "documents": int(q("SELECT COUNT(*) FROM documents WHERE status='ok'").fetchone()[0]),
                "chunks": int(
                    q(
                        "SELECT COUNT(*) FROM chunks JOIN documents USING(doc_id) WHERE documents.status='ok'"
                    ).fetchone()[0]
                ),
                "files": int(q("SELECT COUNT(*) FROM files").fetchone()[0]),
                "failed": int(q("SELECT COUNT(*) FROM files WHERE status='failed'").fetchone()[0]),
                "with_warnings": int(
                    q("SELECT COUNT(*) FROM documents WHERE status='ok' AND warnings != '[]'").fetchone()[0]
                ),
            }


def _groups(metadata_json: str) -> tuple[str, ...]:
    value = json.loads(metadata_json or "{}").get("access_groups") or ""
    return tuple(g for g in str(value).split(",") if g)
