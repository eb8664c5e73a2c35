"""Chat-model backends for the generative answerer: one small interface, three local ways to run a model.

- `OpenAICompatible`: any server speaking OpenAI's `/v1/chat/completions` (llama-cpp-python's server,
  llama.cpp's `llama-server`, vLLM, LM Studio...). Streaming uses server-sent events.
- `Ollama`: Ollama's native `/api/chat` (streaming: one JSON object per line).
- `LlamaCpp`: a GGUF file loaded in-process with `llama_cpp.Llama` (optional extra `llamacpp`).

The HTTP backends use plain `httpx` (already a dependency), so no client package is needed. A refused or
broken connection, HTTP 429 and 5xx are tried again with backoff (`assistant.core.retry`; a stream only until
its first line); what still fails becomes `LLMError` with a hint that says what to check; nothing here prints
the API key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx

from assistant.core.errors import AssistantError, ConfigurationError, DependencyMissingError
from assistant.core.retry import DEFAULT_RETRY, RetryPolicy, call_with_retries

if TYPE_CHECKING:
    from assistant.core.config import Settings

Message = dict[str, str]


class LLMError(AssistantError):
    """The language model could not be reached or answered with an error."""

    exit_code = 7


@runtime_checkable
class ChatModel(Protocol):
    """A chat model: messages ({"role": "system"|"user"|"assistant", "content": str}) in, text out."""

    def complete(self, messages: list[Message]) -> str: ...

    def stream(self, messages: list[Message]) -> Iterator[str]: ...


def _server_hint(url: str) -> str:
    return (
        f"is the LLM server running at {url}? Start one with `scripts/llm_setup.sh start` (see docs/llm.md) "
        "or set ASSISTANT_LLM_BASE_URL"
    )


class _HttpChat:
    """Shared HTTP plumbing: one client, retries, error translation."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        transport: httpx.BaseTransport | None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry = retry
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), transport=transport)

    def close(self) -> None:
        self._client.close()

    def _error(self, exc: Exception, url: str) -> LLMError:
        if isinstance(exc, httpx.TimeoutException):
            return LLMError(
                f"the LLM server at {url} did not answer within {self.timeout:g} s",
                hint="raise ASSISTANT_LLM_TIMEOUT_S, lower ASSISTANT_LLM_MAX_TOKENS, or use a smaller model",
            )
        if isinstance(exc, httpx.HTTPStatusError):
            status = exc.response.status_code
            try:
                body = exc.response.read().decode("utf-8", "replace")[:300]
            except httpx.HTTPError:
                body = ""
            if status in (401, 403):
                hint = "check ASSISTANT_LLM_API_KEY"
            elif status == 404:
                hint = "check ASSISTANT_LLM_BASE_URL (OpenAI-compatible: ends in /v1) and ASSISTANT_LLM_MODEL"
            else:
                hint = "see the server's log"
            return LLMError(f"the LLM server at {url} answered HTTP {status}: {body.strip()}", hint=hint)
        return LLMError(f"cannot reach the LLM server at {url} ({type(exc).__name__}: {exc})", hint=_server_hint(url))

    def _post_json(self, url: str, payload: Mapping[str, Any], headers: Mapping[str, str]) -> Any:
        def send() -> httpx.Response:
            response = self._client.post(url, json=payload, headers=dict(headers))
            response.raise_for_status()
            return response

        try:
            return call_with_retries(send, self.retry).json()
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            raise self._error(exc, url) from exc

    def _open_stream(self, url: str, payload: Mapping[str, Any], headers: Mapping[str, str]) -> httpx.Response:
        request = self._client.build_request("POST", url, json=payload, headers=dict(headers))

        def send() -> httpx.Response:
            response = self._client.send(request, stream=True)
            if response.is_error:
                response.read()  # the body goes into the error message; the connection is freed
                response.close()
            response.raise_for_status()
            return response

        return call_with_retries(send, self.retry)

    def _stream_lines(self, url: str, payload: Mapping[str, Any], headers: Mapping[str, str]) -> Iterator[str]:
        # Retried until the server starts answering; a stream that breaks later is not replayed (the reader
        # has already shown its first words).
        try:
            response = self._open_stream(url, payload, headers)
            try:
                yield from response.iter_lines()
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise self._error(exc, url) from exc


class OpenAICompatible(_HttpChat):
    """`POST {base_url}/chat/completions`; `base_url` includes the version prefix, e.g. http://host:8080/v1."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        model: str,
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        super().__init__(base_url, timeout=timeout, transport=transport, retry=retry)
        self._api_key = api_key
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens

    def __repr__(self) -> str:  # never show the key
        return f"OpenAICompatible(base_url={self.base_url!r}, model={self.model!r})"

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def _payload(self, messages: Sequence[Message], stream: bool) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": list(messages),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stream": stream,
        }

    def complete(self, messages: list[Message]) -> str:
        data = self._post_json(self.url, self._payload(messages, False), self._headers())
        try:
            return str(data["choices"][0]["message"]["content"] or "")
        except (KeyError, IndexError, TypeError) as exc:
            raise LLMError(f"unexpected reply from {self.url}: {str(data)[:200]}", hint="see the server's log") from exc

    def stream(self, messages: list[Message]) -> Iterator[str]:
        yield from parse_sse(self._stream_lines(self.url, self._payload(messages, True), self._headers()))


def parse_sse(lines: Iterator[str]) -> Iterator[str]:
    """Text deltas from OpenAI-style server-sent events (`data: {...}` lines, ending with `data: [DONE]`)."""
    for line in lines:
        line = line.strip()
        if not line.startswith("data:"):
            continue  # comments (": ping"), event names, blank separators
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict) and event.get("error"):
            raise LLMError(f"the LLM server reported an error: {event['error']}", hint="see the server's log")
        for choice in event.get("choices") or ():
            content = (choice.get("delta") or {}).get("content")
            if content:
                yield str(content)


class Ollama(_HttpChat):
    """Ollama's native API: `POST {base_url}/api/chat`, e.g. base_url http://127.0.0.1:11434."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        super().__init__(base_url, timeout=timeout, transport=transport, retry=retry)
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens

    @property
    def url(self) -> str:
        return f"{self.base_url}/api/chat"

    def _payload(self, messages: Sequence[Message], stream: bool) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": list(messages),
            "stream": stream,
            "options": {"temperature": self.temperature, "num_predict": self.max_tokens},
        }

    def complete(self, messages: list[Message]) -> str:
        data = self._post_json(self.url, self._payload(messages, False), {})
        if isinstance(data, dict) and data.get("error"):
            raise LLMError(
                f"Ollama reported an error: {data['error']}", hint=f"is the model pulled? `ollama pull {self.model}`"
            )
        try:
            return str(data["message"]["content"] or "")
        except (KeyError, TypeError) as exc:
            raise LLMError(f"unexpected reply from {self.url}: {str(data)[:200]}", hint="see Ollama's log") from exc

    def stream(self, messages: list[Message]) -> Iterator[str]:
        yield from parse_ndjson(self._stream_lines(self.url, self._payload(messages, True), {}))


def parse_ndjson(lines: Iterator[str]) -> Iterator[str]:
    """Text pieces from Ollama's streaming reply: one JSON object a line, the last with "done": true."""
    for line in lines:
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if event.get("error"):
            raise LLMError(f"Ollama reported an error: {event['error']}", hint="see Ollama's log")
        content = (event.get("message") or {}).get("content")
        if content:
            yield str(content)
        if event.get("done"):
            return


class LlamaCpp:
    """A GGUF model loaded in-process with llama-cpp-python (loaded on first use: it takes seconds)."""

    def __init__(
        self,
        model_path: str,
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        n_ctx: int = 4096,
        n_threads: int | None = None,
    ) -> None:
        self.model_path = model_path
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self._llm: Any = None

    def _model(self) -> Any:
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise DependencyMissingError.for_package(
                    "the llamacpp LLM backend", "llama-cpp-python", "llamacpp"
                ) from exc
            try:
                self._llm = Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False)
            except (ValueError, OSError, RuntimeError) as exc:
                raise LLMError(
                    f"cannot load the GGUF model {self.model_path}: {exc}",
                    hint="check ASSISTANT_LLM_MODEL_PATH; `scripts/llm_setup.sh model` assembles the default model",
                ) from exc
        return self._llm

    def complete(self, messages: list[Message]) -> str:
        reply = self._model().create_chat_completion(
            messages=messages, temperature=self.temperature, max_tokens=self.max_tokens
        )
        return str(reply["choices"][0]["message"].get("content") or "")

    def stream(self, messages: list[Message]) -> Iterator[str]:
        for chunk in self._model().create_chat_completion(
            messages=messages, temperature=self.temperature, max_tokens=self.max_tokens, stream=True
        ):
            content = chunk["choices"][0].get("delta", {}).get("content")
            if content:
                yield str(content)


def build_chat_model(settings: Settings) -> ChatModel:
    """The chat model the settings select. Raises ConfigurationError for 'none' or an incomplete setup."""
    s = settings
    if s.answering.llm_backend == "openai":
        key = s.answering.llm_api_key.get_secret_value() if s.answering.llm_api_key is not None else None
        return OpenAICompatible(
            s.answering.llm_base_url or "http://127.0.0.1:8080/v1",
            key,
            s.answering.llm_model or "local",
            temperature=s.answering.llm_temperature,
            max_tokens=s.answering.llm_max_tokens,
            timeout=s.answering.llm_timeout_s,
        )
    if s.answering.llm_backend == "ollama":
        if not s.answering.llm_model:
            raise ConfigurationError(
                "the ollama backend needs a model name", hint="set ASSISTANT_LLM_MODEL, e.g. qwen2.5:1.5b-instruct"
            )
        return Ollama(
            s.answering.llm_base_url or "http://127.0.0.1:11434",
            s.answering.llm_model,
            temperature=s.answering.llm_temperature,
            max_tokens=s.answering.llm_max_tokens,
            timeout=s.answering.llm_timeout_s,
        )
    if s.answering.llm_backend == "llamacpp":
        if s.answering.llm_model_path is None:
            raise ConfigurationError(
                "the llamacpp backend needs a GGUF file", hint="set ASSISTANT_LLM_MODEL_PATH (see docs/llm.md)"
            )
        if not s.answering.llm_model_path.is_file():
            raise ConfigurationError(
                f"GGUF model {s.answering.llm_model_path} not found",
                hint="run `scripts/llm_setup.sh model` (see docs/llm.md)",
            )
        return LlamaCpp(
            str(s.answering.llm_model_path),
            temperature=s.answering.llm_temperature,
            max_tokens=s.answering.llm_max_tokens,
        )
    raise ConfigurationError("no LLM backend selected", hint="set ASSISTANT_LLM_BACKEND to openai, ollama or llamacpp")
