"""Embedders used only by the benchmark.

`TableEmbedder` returns vectors computed before the run (a table keyed by the exact text), so ingest time
minus its (near-zero) lookup time is pure pipeline overhead. Texts not in the table (the answer sentences the
extractive answerer embeds at ingest) get a vector made on the spot from two rows of a fixed random pool,
chosen by a hash of the text: deterministic across processes and a few microseconds per text.

`TimedEmbedder` wraps any embedder and records where embedding time goes (chunk texts vs other texts, such
as answer sentences, vs queries).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from assistant.core.embedder import Embedder, Vectors

DIM = 384
_POOL_ROWS = 65_536


def _pool(dim: int) -> Vectors:
    rng = np.random.default_rng(20240501)
    pool: Vectors = rng.standard_normal((_POOL_ROWS, dim), dtype=np.float32)
    return pool


class TableEmbedder:
    """Precomputed vectors: a table for known texts, a hash-addressed random vector for any other text."""

    def __init__(
        self,
        texts: Iterable[str] = (),
        *,
        dim: int = DIM,
        model_id: str = "precomputed-table",
        query: Callable[[str], Vectors] | None = None,
    ) -> None:
        self._dim = dim
        self._id = model_id
        self._pool = _pool(dim)
        self._query = query
        unique = list(dict.fromkeys(texts))
        self.table: dict[str, Vectors] = {}
        if unique:
            matrix = self._hashed(unique)
            self.table = {t: matrix[i] for i, t in enumerate(unique)}

    @property
    def model_id(self) -> str:
        return self._id

    @property
    def dimension(self) -> int:
        return self._dim

    def _hashed(self, texts: Sequence[str]) -> Vectors:
        rows_a = np.empty(len(texts), dtype=np.int64)
        rows_b = np.empty(len(texts), dtype=np.int64)
        for i, text in enumerate(texts):
            h = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            rows_a[i] = h % _POOL_ROWS
            rows_b[i] = (h >> 20) % _POOL_ROWS
        vectors = self._pool[rows_a] + 0.7 * self._pool[rows_b]
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        out: Vectors = vectors.astype(np.float32)
        return out

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        found = [self.table.get(t) for t in texts]
        missing = [t for t, v in zip(texts, found, strict=True) if v is None]
        if not missing:
            return np.stack([v for v in found if v is not None])
        made = iter(self._hashed(missing))
        return np.stack([v if v is not None else next(made) for v in found])

    def embed_query(self, text: str) -> Vectors:
        if self._query is not None:
            return self._query(text)
        vector: Vectors = self._hashed([text])[0]
        return vector


class TimedEmbedder:
    """Delegates to `inner` and accumulates seconds and text counts per kind of call."""

    def __init__(self, inner: Embedder, chunk_texts: Iterable[str] = ()) -> None:
        self.inner = inner
        self.chunk_texts = set(chunk_texts)
        self.seconds = {"chunks": 0.0, "other": 0.0, "queries": 0.0}
        self.texts = {"chunks": 0, "other": 0, "queries": 0}

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        t0 = time.perf_counter()
        out = self.inner.embed_documents(texts)
        kind = "chunks" if texts and texts[0] in self.chunk_texts else "other"
        self.seconds[kind] += time.perf_counter() - t0
        self.texts[kind] += len(texts)
        return out

    def embed_query(self, text: str) -> Vectors:
        t0 = time.perf_counter()
        out = self.inner.embed_query(text)
        self.seconds["queries"] += time.perf_counter() - t0
        self.texts["queries"] += 1
        return out
