"""Retrieval seam and the dense retriever (the LangChain adapter: `assistant.retrieval.langchain_adapters`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from assistant.core.embedder import Embedder
from assistant.core.records import Hit
from vectorstore.base import ChunkStore, SearchFilter

if TYPE_CHECKING:
    from ingest.manifest import Manifest


@runtime_checkable
class Retriever(Protocol):
    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]: ...


class DenseRetriever:
    """Embed the query, ask the store for its nearest chunks. With `searchable` (the chunk ids of completely
    ingested documents), chunks a crash left behind in the store are skipped, as in the hybrid retriever."""

    def __init__(
        self, embedder: Embedder, store: ChunkStore, *, searchable: Callable[[], frozenset[str]] | None = None
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.searchable = searchable

    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]:
        if not query.strip():
            return []
        vector = self.embedder.embed_query(query)
        if self.searchable is None:
            return self.store.query(vector, k, flt)
        allowed = self.searchable()
        # A few more than k, so skipped leftovers do not shorten the list.
        hits = [h for h in self.store.query(vector, k + 10, flt) if h.chunk.chunk_id in allowed][:k]
        return [replace(h, rank=rank) for rank, h in enumerate(hits, start=1)]


class CompleteChunks:
    """The chunk ids of documents the manifest calls complete, re-read only when its generation changes. After a
    crash, Chroma may still hold chunks of a half-written document until the next ingest's recovery removes
    them; the retrievers check dense hits against this set, so such chunks are never shown."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self._state: tuple[int, frozenset[str]] | None = None

    def __call__(self) -> frozenset[str]:
        generation = self.manifest.generation()
        state = self._state
        if state is not None and state[0] == generation:
            return state[1]
        # Read after `generation`: the ids are at least as new as the generation they are stored under.
        ids = frozenset(self.manifest.searchable_chunk_ids())
        self._state = (generation, ids)
        return ids
