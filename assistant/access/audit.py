"""Append-only audit log: one JSON line per action (who, what, which documents), rotated by size.

Written at the edges (the principal-scoped assistant, the app, the CLI), never from the core. Lines are only
ever appended; rotation renames the full file to `audit.jsonl.1` (…`.N`) and starts a new one, so no line is
rewritten. The file is created with mode 0600: it holds questions, which can be sensitive themselves.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.core.records import Answer, Citation, Hit

ACTIONS = (
    "ask",
    "search",
    "briefing",
    "export",
    "download",
    "view",
    "ingest",
    "delete",
    "eval",
    "login",
    "login_failed",
    "login_refused",
    "session_revoked",
    "session_groups_changed",
    "upload",
    "upload_refused",
    "user_saved",
    "user_removed",
    "user_disabled",
    "user_enabled",
    "logout",
)


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are created 0600 (the umask alone could leave them world-readable)."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.chmod(self.baseFilename, 0o600)  # an existing file created by an older version
        return os.fdopen(fd, "a", encoding=self.encoding or "utf-8")


def documents_of_hits(hits: Iterable[Hit]) -> list[dict[str, str]]:
    """Distinct documents (id and title) of hits, in rank order."""
    seen: dict[str, str] = {}
    for h in hits:
        seen.setdefault(h.chunk.doc_id, h.chunk.title)
    return [{"doc_id": d, "title": t} for d, t in seen.items()]


def documents_of_citations(citations: Iterable[Citation]) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for c in citations:
        seen.setdefault(c.doc_id, c.title)
    return [{"doc_id": d, "title": t} for d, t in seen.items()]


def answer_details(answer: Answer) -> dict[str, Any]:
    return {
        "cited": documents_of_citations(answer.citations),
        "returned": documents_of_hits(answer.hits),
        "abstained": answer.abstained,
    }


class AuditLog:
    """Thread-safe JSON-lines audit log in `path`, rotated at `max_bytes` keeping `backups` old files."""

    def __init__(self, path: Path, *, max_bytes: int = 10 * 1024 * 1024, backups: int = 5) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handler = _PrivateRotatingHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        self._handler.setFormatter(logging.Formatter("%(message)s"))
        self._lock = threading.Lock()

    def record(self, action: str, user: str, **details: Any) -> dict[str, Any]:
        """Append one entry and return it. Unknown actions are a programming error, not user input."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        entry: dict[str, Any] = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "user": user,
            "action": action,
            **details,
        }
        line = json.dumps(entry, ensure_ascii=False, default=str)
        record = logging.LogRecord("audit", logging.INFO, __file__, 0, line, None, None)
        with self._lock:
            self._handler.handle(record)
        return entry

    def close(self) -> None:
        self._handler.close()


def read_entries(path: Path) -> list[Mapping[str, Any]]:
    """All entries of one audit file (for tests and inspection)."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
