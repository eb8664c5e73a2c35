"""Remote embedders against real HTTP servers.

Default suite: a real server (standard library `http.server` on a free localhost port) that speaks the OpenAI
embeddings route and TEI's `/embed`, computing vectors with our deterministic local embedder; no GGUF embedding
model is available offline. The `llm`-marked test at the end runs the client against llama-cpp-python's real
OpenAI-compatible server in embedding mode (`--embedding true`) with the Qwen GGUF from scripts/llm_setup.sh.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from assistant.composition import Assistant
from assistant.core.config import BUNDLED_CORPUS, TestSettings
from assistant.core.errors import ConfigurationError
from assistant.embedding.embedders import FakeEmbedder, LazyEmbedder, build_embedder, embedder_identity
from assistant.embedding.remote import EmbeddingServerError, OpenAICompatibleEmbedder, TeiEmbedder, api_root

GEMMA_QUERY = "task: search result | query: "
GEMMA_DOC = "title: none | text: "


DROP = -1  # EmbeddingServer(failures=[DROP]): the connection closed without an answer


class EmbeddingServer:
    """A small real embeddings server. Records every request body; answers OpenAI data in reverse order (the
    client must sort by index), unscaled vectors (the client must normalise). `failures`: the first answers,
    an HTTP status each (`DROP`: close the connection without answering), before it answers properly."""

    def __init__(
        self, *, api_key: str | None = None, delay_s: float = 0.0, failures: Sequence[int] = (), status: int = 0
    ) -> None:
        self.inner = FakeEmbedder(64)
        self.requests: list[dict[str, Any]] = []
        self.api_key = api_key
        self.delay_s = delay_s
        self.failures = list(failures)
        self.status = status  # answer this status every time (after the failures)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                if server.delay_s:
                    time.sleep(server.delay_s)
                failing = server.failures.pop(0) if server.failures else server.status
                if failing == DROP:
                    self.close_connection = True  # no answer: the client sees the connection closed
                elif failing:
                    headers = {"Retry-After": "0"} if failing == 429 else {}
                    self._send(failing, {"error": {"message": f"status {failing}"}}, headers)
                elif server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    self._send(401, {"error": {"message": "invalid api key"}})
                elif self.path == "/v1/embeddings":
                    texts = body["input"]
                    vectors = server.inner.embed_documents(texts) * 3.0
                    data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
                    self._send(200, {"object": "list", "model": body["model"], "data": data[::-1]})
                elif self.path == "/embed":
                    self._send(200, server.inner.embed_documents(body["inputs"]).tolist())
                else:
                    self._send(404, {"error": f"no route {self.path}"})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> EmbeddingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[EmbeddingServer]:
    with EmbeddingServer() as running:
        yield running


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_openai_route_batches_prompts_orders_and_normalises(server: EmbeddingServer) -> None:
    client = OpenAICompatibleEmbedder(
        server.url + "/v1/", model="embeddinggemma-300m", query_prompt=GEMMA_QUERY, document_prompt=GEMMA_DOC,
        batch_size=2,
    )  # fmt: skip
    texts = ["Rotterdam en Brussel", "veiligheid in de wijk", "Strong Cities Network", "EFUS", "burgemeester"]
    got = client.embed_documents(texts)
    assert [r["path"] for r in server.requests] == ["/v1/embeddings"] * 3  # 2 + 2 + 1
    sent = [t for r in server.requests for t in r["body"]["input"]]
    assert sent == [GEMMA_DOC + t for t in texts]
    assert server.requests[0]["body"]["model"] == "embeddinggemma-300m"
    # Right order although the server answered in reverse, and unit length although it sent length 3.
    assert np.allclose(got, FakeEmbedder(64).embed_documents([GEMMA_DOC + t for t in texts]), atol=1e-6)
    query = client.embed_query("Wie is de burgemeester?")
    assert server.requests[-1]["body"]["input"] == [GEMMA_QUERY + "Wie is de burgemeester?"]
    assert query.shape == (64,) and client.dimension == 64


def test_tei_route_and_matryoshka_truncation(server: EmbeddingServer) -> None:
    client = TeiEmbedder(server.url, model="gemma", truncate_dim=32)
    got = client.embed_documents(["een", "twee"])
    assert server.requests[0]["path"] == "/embed" and server.requests[0]["body"]["inputs"] == ["een", "twee"]
    assert got.shape == (2, 32) and client.dimension == 32
    assert np.allclose(got, _unit(FakeEmbedder(64).embed_documents(["een", "twee"])[:, :32]), atol=1e-6)


def test_dimension_is_probed_once_when_unknown(server: EmbeddingServer) -> None:
    client = OpenAICompatibleEmbedder(server.url, model="m")
    assert client.dimension == 64 and client.dimension == 64
    assert len(server.requests) == 1


def test_api_key_is_sent_and_a_wrong_one_says_what_to_fix() -> None:
    with EmbeddingServer(api_key="geheim") as running:
        ok = OpenAICompatibleEmbedder(running.url, model="m", api_key="geheim")
        assert ok.embed_query("x").shape == (64,)
        bad = OpenAICompatibleEmbedder(running.url, model="m", api_key="fout")
        with pytest.raises(EmbeddingServerError) as exc:
            bad.embed_query("x")
        assert len(running.requests) == 2  # one each: a wrong key is not tried again
    assert "401" in exc.value.message and running.url in exc.value.message
    assert exc.value.hint and "ASSISTANT_EMBEDDING_API_KEY" in exc.value.hint


@pytest.mark.parametrize("failures", [[503, 503], [429], [502, DROP]])
def test_a_server_that_fails_and_then_answers_is_tried_again(failures: list[int]) -> None:
    """5xx, 429 (with Retry-After) and a connection closed without an answer are retried with backoff."""
    with EmbeddingServer(failures=failures) as flaky:
        got = OpenAICompatibleEmbedder(flaky.url, model="m").embed_documents(["een", "twee"])
        assert len(flaky.requests) == len(failures) + 1
    assert np.allclose(got, _unit(FakeEmbedder(64).embed_documents(["een", "twee"])), atol=1e-6)


def test_client_errors_are_not_retried_and_retries_are_bounded() -> None:
    from assistant.core.retry import RetryPolicy

    for status in (400, 401, 404, 422):
        with EmbeddingServer(status=status) as refusing, pytest.raises(EmbeddingServerError, match=f"HTTP {status}"):
            OpenAICompatibleEmbedder(refusing.url, model="m").embed_query("x")
        assert len(refusing.requests) == 1, status
    with EmbeddingServer(status=503) as down:
        policy = RetryPolicy(attempts=3, first_wait_s=0.05)
        with pytest.raises(EmbeddingServerError, match="HTTP 503"):
            TeiEmbedder(down.url, model="m", retry=policy).embed_query("x")
        assert len(down.requests) == 3
        started = time.monotonic()
        bounded = RetryPolicy(attempts=100, first_wait_s=0.2, max_wait_s=0.2, max_total_s=1.0)
        with pytest.raises(EmbeddingServerError, match="HTTP 503"):
            TeiEmbedder(down.url, model="m", retry=bounded).embed_query("x")
        assert time.monotonic() - started < 2.0 and 3 + 3 <= len(down.requests) <= 3 + 6


def test_wrong_route_unreachable_server_and_timeout_are_clear(server: EmbeddingServer) -> None:
    # A TEI client pointed at a server path that does not exist.
    with pytest.raises(EmbeddingServerError) as exc:
        TeiEmbedder(server.url + "/other", model="m").embed_query("x")
    assert "404" in exc.value.message and exc.value.hint and "ASSISTANT_EMBEDDING_URL" in exc.value.hint

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    with pytest.raises(EmbeddingServerError) as exc:
        OpenAICompatibleEmbedder(f"http://127.0.0.1:{free}", model="m").embed_query("x")
    assert f"127.0.0.1:{free}/v1/embeddings" in exc.value.message and "cannot reach" in exc.value.message

    with EmbeddingServer(delay_s=1.0) as slow, pytest.raises(EmbeddingServerError) as exc:
        OpenAICompatibleEmbedder(slow.url, model="m", timeout=0.2).embed_query("x")
    assert "0.2 s" in exc.value.message and exc.value.hint and "TIMEOUT" in exc.value.hint


def test_bad_url_and_missing_url_are_refused_before_any_request() -> None:
    with pytest.raises(EmbeddingServerError, match="must start with http"):
        OpenAICompatibleEmbedder("127.0.0.1:8080", model="m")
    with pytest.raises(ConfigurationError, match="ASSISTANT_EMBEDDING_URL"):
        build_embedder(TestSettings(embedding_backend="openai"))
    assert api_root("http://h:1/v1/") == "http://h:1" and api_root("http://h:1") == "http://h:1"


def test_a_server_answering_another_dimension_is_refused(server: EmbeddingServer) -> None:
    client = OpenAICompatibleEmbedder(server.url, model="m", dimension=768)
    with pytest.raises(EmbeddingServerError, match="64-d vectors, expected 768"):
        client.embed_query("x")


def test_settings_wire_the_remote_backend_with_local_prompts(server: EmbeddingServer, tmp_path: Path) -> None:
    # A local model folder with EmbeddingGemma's prompt config stands for the installed model.
    folder = tmp_path / "gemma"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    prompts = {"prompts": {"query": GEMMA_QUERY, "document": GEMMA_DOC}}
    (folder / "config_sentence_transformers.json").write_text(json.dumps(prompts))
    settings = TestSettings(
        embedding_backend="openai", embedding_url=server.url, embedding_model=str(folder), embedding_batch_size=8
    )
    embedder = build_embedder(settings)
    embedder.embed_query("vraag")
    assert server.requests[-1]["body"]["input"] == [GEMMA_QUERY + "vraag"]
    explicit = build_embedder(settings.updated(embedding_query_prompt=""))
    explicit.embed_query("vraag")
    assert server.requests[-1]["body"]["input"] == ["vraag"]
    # Identity: the model name; the dimension is known up front only when set.
    assert embedder_identity(settings) is None
    assert embedder_identity(settings.updated(embedding_dim=64)) == (str(folder), 64)


def test_ingest_and_search_through_the_remote_embedder(server: EmbeddingServer, tmp_path: Path) -> None:
    settings = TestSettings(
        embedding_backend="openai",
        embedding_url=server.url + "/v1",
        embedding_model="served-model",
        data_dir=tmp_path / "data",
    )
    assistant = Assistant(settings)
    assert isinstance(assistant.embedder, LazyEmbedder)
    report = assistant.ingest([BUNDLED_CORPUS])
    assert not [r for r in report.results if r.status == "failed"]
    hits = assistant.search("Strong Cities Network", k=3)
    assert hits and assistant.store.name.endswith("served-model-64")
    assert any(r["path"] == "/v1/embeddings" and len(r["body"]["input"]) > 1 for r in server.requests)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# llama-cpp-python's server has no pooling option; this launcher sets mean pooling on the model it loads, as
# `llama-server --embedding --pooling mean` does, and then runs the server module unchanged.
_MEAN_POOLING_SERVER = """
import runpy, llama_cpp
_init = llama_cpp.Llama.__init__
def _mean_pooling(self, *args, **kwargs):
    kwargs["pooling_type"] = llama_cpp.LLAMA_POOLING_TYPE_MEAN
    _init(self, *args, **kwargs)
llama_cpp.Llama.__init__ = _mean_pooling
runpy.run_module("llama_cpp.server", run_name="__main__")
"""


class _LlamaServer:
    def __init__(self, model: Path, log: Path, *, mean_pooling: bool) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        head = (
            [sys.executable, "-c", _MEAN_POOLING_SERVER] if mean_pooling else [sys.executable, "-m", "llama_cpp.server"]
        )
        args = ["--model", str(model), "--host", "127.0.0.1", "--port", str(self.port), "--embedding", "true"]
        args += ["--n_ctx", "512", "--model_alias", "qwen-embed"]
        self.log = log.open("w")
        self.proc = subprocess.Popen([*head, *args], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {self.proc.returncode}; see {log}")
            try:
                if httpx.get(f"{self.base}/v1/models", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.close()
                pytest.fail(f"llama_cpp.server did not answer within 180 s; see {log}")
            time.sleep(1)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="module")
def gguf() -> Path:
    model = Path(
        os.environ.get(
            "ASSISTANT_LLM_MODEL_PATH",
            Path.home() / ".cache/beleidsassistent/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        )
    )
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llama_cpp.server") is None:
        pytest.skip("llama-cpp-python[server] is not installed: run `scripts/llm_setup.sh server`")
    if not model.is_file():
        pytest.skip(f"GGUF model {model} is missing: run `scripts/llm_setup.sh model`")
    return model


@pytest.mark.llm
def test_llama_cpp_server_in_embedding_mode(gguf: Path, tmp_path: Path) -> None:
    """A REAL llama.cpp server (llama-cpp-python) serving /v1/embeddings. Qwen2.5-Coder is a chat model, so its
    vectors say nothing about retrieval quality; this checks the protocol, batching and errors end to end."""
    server = _LlamaServer(gguf, tmp_path / "server.log", mean_pooling=True)
    try:
        client = OpenAICompatibleEmbedder(
            server.base + "/v1", model="qwen-embed", query_prompt=GEMMA_QUERY, document_prompt=GEMMA_DOC,
            batch_size=2, timeout=120,
        )  # fmt: skip
        docs = client.embed_documents(["De burgemeester van Rotterdam.", "Veiligheid in Brussel.", "EFUS"])
        assert docs.shape == (3, client.dimension) and client.dimension >= 256
        assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
        again = client.embed_documents(["Veiligheid in Brussel."])
        assert float(docs[1] @ again[0]) > 0.999  # same text, same vector, whatever batch it was in
        assert client.embed_query("Wie is de burgemeester?").shape == (client.dimension,)
    finally:
        server.close()


@pytest.mark.llm
def test_llama_cpp_server_without_pooling_gets_a_clear_error(gguf: Path, tmp_path: Path) -> None:
    """Started as documented for chat (no pooling), the real server answers one vector per token."""
    server = _LlamaServer(gguf, tmp_path / "server.log", mean_pooling=False)
    try:
        client = OpenAICompatibleEmbedder(server.base, model="qwen-embed", timeout=120)
        with pytest.raises(EmbeddingServerError) as exc:
            client.embed_documents(["De burgemeester van Rotterdam.", "EFUS"])
        assert "one vector per token" in exc.value.message and exc.value.hint and "--pooling" in exc.value.hint
    finally:
        server.close()
