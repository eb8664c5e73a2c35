"""The `assistant` command end to end, as a user runs it (subprocess, test profile, temp data dir)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXE = [sys.executable, "-m", "assistant.cli"]


def run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    full_env.update({"ASSISTANT_PROFILE": "test", "ASSISTANT_DATA_DIR": str(data_dir), "COLUMNS": "200", **env})
    return subprocess.run([*EXE, *args], capture_output=True, text=True, env=full_env, timeout=120, check=False)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli-data")


def test_ingest_status_search_json(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    first = run(["ingest", "--json"], data_dir)  # no path: the bundled corpus
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["summary"]["ingested"] == 5

    again = json.loads(run(["ingest", "--json"], data_dir).stdout)
    assert again["summary"]["unchanged"] == 5 and again["summary"]["ingested"] == 0
    reread = json.loads(run(["ingest", "--reread", "--json"], data_dir).stdout)  # read again, found the same
    assert reread["summary"]["unchanged"] == 5 and reread["summary"]["updated"] == 0

    status = json.loads(run(["status", "--json"], data_dir).stdout)
    assert status["store"]["documents"] == 5
    assert status["store"]["chunks"] == status["store"]["store_chunks"] > 0
    assert {m["name"] for m in status["models"]} >= {"embeddinggemma-300m", "all-minilm-l6-v2"}

    hits = json.loads(run(["search", "Strong Cities Network steering committee", "-k", "3", "--json"], data_dir).stdout)
    assert len(hits) == 3
    assert {"score", "title", "source", "page", "heading", "text", "chunk_id"} <= set(hits[0])
    assert hits[0]["source"] == "003_145eaa7edb620ff2.txt"

    human = run(["search", "EFUS ledenvergadering Parijs"], data_dir)
    assert human.returncode == 0 and "000_c0ed1ecefa30b148.txt" in human.stdout


def test_ingest_says_when_a_changed_chunk_size_cuts_the_library_again(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    fresh = tmp_path_factory.mktemp("cli-chunking")
    assert run(["ingest"], fresh).returncode == 0
    smaller = {"ASSISTANT_CHUNK_SIZE": "400", "ASSISTANT_CHUNK_OVERLAP": "60"}
    warned = run(["status"], fresh, **smaller)  # said before anyone ingests
    assert warned.returncode == 0
    assert "5 stored document(s) to be chunked again: chunk size/overlap 1000/150 → 400/60" in warned.stderr
    assert json.loads(run(["status", "--json"], fresh, **smaller).stdout)["store"]["out_of_date"] == {
        "chunked again: chunk size/overlap 1000/150 → 400/60": 5
    }
    again = run(["ingest"], fresh, **smaller)
    assert again.returncode == 0, again.stderr
    assert "stored document(s) chunked again: chunk size/overlap 1000/150 → 400/60" in again.stdout
    as_json = json.loads(run(["ingest", "--json"], fresh).stdout)  # back to the default: cut again
    assert {f["reason"] for f in as_json["files"] if f["status"] == "updated"} == {
        "chunked again: chunk size/overlap 400/60 → 1000/150"
    }


def test_errors_are_one_line_messages_with_exit_codes(data_dir: Path, tmp_path: Path) -> None:
    bad = run(["status"], data_dir, ASSISTANT_CHUNK_SIZE="groot")
    assert bad.returncode == 2
    assert "ASSISTANT_CHUNK_SIZE" in bad.stderr and "Traceback" not in bad.stderr

    odd = tmp_path / "tabel.xlsx"
    odd.write_bytes(b"PK\x03\x04 not really")
    failed = run(["ingest", str(odd)], data_dir)
    assert failed.returncode == 4
    assert "unsupported file type '.xlsx'" in failed.stdout and "Traceback" not in failed.stderr

    missing_model = run(
        ["search", "x"],
        data_dir,
        ASSISTANT_PROFILE="default",
        ASSISTANT_EMBEDDING_MODEL=str(tmp_path / "nope"),
    )
    assert missing_model.returncode == 3
    assert "what to do" in missing_model.stderr and "Traceback" not in missing_model.stderr


def test_chat_session_answers_and_follows_up(data_dir: Path) -> None:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    full_env.update({"ASSISTANT_PROFILE": "test", "ASSISTANT_DATA_DIR": str(data_dir), "COLUMNS": "200"})
    run(["ingest"], data_dir)
    session = subprocess.run(
        [*EXE, "chat"],
        input="Welke locaties zijn bezocht tijdens de dienstreis naar Oslo?\nEn wie heb je ontmoet?\nexit\n",
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        check=False,
    )
    assert session.returncode == 0, session.stderr
    assert session.stdout.count("vraag>") == 3
    assert "Bronnen" in session.stdout and "[1]" in session.stdout
    assert "Traceback" not in session.stderr


def test_files_written_by_the_product_are_private(tmp_path: Path) -> None:
    """Whatever the shell's umask, the index (manifest, Chroma, caches) is readable by its owner only."""
    import stat

    data = tmp_path / "private"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    full_env.update({"ASSISTANT_PROFILE": "test", "ASSISTANT_DATA_DIR": str(data)})
    done = subprocess.run(
        ["sh", "-c", 'umask 022 && exec "$0" -m assistant.cli ingest --json', sys.executable],
        capture_output=True, text=True, env=full_env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = [p for p in data.rglob("*")]
    assert any(p.name.startswith("manifest") for p in written) and any(p.is_dir() for p in written)
    for path in [data, *written]:
        others = stat.S_IMODE(path.stat().st_mode) & 0o077
        assert others == 0, f"{path} is {oct(stat.S_IMODE(path.stat().st_mode))}"
