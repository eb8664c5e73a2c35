"""Retrieval seam and the dense retriever, plus the LangChain `BaseRetriever` adapter."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embeddings import Embedder
from assistant.records import Hit
from vectorstore.base import ChunkStore, SearchFilter


@runtime_checkable
class Retriever(Protocol):
    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]: ...


class DenseRetriever:
    """Embed the query, ask the store for its nearest chunks."""

    def __init__(self, embedder: Embedder, store: ChunkStore) -> None:
        self.embedder = embedder
        self.store = store

    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]:
        if not query.strip():
            return []
        return self.store.query(self.embedder.embed_query(query), k, flt)


def hit_to_langchain(hit: Hit) -> LCDocument:
    meta: dict[str, Any] = dict(hit.chunk.to_metadata())
    meta.update({"chunk_id": hit.chunk.chunk_id, "score": hit.score, "rank": hit.rank})
    return LCDocument(page_content=hit.chunk.text, metadata=meta, id=hit.chunk.chunk_id)


class LangChainRetriever(BaseRetriever):
    """Our retriever as a LangChain runnable, so chains compose with it."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 5
    flt: SearchFilter | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [hit_to_langchain(h) for h in self.retriever.search(query, self.k, self.flt)]
