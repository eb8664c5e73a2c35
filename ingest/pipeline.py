"""Incremental, idempotent, crash-safe ingestion: files → documents → chunks → vectors → store.

Order of writes for a new or changed file: manifest `pending` (with chunk ids) → store upsert → manifest
`ok` and the file linked to it (one transaction) → delete the chunks of the document it replaced. A crash
at any point leaves either the old or the new version searchable per the manifest (and so in BM25), never
both, and `recover()` (run at the start of every ingest) removes whatever was half written. Until then the
store itself may still hold a pending version's chunks (bench/crash_trials.py measures how often).
"""

from __future__ import annotations

import errno
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from assistant.core.embedder import Embedder
from assistant.core.errors import IngestError
from assistant.core.records import Chunk, Document, sha256_file
from ingest.access import SIDECAR_SUFFIX, access_doc_id, access_groups, apply_access
from ingest.chunking import CHUNKING, chunk_document, chunking_label
from ingest.documents import build_document
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.manifest import FileRow, Manifest
from vectorstore.base import ChunkStore

# Chunks embedded in one call across files: enough for the embedder's length-sorted batches to pack well even
# when files are small (a 1,500-character note is 2 chunks); a crash loses at most this much work.
EMBED_BATCH_CHUNKS = 128
# How often a running ingest writes its progress for `assistant status` (seconds).
STATE_EVERY_S = 2.0
# Files parsed ahead of the embedder (a bound on memory for an archive of large PDFs).
PARSE_AHEAD = 4

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
    reason: str | None = None  # why a stored document was read again ("chunked again: chunk size/overlap …")


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0  # until every document was stored and searchable
    recovered: int = 0
    answer_units: int = 0  # answer units embedded after the documents were stored (see Assistant.ingest)
    answer_vectors_seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> bool:
        return any(r.status == "failed" for r in self.results)

    def summary(self) -> dict[str, int]:
        statuses = ("ingested", "updated", "unchanged", "duplicate", "removed", "skipped", "failed")
        return {s: self.count(s) for s in statuses}

    def read_again(self) -> dict[str, int]:
        """Why stored documents were read again unasked (a newer reader, a changed chunk size), with how many."""
        return dict(Counter(r.reason for r in self.results if r.reason))


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


@dataclass
class IngestMeter:
    """Files done of planned, chunks embedded, chunks/s and an ETA, for every progress display (CLI, app).
    The ETA extrapolates the time per file so far, so it settles once a few files are done."""

    planned: int | None = None
    done: int = 0
    chunks: int = 0
    started: float = field(default_factory=time.perf_counter)

    def add(self, result: FileResult) -> None:
        self.done += 1
        self.chunks += result.chunks

    @property
    def elapsed(self) -> float:
        return max(time.perf_counter() - self.started, 1e-9)

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.elapsed

    @property
    def eta_s(self) -> float | None:
        if not self.planned or not self.done or self.done >= self.planned:
            return None
        return self.elapsed / self.done * (self.planned - self.done)


@dataclass(frozen=True, slots=True)
class IngestState:
    """What `assistant status` tells about ingest: one running now (another process holds the writer lock),
    or the last run interrupted before it finished (killed, crashed, power cut)."""

    running: bool
    interrupted: bool
    planned: int | None = None
    done: int = 0
    chunks: int = 0
    started: float | None = None  # Unix time
    pid: int | None = None


@runtime_checkable
class WarmProgress(Protocol):
    """A progress callback that also follows the answer-vector phase after the documents are stored."""

    def warming(self, documents_done: int, documents_total: int) -> None: ...


@runtime_checkable
class PlannedProgress(Protocol):
    """A progress callback that also wants the number of files found before the first is read (for an ETA)."""

    def __call__(self, result: FileResult) -> None: ...

    def planned(self, files: int) -> None: ...


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Written whole or not at all (a reader never sees half a file)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _lock_is_held(path: Path) -> bool:
    """Whether another process holds the writer lock on `path` (a probe: taken and released at once)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: cannot tell
        return False
    if not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return False


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
        self.chunking = chunking_label(chunk_size, chunk_overlap)
        self.ocr_language = ocr_language
        self.max_file_bytes = max_file_bytes
        # One writer at a time, across threads (app sessions) and processes (the CLI beside the app): `recover`
        # treats every pending document as left over from a crash, so a second writer's start would delete the
        # chunks of a document the first is still writing (measured: tests/test_concurrency.py).
        self._lock = threading.Lock()
        self.lock_path = manifest.path.with_name(manifest.path.name + ".lock")
        # The progress of the run in progress (or of the last run, marked finished), for `assistant status`.
        self.state_path = manifest.path.with_name("ingest-state.json")

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._lock, _file_lock(self.lock_path):
            yield

    # --- public ------------------------------------------------------------------------------------------

    def ingest(
        self, paths: Sequence[Path], *, sync: bool = False, reread: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """`reread`: read unchanged files again too (after an upgrade whose readers or cleaning improved). A
        document whose chunks come out exactly as stored keeps them and its vectors ("unchanged"); one whose
        text changed is stored anew ("updated")."""
        with self.exclusive():
            return self._ingest(paths, sync=sync, reread=reread, progress=progress)

    def _ingest(self, paths: Sequence[Path], *, sync: bool, reread: bool, progress: Progress | None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport(recovered=self._recover())
        candidates, roots = discover(paths)
        if isinstance(progress, PlannedProgress):
            progress.planned(len(candidates))
        order = {str(c.path): i for i, c in enumerate(candidates)}
        meter = IngestMeter(planned=len(candidates))
        began = time.time()
        last_write = 0.0

        def save_state(finished: bool) -> None:
            nonlocal last_write
            last_write = time.perf_counter()
            state = {"pid": os.getpid(), "started": began, "planned": meter.planned, "done": meter.done}
            _write_json(self.state_path, {**state, "chunks": meter.chunks, "finished": finished})

        def emit(result: FileResult) -> None:
            report.results.append(result)
            meter.add(result)
            if time.perf_counter() - last_write >= STATE_EVERY_S:
                save_state(False)
            if progress:
                progress(result)

        save_state(False)

        for result in self._ingest_batched(candidates, reread):
            emit(result)
        # Reported in the order the files were found, whatever order the batches finished them in.
        report.results.sort(key=lambda r: order.get(r.path, len(order)))
        if sync:
            seen = {str(c.path) for c in candidates}
            for row in self.manifest.files():
                inside = any(Path(row.path).is_relative_to(root) for root in roots)
                if inside and row.path not in seen:
                    self._purge(self.manifest.remove_file(row.path))
                    emit(FileResult(row.path, row.source, "removed", doc_id=row.doc_id))
        save_state(True)
        report.seconds = time.perf_counter() - started
        return report

    def state(self) -> IngestState:
        """Whether an ingest runs now (in any process) or the last one was interrupted, with its progress."""
        running = _lock_is_held(self.lock_path) or self._lock.locked()
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        finished = bool(data.get("finished", True))
        return IngestState(
            running=running,
            interrupted=not running and (not finished or bool(self.manifest.unfinished())),
            planned=data.get("planned"),
            done=int(data.get("done") or 0),
            chunks=int(data.get("chunks") or 0),
            started=data.get("started"),
            pid=data.get("pid"),
        )

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

    def _ingest_batched(self, candidates: Sequence[Candidate], reread: bool) -> Iterator[FileResult]:
        """Check every file (main thread: the manifest), parse and chunk the ones that changed ahead in a worker
        thread, and embed their chunks in batches across files, so the embedder is never fed one small file at
        a time. Each document is still stored and committed on its own, in order: the crash guarantees of the
        module docstring hold per document, and a crash loses at most the batch being embedded."""
        from concurrent.futures import Future, ThreadPoolExecutor

        work: list[_Work] = []
        in_flight: set[str] = set()
        for cand in candidates:
            checked = self._check(cand, in_flight, reread)
            if isinstance(checked, FileResult):
                yield checked
            else:
                in_flight.add(checked.doc_id)
                work.append(checked)
        if not work:
            return
        # One parser thread: parsing is mostly Python (the GIL), while the embedder's native code releases it.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-parse") as pool:
            futures: list[Future[_Parsed]] = []
            batch: list[_Parsed] = []
            pending = 0  # chunks in batch
            for index in range(len(work)):
                while len(futures) < len(work) and len(futures) - index < PARSE_AHEAD:
                    futures.append(pool.submit(self._parse, work[len(futures)]))
                batch.append(futures[index].result())
                pending += len(batch[-1].chunks)
                if index == len(work) - 1 or pending >= EMBED_BATCH_CHUNKS:
                    yield from self._embed_and_store(batch)
                    batch, pending = [], 0

    def _check(self, cand: Candidate, in_flight: set[str], reread: bool) -> FileResult | _Work:
        """What a file needs: a final result (skipped, failed, unchanged, duplicate) or parsing and embedding."""
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
            not reread  # read again anyway: the manifest need not be asked
            and row is not None
            and row.status == "ok"
            and row.doc_id
            and row.size == st.st_size
            and row.mtime_ns == st.st_mtime_ns
            and self.manifest.document_status(row.doc_id) == "ok"
            and self.manifest.document_groups(row.doc_id) == groups  # a changed sidecar re-indexes
            and self.manifest.read_again(row.doc_id, self.chunking) is None  # its text or cut is out of date
        ):
            return FileResult(path_s, source, "unchanged", doc_id=row.doc_id, seconds=time.perf_counter() - t0)

        try:
            sha = sha256_file(cand.path)
        except OSError as exc:
            return self._fail(cand, st, describe_os_error(exc))
        doc_id = access_doc_id(sha, groups)
        if doc_id in in_flight:
            # The same bytes under another name earlier in this run: linked once that one is stored.
            return _Work(cand, st, row, groups, doc_id, t0, same_as_earlier=True)
        why = None if reread else self.manifest.read_again(doc_id, self.chunking)
        again = reread or why is not None
        link = None if again else self._link_if_stored(cand, st, row, doc_id, t0)
        stored = again and self.manifest.document_status(doc_id) == "ok"
        if link is not None:
            return link
        return _Work(cand, st, row, groups, doc_id, t0, reread=stored, reason=why if stored else None)

    def _link_if_stored(
        self, cand: Candidate, st: os.stat_result, row: FileRow | None, doc_id: str, t0: float
    ) -> FileResult | None:
        if self.manifest.document_status(doc_id) != "ok":
            return None
        # Same bytes already stored (another name, or the file was only touched): link, don't re-embed.
        path_s = str(cand.path)
        self._purge(self.manifest.link_file(path_s, cand.source, doc_id, st.st_size, st.st_mtime_ns))
        status = "unchanged" if row is not None and row.doc_id == doc_id else "duplicate"
        return FileResult(path_s, cand.source, status, doc_id=doc_id, seconds=time.perf_counter() - t0)

    def _parse(self, item: _Work) -> _Parsed:
        """Read, clean and chunk one file (worker thread: touches neither the manifest nor the store)."""
        if item.same_as_earlier:
            return _Parsed(item)
        try:
            doc = build_document(item.cand.path, source=item.cand.source, ocr_language=self.ocr_language)
            chunks = chunk_document(doc, chunk_size=self.chunk_size, overlap=self.chunk_overlap)
            doc, chunks = apply_access(doc, chunks, item.groups)
            doc = replace(doc, metadata={**doc.metadata, CHUNKING: self.chunking})
            if not chunks:
                raise IngestError(
                    "no text could be extracted",
                    path=item.cand.source,
                    hint="if it is a scan, install OCR (apt-get install tesseract-ocr tesseract-ocr-nld "
                    "poppler-utils) and ingest again",
                )
        except Exception as exc:  # one bad file must never stop the batch
            return _Parsed(item, error=_read_error(exc))
        return _Parsed(item, doc=doc, chunks=chunks)

    def _embed_one(self, parsed: _Parsed) -> None:
        """Vectors for one file's chunks; a failure is that file's error, never the batch's."""
        try:
            parsed.vectors = self.embedder.embed_documents([c.embed_text for c in parsed.chunks])
        except Exception as exc:  # one bad file must never stop the batch
            parsed.error = _read_error(exc)

    def _embed_and_store(self, batch: list[_Parsed]) -> Iterator[FileResult]:
        import numpy as np

        for p in batch:
            p.unchanged = p.item.reread and p.doc is not None and self._same_as_stored(p.item.doc_id, p.chunks)
        ready = [p for p in batch if p.doc is not None and not p.unchanged]
        if ready:
            try:
                joined = self.embedder.embed_documents([c.embed_text for p in ready for c in p.chunks])
                at = 0
                for p in ready:
                    p.vectors = joined[at : at + len(p.chunks)]
                    at += len(p.chunks)
            except Exception:  # find the file that broke the batch: one at a time
                for p in ready:
                    self._embed_one(p)
        for p in batch:
            item = p.item
            if item.same_as_earlier:
                # Its twin was stored (or failed) earlier in this batch or before: link it, or read it now. The
                # row is read again: the twin may be this very file, named twice (a folder and `folder/sub/..`).
                row = self.manifest.file(str(item.cand.path))
                link = self._link_if_stored(item.cand, item.st, row, item.doc_id, item.t0)
                if link is not None:
                    yield link
                    continue
                p = self._parse(_Work(item.cand, item.st, item.row, item.groups, item.doc_id, item.t0))
                if p.doc is not None:
                    self._embed_one(p)
            if p.error is not None or p.doc is None:
                yield self._fail(item.cand, item.st, p.error or "no text could be extracted")
                continue
            doc, chunks = p.doc, p.chunks
            if p.unchanged:
                # Read again with the same result: its chunks and vectors stay, its record (reader version,
                # warnings) follows the new reading.
                self.manifest.refresh_document(doc)
            else:
                self._store(doc, chunks, np.asarray(p.vectors, dtype=np.float32))
            path_s = str(item.cand.path)
            self._purge(
                self.manifest.commit_file(path_s, item.cand.source, doc.doc_id, item.st.st_size, item.st.st_mtime_ns)
            )
            yield FileResult(
                path_s,
                item.cand.source,
                "unchanged" if p.unchanged else "updated" if item.row is not None else "ingested",
                doc_id=doc.doc_id,
                title=doc.title,
                chunks=0 if p.unchanged else len(chunks),
                warnings=doc.warnings,
                seconds=time.perf_counter() - item.t0,
                reason=item.reason,
            )

    def _same_as_stored(self, doc_id: str, chunks: Sequence[Chunk]) -> bool:
        """Did a new reading of `doc_id` give the chunks it has stored (text and metadata, ids aside)?"""
        stored = sorted(self.store.get(self.manifest.chunk_ids(doc_id)), key=lambda c: c.ordinal)
        return len(stored) == len(chunks) and all(
            a.content_key() == b.content_key() for a, b in zip(stored, chunks, strict=True)
        )

    def _store(self, doc: Document, chunks: list[Chunk], vectors: object) -> None:
        import numpy as np

        # Committed (made ok) together with its file by the caller: see Manifest.commit_file.
        # A document read again (same bytes, better text) leaves its old chunks behind: deleted once the new
        # ones are stored (interrupted in between, `recover` removes them: the manifest no longer knows them).
        before = set(self.manifest.chunk_ids(doc.doc_id))
        self.manifest.begin_document(doc, chunks)
        self.store.add(chunks, np.asarray(vectors, dtype=np.float32))
        stale = before - {c.chunk_id for c in chunks}
        if stale:
            self.store.delete(sorted(stale))

    def _fail(self, cand: Candidate, st: os.stat_result, message: str) -> FileResult:
        self._purge(self.manifest.record_failure(str(cand.path), cand.source, st.st_size, st.st_mtime_ns, message))
        return FileResult(str(cand.path), cand.source, "failed", error=message)


def _read_error(exc: BaseException) -> str:
    """The failure message of a file that could not be read, chunked or embedded."""
    if isinstance(exc, IngestError):  # UnsupportedFormatError included
        return exc.message if not exc.hint else f"{exc.message} — {exc.hint}"
    return (
        f"unexpected error while reading ({type(exc).__name__}: {str(exc)[:200]}) — the file may be damaged; "
        "re-export it, and report the file if it opens fine elsewhere"
    )


@dataclass(slots=True)
class _Work:
    """A file that must be read and embedded (its checks passed)."""

    cand: Candidate
    st: os.stat_result
    row: FileRow | None
    groups: tuple[str, ...]
    doc_id: str
    t0: float
    same_as_earlier: bool = False
    reread: bool = False  # its document is stored: read again to see whether its text changed
    reason: str | None = None  # why it is read again, when not on request (`Manifest.read_again`)


@dataclass(slots=True)
class _Parsed:
    item: _Work
    doc: Document | None = None
    chunks: list[Chunk] = field(default_factory=list)
    error: str | None = None
    vectors: Any = None  # one row per chunk, once embedded
    unchanged: bool = False  # read again with the same result: nothing to embed or store
