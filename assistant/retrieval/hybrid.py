"""Hybrid retrieval: dense (the embedder) + BM25 (Dutch analysis), fused by weighted convex combination,
then diversified so a multi-document question does not get five chunks of one document.

The BM25 index is derived state: it is rebuilt or updated from the store whenever the manifest's
generation changes, and persisted beside the store so a restart does not pay for a rebuild."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from assistant.core.embedder import Embedder
from assistant.core.records import Chunk, Hit
from assistant.retrieval.fusion import cap_per_document, convex_fusion, keep_run_leaders, weighted_rrf
from assistant.retrieval.lexical import LexicalIndex, chunks_signature
from assistant.retrieval.rerank import Reranker
from ingest.manifest import Manifest
from vectorstore.base import ChunkStore, SearchFilter

log = logging.getLogger(__name__)


class LexicalCache:
    """Keeps a LexicalIndex consistent with the manifest (incremental ingest, sync, delete)."""

    def __init__(self, folder: Path, manifest: Manifest, store: ChunkStore) -> None:
        self.folder = folder
        self.manifest = manifest
        self.store = store
        # (generation, index) swapped as one reference: a reader never pairs a new generation with an old index.
        self._state: tuple[int, LexicalIndex] | None = None
        self._lock = threading.Lock()

    def get(self) -> LexicalIndex:
        generation = self.manifest.generation()
        state = self._state
        if state is not None and state[0] == generation:
            return state[1]
        with self._lock:
            state = self._state
            if state is not None and state[0] == generation:
                return state[1]
            # Read after `generation`, so the index is at least as new as the generation it is stored under.
            index = self._refresh(state[1] if state is not None else None)
            self._state = (generation, index)
            return index

    def _refresh(self, current: LexicalIndex | None) -> LexicalIndex:
        wanted = self.manifest.searchable_chunk_ids()
        signature = chunks_signature(wanted)
        if current is None and (self.folder / "lexical.json").is_file():
            try:
                current = LexicalIndex.load(self.folder)
            except Exception as exc:  # a damaged derived index is rebuilt, never fatal
                log.warning("rebuilding BM25 index: %s", exc)
                current = None
        if current is not None and current.signature == signature:
            return current
        if current is None:
            index = LexicalIndex.build(self._fetch(wanted))
        else:
            have = {c.chunk_id for c in current.chunks}
            want = set(wanted)
            added = self._fetch([cid for cid in wanted if cid not in have])
            index = current.updated(added, have - want)
        self._save(index)
        return index

    def _fetch(self, ids: list[str]) -> list[Chunk]:
        chunks: list[Chunk] = []
        for start in range(0, len(ids), 2000):
            chunks.extend(self.store.get(ids[start : start + 2000]))
        return chunks

    def _save(self, index: LexicalIndex) -> None:
        # The saved copy only spares the next process a rebuild. Another process (the CLI beside the app) may
        # be saving at the same moment: a private temp folder, and a failed swap is logged, never raised.
        tmp = self.folder.with_name(f"{self.folder.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        try:
            if tmp.exists():
                shutil.rmtree(tmp)
            index.save(tmp)
            if self.folder.exists():
                shutil.rmtree(self.folder)
            tmp.rename(self.folder)
        except OSError as exc:
            log.warning("BM25 index not saved (kept in memory): %s", exc)
            shutil.rmtree(tmp, ignore_errors=True)


class HybridRetriever:
    """Dense and BM25 candidates fused with weights chosen by measurement (see README / closing notes)."""

    def __init__(
        self,
        embedder: Embedder,
        store: ChunkStore,
        lexical: Callable[[], LexicalIndex],
        *,
        dense_weight: float = 0.7,
        lexical_weight: float = 0.3,
        fusion: str = "convex",
        candidates: int = 50,
        max_per_doc: int = 3,
        reranker: Reranker | None = None,
        searchable: Callable[[], frozenset[str]] | None = None,
        leaders_within: int = 0,
    ) -> None:
        self.embedder = embedder
        self.store = store
        self.lexical = lexical
        self.weights = {"dense": dense_weight, "bm25": lexical_weight}
        self.fusion = fusion
        self.candidates = candidates
        self.max_per_doc = max_per_doc
        self.reranker = reranker
        self.searchable = searchable
        self.leaders_within = leaders_within  # 0: off

    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]:
        if not query.strip():
            return []
        n = max(self.candidates, k)
        dense = self.store.query(self.embedder.embed_query(query), n, flt)
        if self.searchable is not None:
            allowed = self.searchable()
            dense = [h for h in dense if h.chunk.chunk_id in allowed]
        runs = {"dense": dense}
        if self.weights["bm25"] > 0:
            runs["bm25"] = self.lexical().search(query, n, flt)
        fused = weighted_rrf(runs, self.weights, n) if self.fusion == "rrf" else convex_fusion(runs, self.weights, n)
        if self.reranker is not None:
            fused = self.reranker.rerank(query, fused)
        top = cap_per_document(fused, self.max_per_doc, k) if self.max_per_doc else fused[:k]
        return keep_run_leaders(top, fused, runs, k, self.leaders_within) if self.leaders_within else top
