"""Chroma, embedded (PersistentClient in the data dir) or as a server (HttpClient). Telemetry always off."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.core.errors import DependencyMissingError, StoreError
from assistant.core.offline import quiet_offline_environment
from assistant.core.records import Chunk, Hit
from vectorstore.base import SearchFilter, Vector, to_chroma_where

# Chroma reads its telemetry switch at import; set before the first import so nothing phones home.
quiet_offline_environment()

# Chroma caps one request; larger batches are split.
_MAX_BATCH = 4000


log = logging.getLogger(__name__)


def collection_name(prefix: str, model_id: str, dimension: int) -> str:
    """One collection per embedding model and dimension, so switching models never mixes vectors.
    Chroma allows [a-zA-Z0-9._-], 3-512 chars, starting and ending alphanumeric."""
    raw = f"{prefix}-{model_id}-{dimension}"
    name = re.sub(r"[^a-zA-Z0-9._-]+", "-", raw).strip("-._")
    return name[:512] if len(name) >= 3 else f"{name}xxx"[:3]


def make_client(*, path: Path | None = None, host: str | None = None, port: int = 8000, ssl: bool = False) -> Any:
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
    except ImportError as exc:  # pragma: no cover
        raise DependencyMissingError.for_package("The vector store", "chromadb") from exc
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if host:
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
        if path is None:
            raise StoreError("embedded Chroma needs a path")
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except StoreError:
        raise
    except Exception as exc:
        where = f"server {host}:{port}" if host else f"folder {path}"
        raise StoreError(
            f"cannot open Chroma ({where}): {exc}",
            hint="start the server (`chroma run --path DIR --port N`) or unset ASSISTANT_CHROMA_HOST"
            if host
            else "check that the data dir is writable and not used by another Chroma version",
        ) from exc


def _alive(meta: Any) -> bool:
    """A Chroma server can return the id of a chunk deleted while the query ran, without its record
    (metadata None): measured with 20 readers and a writer (tests/test_concurrency.py). Such a row is skipped."""
    return bool(meta) and "doc_id" in meta


# Chroma's defaults (16 neighbours, ef 100) lost the bundled corpus behind 1,000 law passages: recall@10 against
# exact search was 0.765 on 1,208 vectors, and the dev questions' evidence fell out of the top 50 (the corpus
# formed an island the search did not reach). With 32 neighbours and ef 200 the same data gives 1.0.
HNSW = {"space": "cosine", "max_neighbors": 32, "ef_construction": 200, "ef_search": 200}
CHROMA_DEFAULT_HNSW = {"space": "cosine"}


class ForeignWrites:
    """True once per change another process made to the library since the last call (the manifest counts
    changes and knows its own): an embedded Chroma client reads its files once, so it must reopen them."""

    def __init__(self, manifest: Any) -> None:
        """Make it before the client it watches: a change between the two then counts as foreign (one reopen
        too many at worst), never as seen."""
        self.manifest = manifest
        self._seen = int(manifest.generation())
        self._lock = threading.Lock()

    def __call__(self) -> bool:
        with self._lock:
            self._seen, foreign = self.manifest.changed_elsewhere(self._seen)
            return bool(foreign)


class ChromaStore:
    def __init__(
        self,
        client: Any,
        name: str,
        *,
        model_id: str,
        dimension: int,
        hnsw: dict[str, Any] | None = None,
        reconnect: Callable[[], Any] | None = None,
        stale: Callable[[], bool] | None = None,
    ) -> None:
        """`reconnect` makes a new client and `stale` says when one is needed (embedded Chroma with another
        process writing: `ForeignWrites`); a server sees every writer and needs neither."""
        self._client = client
        self._reconnect = reconnect
        self._stale = stale
        self._reopen_lock = threading.Lock()
        self._name = name
        self._dimension = dimension
        wanted = dict(HNSW if hnsw is None else hnsw)
        self._metadata = {"model_id": model_id, "dimension": dimension}
        try:
            self._col = self._open(name, wanted)
        except Exception as exc:
            raise StoreError(f"cannot open collection '{name}': {exc}") from exc
        self._raise_ef_search(int(wanted.get("ef_search", 0)))

    def _create(self, name: str, hnsw: dict[str, Any]) -> Any:
        # embedding_function=None: we always pass vectors; Chroma's default would try to download a model.
        return self._client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": hnsw}, metadata=self._metadata
        )

    def _open(self, name: str, hnsw: dict[str, Any]) -> Any:
        """Open (or create) the collection. One built with a sparser graph than `hnsw` asks for is rebuilt from
        its stored vectors (no re-embedding): copy into `<name>-hnsw`, drop the old one, rename. A run killed
        part-way is finished or redone at the next open."""
        spare = f"{name}-hnsw"
        existing = {getattr(c, "name", c) for c in self._client.list_collections()}
        if spare in existing and name not in existing:  # killed between drop and rename: the copy is complete
            self._client.get_collection(spare, embedding_function=None).modify(name=name)
            existing = (existing - {spare}) | {name}
        if spare in existing:  # killed while copying: the old collection is intact, start over
            self._client.delete_collection(spare)
        col = self._create(name, hnsw)
        have = (col.configuration_json or {}).get("hnsw") or {}
        if int(have.get("max_neighbors") or 16) >= int(hnsw.get("max_neighbors") or 16):
            return col
        log.warning("rebuilding the vector index of '%s' with %s (stored vectors are reused)", name, hnsw)
        copy = self._create(spare, hnsw)
        total = col.count()
        for offset in range(0, total, _MAX_BATCH):
            part = col.get(limit=_MAX_BATCH, offset=offset, include=["embeddings", "documents", "metadatas"])
            if part["ids"]:
                copy.upsert(
                    ids=part["ids"],
                    embeddings=part["embeddings"],
                    documents=part["documents"],
                    metadatas=part["metadatas"],
                )
        self._client.delete_collection(name)
        copy.modify(name=name)
        return self._client.get_collection(name, embedding_function=None)

    def _raise_ef_search(self, ef_search: int) -> None:
        """A collection made before HNSW was tuned keeps its graph, but its search breadth can still be raised."""
        if not ef_search:
            return
        try:
            current = (self._col.configuration_json or {}).get("hnsw") or {}
            if int(current.get("ef_search") or 0) < ef_search:
                self._col.modify(configuration={"hnsw": {"ef_search": ef_search}})
        except Exception as exc:  # an older server without the setting still works, with its own breadth
            log.warning("could not raise ef_search of '%s': %s", self._name, exc)

    @property
    def name(self) -> str:
        return self._name

    def reopen(self) -> None:
        """A new client on the same files, so writes of another process are seen (and not overwritten by an
        index this process holds in memory)."""
        if self._reconnect is None:
            return
        with self._reopen_lock:
            old = self._client
            try:
                old.close()  # the last client of a path stops its cached system, so the next one reads afresh
            except Exception as exc:  # an old client that cannot close still lets the new one open
                log.warning("closing the Chroma client: %s", exc)
            self._client = self._reconnect()
            self._col = self._client.get_collection(self._name, embedding_function=None)
            log.info("reopened '%s': another process changed the library", self._name)

    @property
    def _fresh(self) -> Any:
        """The collection, reopened first when another process changed the library."""
        if self._stale is not None and self._stale():
            self.reopen()
        return self._col

    def add(self, chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32]) -> None:
        if len(chunks) != len(vectors):
            raise StoreError(f"{len(chunks)} chunks but {len(vectors)} vectors")
        if len(chunks) and vectors.shape[1] != self._dimension:
            raise StoreError(
                f"vectors have {vectors.shape[1]} dimensions, collection '{self._name}' expects {self._dimension}"
            )
        col = self._fresh
        for i in range(0, len(chunks), _MAX_BATCH):
            part = chunks[i : i + _MAX_BATCH]
            col.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=vectors[i : i + _MAX_BATCH],
                documents=[c.text for c in part],
                metadatas=[c.to_metadata() for c in part],
            )

    def delete(self, chunk_ids: Sequence[str]) -> None:
        ids = list(chunk_ids)
        col = self._fresh
        for i in range(0, len(ids), _MAX_BATCH):
            col.delete(ids=ids[i : i + _MAX_BATCH])

    def query(self, vector: Vector, k: int, flt: SearchFilter | None = None) -> list[Hit]:
        col = self._fresh
        total = int(col.count())
        if total == 0:
            return []
        result = col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(k, total),
            where=to_chroma_where(flt),
            include=["documents", "metadatas", "distances"],
        )
        hits: list[Hit] = []
        for cid, text, meta, dist in zip(
            result["ids"][0],
            result["documents"][0],
            result["metadatas"][0],
            result["distances"][0],
            strict=True,
        ):
            if not _alive(meta):
                continue
            score = 1.0 - float(dist)  # cosine distance -> similarity
            hits.append(Hit(Chunk.from_metadata(cid, text or "", meta), score, len(hits) + 1, {"dense": score}))
        return hits

    def get(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        if not chunk_ids:
            return []
        got = self._fresh.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        by_id = {
            cid: Chunk.from_metadata(cid, text or "", meta)
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if _alive(meta)
        }
        return [by_id[c] for c in chunk_ids if c in by_id]

    def all_chunks(self) -> list[Chunk]:
        got = self._fresh.get(include=["documents", "metadatas"])
        return [
            Chunk.from_metadata(cid, text or "", meta)
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            if _alive(meta)
        ]

    def ids(self, doc_id: str | None = None) -> list[str]:
        where = {"doc_id": doc_id} if doc_id else None
        return list(self._fresh.get(where=where, include=[])["ids"])

    def count(self) -> int:
        return int(self._fresh.count())
