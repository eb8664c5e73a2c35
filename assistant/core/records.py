"""Typed records that cross pipeline stages.

Offsets (`start`, `end`) always refer to `Document.text`, the cleaned full text, so a citation can be
traced back to the exact passage and page. Ids are derived from content, never from counters, so the
same input gives the same ids on every machine and evaluation can score by id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Streamed, so a large file never sits in memory whole."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_doc_id(content_sha256: str) -> str:
    """Documents are identified by content: the same bytes under two names are one document."""
    return content_sha256[:16]


def make_chunk_id(content_sha256: str, start: int, end: int, content: str = "") -> str:
    """Stable chunk id from the document hash, the chunk's offsets in the cleaned text and (`content`,
    `Chunk.content_key`) what it holds: a document read again whose chunk keeps its offsets but not its text
    gets a new id, so every index that compares ids (BM25) sees the change."""
    key = f"{content_sha256}:{start}:{end}"
    if content:
        key += ":" + hashlib.sha256(content.encode()).hexdigest()
    return hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class PageSpan:
    """Page `number` (1-based) covers `Document.text[start:end]`."""

    number: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """A cleaned document, ready for chunking."""

    doc_id: str
    source: str  # file name as the user knows it (relative to the ingested folder)
    path: str  # absolute path at ingest time
    sha256: str
    title: str
    text: str
    pages: tuple[PageSpan, ...] = ()
    doc_type: str = "document"
    language: str = "nl"
    date: str | None = None  # ISO date (start date for ranges)
    date_end: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()  # access groups (assistant.access.principal); empty = public

    def page_at(self, offset: int) -> int | None:
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.number
        return self.pages[-1].number if self.pages and offset >= self.pages[-1].start else None


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of a document. `text` is what the user sees; `embed_text` is what the embedder sees."""

    chunk_id: str
    doc_id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    ordinal: int
    page: int | None = None
    page_end: int | None = None
    heading_path: tuple[str, ...] = ()
    doc_type: str = "document"
    language: str = "nl"
    date: str | None = None
    groups: tuple[str, ...] = ()  # access groups of the document; empty = public

    @property
    def embed_text(self) -> str:
        """Title and heading travel with the text so a passage is findable by what it is about."""
        context = " > ".join(h for h in (self.title, *self.heading_path) if h)
        return f"{context}\n\n{self.text}" if context else self.text

    def content_key(self) -> str:
        """Everything an index keeps of this chunk except its id (text and metadata), as one string: two chunks
        with equal keys are interchangeable in every index."""
        return json.dumps([self.text, self.to_metadata()], sort_keys=True, ensure_ascii=False)

    def to_metadata(self) -> dict[str, str | int | float | bool]:
        """Flat metadata for stores that only take scalars (Chroma)."""
        meta: dict[str, str | int | float | bool] = {
            "doc_id": self.doc_id,
            "source": self.source,
            "title": self.title,
            "start": self.start,
            "end": self.end,
            "ordinal": self.ordinal,
            "heading_path": " > ".join(self.heading_path),
            "doc_type": self.doc_type,
            "language": self.language,
        }
        if self.page is not None:
            meta["page"] = self.page
        if self.page_end is not None:
            meta["page_end"] = self.page_end
        if self.date:
            meta["date"] = self.date
            meta["year"] = int(self.date[:4])
        # Lists are not metadata in every Chroma 1.x: a delimited copy to read back, and one boolean key
        # per group to filter on (vectorstore.base.to_chroma_where).
        meta["restricted"] = bool(self.groups)
        if self.groups:
            meta["groups"] = ",".join(self.groups)
            for group in self.groups:
                meta[f"grp_{group}"] = True
        return meta

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: Mapping[str, Any]) -> Chunk:
        heading = str(meta.get("heading_path") or "")
        page = meta.get("page")
        page_end = meta.get("page_end")
        return cls(
            chunk_id=chunk_id,
            doc_id=str(meta["doc_id"]),
            source=str(meta.get("source", "")),
            title=str(meta.get("title", "")),
            text=text,
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            ordinal=int(meta.get("ordinal", 0)),
            page=int(page) if page is not None else None,
            page_end=int(page_end) if page_end is not None else None,
            heading_path=tuple(heading.split(" > ")) if heading else (),
            doc_type=str(meta.get("doc_type", "document")),
            language=str(meta.get("language", "nl")),
            date=str(meta["date"]) if meta.get("date") else None,
            groups=tuple(g for g in str(meta.get("groups") or "").split(",") if g),
        )


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its score (higher is better) and 1-based rank."""

    chunk: Chunk
    score: float
    rank: int = 0
    scores: Mapping[str, float] = field(default_factory=dict)  # per-retriever scores, for explanation


@dataclass(frozen=True, slots=True)
class Citation:
    """A checkable reference: `[n]` in the answer points at this passage."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    page: int | None
    quote: str
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    abstained: bool = False
    abstain_reason: str | None = None
    query: str = ""  # the standalone query actually used for retrieval
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    verification: Mapping[str, int] = field(default_factory=dict)


class ExpandedQuery(str):
    """A follow-up's search query: the question plus words borrowed from the conversation.

    It *is* the text a retriever embeds ("En wie waren daar? (reis oslo)"), so every retriever can use it as
    a plain string; one that knows the parts (BM25) counts the borrowed words at `extra_weight`, so they
    steer the search toward the earlier topic without outvoting the question's own words."""

    question: str
    extra: str
    extra_weight: float

    def __new__(cls, question: str, extra: str, extra_weight: float = 1.0) -> ExpandedQuery:
        self = super().__new__(cls, f"{question} ({extra})" if extra else question)
        self.question = question
        self.extra = extra
        self.extra_weight = extra_weight
        return self


@dataclass(frozen=True)
class StoreStatus:
    """What the index holds, for `assistant status` and the app: documents and chunks by the manifest, chunks
    in the store, failed files, which collection, store and embedder serve them, and how many documents the
    next ingest will read again, by reason (e.g. "chunked again: chunk size/overlap 1000/150 → 1500/225")."""

    documents: int
    chunks: int
    store_chunks: int
    files: int
    failed: int
    with_warnings: int
    collection: str
    store_mode: str
    embedding: str
    out_of_date: dict[str, int] = field(default_factory=dict)
