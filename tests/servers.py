"""Helpers for tests that start a real server process (Chroma, Streamlit, the llama.cpp LLM server)."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def wait_until_up(
    url: str, proc: subprocess.Popen[Any], *, timeout: float, what: str, detail: Callable[[], str] | None = None
) -> None:
    """Poll `url` until it answers; fail the test (killing `proc`) when the process exits or `timeout` passes.
    `detail` adds what the process printed, so a failed start says why."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"{what} did not start: {detail() if detail else url}")
            time.sleep(0.3)


# ------------------------------------------------------------------------------------- LLM server smoke test

SMOKE_MESSAGES = [{"role": "user", "content": "Antwoord met één woord: ja of nee. Is water nat?"}]
CPU_FLAGS_CAUSE = (
    "Likely cause: llama.cpp (llama-cpp-python) was built with CPU instructions this machine cannot run. A native "
    "build (GGML_NATIVE, with AVX-512/AMX on an Intel Xeon VM) died with a general protection fault in "
    "libggml-cpu on its first completion. Rebuild the portable default with `scripts/llm_setup.sh server` "
    "(without LLM_NATIVE=1; see docs/llm.md, 'CPU flags')."
)


def _tail(path: Path | None, lines: int = 12) -> str:
    if path is None or not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in text)


def completion_smoke_check(
    base_url: str,
    proc: subprocess.Popen[Any] | None = None,
    *,
    timeout: float = 180.0,
    log: Path | None = None,
) -> str | None:
    """None when the OpenAI-compatible server at `base_url` (ending in /v1) answers one short chat completion;
    otherwise one message for `pytest.fail`: what happened (the process's exit or signal, the HTTP error), the
    likely cause (a llama.cpp build with CPU flags this machine lacks), what to do, and the log's last lines.

    A server that loads the model and lists it under /v1/models can still crash on its first matrix
    multiplication, so waiting for /v1/models alone does not show that the LLM tests can run."""
    from assistant.answering.llm import LLMError, OpenAICompatible

    model = OpenAICompatible(base_url, None, "smoke-test", max_tokens=4, timeout=timeout)
    try:
        reply = model.complete(SMOKE_MESSAGES)
    except LLMError as exc:
        problem = exc.message  # its hint ("is the server running?") would point the wrong way
    else:
        if reply.strip():
            return None
        problem = "the server answered with an empty completion"
    finally:
        model.close()
    if proc is not None:
        try:
            code: int | None = proc.wait(timeout=2)  # a crashed server is gone by the time its socket closes
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            problem += f"; the server process was killed by {name}"
        elif code is not None:
            problem += f"; the server process exited with code {code}"
    message = f"the LLM server at {base_url} could not answer one short completion: {problem}.\n{CPU_FLAGS_CAUSE}"
    tail = _tail(log)
    return f"{message}\nServer log {log}:\n{tail}" if tail else message
