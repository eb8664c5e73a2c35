"""Our seams as LangChain components, so LangChain code composes with them: the embedder as `Embeddings`, the
retriever as a `BaseRetriever`, a hit as a LangChain `Document`. `AnswerChain.as_runnable` is the chain.

A module of its own so that importing the product does not import LangChain (about a second per process:
its callbacks pull in langsmith); only code that asks for a LangChain object pays for it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.core.embedder import Embedder
from assistant.core.records import Hit
from vectorstore.base import SearchFilter


class LangChainEmbeddings(Embeddings):
    """Our embedder as a LangChain `Embeddings`."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, v)) for v in self.embedder.embed_documents(texts)]

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self.embedder.embed_query(text)))


def hit_to_langchain(hit: Hit) -> LCDocument:
    meta: dict[str, Any] = dict(hit.chunk.to_metadata())
    meta.update({"chunk_id": hit.chunk.chunk_id, "score": hit.score, "rank": hit.rank})
    return LCDocument(page_content=hit.chunk.text, metadata=meta, id=hit.chunk.chunk_id)


class LangChainRetriever(BaseRetriever):
    """Our retriever as a LangChain runnable."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any
    k: int = 5
    flt: SearchFilter | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [hit_to_langchain(h) for h in self.retriever.search(query, self.k, self.flt)]
