"""Crash safety: `kill -9` of real `assistant ingest` / `--sync` / delete processes at random moments
(bench/crash_trials.py). The quick test runs 3 ingest kills on a small folder; the slow one 9 (ingest, sync,
delete) on the full folder."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from bench.crash_trials import build_parser, consistency_problems, run_trials


def _state(**changes: Any) -> dict[str, Any]:
    state: dict[str, Any] = {
        "store_ids": ["a", "b", "c"],
        "duplicate_spans": 0,
        "ok_ids": ["a", "b", "c"],
        "manifest_ids": ["a", "b", "c"],
        "unfinished": 0,
        "bad_file_links": 0,
        "manifest_ids_not_ok_unfinished": 0,
        "lexical_ids": ["a", "b", "c"],
    }
    state.update(changes)
    return state


def test_consistency_problems_sees_each_kind_of_damage() -> None:
    assert consistency_problems(_state(), recovered=True) == []
    # Right after a kill, chunks of a pending document may still be in the store; recovery must remove them.
    pending = _state(store_ids=["a", "b", "c", "d"], manifest_ids=["a", "b", "c", "d"], unfinished=1)
    assert consistency_problems(pending, recovered=False) == []
    assert len(consistency_problems(pending, recovered=True)) == 2
    cases = {
        "duplicated": _state(store_ids=["a", "b", "c", "c"]),
        "missing": _state(store_ids=["a", "b"]),
        "orphans": _state(store_ids=["a", "b", "c", "x"]),
        "stored twice": _state(duplicate_spans=1),
        "point at a document": _state(bad_file_links=1),
    }
    for fragment, state in cases.items():
        problems = consistency_problems(state, recovered=False)
        assert any(fragment in p for p in problems), (fragment, problems)
    lexical = consistency_problems(_state(lexical_ids=["a", "b"]), recovered=True)
    assert lexical and "BM25" in lexical[0]


def _trials(*argv: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="crash-") as work:
        args = build_parser().parse_args([*argv, "--workdir", str(Path(work) / "w"), "--no-report"])
        return run_trials(args)


def _assert_all_consistent(result: dict[str, Any]) -> None:
    totals = result["totals"]
    problems = [p for t in result["trials"] for p in t["raw_problems"] + t["recovered_problems"] + t["final_problems"]]
    assert problems == []
    assert totals["inconsistent_raw"] == 0 and totals["inconsistent_after_recovery"] == 0
    assert totals["reruns_completed"] == totals["trials"]
    assert totals["final_equals_clean"] == totals["trials"]


def test_two_kills_quick() -> None:
    # Two kills at random points keep the default suite short; the nine-kill run is `-m slow`.
    result = _trials("--trials", "2", "--kinds", "ingest", "--txt", "6", "--max-pdf-mb", "0.11", "--seed", "7")
    assert result["totals"]["trials"] == 2
    _assert_all_consistent(result)


@pytest.mark.slow
def test_nine_kills_full_folder() -> None:
    result = _trials("--trials", "9", "--seed", "3")
    _assert_all_consistent(result)
    assert result["totals"]["killed"] >= 6


def test_recovery_removes_a_committed_document_that_no_file_owns(tmp_path: Path, corpus_dir: Path) -> None:
    """The state a kill left between 'document ok' and 'file linked' when those were two transactions: a
    changed file's new version searchable beside the old one, owned by no file."""
    import shutil

    from assistant.composition import build_assistant
    from assistant.core.config import TestSettings
    from ingest.chunking import chunk_document
    from ingest.documents import build_document

    folder = tmp_path / "docs"
    shutil.copytree(corpus_dir, folder)
    a = build_assistant(TestSettings(data_dir=tmp_path / "data", _env_file=None))  # type: ignore[call-arg]
    a.ingest([folder])
    before = sorted(a.store.ids())
    target = folder / "001_23d19e44c1f29afc.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("700", "701"), encoding="utf-8")
    doc = build_document(target, source=target.name)
    chunks = chunk_document(doc)
    a.manifest.begin_document(doc, chunks)
    a.store.add(chunks, a.embedder.embed_documents([c.embed_text for c in chunks]))
    a.manifest.commit_document(doc.doc_id)
    assert doc.doc_id in a.manifest.unowned()
    problems = consistency_problems(
        {
            "store_ids": a.store.ids(),
            "duplicate_spans": 0,
            "ok_ids": a.manifest.searchable_chunk_ids(),
            "manifest_ids": a.manifest.chunk_ids(),
            "unfinished": 0,
            "bad_file_links": 0,
            "manifest_ids_not_ok_unfinished": 0,
            "unowned_docs": len(a.manifest.unowned()),
            "lexical_ids": None,
        },
        recovered=False,
    )
    assert problems == ["1 ok documents that no file points at"]
    assert a.ingestor.recover() == len(chunks)
    assert sorted(a.store.ids()) == before and a.manifest.unowned() == {}
    # The rerun then replaces the old version as usual.
    report = a.ingest([folder])
    assert report.count("updated") == 1
    assert sorted(a.manifest.chunk_ids()) == sorted(a.store.ids())
    assert len(a.manifest.documents()) == 5


def test_dense_only_retrieval_skips_chunks_of_a_half_written_document(tmp_path: Path, corpus_dir: Path) -> None:
    """A kill between writing chunks and committing the document leaves them in the store until recovery;
    dense-only search must not show them (the hybrid retriever has its own check)."""
    import shutil

    from assistant.composition import build_assistant
    from assistant.core.config import TestSettings
    from ingest.chunking import chunk_document
    from ingest.documents import build_document

    folder = tmp_path / "docs"
    shutil.copytree(corpus_dir, folder)
    settings = TestSettings(data_dir=tmp_path / "data", retrieval="dense", _env_file=None)  # type: ignore[call-arg]
    a = build_assistant(settings)
    a.ingest([folder])
    marker = "Zeldzaamwoord halfgeschreven paragraaf over kwallen in Scheveningen."
    extra = folder / "nieuw.txt"
    extra.write_text(f"{marker}\n\n{marker}\n", encoding="utf-8")
    doc = build_document(extra, source=extra.name)
    chunks = chunk_document(doc)
    a.manifest.begin_document(doc, chunks)  # pending: the kill comes before the commit
    a.store.add(chunks, a.embedder.embed_documents([c.embed_text for c in chunks]))
    unfiltered = a.store.query(a.embedder.embed_query(marker), 3)
    assert any(h.chunk.doc_id == doc.doc_id for h in unfiltered)  # it is in the store...
    hits = a.search(marker, 5)
    assert hits and all(h.chunk.doc_id != doc.doc_id for h in hits)  # ...but never shown
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    a.ingest([folder])  # recovery, then the file is ingested properly and found
    assert any(h.chunk.doc_id == doc.doc_id for h in a.search(marker, 5))
