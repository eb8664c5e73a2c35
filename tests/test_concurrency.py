"""Many questions at once while documents change: one shared Assistant, as in the app (st.cache_resource).

The trial itself lives in bench/concurrency.py (also runnable as a script that writes bench/results/). Here:
20 reader threads and one writer, in embedded Chroma and against a real `chroma run` server, with the test
profile; the same with the real embedder behind `-m slow`. Plus the races found while building it, each
reproduced deterministically: two writers (recover() used to delete the other's pending document), and
the unit-vector memory cache evicting a vector between its insertion and its use.

That two app sessions never see each other's conversation is covered by
tests/test_app.py::test_two_sessions_do_not_share_conversations.
"""

from __future__ import annotations

import fcntl
import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

import assistant.answering.extractive as extractive
from assistant.composition import Assistant, build_assistant
from assistant.core.config import BUNDLED_CORPUS, Settings
from assistant.core.records import Chunk
from bench.concurrency import CORPUS_QUESTIONS, answer_signature, end_state_problems, stress
from ingest.pipeline import Ingestor
from vectorstore.base import ChunkStore


def _indexed(settings: Settings) -> Assistant:
    a = build_assistant(settings)
    report = a.ingest([BUNDLED_CORPUS])
    assert report.count("ingested") == 5
    return a


def _assert_clean(result: Any) -> None:
    assert result.errors == []
    assert result.changed_after == []  # the writer's documents leave corpus answers alone, so…
    assert result.inconsistent == []  # …the same passages during the writes give the answer they gave before
    assert result.compared > result.questions_asked // 4  # and that was checked for many answers, not a few
    assert result.unretrieved_citations == []
    assert result.unknown_documents == []
    assert result.end_state == []
    assert result.questions_asked >= result.threads * 2 * len(CORPUS_QUESTIONS)
    assert result.asked_while_writing >= result.threads  # the readers really overlapped the writer
    assert result.writer_operations["updated"] >= 1 and result.writer_operations["removed"] >= 1


def test_twenty_readers_and_a_writer_embedded(test_settings: Settings, tmp_path: Path) -> None:
    result = stress(_indexed(test_settings), tmp_path / "writer", threads=20, writer_rounds=4)
    _assert_clean(result)


@pytest.mark.server
def test_twenty_readers_and_a_writer_chroma_server(
    test_settings: Settings, chroma_server: tuple[str, int], tmp_path: Path
) -> None:
    host, port = chroma_server
    settings = test_settings.updated(chroma_host=host, chroma_port=port, collection_prefix="conc")
    result = stress(_indexed(settings), tmp_path / "writer", threads=20, writer_rounds=4)
    _assert_clean(result)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_twenty_readers_and_a_writer_real_embedder(
    mode: str,
    real_settings_factory: Callable[..., Settings],
    chroma_server: tuple[str, int],
    tmp_path: Path,
) -> None:
    host, port = chroma_server
    extra = {"chroma_host": host, "chroma_port": port, "collection_prefix": "concreal"} if mode == "server" else {}
    result = stress(_indexed(real_settings_factory(**extra)), tmp_path / "writer", threads=20, writer_rounds=2)
    _assert_clean(result)


# ------------------------------------------------------------------------------------------ writers


class PausingStore:
    """A ChunkStore that stops inside its first `add` until released: the moment a document is `pending`."""

    def __init__(self, inner: ChunkStore) -> None:
        self.inner = inner
        self.adding = threading.Event()
        self.release = threading.Event()
        self._paused = False

    def add(self, chunks: Sequence[Chunk], vectors: npt.NDArray[np.float32]) -> None:
        if not self._paused:
            self._paused = True
            self.adding.set()
            self.release.wait(30)
        self.inner.add(chunks, vectors)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _folder(tmp_path: Path, name: str, doc: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(BUNDLED_CORPUS / doc, folder / doc)
    return folder


def test_a_second_writer_waits_until_the_first_has_committed(test_settings: Settings, tmp_path: Path) -> None:
    a = build_assistant(test_settings)
    store = PausingStore(a.store)
    ingestor = Ingestor(a.manifest, store, a.embedder)  # type: ignore[arg-type]
    first = _folder(tmp_path, "a", "000_c0ed1ecefa30b148.txt")
    second = _folder(tmp_path, "b", "003_145eaa7edb620ff2.txt")
    reports: dict[str, Any] = {}
    ta = threading.Thread(target=lambda: reports.setdefault("a", ingestor.ingest([first])))
    tb = threading.Thread(target=lambda: reports.setdefault("b", ingestor.ingest([second])))
    ta.start()
    assert store.adding.wait(30)  # the first document is pending now
    tb.start()
    tb.join(0.5)
    # Before the lock, the second ingest's recover() deleted the pending document and went on.
    assert tb.is_alive(), "the second writer did not wait"
    store.release.set()
    ta.join(30)
    tb.join(30)
    assert [r.status for r in reports["a"].results] == ["ingested"]
    assert [r.status for r in reports["b"].results] == ["ingested"]
    assert end_state_problems(a) == []
    assert len(a.manifest.documents()) == 2


def test_ingest_holds_a_lock_that_other_processes_see(test_settings: Settings) -> None:
    a = build_assistant(test_settings)
    seen: list[str] = []

    def probe(_result: object) -> None:
        # A separate open file: flock treats it like another process would.
        with a.ingestor.lock_path.open("a") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                seen.append("held")
            else:
                seen.append("free")
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    a.ingest([BUNDLED_CORPUS], progress=probe)
    assert seen == ["held"] * 5
    with a.ingestor.lock_path.open("a") as handle:  # released afterwards
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


# ------------------------------------------------------------------------------------------ readers


def test_unit_vector_cache_eviction_does_not_break_parallel_answers(
    test_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _indexed(test_settings.updated(precompute_answer_vectors=False))
    hits = {q: a.search(q, 5) for q in CORPUS_QUESTIONS}
    expected = {q: answer_signature(a.answerer.answer(q, hits[q])) for q in CORPUS_QUESTIONS}
    # A tiny memory cache: every answer evicts what the others just inserted (as a big corpus does at 4096).
    monkeypatch.setattr(extractive, "CACHE_SIZE", 8)
    errors: list[BaseException] = []
    mismatches: list[str] = []

    def run(offset: int) -> None:
        for _ in range(5):
            for q in CORPUS_QUESTIONS[offset % 4 :]:
                try:
                    got = answer_signature(a.answerer.answer(q, hits[q]))
                except Exception as exc:
                    errors.append(exc)
                    return
                if got != expected[q]:
                    mismatches.append(q)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and mismatches == []


def test_a_library_changed_by_another_process_is_seen_at_the_next_question(tmp_path: Path) -> None:
    """The app (one long-lived Assistant) keeps answering while `assistant ingest` adds a restricted document
    from another process: members find it at their next question, others still get the public documents."""
    _foreign_ingest_while_serving(tmp_path, {})


@pytest.mark.server
def test_a_library_changed_by_another_process_is_seen_with_a_chroma_server(
    tmp_path: Path, chroma_server: tuple[str, int]
) -> None:
    host, port = chroma_server
    _foreign_ingest_while_serving(tmp_path, {"chroma_host": host, "chroma_port": port, "collection_prefix": "foreign"})


def _foreign_ingest_while_serving(tmp_path: Path, store: dict[str, object]) -> None:
    import os
    import subprocess
    import sys

    from assistant.access.principal import Principal
    from assistant.core.config import TestSettings

    data = tmp_path / "data"
    serving = build_assistant(TestSettings(data_dir=data, _env_file=None, **store))  # type: ignore[call-arg, arg-type]
    serving.ingest([BUNDLED_CORPUS])
    member, outsider = Principal("an", frozenset({"veiligheid"})), Principal("piet", frozenset())
    public_question = "In welk jaar is de gemeente Den Haag lid geworden van EFUS?"
    assert not serving.scoped(member, audited=False).ask(public_question).abstained

    restricted = tmp_path / "vertrouwelijk"
    restricted.mkdir()
    (restricted / "kluis.txt").write_text("Kluisbeheer\n\nDe kluissleutel ligt bij de portier van het stadhuis.\n")
    (restricted / "kluis.txt.meta.json").write_text('{"groups": ["veiligheid"]}')
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_PROFILE": "test", "ASSISTANT_DATA_DIR": str(data)})
    env.update({f"ASSISTANT_{key.upper()}": str(value) for key, value in store.items()})
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", str(restricted), "--json"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    secret_question = "Waar ligt de kluissleutel?"
    found = serving.scoped(member, audited=False).ask(secret_question)
    assert not found.abstained and "portier" in found.text
    assert "portier" not in serving.scoped(outsider, audited=False).ask(secret_question).text
    for who in (member, outsider):
        assert not serving.scoped(who, audited=False).ask(public_question).abstained
