"""The assistant as one principal sees it: the single place where access groups are enforced.

`Assistant.scoped(principal)` wraps the shared Assistant. Retrieval (dense and BM25) gets the principal's
groups in its `SearchFilter` — which the caller cannot widen — and every result is checked again against the
chunk's groups; the store and manifest views hide documents the principal may not see (their text, titles,
file names and counts). Chat, search, briefings, evaluation, the library page, downloads and status all go
through this object, so no page filters on its own. Each use case is also written to the audit log here.

A chat message that explicitly asks for a briefing (`assistant.answering.intent.briefing_request`) is answered by the
briefing generator, in `ask` and `stream` alike, so the chat and the evaluation get the same answer.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from assistant.access.audit import AuditLog, answer_details, documents_of_citations, documents_of_hits
from assistant.access.principal import Principal
from assistant.answering.answerer import Turn
from assistant.answering.chain import AnswerChain
from assistant.answering.intent import briefing_request
from assistant.core.errors import AccessDeniedError
from assistant.core.groups import Role
from assistant.core.records import Answer, Chunk, Hit, StoreStatus
from assistant.retrieval.retriever import Retriever
from ingest.manifest import DocumentRow, FileRow, Manifest
from ingest.pipeline import FileResult, IngestReport, IngestState, PlannedProgress, Progress, WarmProgress
from ingest.uploads import upload_owner
from vectorstore.base import ChunkStore, SearchFilter, Vector

if TYPE_CHECKING:
    from assistant.answering.answerer import Answerer
    from assistant.briefing import Briefing
    from assistant.core.config import Settings
    from ingest.pipeline import Ingestor


class SharedAssistant(Protocol):
    """What a scoped view uses of the shared assistant (`assistant.composition.Assistant`, whose `scoped`
    builds the view): the composition root imports this module, never the other way round."""

    @property
    def settings(self) -> Settings: ...

    @property
    def manifest(self) -> Manifest: ...

    @property
    def store(self) -> ChunkStore: ...

    @property
    def retriever(self) -> Retriever: ...

    @property
    def chain(self) -> AnswerChain: ...

    @property
    def answerer(self) -> Answerer: ...

    @property
    def ingestor(self) -> Ingestor: ...

    def status(self) -> StoreStatus: ...

    def out_of_date(self, visible: Callable[[tuple[str, ...]], bool] | None = None) -> dict[str, int]: ...

    def ingest(
        self, paths: list[Path], *, sync: bool = False, reread: bool = False, progress: Progress | None = None
    ) -> IngestReport: ...


def restrict(flt: SearchFilter | None, principal: Principal) -> SearchFilter | None:
    """The caller's filter with the principal's access; groups the caller put in the filter are replaced."""
    if principal.all_groups:
        return flt
    return replace(flt or SearchFilter(), groups=principal.access)


class ScopedManifest:
    """Read-only manifest view: documents (and their files) the principal may see."""

    def __init__(self, manifest: Manifest, principal: Principal) -> None:
        self._manifest = manifest
        self.principal = principal

    def documents(self, status: str | None = "ok") -> list[DocumentRow]:
        return [d for d in self._manifest.documents(status) if self.principal.can_see(d.groups)]

    def visible(self, doc_id: str) -> bool:
        groups = self._manifest.document_groups(doc_id)
        return groups is not None and self.principal.can_see(groups)

    def files(self) -> list[FileRow]:
        """Files of visible documents. Failed files have no document and may sit in a restricted folder, so
        only the operator sees them (`assistant status`)."""
        rows = self._manifest.files()
        if self.principal.all_groups:
            return rows
        return [f for f in rows if f.doc_id is not None and f.status == "ok" and self.visible(f.doc_id)]

    def document_status(self, doc_id: str) -> str | None:
        return self._manifest.document_status(doc_id) if self.visible(doc_id) else None

    def chunk_ids(self, doc_id: str | None = None) -> list[str]:
        if doc_id is not None:
            return self._manifest.chunk_ids(doc_id) if self.visible(doc_id) else []
        if self.principal.all_groups:
            return self._manifest.chunk_ids()
        return [cid for d in self.documents() for cid in self._manifest.chunk_ids(d.doc_id)]

    def generation(self) -> int:
        return self._manifest.generation()

    def counts(self) -> dict[str, int]:
        if self.principal.all_groups:
            return self._manifest.counts()
        docs = self.documents()
        files = self.files()
        return {
            "documents": len(docs),
            "chunks": sum(d.chunk_count for d in docs),
            "files": len(files),
            "failed": 0,
            "with_warnings": sum(1 for d in docs if d.warnings),
        }


class ScopedStore:
    """Read-only ChunkStore view: queries carry the principal's groups; every chunk returned is checked."""

    def __init__(self, store: ChunkStore, principal: Principal, manifest: ScopedManifest) -> None:
        self._store = store
        self.principal = principal
        self._manifest = manifest

    @property
    def name(self) -> str:
        return self._store.name

    def add(self, chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32]) -> None:
        raise AccessDeniedError("a scoped store view is read-only", hint="ingest through Assistant.ingest")

    def delete(self, chunk_ids: Sequence[str]) -> None:
        raise AccessDeniedError("a scoped store view is read-only", hint="delete through delete_document")

    def _mine(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        return [c for c in chunks if self.principal.can_see(c.groups)]

    def query(self, vector: Vector, k: int, flt: SearchFilter | None = None) -> list[Hit]:
        hits = self._store.query(vector, k, restrict(flt, self.principal))
        return [h for h in hits if self.principal.can_see(h.chunk.groups)]

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        return self._mine(self._store.get(chunk_ids))

    def ids(self, doc_id: str | None = None) -> list[str]:
        if self.principal.all_groups:
            return self._store.ids(doc_id)
        if doc_id is not None:
            return self._store.ids(doc_id) if self._manifest.visible(doc_id) else []
        allowed = set(self._manifest.chunk_ids())
        return [cid for cid in self._store.ids() if cid in allowed]

    def all_chunks(self) -> list[Chunk]:
        return self._mine(self._store.all_chunks())

    def count(self) -> int:
        return self._store.count() if self.principal.all_groups else len(self.ids())


class ScopedRetriever:
    """Any retriever (dense, hybrid, with or without reranking) limited to what the principal may see."""

    def __init__(self, retriever: Retriever, principal: Principal, store: ScopedStore) -> None:
        self._retriever = retriever
        self.principal = principal
        self.store = store  # the evaluation reports the size of the index it searched

    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]:
        hits = self._retriever.search(query, k, restrict(flt, self.principal))
        return [h for h in hits if self.principal.can_see(h.chunk.groups)]


def _document_matches(flt: SearchFilter, doc: DocumentRow) -> bool:
    """`SearchFilter.matches` for a manifest row (the chat's document, type, language and year filters)."""
    if flt.doc_ids and doc.doc_id not in flt.doc_ids:
        return False
    if flt.doc_types and doc.doc_type not in flt.doc_types:
        return False
    if flt.languages and doc.language not in flt.languages:
        return False
    year = int(doc.date[:4]) if doc.date and doc.date[:4].isdigit() else None
    if flt.year_from is not None and (year is None or year < flt.year_from):
        return False
    return not (flt.year_to is not None and (year is None or year > flt.year_to))


class _FilteredManifest:
    """The documents a briefing requested in the chat may read: the chat's filters on the scoped manifest."""

    def __init__(self, manifest: ScopedManifest, flt: SearchFilter) -> None:
        self._manifest = manifest
        self._flt = flt

    def documents(self, status: str | None = "ok") -> list[DocumentRow]:
        return [d for d in self._manifest.documents(status) if _document_matches(self._flt, d)]


class _FilteredStore:
    """The scoped store narrowed by the chat's filters, for the briefing generator's scan of the index."""

    def __init__(self, store: ScopedStore, flt: SearchFilter) -> None:
        self._store = store
        self._flt = flt

    def count(self) -> int:
        return self._store.count()  # an upper bound: it only decides whether the index is small enough to scan

    def all_chunks(self) -> list[Chunk]:
        return [c for c in self._store.all_chunks() if self._flt.matches(c)]

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        return [c for c in self._store.get(chunk_ids) if self._flt.matches(c)]

    def ids(self, doc_id: str | None = None) -> list[str]:
        if doc_id is None:
            return [c.chunk_id for c in self.all_chunks()]
        return [c.chunk_id for c in self.get(self._store.ids(doc_id))]


class _BriefingSource:
    """What the briefing generator reads, unaudited per sub-query (the briefing is audited as a whole); with a
    filter (a briefing requested in the chat), only what the chat's filters let through."""

    def __init__(self, scoped: ScopedAssistant, flt: SearchFilter | None = None) -> None:
        self._scoped = scoped
        self._flt = None if flt is None or flt.empty else flt
        self.store: ScopedStore | _FilteredStore = scoped.store
        self.manifest: ScopedManifest | _FilteredManifest = scoped.manifest
        if self._flt is not None:
            self.store = _FilteredStore(scoped.store, self._flt)
            self.manifest = _FilteredManifest(scoped.manifest, self._flt)
        self.settings = scoped.settings

    @property
    def answerer(self) -> Any:
        # The configured answerer writes LLM sections; it is built only when a backend is set.
        return self._scoped.base.answerer

    def search(self, query: str, k: int | None = None, flt: Any = None) -> list[Hit]:
        return self._scoped.retriever.search(query, k or self._scoped.settings.search.top_k, flt or self._flt)


_HEADING = re.compile(r"^(#{1,4}) ", re.MULTILINE)


def chat_briefing_answer(b: Briefing) -> Answer:
    """A briefing as a chat answer: `briefing_answer` (its citations and passages, the topic as the query)
    with the sections as the text. The numbered sources are left out of the text because the chat shows
    them under every answer (with the passage) and its export lists them; headings move two levels down so
    the briefing sits under the question in an exported conversation."""
    from assistant.briefing import briefing_answer, to_markdown

    answer = briefing_answer(b)
    body = to_markdown(replace(b, citations=()))
    return replace(answer, text=_HEADING.sub(r"##\1 ", body).strip())


class ScopedAssistant:
    """The Assistant's use cases for one principal, audited when an audit log is given."""

    def __init__(
        self, base: SharedAssistant, principal: Principal, audit: AuditLog | None = None, *, session: str | None = None
    ) -> None:
        self.base = base
        self.principal = principal
        self.audit_log = audit
        self.session = session
        self.settings = base.settings
        self.manifest = ScopedManifest(base.manifest, principal)
        self.store = ScopedStore(base.store, principal, self.manifest)
        self.retriever = ScopedRetriever(base.retriever, principal, self.store)
        # The configured chain (answerer, rewriter, k) with this principal's retriever.
        chain: AnswerChain = copy.copy(base.chain)
        chain.retriever = self.retriever
        self.chain = chain

    def audit(self, action: str, **details: Any) -> None:
        if self.audit_log is not None:
            session = {"session": self.session} if self.session else {}
            self.audit_log.record(action, self.principal.name, **session, **details)

    # --- reading --------------------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, flt: SearchFilter | None = None) -> list[Hit]:
        hits = self.retriever.search(query, k or self.settings.search.top_k, flt)
        self.audit("search", query=query, returned=documents_of_hits(hits))
        return hits

    def ask(self, question: str, history: Sequence[Turn] | None = None, flt: SearchFilter | None = None) -> Answer:
        """The chat's answer; an explicit briefing request is answered (and audited) as a briefing."""
        if (topic := briefing_request(question)) is not None:
            return chat_briefing_answer(self.briefing(topic, flt=flt, request=question))
        answer = self.chain.ask(question, history or (), flt)
        self.audit("ask", question=question, **answer_details(answer))
        return answer

    def stream(
        self, question: str, history: Sequence[Turn] | None = None, flt: SearchFilter | None = None
    ) -> tuple[Iterator[str], Callable[[], Answer]]:
        if (topic := briefing_request(question)) is not None:
            # A briefing is composed (and, with a backend, written and verified section by section) before
            # anything is shown: the pieces are its finished text, in one piece.
            answer = chat_briefing_answer(self.briefing(topic, flt=flt, request=question))
            return iter((answer.text,)), lambda: answer
        pieces, finish = self.chain.stream(question, history or (), flt)

        def finished() -> Answer:
            answer = finish()
            self.audit("ask", question=question, **answer_details(answer))
            return answer

        return pieces, finished

    def briefing(
        self,
        topic: str,
        *,
        progress: Callable[[str], None] | None = None,
        extractive: bool = False,
        flt: SearchFilter | None = None,
        request: str | None = None,
    ) -> Briefing:
        """`extractive`: quote passages only, even when an LLM backend is configured. `flt`: read only the
        documents the chat's filters let through. `request`: the chat message that asked for the briefing
        (audited with it)."""
        from assistant.briefing import BriefingGenerator

        generator = BriefingGenerator(_BriefingSource(self, flt), writer=None if extractive else "auto")
        result = generator.generate(topic, progress=progress)
        self.audit(
            "briefing",
            topic=topic,
            **({"question": request} if request is not None else {}),
            cited=documents_of_citations(result.citations),
            consulted=[{"doc_id": d.doc_id, "title": d.title} for d in result.documents],
        )
        return result

    def documents(self) -> list[DocumentRow]:
        return self.manifest.documents()

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        """Every stored passage of a document this principal may see (none otherwise), for reading it whole
        (`assistant.ui.reading`); audited as "view"."""
        if not self.manifest.visible(doc_id):
            return []
        chunks = self.store.get(self.store.ids(doc_id))
        if chunks:
            self.audit("view", documents=[{"doc_id": doc_id, "title": chunks[0].title}])
        return chunks

    def document_path(self, doc_id: str) -> Path | None:
        """The original file of a visible document (for download); None otherwise."""
        for d in self.manifest.documents():
            if d.doc_id == doc_id:
                return Path(d.path)
        return None

    def ingest_state(self) -> IngestState:
        """Running or interrupted ingest; its file counts only for a principal who sees every group."""
        state = self.base.ingestor.state()
        if self.principal.all_groups:
            return state
        return IngestState(running=state.running, interrupted=state.interrupted, started=state.started)

    def status(self) -> StoreStatus:
        full = self.base.status()
        if self.principal.all_groups:
            return full
        counts = self.manifest.counts()
        return StoreStatus(
            **{
                **asdict(full),
                "documents": counts["documents"],
                "chunks": counts["chunks"],
                "store_chunks": self.store.count(),
                "files": counts["files"],
                "failed": 0,
                "with_warnings": counts["with_warnings"],
                "out_of_date": self.out_of_date(),
            }
        )

    def out_of_date(self) -> dict[str, int]:
        """The documents this principal may see that the next ingest will read again, by reason."""
        return self.base.out_of_date(None if self.principal.all_groups else self.principal.can_see)

    # --- changing -------------------------------------------------------------------------------------

    def _require_change(self, what: str) -> None:
        if not self.principal.may_change_library:
            raise AccessDeniedError(
                f"{what}: the role '{self.principal.role}' may not change the library",
                hint="an administrator can make you an editor (`assistant users role NAME editor`)",
            )

    def may_edit(self, doc: DocumentRow) -> bool:
        """Whether the principal may delete or replace this document (`Principal.may_edit`)."""
        # The uploader (a sidecar read) matters only to an editor and a public document.
        needs_owner = self.principal.role is Role.EDITOR and not doc.groups
        return self.principal.may_edit(doc.groups, upload_owner(Path(doc.path)) if needs_owner else None)

    def editable_documents(self) -> list[DocumentRow]:
        return [d for d in self.manifest.documents() if self.may_edit(d)]

    def ingest(
        self, paths: list[Path], *, sync: bool = False, reread: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        """Ingest (editors and admins), reporting only files the principal may know about: visible documents,
        and failures of files named explicitly (an upload). A folder re-index never names restricted files."""
        self._require_change("ingest")
        named = {str(p.resolve()) for p in paths if p.is_file()}

        def shown(r: FileResult) -> bool:
            if self.principal.all_groups:
                return True
            if r.doc_id is None or r.status == "removed":
                return r.path in named
            return self.manifest.visible(r.doc_id)

        shown_progress = _ShownProgress(progress, shown, self.principal.all_groups)
        report = self.base.ingest(paths, sync=sync, reread=reread, progress=shown_progress)
        mine = replace(report, results=[r for r in report.results if shown(r)])
        self.audit(
            "ingest",
            paths=[str(p) for p in paths],
            sync=sync,
            reread=reread,
            summary=report.summary(),
            documents=[{"doc_id": r.doc_id, "source": r.source, "status": r.status} for r in mine.results],
        )
        return mine

    def delete_document(self, doc_id: str) -> int:
        doc = next((d for d in self.manifest.documents() if d.doc_id == doc_id), None)
        if doc is None:
            raise AccessDeniedError(f"document {doc_id} does not exist or you may not see it")
        self._require_change("delete")
        if not self.may_edit(doc):
            raise AccessDeniedError(
                f"you may not delete '{doc.title or doc.source}'",
                hint="editors delete documents of their own groups and public documents they uploaded; ask an admin",
            )
        removed = self.base.ingestor.delete_document(doc_id)
        self.audit("delete", documents=[{"doc_id": doc_id, "title": doc.title}], chunks=removed)
        return removed


class _ShownProgress:
    """Passes on the results the principal may see. The number of files found goes only to a principal who
    sees every group: in a folder with restricted files it would tell others that they exist."""

    def __init__(self, inner: Progress | None, shown: Callable[[FileResult], bool], all_groups: bool) -> None:
        self.inner = inner
        self.shown = shown
        self.all_groups = all_groups

    def __call__(self, result: FileResult) -> None:
        if self.inner is not None and self.shown(result):
            self.inner(result)

    def planned(self, files: int) -> None:
        if self.all_groups and isinstance(self.inner, PlannedProgress):
            self.inner.planned(files)

    def warming(self, documents_done: int, documents_total: int) -> None:
        if self.all_groups and isinstance(self.inner, WarmProgress):
            self.inner.warming(documents_done, documents_total)
