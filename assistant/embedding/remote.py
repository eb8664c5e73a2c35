"""Embeddings from a server: the OpenAI embeddings route or Text Embeddings Inference's native `/embed`.

- `OpenAICompatibleEmbedder`: POST {base}/v1/embeddings `{"model", "input": [...]}` → `{"data": [{"index",
  "embedding"}]}`. vLLM (`--task embed`), llama.cpp's server (`--embedding`), llama-cpp-python's server,
  TEI and Infinity all speak it.
- `TeiEmbedder`: POST {base}/embed `{"inputs": [...], "truncate": true}` → `[[...], ...]`.

Neither protocol knows queries from documents, so the model's prompts are put before the text here, exactly as
the local embedder does (EmbeddingGemma: "task: search result | query: " / "title: none | text: "); the server
must then not add a prompt of its own. Vectors are L2-normalised here whatever the server returns, and
truncated first when a Matryoshka dimension is set. A refused or broken connection, HTTP 429 and 5xx are tried
again with backoff (`assistant.core.retry`); what still fails becomes `EmbeddingServerError` naming the URL and
what to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np

from assistant.core.errors import ModelError
from assistant.core.retry import DEFAULT_RETRY, RetryPolicy, call_with_retries

Vectors = Any


class EmbeddingServerError(ModelError):
    """The embedding server could not be reached or answered with an error (exit code 3, like models)."""


def api_root(url: str) -> str:
    """The server root without a trailing '/v1', so users may give either form."""
    root = url.strip().rstrip("/")
    return root[: -len("/v1")] if root.endswith("/v1") else root


class _RemoteEmbedder:
    route = ""

    def __init__(
        self,
        url: str,
        *,
        model: str,
        model_id: str | None = None,
        query_prompt: str = "",
        document_prompt: str = "",
        api_key: str | None = None,
        timeout: float = 60.0,
        batch_size: int = 16,
        truncate_dim: int | None = None,
        dimension: int | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise EmbeddingServerError(
                f"embedding server URL '{url}' must start with http:// or https://",
                hint="set ASSISTANT_EMBEDDING_URL, e.g. http://127.0.0.1:8080",
            )
        self.url = api_root(url) + self.route
        self.model = model
        self._id = model_id or model
        self._query_prompt = query_prompt
        self._doc_prompt = document_prompt
        self._timeout = timeout
        self._batch_size = batch_size
        self._truncate = truncate_dim
        self._dim = truncate_dim or dimension
        self._retry = retry
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), headers=headers, transport=transport
        )

    @property
    def model_id(self) -> str:
        return self._id

    @property
    def dimension(self) -> int:
        if self._dim is None:
            # Unknown until the server has answered once; one short probe tells it.
            self._dim = int(self._post(["dimension probe"]).shape[1])
        return self._dim

    def close(self) -> None:
        self._client.close()

    def _payload(self, texts: list[str]) -> dict[str, Any]:
        raise NotImplementedError

    def _parse(self, body: Any, count: int) -> list[list[float]]:
        raise NotImplementedError

    def _send(self, texts: list[str]) -> Any:
        response = self._client.post(self.url, json=self._payload(texts))
        response.raise_for_status()
        return response.json()

    def _post(self, texts: list[str]) -> Vectors:
        try:
            body = call_with_retries(lambda: self._send(texts), self._retry)
        except httpx.TimeoutException as exc:
            raise EmbeddingServerError(
                f"the embedding server at {self.url} did not answer within {self._timeout:g} s",
                hint="raise ASSISTANT_EMBEDDING_TIMEOUT_S or lower ASSISTANT_EMBEDDING_BATCH_SIZE",
            ) from exc
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            text = exc.response.text[:300].strip()
            if status in (401, 403):
                hint = "check ASSISTANT_EMBEDDING_API_KEY"
            elif status == 404:
                hint = (
                    "check ASSISTANT_EMBEDDING_URL and ASSISTANT_EMBEDDING_BACKEND (openai: /v1/embeddings, "
                    "tei: /embed) and that the server was started in embedding mode"
                )
            else:
                hint = "check ASSISTANT_EMBEDDING_MODEL (the name the server serves) and the server's log"
            raise EmbeddingServerError(
                f"the embedding server at {self.url} answered HTTP {status}: {text}", hint=hint
            ) from exc
        except httpx.HTTPError as exc:
            raise EmbeddingServerError(
                f"cannot reach the embedding server at {self.url} ({type(exc).__name__}: {exc})",
                hint="start the server, or fix ASSISTANT_EMBEDDING_URL (docs/scaling.md: embedding servers)",
            ) from exc
        except ValueError as exc:
            raise EmbeddingServerError(f"the embedding server at {self.url} did not answer JSON ({exc})") from exc
        try:
            rows = self._parse(body, len(texts))
            if rows and rows[0] and isinstance(rows[0][0], list):
                raise EmbeddingServerError(
                    f"the embedding server at {self.url} returned one vector per token instead of one per text "
                    "(it does no pooling)",
                    hint="start it with pooling, e.g. llama.cpp `llama-server --embedding --pooling mean`, or serve "
                    "an embedding model (vLLM/TEI pool by themselves)",
                )
            matrix = np.asarray(rows, dtype=np.float32)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise EmbeddingServerError(
                f"the embedding server at {self.url} answered in an unexpected shape ({type(exc).__name__}: {exc})",
                hint="check ASSISTANT_EMBEDDING_BACKEND: 'openai' for /v1/embeddings, 'tei' for TEI's /embed",
            ) from exc
        if matrix.ndim != 2 or matrix.shape[0] != len(texts):
            raise EmbeddingServerError(
                f"the embedding server at {self.url} returned {matrix.shape[0] if matrix.ndim else 0} vectors "
                f"for {len(texts)} texts"
            )
        if self._truncate:
            matrix = matrix[:, : self._truncate]
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out: Vectors = (matrix / norms).astype(np.float32)
        return out

    def _embed(self, texts: Sequence[str], prompt: str) -> Vectors:
        prepared = [prompt + t for t in texts]
        parts = [self._post(prepared[i : i + self._batch_size]) for i in range(0, len(prepared), self._batch_size)]
        out: Vectors = np.vstack(parts)
        if self._dim is None:
            self._dim = int(out.shape[1])
        elif out.shape[1] != self._dim:
            raise EmbeddingServerError(
                f"the embedding server at {self.url} returned {out.shape[1]}-d vectors, expected {self._dim}",
                hint="the server serves another model than this index was built with; check ASSISTANT_EMBEDDING_MODEL "
                "and ASSISTANT_EMBEDDING_DIM",
            )
        return out

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._embed(texts, self._doc_prompt)

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self._embed([text], self._query_prompt)[0]
        return vector


class OpenAICompatibleEmbedder(_RemoteEmbedder):
    """POST {base}/v1/embeddings (OpenAI's embeddings API)."""

    route = "/v1/embeddings"

    def _payload(self, texts: list[str]) -> dict[str, Any]:
        return {"model": self.model, "input": texts, "encoding_format": "float"}

    def _parse(self, body: Any, count: int) -> list[list[float]]:
        data = sorted(body["data"], key=lambda item: int(item.get("index", 0)))
        return [list(item["embedding"]) for item in data]


class TeiEmbedder(_RemoteEmbedder):
    """POST {base}/embed (Text Embeddings Inference's native route)."""

    route = "/embed"

    def _payload(self, texts: list[str]) -> dict[str, Any]:
        return {"inputs": texts, "truncate": True, "normalize": True}

    def _parse(self, body: Any, count: int) -> list[list[float]]:
        if not isinstance(body, list):
            raise TypeError(f"expected a list of vectors, got {type(body).__name__}")
        return [list(row) for row in body]
