"""LLM backends. Protocol tests run against httpx's mock transport (fast, always); the `llm`-marked test
starts a REAL llama-cpp-python OpenAI-compatible server with Qwen2.5-Coder-1.5B (see docs/llm.md):

    scripts/llm_setup.sh all && .venv/bin/pytest -m llm tests/test_llm_server.py

The real-server fixture (`llm_server`, shared by every `llm` test) first asks for one short completion: a
server that cannot give it fails all of them with one message naming the likely cause (a llama.cpp build
with CPU flags this machine lacks) instead of each failing obscurely. That check is tested here against a
fake server (tests/fake_llm_server.py) that answers, errs, or crashes with SIGSEGV.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.answering.llm import LlamaCpp, LLMError, Ollama, OpenAICompatible, parse_sse
from assistant.core.config import BUNDLED_CORPUS, TestSettings
from tests.servers import CPU_FLAGS_CAUSE, completion_smoke_check, wait_until_up

MESSAGES = [{"role": "user", "content": "Hallo"}]


def _sse(*pieces: str) -> bytes:
    events = [": ping", ""]
    for piece in pieces:
        events += [f"data: {json.dumps({'choices': [{'delta': {'content': piece}}]})}", ""]
    events += ["data: [DONE]", ""]
    return "\n".join(events).encode()


def test_openai_compatible_complete_and_stream() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = json.loads(request.content)
        if body["stream"]:
            return httpx.Response(
                200, content=_sse("Den ", "Haag", " [1]."), headers={"content-type": "text/event-stream"}
            )
        return httpx.Response(200, json={"choices": [{"message": {"content": "Den Haag [1]."}}]})

    model = OpenAICompatible(
        "http://llm:8080/v1/", "sk-x", "qwen", max_tokens=64, transport=httpx.MockTransport(handler)
    )
    assert model.complete(MESSAGES) == "Den Haag [1]."
    assert list(model.stream(MESSAGES)) == ["Den ", "Haag", " [1]."]
    assert str(seen[0].url) == "http://llm:8080/v1/chat/completions"
    assert seen[0].headers["authorization"] == "Bearer sk-x"
    body = json.loads(seen[0].content)
    assert body["max_tokens"] == 64 and body["temperature"] == 0.0 and body["model"] == "qwen"


def test_sse_parser_ignores_noise_and_stops_at_done() -> None:
    lines = iter(
        [
            "event: x",
            "data: not json",
            'data: {"choices": [{"delta": {"role": "assistant"}}]}',
            'data: {"choices": [{"delta": {"content": "a"}}]}',
            "data: [DONE]",
            'data: {"choices": [{"delta": {"content": "never"}}]}',
        ]
    )
    assert list(parse_sse(lines)) == ["a"]


def test_ollama_complete_and_stream() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert request.url.path == "/api/chat" and body["options"]["num_predict"] == 32
        if body["stream"]:
            lines = [
                {"message": {"content": "Ja"}, "done": False},
                {"message": {"content": " [1]"}, "done": False},
                {"message": {"content": ""}, "done": True},
            ]
            return httpx.Response(200, content="\n".join(json.dumps(x) for x in lines).encode())
        return httpx.Response(200, json={"message": {"content": "Ja [1]"}, "done": True})

    model = Ollama("http://ollama:11434", "qwen2.5", max_tokens=32, transport=httpx.MockTransport(handler))
    assert model.complete(MESSAGES) == "Ja [1]"
    assert list(model.stream(MESSAGES)) == ["Ja", " [1]"]


def test_unreachable_server_is_an_llm_error_with_a_hint() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    model = OpenAICompatible(f"http://127.0.0.1:{port}/v1", None, "m", timeout=2)
    with pytest.raises(LLMError) as info:
        model.complete(MESSAGES)
    assert info.value.exit_code == 7
    assert info.value.hint is not None and f"127.0.0.1:{port}" in info.value.hint and "running" in info.value.hint
    with pytest.raises(LLMError):
        list(model.stream(MESSAGES))


def test_http_errors_say_what_to_check() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "bad key"})

    model = OpenAICompatible("http://llm/v1", "sk-wrong", "m", transport=httpx.MockTransport(handler))
    with pytest.raises(LLMError, match="HTTP 401") as info:
        model.complete(MESSAGES)
    assert "ASSISTANT_LLM_API_KEY" in str(info.value) and "sk-wrong" not in str(info.value)


def test_llamacpp_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.core.errors import DependencyMissingError

    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import fails as if not installed
    with pytest.raises(DependencyMissingError, match=r"beleidsassistent\[llamacpp\]"):
        LlamaCpp("/nonexistent.gguf").complete(MESSAGES)


# ------------------------------------------------------------------------------- smoke test of a server

FAKE_SERVER = Path(__file__).resolve().parent / "fake_llm_server.py"


@pytest.fixture
def fake_server(tmp_path: Path) -> Iterator[Callable[[str], tuple[str, subprocess.Popen[bytes], Path]]]:
    """Start tests/fake_llm_server.py in a mode; yields a starter returning (base URL, process, log)."""
    started: list[subprocess.Popen[bytes]] = []

    def start(mode: str) -> tuple[str, subprocess.Popen[bytes], Path]:
        port = _free_port()
        log = tmp_path / f"{mode}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, str(FAKE_SERVER), mode, str(port)], stdout=out, stderr=out)
        started.append(proc)
        base = f"http://127.0.0.1:{port}/v1"
        wait_until_up(f"{base}/models", proc, timeout=30, what=f"fake LLM server ({mode})")
        return base, proc, log

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_smoke_check_passes_when_the_server_answers(fake_server: Callable[..., tuple[str, Any, Path]]) -> None:
    base, proc, log = fake_server("ok")
    assert completion_smoke_check(base, proc, timeout=10, log=log) is None


def test_smoke_check_names_the_cpu_flags_build_when_the_server_crashes(
    fake_server: Callable[..., tuple[str, Any, Path]],
) -> None:
    """The VM case: the model loads and /v1/models answers, then the first completion kills the server."""
    base, proc, log = fake_server("crash")
    message = completion_smoke_check(base, proc, timeout=10, log=log)
    assert message is not None
    assert "could not answer one short completion" in message and "killed by SIGSEGV" in message
    assert "CPU" in message and "LLM_NATIVE" in message and "scripts/llm_setup.sh server" in message
    assert "about to multiply matrices" in message  # the server log's last lines come along


@pytest.mark.parametrize(("mode", "says"), [("error", "HTTP 500"), ("empty", "empty completion")])
def test_smoke_check_reports_a_server_that_answers_without_a_completion(
    fake_server: Callable[..., tuple[str, Any, Path]], mode: str, says: str
) -> None:
    base, proc, log = fake_server(mode)
    message = completion_smoke_check(base, proc, timeout=10, log=log)
    assert message is not None and says in message and "scripts/llm_setup.sh server" in message
    assert proc.poll() is None and "killed" not in message and "exited" not in message  # still running


def test_smoke_check_without_a_server() -> None:
    message = completion_smoke_check(f"http://127.0.0.1:{_free_port()}/v1", timeout=2)
    assert message is not None and "cannot reach" in message


# ------------------------------------------------------------------------- retries (assistant.core.retry)


def _posts(base: str) -> int:
    return int(httpx.get(base.removesuffix("/v1") + "/requests").json()["posts"])


@pytest.mark.parametrize("mode", ["flaky", "busy", "drop"])
def test_the_client_retries_a_server_that_fails_and_then_answers(
    fake_server: Callable[..., tuple[str, Any, Path]], mode: str
) -> None:
    """503 twice, 429 with Retry-After: 1, a connection closed without an answer: each is tried again."""
    base, _, _ = fake_server(mode)
    model = OpenAICompatible(base, None, "m", timeout=10)
    started = time.monotonic()
    assert model.complete(MESSAGES) == "ja"
    waited = time.monotonic() - started
    assert _posts(base) == {"flaky": 3, "busy": 2, "drop": 2}[mode]
    if mode == "busy":
        assert waited >= 1.0  # the server's Retry-After was honoured
    assert list(model.stream(MESSAGES)) == ["ja"]  # the stream, asked after the failures, answers at once


def test_a_stream_is_retried_until_it_starts(fake_server: Callable[..., tuple[str, Any, Path]]) -> None:
    base, _, _ = fake_server("flaky")
    model = OpenAICompatible(base, None, "m", timeout=10)
    assert list(model.stream(MESSAGES)) == ["ja"]
    assert _posts(base) == 3


def test_a_client_error_is_not_retried(fake_server: Callable[..., tuple[str, Any, Path]]) -> None:
    base, _, _ = fake_server("bad")
    model = OpenAICompatible(base, None, "m", timeout=10)
    with pytest.raises(LLMError, match="HTTP 400"):
        model.complete(MESSAGES)
    assert _posts(base) == 1


def test_retries_stop_after_the_attempts_and_within_the_time_bound(
    fake_server: Callable[..., tuple[str, Any, Path]],
) -> None:
    from assistant.core.retry import NO_RETRY, RetryPolicy

    base, _, _ = fake_server("error")  # HTTP 500 every time
    model = OpenAICompatible(base, None, "m", timeout=10, retry=RetryPolicy(attempts=3, first_wait_s=0.05))
    with pytest.raises(LLMError, match="HTTP 500"):
        model.complete(MESSAGES)
    assert _posts(base) == 3
    # The total bound: no try starts after max_total_s, however many attempts were allowed.
    slow = RetryPolicy(attempts=100, first_wait_s=0.2, max_wait_s=0.2, max_total_s=1.0)
    started = time.monotonic()
    with pytest.raises(LLMError, match="HTTP 500"):
        OpenAICompatible(base, None, "m", timeout=10, retry=slow).complete(MESSAGES)
    tried = _posts(base) - 3
    assert time.monotonic() - started < 2.0 and 3 <= tried <= 6  # waits of 0.2 s and up within 1 s
    with pytest.raises(LLMError):
        OpenAICompatible(base, None, "m", timeout=10, retry=NO_RETRY).complete(MESSAGES)
    assert _posts(base) == 3 + tried + 1


# ------------------------------------------------------------------------------------- real server

MODEL = Path(
    os.environ.get(
        "BELEIDSASSISTENT_GGUF",
        Path.home() / ".cache" / "beleidsassistent" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    )
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llama_cpp.server") is None:
        pytest.skip("llama-cpp-python[server] is not installed: run `scripts/llm_setup.sh server`")
    if not MODEL.is_file():
        pytest.skip(f"GGUF model {MODEL} is missing: run `scripts/llm_setup.sh model`")
    port = _free_port()
    log = (tmp_path_factory.mktemp("llm") / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(MODEL),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                # Killed by a signal (SIGILL, SIGSEGV) while loading: the same likely cause as a failed smoke test.
                cause = f"\n{CPU_FLAGS_CAUSE}" if proc.returncode < 0 else ""
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}; see {log.name}{cause}")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not answer on {base}/models within 180 s; see {log.name}")
            time.sleep(1)
        # Listing the model is not answering: a llama.cpp build with CPU flags this machine lacks loads the
        # model and then dies on its first completion. One short completion first, so every llm test using
        # this fixture fails with the same clear message instead of each failing obscurely.
        if (problem := completion_smoke_check(base, proc, log=Path(log.name))) is not None:
            pytest.fail(problem)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.mark.llm
def test_real_server_answers_one_short_completion(llm_server: str) -> None:
    """First of the llm tests: the fixture's smoke check, reported on its own (it fails with the cause)."""
    assert completion_smoke_check(llm_server) is None


@pytest.mark.llm
@pytest.mark.timeout(1800)
def test_real_server_answers_with_verified_citations(llm_server: str, tmp_path: Path) -> None:
    from assistant.answering.generative import GenerativeAnswerer
    from assistant.composition import build_assistant

    settings = TestSettings(  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        llm_backend="openai",
        llm_base_url=llm_server,
        llm_max_tokens=160,
        llm_timeout_s=600,
        top_k=4,
        _env_file=None,
    )
    assistant = build_assistant(settings)
    assistant.ingest([BUNDLED_CORPUS])
    answerer = assistant.answerer
    assert isinstance(answerer, GenerativeAnswerer)
    answerer.max_passage_chars = 600  # keep the prompt small: 2 CPU cores
    questions = [
        "In welk jaar is de gemeente Den Haag lid geworden van EFUS?",
        "Wat zijn de vijf prioriteiten van de Coalitie voor veiligheid 2023-2026?",
        "Hoeveel deelnemers had de conferentie over Veiligheid, Democratie en Steden in Brussel in 2024?",
    ]
    for question in questions:
        answer = assistant.ask(question)
        retrieved = {h.chunk.chunk_id for h in answer.hits}
        assert all(c.chunk_id in retrieved for c in answer.citations), answer
        assert {"sentences", "supported", "uncited", "invalid_citations_dropped"} <= set(answer.verification)
        assert answer.text.strip()

    hits = assistant.search(questions[0], 4)
    stream = answerer.stream_answer(questions[0], hits)
    pieces = list(stream)
    assert len(pieces) > 1
    final = stream.result()
    assert final.verification and all(c.chunk_id in {h.chunk.chunk_id for h in hits} for c in final.citations)
