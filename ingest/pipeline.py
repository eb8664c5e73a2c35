"""Incremental, idempotent, crash-safe ingestion: files → documents → chunks → vectors → store.

Order of writes for a new or changed file: manifest `pending` (with chunk ids) → store upsert → manifest
`ok` and the file linked to it (one transaction) → delete the chunks of the document it replaced. A crash
at any point leaves either the old or the new version searchable per the manifest (and so in BM25), never
both, and `recover()` (run at the start of every ingest) removes whatever was half written. Until then the
store itself may still hold a pending version's chunks (bench/crash_trials.py measures how often).
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from assistant.embeddings import Embedder
from assistant.errors import IngestError, UnsupportedFormatError
from assistant.records import Chunk, Document, sha256_file
from ingest.access import SIDECAR_SUFFIX, access_doc_id, access_groups, apply_access
from ingest.chunking import chunk_document
from ingest.documents import build_document
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.manifest import Manifest
from vectorstore.base import ChunkStore

# Files in a folder scan that are never documents.
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    source: str
    status: str  # ingested | updated | unchanged | duplicate | failed | skipped | removed
    doc_id: str | None = None
    title: str | None = None
    chunks: int = 0
    warnings: tuple[str, ...] = ()
    error: str | None = None
    seconds: float = 0.0


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    recovered: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.results)

    def summary(self) -> dict[str, int]:
        statuses = ("ingested", "updated", "unchanged", "duplicate", "removed", "skipped", "failed")
        return {s: self.count(s) for s in statuses}


@dataclass(frozen=True, slots=True)
class Candidate:
    path: Path
    source: str
    explicit: bool  # named on the command line (an unsupported type is then an error, not a skip)


def discover(paths: Iterable[Path]) -> tuple[list[Candidate], list[Path]]:
    """Files to ingest, and the folder roots scanned (for --sync). Symlinked folders are not followed, so a
    symlink loop cannot hang the scan; hidden files and folders are skipped."""
    found: list[Candidate] = []
    roots: list[Path] = []
    for given in paths:
        path = given.expanduser()
        if path.is_dir():
            root = path.resolve()
            roots.append(root)
            for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.startswith((".", "~$")) or name.lower() in _IGNORED_NAMES:
                        continue
                    if name.lower().endswith(SIDECAR_SUFFIX):  # access settings of a file (ingest.access)
                        continue
                    file = Path(dirpath) / name
                    found.append(Candidate(_resolve(file), file.relative_to(root).as_posix(), explicit=False))
        elif path.is_file():
            found.append(Candidate(_resolve(path), path.name, explicit=True))
        else:
            found.append(Candidate(path.absolute(), path.name, explicit=True))
    return found, roots


def _resolve(path: Path) -> Path:
    # Path.resolve raises RuntimeError on a symlink loop; the file is then reported, not the batch stopped.
    # strict: a dangling link keeps its own name, so the report names the link, not a missing target.
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):
        return path.absolute()


def describe_os_error(exc: OSError) -> str:
    """A user's reading of why a file cannot be opened: what is wrong — what to do."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (the link points at itself) — remove the link or point it at the real file"
    if exc.errno == errno.ENOENT:
        return "file not found (a dangling symbolic link, or it was removed) — check the path or remove the link"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied — make the file readable for this user"
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long for this system — rename the file"
    return f"cannot read file ({exc.strerror or exc}) — check the file and its permissions"


Progress = Callable[[FileResult], None]


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` held across processes (POSIX flock); a no-op where flock is missing."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the in-process lock still applies
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class Ingestor:
    def __init__(
        self,
        manifest: Manifest,
        store: ChunkStore,
        embedder: Embedder,
        *,
        chunk_size: int = 1000,
        chunk_overlap: int = 150,
        ocr_language: str = "nld",
        max_file_bytes: int = 200 * 1024 * 1024,
    ) -> None:
        self.manifest = manifest
        self.store = store
        self.embedder = embedder
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.ocr_language = ocr_language
        self.max_file_bytes = max_file_bytes
        # One writer at a time, across threads (app sessions) and processes (the CLI beside the app): `recover`
        # treats every pending document as left over from a crash, so a second writer's start would delete the
        # chunks of a document the first is still writing (measured: tests/test_concurrency.py).
        self._lock = threading.Lock()
        self.lock_path = manifest.path.with_name(manifest.path.name + ".lock")

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._lock, _file_lock(self.lock_path):
            yield

    # --- public ------------------------------------------------------------------------------------------

    def ingest(self, paths: Sequence[Path], *, sync: bool = False, progress: Progress | None = None) -> IngestReport:
        with self.exclusive():
            return self._ingest(paths, sync=sync, progress=progress)

    def _ingest(self, paths: Sequence[Path], *, sync: bool, progress: Progress | None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(recovered=self._recover())
        candidates, roots = discover(paths)
        for cand in candidates:
            result = self._ingest_one(cand)
            report.results.append(result)
            if progress:
                progress(result)
        if sync:
            seen = {str(c.path) for c in candidates}
            for row in self.manifest.files():
                inside = any(Path(row.path).is_relative_to(root) for root in roots)
                if inside and row.path not in seen:
                    self._purge(self.manifest.remove_file(row.path))
                    result = FileResult(row.path, row.source, "removed", doc_id=row.doc_id)
                    report.results.append(result)
                    if progress:
                        progress(result)
        report.seconds = time.perf_counter() - started
        return report

    def delete_document(self, doc_id: str) -> int:
        """Remove a document and every file pointing at it. Returns the number of chunks removed."""
        with self.exclusive():
            ids: list[str] = []
            for row in self.manifest.files():
                if row.doc_id == doc_id:
                    ids.extend(self.manifest.remove_file(row.path))
            return self._purge(ids)

    def recover(self) -> int:
        """Finish or undo what an interrupted run left: non-ok documents and documents no file owns lose their
        chunks; store chunks that the manifest does not know are removed. Returns the number of chunks removed."""
        with self.exclusive():
            return self._recover()

    def _recover(self) -> int:
        removed = 0
        unfinished = {**self.manifest.unfinished(), **self.manifest.unowned()}
        if unfinished:
            ids = [cid for chunk_ids in unfinished.values() for cid in chunk_ids]
            self.store.delete(ids)
            self.manifest.forget_documents(list(unfinished))
            removed += len(ids)
        known = set(self.manifest.chunk_ids())
        if self.store.count() != len(known):
            orphans = [cid for cid in self.store.ids() if cid not in known]
            if orphans:
                self.store.delete(orphans)
                removed += len(orphans)
        return removed

    # --- internals ---------------------------------------------------------------------------------------

    def _purge(self, chunk_ids: list[str]) -> int:
        """Delete chunks of documents marked `deleting`, then forget those documents."""
        unfinished = {d: ids for d, ids in self.manifest.unfinished().items()}
        doomed = [d for d in unfinished if self.manifest.document_status(d) == "deleting"]
        ids = set(chunk_ids)
        for d in doomed:
            ids.update(unfinished[d])
        if ids:
            self.store.delete(sorted(ids))
        if doomed:
            self.manifest.forget_documents(doomed)
        return len(ids)

    def _ingest_one(self, cand: Candidate) -> FileResult:
        t0 = time.perf_counter()
        path_s, source = str(cand.path), cand.source
        suffix = cand.path.suffix.lower()
        unsupported = (
            f"unsupported file type '{suffix or '(none)'}' — convert it to one of "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))}"
            if suffix not in SUPPORTED_SUFFIXES
            else None
        )
        if unsupported and not cand.explicit:
            return FileResult(path_s, source, "skipped", error=unsupported)
        try:
            st = cand.path.stat()
        except OSError as exc:
            message = describe_os_error(exc)
            # No size or mtime to record; zeros make the next run look again.
            self._purge(self.manifest.record_failure(path_s, source, 0, 0, message))
            return FileResult(path_s, source, "failed", error=message)
        if unsupported:
            return self._fail(cand, st, unsupported)
        if st.st_size > self.max_file_bytes:
            mb = self.max_file_bytes // (1024 * 1024)
            return self._fail(
                cand,
                st,
                f"file is {st.st_size / (1024 * 1024):.1f} MB, over the {mb} MB limit — split the document, or "
                "raise the limit with ASSISTANT_MAX_FILE_MB",
            )

        try:
            groups = access_groups(cand.path)
        except IngestError as exc:
            return self._fail(cand, st, str(exc))
        row = self.manifest.file(path_s)
        if (
            row is not None
            and row.status == "ok"
            and row.doc_id
            and row.size == st.st_size
            and row.mtime_ns == st.st_mtime_ns
            and self.manifest.document_status(row.doc_id) == "ok"
            and self.manifest.document_groups(row.doc_id) == groups  # a changed sidecar re-indexes
        ):
            return FileResult(path_s, source, "unchanged", doc_id=row.doc_id, seconds=time.perf_counter() - t0)

        try:
            sha = sha256_file(cand.path)
        except OSError as exc:
            return self._fail(cand, st, describe_os_error(exc))
        doc_id = access_doc_id(sha, groups)
        if self.manifest.document_status(doc_id) == "ok":
            # Same bytes already stored (another name, or the file was only touched): link, don't re-embed.
            self._purge(self.manifest.link_file(path_s, source, doc_id, st.st_size, st.st_mtime_ns))
            status = "unchanged" if row is not None and row.doc_id == doc_id else "duplicate"
            return FileResult(path_s, source, status, doc_id=doc_id, seconds=time.perf_counter() - t0)

        try:
            doc = build_document(cand.path, source=source, ocr_language=self.ocr_language)
            chunks = chunk_document(doc, chunk_size=self.chunk_size, overlap=self.chunk_overlap)
            doc, chunks = apply_access(doc, chunks, groups)
            if not chunks:
                raise IngestError(
                    "no text could be extracted",
                    path=source,
                    hint="if it is a scan, install OCR (apt-get install tesseract-ocr tesseract-ocr-nld "
                    "poppler-utils) and ingest again",
                )
            vectors = self.embedder.embed_documents([c.embed_text for c in chunks])
        except UnsupportedFormatError as exc:
            return self._fail(cand, st, exc.message if not exc.hint else f"{exc.message} — {exc.hint}")
        except IngestError as exc:
            return self._fail(cand, st, exc.message if not exc.hint else f"{exc.message} — {exc.hint}")
        except Exception as exc:  # one bad file must never stop the batch
            return self._fail(
                cand,
                st,
                f"unexpected error while reading ({type(exc).__name__}: {str(exc)[:200]}) — the file may be "
                "damaged; re-export it, and report the file if it opens fine elsewhere",
            )

        self._store(doc, chunks, vectors)
        self._purge(self.manifest.commit_file(path_s, source, doc.doc_id, st.st_size, st.st_mtime_ns))
        status = "updated" if row is not None else "ingested"
        return FileResult(
            path_s,
            source,
            status,
            doc_id=doc.doc_id,
            title=doc.title,
            chunks=len(chunks),
            warnings=doc.warnings,
            seconds=time.perf_counter() - t0,
        )

    def _store(self, doc: Document, chunks: list[Chunk], vectors: object) -> None:
        import numpy as np

        # Committed (made ok) together with its file by the caller: see Manifest.commit_file.
        self.manifest.begin_document(doc, chunks)
        self.store.add(chunks, np.asarray(vectors, dtype=np.float32))

    def _fail(self, cand: Candidate, st: os.stat_result, message: str) -> FileResult:
        self._purge(self.manifest.record_failure(str(cand.path), cand.source, st.st_size, st.st_mtime_ns, message))
        return FileResult(str(cand.path), cand.source, "failed", error=message)
