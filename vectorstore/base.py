"""The store seam: what ingestion and retrieval need from a vector store, and nothing more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from assistant.core.records import Chunk, Hit

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Restricts a search. Empty fields do not filter. Years are inclusive."""

    doc_ids: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    # Access: None = no restriction; a tuple = public documents plus those in any of these groups.
    groups: tuple[str, ...] | None = None

    @property
    def empty(self) -> bool:
        return not (self.doc_ids or self.doc_types or self.languages or self.year_from or self.year_to) and (
            self.groups is None
        )

    def matches(self, chunk: Chunk) -> bool:
        """The same rule in Python, for components that filter outside the store (lexical index)."""
        if self.groups is not None and chunk.groups and not any(g in self.groups for g in chunk.groups):
            return False
        if self.doc_ids and chunk.doc_id not in self.doc_ids:
            return False
        if self.doc_types and chunk.doc_type not in self.doc_types:
            return False
        if self.languages and chunk.language not in self.languages:
            return False
        year = int(chunk.date[:4]) if chunk.date else None
        if self.year_from is not None and (year is None or year < self.year_from):
            return False
        return not (self.year_to is not None and (year is None or year > self.year_to))


def to_chroma_where(flt: SearchFilter | None) -> dict[str, Any] | None:
    """Translate a filter into Chroma's `where` syntax ($and of clauses; a single clause stands alone)."""
    if flt is None or flt.empty:
        return None
    clauses: list[dict[str, Any]] = []
    if flt.doc_ids:
        clauses.append({"doc_id": {"$in": list(flt.doc_ids)}})
    if flt.doc_types:
        clauses.append({"doc_type": {"$in": list(flt.doc_types)}})
    if flt.languages:
        clauses.append({"language": {"$in": list(flt.languages)}})
    if flt.year_from is not None:
        clauses.append({"year": {"$gte": flt.year_from}})
    if flt.year_to is not None:
        clauses.append({"year": {"$lte": flt.year_to}})
    if flt.groups is not None:
        # `$ne: True` also matches chunks written before access groups existed (no key): they are public.
        public: dict[str, Any] = {"restricted": {"$ne": True}}
        allowed = [{f"grp_{g}": True} for g in flt.groups]
        clauses.append({"$or": [public, *allowed]} if allowed else public)
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@runtime_checkable
class ChunkStore(Protocol):
    """Chunks with their vectors. Ids are the chunks' stable ids; adding an existing id replaces it."""

    @property
    def name(self) -> str: ...

    def add(self, chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32]) -> None: ...

    def delete(self, chunk_ids: Sequence[str]) -> None: ...

    def query(self, vector: Vector, k: int, flt: SearchFilter | None = None) -> list[Hit]: ...

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]: ...

    def ids(self, doc_id: str | None = None) -> list[str]: ...

    def all_chunks(self) -> list[Chunk]: ...

    def count(self) -> int: ...
