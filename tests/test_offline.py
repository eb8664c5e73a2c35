"""No outbound traffic: ingest, ask, eval and the app run with every connection to another machine refused,
and none is even attempted.

Two layers watch:
- the socket guard (tests/netguard): in process as a context manager; in subprocesses (the `assistant` CLI,
  `streamlit run app.py`) through `sitecustomize.py` on PYTHONPATH, which logs and refuses non-loopback
  connects and name lookups;
- strace (when installed) on the same subprocesses: connect/sendto/sendmsg system calls to non-local
  addresses, so native code (Chroma's Rust core, tokenizers, torch) is covered too.

Subprocesses get an environment *without* the project's offline switches and with hostile values
(HF_HUB_OFFLINE=0, ANONYMIZED_TELEMETRY=True…): the project must turn them off itself.
The guard tests at the top make sure the guard can fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.composition import Assistant, build_assistant
from assistant.core.config import BUNDLED_CORPUS, Settings, load_settings
from assistant.core.offline import NETWORK_OFF, OFFLINE_ENV
from tests.netguard.netguard import STRACE_ARGS, NetGuard, OutboundBlocked, native_attempts, read_log
from tests.servers import wait_until_up

ROOT = Path(__file__).resolve().parent.parent
GUARD_DIR = Path(__file__).resolve().parent / "netguard"
STRACE = shutil.which("strace")
CHROMIUM = Path("/usr/bin/chromium")
DOC = "000_c0ed1ecefa30b148.txt"  # EFUS trip report, 2.7 kB: enough for a real answer, cheap to embed
QUESTIONS = [
    {
        "id": "off-01",
        "type": "factoid",
        "lang": "nl",
        "question": "In welk jaar is de gemeente Den Haag lid geworden van EFUS?",
        "answer": "In 2015.",
        "facts": [["2015"]],
        "sources": [DOC],
        "evidence": ["In 2015 is de gemeente Den Haag officieel lid geworden van EFUS"],
    },
    {
        "id": "off-02",
        "type": "factoid",
        "lang": "nl",
        "question": "Wat was het thema van de EFUS-conferentie in Parijs in juni 2015?",
        "answer": "Security & Tourism: Concerted Local Policies.",
        "facts": [["Security & Tourism", "Security and Tourism"]],
        "sources": [DOC],
        "evidence": ["Security & Tourism: Concerted Local Policies"],
    },
]
# What a careless shell could hold: the project must override these itself.
HOSTILE_ENV = {
    "HF_HUB_OFFLINE": "0",
    "TRANSFORMERS_OFFLINE": "0",
    "HF_HUB_DISABLE_TELEMETRY": "0",
    "ANONYMIZED_TELEMETRY": "True",
    "CHROMA_TELEMETRY": "True",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(BUNDLED_CORPUS / DOC, folder / DOC)
    return folder


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------------------------ the guard itself


def test_guard_refuses_and_records_outbound_and_lets_loopback_through() -> None:
    original = socket.socket.connect
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with NetGuard() as guard:
            with pytest.raises(OutboundBlocked):
                socket.create_connection(("1.1.1.1", 443), timeout=2)
            with socket.socket() as s:
                assert s.connect_ex(("8.8.8.8", 53)) != 0
            with pytest.raises(socket.gaierror):
                socket.getaddrinfo("huggingface.co", 443)
            with pytest.raises(urllib.error.URLError):
                urllib.request.urlopen("https://us.i.posthog.com/batch", timeout=2)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, pytest.raises(OutboundBlocked):
                udp.sendto(b"x", ("9.9.9.9", 53))
            with socket.create_connection(server.getsockname(), timeout=2):  # loopback is allowed
                pass
            with socket.create_connection(("localhost", server.getsockname()[1]), timeout=2):
                pass
    assert socket.socket.connect is original  # uninstalled
    kinds = [(a["kind"], a["target"]) for a in guard.attempts]
    assert kinds == [
        ("connect", "1.1.1.1:443"),
        ("connect", "8.8.8.8:53"),
        ("resolve", "huggingface.co"),
        ("resolve", "us.i.posthog.com"),
        ("connect", "9.9.9.9:53"),
    ]


def test_subprocess_guard_and_strace_catch_an_attempt(tmp_path: Path) -> None:
    script = (
        "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 443), timeout=2)\n"
        "except OSError as e:\n    print(e)\n"
    )
    result, attempts, native = _guarded([sys.executable, "-c", script], tmp_path, {})
    assert "netguard" in result.stdout
    assert [a["target"] for a in attempts] == ["1.1.1.1:443"]
    if STRACE:
        # The guard refused in Python, so the system call never happened: strace sees a direct one.
        raw = (
            "import _socket\ns = _socket.socket()\ns.settimeout(0.5)\n"
            "try:\n    s.connect(('1.1.1.1', 443))\nexcept OSError:\n    pass\n"
        )
        _, attempts, native = _guarded([sys.executable, "-c", raw], tmp_path, {})
        assert attempts == [] and native == ["connect 1.1.1.1:443"]


def test_native_attempts_parses_strace_lines() -> None:
    log = "\n".join(
        [
            '12 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("1.1.1.1")}, 16) = -1',
            '12 connect(4, {sa_family=AF_INET, sin_port=htons(8000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
            '13 sendto(5, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16)',
            "14 connect(6, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
            'inet_pton(AF_INET6, "2606:4700::1111", &sin6_addr), sin6_scope_id=0}, 28) = -1',
            '15 connect(7, {sa_family=AF_UNIX, sun_path="/run/nscd/socket"}, 110) = -1',
        ]
    )
    assert native_attempts(log) == ["connect 1.1.1.1:443", "sendto 127.0.0.53:53", "connect 2606:4700::1111:443"]


# -------------------------------------------------------------------------------- helpers for processes


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_") and k not in OFFLINE_ENV}
    env.update(HOSTILE_ENV)
    env.update(extra)
    return env


def _guarded(
    argv: list[str], tmp_path: Path, extra_env: dict[str, str], *, timeout: float = 300
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]], list[str]]:
    """Run `argv` with the guard (and strace when present); returns (result, guard attempts, native attempts)."""
    log = tmp_path / f"netguard-{time.monotonic_ns()}.jsonl"
    trace = log.with_suffix(".strace")
    env = _clean_env(**extra_env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(GUARD_DIR), str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["NETGUARD_LOG"] = str(log)
    cmd = [STRACE, *STRACE_ARGS, "-o", str(trace), *argv] if STRACE else argv
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert Path(str(log) + ".pids").is_file(), f"the guard was not installed in {argv[:3]}: {result.stderr[-2000:]}"
    native = native_attempts(trace.read_text(errors="replace")) if STRACE else []
    return result, read_log(log), native


def _cli(args: list[str], tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], list[Any], list[str]]:
    return _guarded([sys.executable, "-m", "assistant.cli", *args], tmp_path, {"COLUMNS": "200", **env})


def test_the_project_turns_the_network_off_itself(tmp_path: Path) -> None:
    """Importing the package (what the CLI, app.py and the evaluation all do first) forces the switches, even
    against hostile values in the environment."""
    code = f"import json, os, assistant; print(json.dumps({{k: os.environ.get(k) for k in {sorted(NETWORK_OFF)!r}}}))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_clean_env(), capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == NETWORK_OFF
    # app.py is what `streamlit run` executes: it must switch the network off before importing Streamlit.
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert source.index("quiet_offline_environment()") < source.index("import streamlit")


# ----------------------------------------------------------------------- in process, real embedder


def _ingest_ask_eval(a: Assistant, corpus: Path, questions: Path, out: Path) -> None:
    from eval.runner import run_questions

    report = a.ingest([corpus])
    assert [r.status for r in report.results] == ["ingested"], report.results
    answer = a.ask(QUESTIONS[0]["question"])  # type: ignore[arg-type]
    assert "2015" in answer.text and answer.citations, answer.text
    run = run_questions(a.settings, questions, out=out, corpus=corpus, assistant=a)
    assert run.metrics["n_questions"] == 2 and run.metrics["retrieval.evidence_recall@5"] == 1.0, run.metrics
    assert (out / "report.html").is_file()


@pytest.mark.integration
def test_real_embedder_ingest_ask_eval_in_process_send_nothing(
    real_settings_factory: Callable[..., Settings], corpus: Path, questions: Path, tmp_path: Path
) -> None:
    with NetGuard() as guard:
        a = build_assistant(real_settings_factory())  # embedded Chroma; the model is loaded under the guard
        _ingest_ask_eval(a, corpus, questions, tmp_path / "run")
    assert guard.attempts == []


@pytest.mark.server
def test_chroma_server_ingest_ask_eval_in_process_send_nothing(
    test_settings: Settings, chroma_server: tuple[str, int], corpus: Path, questions: Path, tmp_path: Path
) -> None:
    host, port = chroma_server
    settings = test_settings.updated(chroma_host=host, chroma_port=port, collection_prefix=f"off{os.getpid()}")
    with NetGuard() as guard:
        _ingest_ask_eval(build_assistant(settings), corpus, questions, tmp_path / "run")
    assert guard.attempts == []


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.integration
def test_real_embedder_with_chroma_server_sends_nothing(
    real_settings_factory: Callable[..., Settings],
    chroma_server: tuple[str, int],
    corpus: Path,
    questions: Path,
    tmp_path: Path,
) -> None:
    host, port = chroma_server
    settings = real_settings_factory(chroma_host=host, chroma_port=port, collection_prefix=f"offreal{os.getpid()}")
    with NetGuard() as guard:
        _ingest_ask_eval(build_assistant(settings), corpus, questions, tmp_path / "run")
    assert guard.attempts == []


# ------------------------------------------------------------------------------- CLI subprocesses


def test_cli_ingest_ask_eval_attempt_nothing(corpus: Path, questions: Path, tmp_path: Path) -> None:
    env = {"ASSISTANT_PROFILE": "test", "ASSISTANT_DATA_DIR": str(tmp_path / "data")}
    runs = [
        _cli(["ingest", str(corpus), "--json"], tmp_path, **env),
        _cli(["ask", QUESTIONS[0]["question"], "--json"], tmp_path, **env),  # type: ignore[list-item]
        _cli(
            ["eval", "--questions", str(questions), "--corpus", str(corpus), "--out", str(tmp_path / "run")],
            tmp_path,
            **env,
        ),
    ]
    for result, attempts, native in runs:
        assert result.returncode == 0, result.stderr[-3000:]
        assert attempts == [] and native == [], (result.args, attempts, native)
    assert "2015" in json.loads(runs[1][0].stdout)["answer"]


@pytest.mark.slow
@pytest.mark.integration
def test_cli_with_the_real_embedder_attempts_nothing(
    real_settings_factory: Callable[..., Settings], corpus: Path, questions: Path, tmp_path: Path
) -> None:
    settings = real_settings_factory()
    env = {
        "ASSISTANT_DATA_DIR": str(settings.storage.data_dir),
        "ASSISTANT_MODELS_DIR": str(settings.storage.models_dir),
    }
    ingest, attempts, native = _cli(["ingest", str(corpus), "--json"], tmp_path, **env)
    assert ingest.returncode == 0, ingest.stderr[-3000:]
    assert attempts == [] and native == []
    ask, attempts, native = _cli(["ask", QUESTIONS[0]["question"], "--json"], tmp_path, **env)  # type: ignore[list-item]
    assert ask.returncode == 0, ask.stderr[-3000:]
    assert attempts == [] and native == []
    assert "2015" in json.loads(ask.stdout)["answer"]


@pytest.mark.slow
@pytest.mark.integration
def test_cli_eval_with_the_real_embedder_attempts_nothing(
    real_settings_factory: Callable[..., Settings], corpus: Path, questions: Path, tmp_path: Path
) -> None:
    settings = real_settings_factory()
    env = {
        "ASSISTANT_DATA_DIR": str(settings.storage.data_dir),
        "ASSISTANT_MODELS_DIR": str(settings.storage.models_dir),
    }
    args = ["eval", "--questions", str(questions), "--corpus", str(corpus), "--out", str(tmp_path / "run")]
    result, attempts, native = _cli(args, tmp_path, **env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert attempts == [] and native == []


# ------------------------------------------------------------------------------------------------ app


@pytest.fixture
def app_data(tmp_path: Path) -> Path:
    data = tmp_path / "app-data"
    settings = load_settings(profile="test", data_dir=data, _env_file=None)
    build_assistant(settings).ingest([settings.ingest.corpus_dir])
    return data


def test_app_session_asks_with_nothing_attempted(app_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ASSISTANT_PROFILE", "test")
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(app_data))
    with NetGuard() as guard:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
        at.chat_input[0].set_value(QUESTIONS[0]["question"]).run()  # type: ignore[arg-type]
    assert not at.exception, at.exception
    assert "[1]" in "\n".join(m.value for msg in at.chat_message if msg.name == "assistant" for m in msg.markdown)
    assert guard.attempts == []


@pytest.fixture
def streamlit_server(app_data: Path, tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path, Path]]:
    """`streamlit run app.py` headless on a free port under the guard (and strace); yields (url, process, guard
    log, strace log)."""
    port = _free_port()
    log = tmp_path / "streamlit-netguard.jsonl"
    trace = tmp_path / "streamlit.strace"
    env = _clean_env(ASSISTANT_PROFILE="test", ASSISTANT_DATA_DIR=str(app_data))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(GUARD_DIR), env.get("PYTHONPATH", "")) if p)
    env["NETGUARD_LOG"] = str(log)
    argv = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"]
    cmd = [STRACE, *STRACE_ARGS, "-o", str(trace), *argv] if STRACE else argv
    output = (tmp_path / "streamlit.out").open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(
            f"{url}/_stcore/health",
            proc,
            timeout=90,
            what=f"streamlit on port {port}",
            detail=(tmp_path / "streamlit.out").read_text,
        )
        yield url, proc, log, trace
    finally:
        _stop(proc, log)
        output.close()


def _stop(proc: subprocess.Popen[str], log: Path) -> None:
    """Stop streamlit itself: under strace, `proc` is strace, which would only detach on SIGTERM."""
    if proc.poll() is not None:
        return
    pids = Path(str(log) + ".pids")
    targets = [int(p) for p in pids.read_text().split()] if STRACE and pids.is_file() else [proc.pid]
    for pid in targets:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        for pid in targets:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.kill()
        proc.wait(timeout=10)


def test_streamlit_app_serves_and_answers_with_nothing_attempted(
    streamlit_server: tuple[str, subprocess.Popen[str], Path, Path],
) -> None:
    url, proc, log, trace = streamlit_server
    with urllib.request.urlopen(url, timeout=10) as page:
        html = page.read().decode("utf-8", "replace")
    assert page.status == 200 and '<div id="root">' in html
    external_requests: list[str] = []
    if CHROMIUM.exists() and _has_playwright():
        # A real browser session makes the server run app.py (Assistant, retrieval, answer); every request the
        # page itself makes is watched too (fonts, analytics).
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            )
            page = browser.new_page()
            page.on(
                "request",
                lambda r: (
                    external_requests.append(r.url) if not r.url.startswith((url, "data:", "blob:", "about:")) else None
                ),
            )
            page.goto(url)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=60_000)
            box.fill(str(QUESTIONS[0]["question"]))
            box.press("Enter")
            answer = page.get_by_test_id("stChatMessage").filter(has_text="[1]").first
            answer.wait_for(timeout=60_000)
            assert "2015" in answer.inner_text()
            browser.close()
    _stop(proc, log)
    assert Path(str(log) + ".pids").is_file(), "the guard was not installed in the streamlit process"
    assert read_log(log) == []
    assert external_requests == []
    if STRACE:
        assert native_attempts(trace.read_text(errors="replace")) == []


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True
