"""Hybrid retrieval wired to the real store and manifest: the BM25 side follows incremental ingest, changes,
sync and delete, survives a restart from disk, and the fused top-k is diversified across documents."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.composition import build_assistant
from assistant.core.config import Settings
from assistant.core.records import Chunk
from assistant.retrieval.hybrid import HybridRetriever


@pytest.fixture
def folder(tmp_path: Path, corpus_dir: Path) -> Path:
    target = tmp_path / "docs"
    shutil.copytree(corpus_dir, target)
    return target


def _bm25_sources(settings: Settings, query: str) -> list[str]:
    a = build_assistant(settings)
    return [h.chunk.source for h in a.lexical.get().search(query, 5)]


def test_lexical_index_follows_ingest_changes_sync_and_delete(test_settings: Settings, folder: Path) -> None:
    a = build_assistant(test_settings)
    assert isinstance(a.retriever, HybridRetriever)
    a.ingest([folder])
    assert len(a.lexical.get()) == a.store.count()

    new = folder / "nieuw.txt"
    new.write_text("Het zeldzame woord kwartiermaker staat alleen in dit verslag.", encoding="utf-8")
    a.ingest([folder])
    assert [h.chunk.source for h in a.lexical.get().search("kwartiermaker", 3)] == ["nieuw.txt"]
    assert a.search("kwartiermaker", k=1)[0].chunk.source == "nieuw.txt"

    # A fresh process loads the persisted index instead of rebuilding, and sees the same thing.
    assert _bm25_sources(test_settings, "kwartiermaker") == ["nieuw.txt"]

    new.unlink()
    a.ingest([folder], sync=True)
    assert a.lexical.get().search("kwartiermaker", 3) == []
    doc = a.manifest.documents()[0]
    a.ingestor.delete_document(doc.doc_id)
    assert len(a.lexical.get()) == a.store.count()
    assert doc.doc_id not in {c.doc_id for c in a.lexical.get().chunks}


def test_top_k_is_capped_per_document(test_settings: Settings, folder: Path) -> None:
    a = build_assistant(test_settings.updated(max_chunks_per_doc=2))
    a.ingest([folder])
    hits = a.search("Coalitie voor veiligheid prioriteiten politie gemeenten", k=5)
    per_doc: dict[str, int] = {}
    for h in hits:
        per_doc[h.chunk.doc_id] = per_doc.get(h.chunk.doc_id, 0) + 1
    assert len(hits) == 5 and max(per_doc.values()) <= 2
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert {"dense", "bm25"} & set(hits[0].scores)


def test_dense_mode_by_setting(test_settings: Settings) -> None:
    from assistant.retrieval.retriever import DenseRetriever

    assert isinstance(build_assistant(test_settings.updated(retrieval="dense")).retriever, DenseRetriever)


def test_chunks_of_a_half_written_document_are_never_returned(test_settings: Settings, folder: Path) -> None:
    # The state a kill -9 leaves between the store write and the manifest's "ok": chunks in Chroma that no
    # complete document owns. Recovery removes them at the next ingest; until then search must not show them.
    a = build_assistant(test_settings)
    a.ingest([folder])
    text = "Het zeldzame woord kwartiermaker staat in een half geschreven document."
    orphan = Chunk(
        chunk_id="orphan-1",
        doc_id="half",
        source="half.txt",
        title="Half",
        text=text,
        start=0,
        end=len(text),
        ordinal=0,
    )
    a.store.add([orphan], np.asarray(a.embedder.embed_documents([text]), dtype=np.float32))
    assert "orphan-1" in a.store.ids()
    assert all(h.chunk.chunk_id != "orphan-1" for h in a.search(text, k=10))


def test_the_bm25_leader_is_kept_in_the_top_k_by_setting(test_settings: Settings, folder: Path) -> None:
    # A word only one short note holds: BM25 ranks it first; the (hashing) dense run and the fusion need not.
    (folder / "notitie.txt").write_text("Kwartiermaker Jansen.", encoding="utf-8")
    query = "kwartiermaker coalitie veiligheid prioriteiten politie gemeenten burgemeesters regionaal beleidsplan"
    for keep in (True, False):
        a = build_assistant(test_settings.updated(keep_run_leaders=keep))
        if keep:
            a.ingest([folder])
        leader = a.lexical.get().search(query, 1)[0].chunk.chunk_id
        top = [h.chunk.chunk_id for h in a.search(query, k=3)]
        if keep:
            assert leader in top
        else:
            lost = leader not in top
    assert lost, "the query must be one where the fusion alone loses BM25's first passage"
