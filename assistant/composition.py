"""The composition root: the one place that builds components from settings and wires them together.

Components are built lazily: `assistant status` must not wait for a model load, and the app builds one
`Assistant` per process (st.cache_resource) that all sessions share.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.access.audit import AuditLog
from assistant.access.principal import Principal, protect_files_at_rest
from assistant.access.scoped import ScopedAssistant
from assistant.answering.answerer import Answerer, Turn
from assistant.answering.chain import AnswerChain, HistoryExpansion, QueryRewriter
from assistant.core.config import Settings
from assistant.core.embedder import Embedder
from assistant.core.errors import ConfigurationError
from assistant.core.offline import quiet_offline_environment
from assistant.core.records import Answer, Chunk, Hit, StoreStatus
from assistant.embedding.cache import VectorCache
from assistant.embedding.embedders import LazyEmbedder, build_embedder, embedder_identity
from assistant.retrieval.cross_encoder import CrossEncoderReranker
from assistant.retrieval.hybrid import HybridRetriever, LexicalCache
from assistant.retrieval.learned import BUNDLED_MODEL, LearnedReranker, RankerModel
from assistant.retrieval.lexical import LexicalIndex, TermPresence
from assistant.retrieval.rerank import AnswerTypeReranker, Reranker, SentenceReranker
from assistant.retrieval.retriever import CompleteChunks, DenseRetriever, Retriever
from ingest.chunking import chunking_label
from ingest.manifest import Manifest
from ingest.pipeline import Ingestor, IngestReport, Progress, WarmProgress
from vectorstore.base import ChunkStore, SearchFilter

logger = logging.getLogger(__name__)
# Chunks whose answer units (about 4 each) are embedded in one call: across documents, so the embedder's
# length-sorted batches pack well; a killed warm-up loses at most this much work.
WARM_BATCH_CHUNKS = 256

if TYPE_CHECKING:
    from assistant.answering.extractive import ExtractiveAnswerer
    from assistant.answering.llm import ChatModel


class BackgroundWarmer:
    """Runs `warm` (embedding the answer sentences of documents not warmed yet) in a daemon thread, so that in
    a long-running process (the app) the first question about a passage rarely waits for them. One run at a
    time; a request during a run asks for one more run after it (documents ingested meanwhile)."""

    def __init__(self, warm: Callable[[], int]) -> None:
        self._warm = warm
        self._lock = threading.Lock()
        self._pending = False
        self._thread: threading.Thread | None = None

    def request(self) -> None:
        with self._lock:
            self._pending = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="answer-vectors", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    return
                self._pending = False
            try:
                self._warm()
            except Exception:  # a failed warm-up costs only speed: questions embed what they need
                logger.exception("warming answer vectors in the background failed")

    def wait(self, timeout: float | None = None) -> bool:
        """True when no run is going on (within `timeout` seconds)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True


class Assistant:
    """Everything the CLI, the app and the evaluation need, built from one Settings object."""

    def __init__(
        self, settings: Settings, *, embedder: Embedder | None = None, chat_model: ChatModel | None = None
    ) -> None:
        quiet_offline_environment()
        protect_files_at_rest()  # every edge (CLI, app, evaluation) builds its Assistant here, before any file
        self.settings = settings
        self._embedder = embedder
        self._chat_model = chat_model
        # Made here, not lazily: sessions of the app may ask for it at the same moment.
        self.background_warmer = BackgroundWarmer(self.warm_answer_vectors)

    @cached_property
    def embedder(self) -> Embedder:
        if self._embedder is not None:
            given = self._embedder
            return LazyEmbedder(lambda: given, (given.model_id, given.dimension))
        return LazyEmbedder(lambda: build_embedder(self.settings), embedder_identity(self.settings))

    @cached_property
    def identity(self) -> tuple[str, int]:
        return self.embedder.model_id, self.embedder.dimension

    @cached_property
    def store(self) -> ChunkStore:
        from vectorstore.chroma import ChromaStore, ForeignWrites, collection_name, make_client

        s = self.settings

        def connect() -> Any:
            return make_client(
                path=None if s.storage.chroma_host else s.storage.chroma_path,
                host=s.storage.chroma_host,
                port=s.storage.chroma_port,
                ssl=s.storage.chroma_ssl,
            )

        model_id, dim = self.identity
        embedded = not s.storage.chroma_host
        # Embedded Chroma reads its files once: a library changed by another process (`assistant ingest` while
        # the app serves) needs a fresh client, or queries fail or miss the new documents.
        stale = ForeignWrites(self.manifest) if embedded else None
        return ChromaStore(
            connect(),
            collection_name(s.storage.collection_prefix, model_id, dim),
            model_id=model_id,
            dimension=dim,
            reconnect=connect if embedded else None,
            stale=stale,
        )

    @cached_property
    def manifest(self) -> Manifest:
        # One manifest per collection: switching models must not make the new collection look complete.
        model_id, dim = self.identity
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in f"{model_id}-{dim}")
        return Manifest(self.settings.storage.data_dir / f"manifest-{safe}.sqlite3")

    @cached_property
    def ingestor(self) -> Ingestor:
        s = self.settings
        return Ingestor(
            self.manifest,
            self.store,
            self.embedder,
            chunk_size=s.ingest.chunk_size,
            chunk_overlap=s.ingest.chunk_overlap,
            ocr_language=s.ingest.ocr_language,
            max_file_bytes=s.ingest.max_file_mb * 1024 * 1024,
        )

    @cached_property
    def retriever(self) -> Retriever:
        return self.retriever_for(self.store)

    @cached_property
    def vector_cache(self) -> VectorCache:
        model_id, dim = self.identity
        return VectorCache(
            self.settings.storage.data_dir / f"unit-vectors-{self.store.name}.sqlite3", f"{model_id}-{dim}"
        )

    @cached_property
    def complete_chunks(self) -> CompleteChunks:
        return CompleteChunks(self.manifest)

    @cached_property
    def lexical(self) -> LexicalCache:
        return LexicalCache(self.settings.storage.data_dir / f"lexical-{self.store.name}", self.manifest, self.store)

    def retriever_for(self, store: ChunkStore, lexical: Callable[[], LexicalIndex] | None = None) -> Retriever:
        """The configured retrieval over a store. Without a lexical provider, the store's own chunks are indexed
        once in memory (the BEIR evaluation uses its own store without a manifest)."""
        s = self.settings
        # The store the manifest manages: BM25 and the complete-documents check follow the manifest.
        managed = store is self.store and lexical is None
        complete = self.complete_chunks if managed else None
        if s.search.retrieval == "dense" or s.search.lexical_weight == 0:
            return DenseRetriever(self.embedder, store, searchable=complete)
        if lexical is None:
            if store is self.store:
                lexical = self.lexical.get
            else:
                built: list[LexicalIndex] = []

                def lexical() -> LexicalIndex:
                    if not built:
                        built.append(LexicalIndex.build(store.all_chunks()))
                    return built[0]

        return HybridRetriever(
            self.embedder,
            store,
            lexical,
            dense_weight=s.search.dense_weight,
            lexical_weight=s.search.lexical_weight,
            fusion=s.search.fusion,
            candidates=s.search.retrieval_candidates,
            max_per_doc=s.search.max_chunks_per_doc,
            reranker=self.reranker_for(store, lexical),
            searchable=complete,
            leaders_within=s.search.top_k if s.search.keep_run_leaders else 0,
        )

    @cached_property
    def ranker_model(self) -> RankerModel:
        """The learned ranker's weights: the configured file, else the bundled one (read once)."""
        return RankerModel.load(self.settings.search.ranker_model or BUNDLED_MODEL)

    def reranker_for(self, store: ChunkStore, lexical: Callable[[], LexicalIndex] | None = None) -> Reranker | None:
        """The second stage. Sentence vectors come from the store's unit-vector cache (filled at ingest); a
        store without one (the BEIR evaluation's) embeds the candidates' sentences on demand. A cross-encoder
        folder is checked here and its model loaded on the first question. The learned ranker reads the BM25
        index (`lexical`) for its word-coverage signal."""
        s = self.settings
        second: Reranker | None = None
        if s.search.rerank == "cross-encoder" and s.search.rerank_weight > 0:
            if s.search.cross_encoder_path is None:
                raise ConfigurationError(
                    "ASSISTANT_RERANK=cross-encoder needs a local cross-encoder folder",
                    hint="set ASSISTANT_CROSS_ENCODER_PATH to it (e.g. a copied "
                    "cross-encoder/mmarco-mMiniLMv2-L12-H384-v1 folder), or ASSISTANT_RERANK=none",
                )
            second = CrossEncoderReranker(
                s.search.cross_encoder_path.expanduser(),
                weight=s.search.rerank_weight,
                top=s.search.rerank_top,
                threads=s.embedding.embedding_threads,
            )
        elif s.search.rerank == "sentence" and s.search.rerank_weight > 0:
            cache = self.vector_cache if store is self.store else None
            second = SentenceReranker(self.embedder, cache, weight=s.search.rerank_weight, top=s.search.rerank_top)
        fixed: Reranker | None = second
        if s.search.answer_type_weight > 0:
            # Cheap pattern check first; a model-based stage then re-scores the re-ordered head.
            fixed = AnswerTypeReranker(weight=s.search.answer_type_weight, top=s.search.rerank_top, then=second)
        if s.search.ranker == "learned" and lexical is not None:
            index = lexical

            def terms(query: str, chunks: Sequence[Chunk]) -> TermPresence:
                return index().term_presence(query, chunks)

            # A question in a language the model was not fitted for keeps the fixed order (docs/retrieval.md).
            return LearnedReranker(self.ranker_model, terms, then=second, other_languages=fixed)
        return fixed

    @cached_property
    def answerer(self) -> Answerer:
        s = self.settings
        if s.answering.llm_backend != "none":
            from assistant.answering.generative import GenerativeAnswerer

            return GenerativeAnswerer(
                self.chat_model,
                self.embedder,
                verify_threshold=s.answering.verify_threshold,
                verify_mode=s.answering.verify_mode,
                evidence=self.extractive,
            )
        return self.extractive

    @cached_property
    def extractive(self) -> ExtractiveAnswerer:
        """The extractive answerer: the default answerer, and the evidence check of the generative one."""
        from assistant.answering.extractive import ExtractiveAnswerer

        return ExtractiveAnswerer(self.embedder, vector_cache=self.vector_cache)

    @cached_property
    def chat_model(self) -> ChatModel:
        """The one chat model (answers, briefing sections, follow-up rewriting share it)."""
        from assistant.answering.llm import build_chat_model

        if self._chat_model is not None:
            return self._chat_model
        if self.settings.answering.llm_backend == "none":
            raise ConfigurationError(
                "no language model is configured", hint="set ASSISTANT_LLM_BACKEND (see docs/llm.md)"
            )
        return build_chat_model(self.settings)

    @cached_property
    def rewriter(self) -> QueryRewriter:
        s = self.settings
        mode = s.search.query_rewriter
        if mode == "auto":
            mode = "llm" if s.answering.llm_backend != "none" else "history"
        if mode == "llm":
            if s.answering.llm_backend == "none":
                raise ConfigurationError(
                    "query_rewriter='llm' needs a language model",
                    hint="set ASSISTANT_LLM_BACKEND, or ASSISTANT_QUERY_REWRITER=history",
                )
            from assistant.answering.rewrite import LLMRewriter

            return LLMRewriter(self.chat_model, fallback=HistoryExpansion(extra_weight=s.search.history_weight))
        return HistoryExpansion(extra_weight=s.search.history_weight)

    @cached_property
    def chain(self) -> AnswerChain:
        s = self.settings
        # Measured for the extractive answerer only: a language model's prompt would double, and a small model's
        # context window (llama.cpp's 4,096 tokens here, Ollama's default) may not hold ten passages.
        extractive = s.answering.llm_backend == "none"
        return AnswerChain(
            self.retriever,
            self.answerer,
            rewriter=self.rewriter,
            retrieve_k=max(10, s.search.top_k),
            answer_k=s.search.top_k,
            overview_k=s.answering.overview_passages if extractive else s.search.top_k,
            locate=self.manifest.chunk_at,
        )

    @cached_property
    def audit(self) -> AuditLog:
        s = self.settings
        return AuditLog(
            s.audit_path, max_bytes=int(s.access.audit_max_mb * 1024 * 1024), backups=s.access.audit_backups
        )

    def scoped(self, principal: Principal, *, audited: bool = True, session: str | None = None) -> ScopedAssistant:
        """The use cases as `principal` may see them (access groups), written to the audit log (with `session`,
        the app's browser session, on every entry). Every edge (CLI, app, evaluation) works through this; the
        unscoped methods below are the operator's."""
        return ScopedAssistant(self, principal, self.audit if audited else None, session=session)

    # --- use cases ---------------------------------------------------------------------------------------

    def ingest(
        self, paths: list[Path], *, sync: bool = False, reread: bool = False, progress: Progress | None = None
    ) -> IngestReport:
        report = self.ingestor.ingest(paths, sync=sync, reread=reread, progress=progress)
        if self.settings.search.retrieval == "hybrid":
            self.lexical.get()  # bring the BM25 index up to date now, not on the first question
        if self.settings.ingest.precompute_answer_vectors:
            started = time.perf_counter()
            report.answer_units = self.warm_answer_vectors(progress)
            report.answer_vectors_seconds = time.perf_counter() - started
        return report

    def warm_answer_vectors(self, progress: object = None) -> int:
        """Embed the answer units of every document not yet warmed (all of a new index; after an interrupted
        run, the rest). Documents are searchable and answerable before this: a unit without a vector is
        embedded when a question first needs it. Returns the number of units embedded."""
        warm = self.extractive.warm  # the generative answerer's evidence check reads the same unit vectors
        docs = [d.doc_id for d in self.manifest.documents()]
        self.vector_cache.forget_warmed(docs)
        done = self.vector_cache.warmed()
        todo = [d for d in docs if d not in done]
        tell = progress.warming if isinstance(progress, WarmProgress) else None
        embedded = finished = 0
        batch: list[str] = []
        ids: list[str] = []
        for index, doc_id in enumerate(todo):
            batch.append(doc_id)
            ids.extend(self.manifest.chunk_ids(doc_id))
            # Across documents, so many small documents still fill the embedder's batches.
            if len(ids) >= WARM_BATCH_CHUNKS or index == len(todo) - 1:
                embedded += warm(self.store.get(ids))
                self.vector_cache.mark_warmed(batch)
                finished += len(batch)
                if tell is not None:
                    tell(finished, len(todo))
                batch, ids = [], []
        return embedded

    def warm_in_background(self) -> None:
        """Start (or queue one more) background run of `warm_answer_vectors`; a long-running process calls
        this after start and after each ingest. Nothing to do when ingest embeds them itself."""
        if not self.settings.ingest.precompute_answer_vectors:
            self.background_warmer.request()

    def search(self, query: str, k: int | None = None, flt: SearchFilter | None = None) -> list[Hit]:
        return self.retriever.search(query, k or self.settings.search.top_k, flt)

    def ask(self, question: str, history: list[Turn] | None = None, flt: SearchFilter | None = None) -> Answer:
        return self.chain.ask(question, history or (), flt)

    def status(self) -> StoreStatus:
        counts = self.manifest.counts()
        model_id, dim = self.identity
        return StoreStatus(
            documents=counts["documents"],
            chunks=counts["chunks"],
            store_chunks=self.store.count(),
            files=counts["files"],
            failed=counts["failed"],
            with_warnings=counts["with_warnings"],
            collection=self.store.name,
            store_mode=self.settings.storage.store_mode,
            embedding=f"{self.settings.embedding.embedding_backend}: {model_id} ({dim} d)",
            out_of_date=self.out_of_date(),
        )

    def out_of_date(self, visible: Callable[[tuple[str, ...]], bool] | None = None) -> dict[str, int]:
        """Stored documents the next ingest will read again under the current settings, by reason; `visible`:
        only documents with access groups it accepts."""
        return self.manifest.out_of_date(
            chunking_label(self.settings.ingest.chunk_size, self.settings.ingest.chunk_overlap), visible
        )

    def describe(self) -> dict[str, Any]:
        return {"settings": self.settings.model_dump(mode="json"), "identity": self.identity}


def build_assistant(settings: Settings, *, embedder: Embedder | None = None) -> Assistant:
    return Assistant(settings, embedder=embedder)
