"""Shared fixtures. Unit tests use the test profile (fake embedder, temp data dir); integration tests use the
real default model and real Chroma (embedded, and a real `chroma run` server)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.core.config import BUNDLED_CORPUS, Settings, TestSettings, load_settings
from assistant.core.offline import quiet_offline_environment
from tests.servers import wait_until_up

quiet_offline_environment()

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
TESTDATA_PDFS = SHARED / "testdata" / "pdfs"
DEV_QUESTIONS = SHARED / "eval" / "questions-dev.jsonl"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own ASSISTANT_* variables or .env must not leak into tests.
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key, raising=False)


@pytest.fixture
def corpus_dir() -> Path:
    return BUNDLED_CORPUS


@pytest.fixture
def test_settings(tmp_path: Path) -> Settings:
    return TestSettings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def real_settings_factory(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Settings with the real default embedder; skips when the model is not installed (`make test` installs
    it first, so in CI these tests always run)."""
    base = load_settings(profile="default", _env_file=None)
    from assistant.embedding.models import is_installed

    if not is_installed(base, base.embedding.embedding_model):
        pytest.skip("EmbeddingGemma is not installed: run `assistant models install` (make test does)")

    def make(**overrides: object) -> Settings:
        data_dir = overrides.pop("data_dir", None) or tmp_path_factory.mktemp("data")
        return Settings(data_dir=data_dir, models_dir=base.storage.models_dir, _env_file=None, **overrides)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def real_embedder(real_settings_factory: object) -> object:
    """One EmbeddingGemma load for the whole session (about 7 s on 2 cores). Tests run one at a time, so the
    embedder gets every core, as `assistant ingest` does; the app's one-thread default is for serving."""
    from assistant.embedding.embedders import build_embedder

    return build_embedder(real_settings_factory(embedding_threads=os.cpu_count() or 1))  # type: ignore[operator]


@pytest.fixture(scope="session")
def real_corpus_assistant(real_settings_factory: object, real_embedder: object) -> object:
    """The bundled corpus ingested once with the real model (about 90 s on 2 cores), shared by the integration
    tests that only read it (search recall, the dev-set evaluation)."""
    from assistant.composition import build_assistant
    from assistant.core.config import BUNDLED_CORPUS

    a = build_assistant(real_settings_factory(), embedder=real_embedder)  # type: ignore[operator, arg-type]
    report = a.ingest([BUNDLED_CORPUS])
    if report.failed:
        pytest.fail(f"the bundled corpus did not ingest: {report.results}")
    return a


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real Chroma server on a free localhost port."""
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if exe is None:
        pytest.skip("the `chroma` command is not installed")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    wait_until_up(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, timeout=60, what=f"chroma server on port {port}")
    yield "127.0.0.1", port
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
