"""Fusion and diversity on hand-computed examples."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.core.records import Chunk, Hit
from assistant.retrieval.fusion import cap_per_document, convex_fusion, minmax, mmr, weighted_rrf


def _chunk(cid: str, doc: str = "d") -> Chunk:
    return Chunk(chunk_id=cid, doc_id=doc, source=doc, title="", text=cid, start=0, end=1, ordinal=0)


def _run(name: str, pairs: list[tuple[str, float]], doc: dict[str, str] | None = None) -> list[Hit]:
    doc = doc or {}
    return [
        Hit(chunk=_chunk(c, doc.get(c, "d")), score=s, rank=i, scores={name: s})
        for i, (c, s) in enumerate(pairs, start=1)
    ]


def test_minmax() -> None:
    assert minmax([]) == []
    assert minmax([3.0, 1.0, 2.0]) == [1.0, 0.0, 0.5]
    assert minmax([0.4, 0.4]) == [1.0, 1.0]


def test_convex_fusion_arithmetic() -> None:
    dense = _run("dense", [("a", 0.9), ("b", 0.7), ("c", 0.5)])  # normalised: a 1, b 0.5, c 0
    bm25 = _run("bm25", [("c", 12.0), ("d", 8.0), ("a", 4.0)])  # normalised: c 1, d 0.5, a 0
    fused = convex_fusion({"dense": dense, "bm25": bm25}, {"dense": 0.7, "bm25": 0.3}, k=10)
    # a = 0.7*1 + 0.3*0 = 0.7; b = 0.7*0.5 = 0.35; c = 0.7*0 + 0.3*1 = 0.3; d = 0.3*0.5 = 0.15
    assert [h.chunk.chunk_id for h in fused] == ["a", "b", "c", "d"]
    assert [h.score for h in fused] == pytest.approx([0.7, 0.35, 0.3, 0.15])
    assert [h.rank for h in fused] == [1, 2, 3, 4]
    assert fused[0].scores == pytest.approx({"dense": 0.9, "bm25": 4.0, "convex": 0.7})
    assert fused[3].scores == pytest.approx({"bm25": 8.0, "convex": 0.15})
    assert len(convex_fusion({"dense": dense, "bm25": bm25}, {"dense": 0.7, "bm25": 0.3}, k=2)) == 2


def test_convex_fusion_ties_go_to_the_dense_rank() -> None:
    dense = _run("dense", [("x", 1.0), ("y", 0.0)])
    bm25 = _run("bm25", [("y", 5.0), ("x", 1.0)])
    fused = convex_fusion({"bm25": bm25, "dense": dense}, {"dense": 0.5, "bm25": 0.5}, k=2)
    assert [h.score for h in fused] == [0.5, 0.5]
    assert [h.chunk.chunk_id for h in fused] == ["x", "y"]


def test_weighted_rrf_arithmetic() -> None:
    dense = _run("dense", [("a", 0.9), ("b", 0.8)])
    bm25 = _run("bm25", [("b", 7.0), ("c", 3.0)])
    fused = weighted_rrf({"dense": dense, "bm25": bm25}, {"dense": 1.0, "bm25": 2.0}, k=3, c=10)
    # a = 1/11; b = 1/12 + 2/11; c = 2/12
    assert [h.chunk.chunk_id for h in fused] == ["b", "c", "a"]
    assert [h.score for h in fused] == pytest.approx([1 / 12 + 2 / 11, 2 / 12, 1 / 11])
    assert fused[0].scores["rrf"] == pytest.approx(1 / 12 + 2 / 11)


def test_mmr_prefers_a_different_chunk_over_a_near_duplicate() -> None:
    hits = _run("dense", [("a", 1.0), ("a2", 0.9), ("b", 0.5)])
    vectors = {
        "a": np.array([1.0, 0.0], dtype=np.float32),
        "a2": np.array([1.0, 0.0], dtype=np.float32),
        "b": np.array([0.0, 1.0], dtype=np.float32),
    }
    # relevance a 1, a2 0.8, b 0; after a: a2 = 0.5*0.8 - 0.5*1 = -0.1, b = 0 - 0 = 0 -> b next
    picked = mmr(hits, vectors, lambda_=0.5, k=3)
    assert [h.chunk.chunk_id for h in picked] == ["a", "b", "a2"]
    assert [h.rank for h in picked] == [1, 2, 3]
    # lambda 1 is plain relevance order
    assert [h.chunk.chunk_id for h in mmr(hits, lambda x, y: 1.0, lambda_=1.0, k=2)] == ["a", "a2"]


def test_cap_per_document() -> None:
    docs = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "a4": "A", "c1": "C"}
    hits = _run("dense", [(c, 1.0 - i / 10) for i, c in enumerate(docs)], docs)
    capped = cap_per_document(hits, max_per_doc=2, k=4)
    assert [h.chunk.chunk_id for h in capped] == ["a1", "a2", "b1", "c1"]
    assert [h.rank for h in capped] == [1, 2, 3, 4]
    # Too few other documents: over-cap chunks fill the remaining places, in order.
    assert [h.chunk.chunk_id for h in cap_per_document(hits, max_per_doc=1, k=5)] == ["a1", "b1", "c1", "a2", "a3"]
    with pytest.raises(ValueError):
        cap_per_document(hits, max_per_doc=0, k=3)


def test_each_run_keeps_its_first_candidate_in_the_top_k() -> None:
    from assistant.retrieval.fusion import keep_run_leaders

    dense = _run("dense", [("a", 0.9), ("b", 0.85), ("c", 0.8), ("d", 0.75), ("x", 0.1)])
    bm25 = _run("bm25", [("x", 12.0), ("a", 3.0)])
    runs = {"dense": dense, "bm25": bm25}
    fused = convex_fusion(runs, {"dense": 0.7, "bm25": 0.3}, 10)
    assert [h.chunk.chunk_id for h in fused] == ["a", "b", "c", "d", "x"]  # BM25's first lost in the fusion
    kept = keep_run_leaders(fused[:4], fused, runs, 4)
    assert [h.chunk.chunk_id for h in kept] == ["a", "b", "c", "x"] and [h.rank for h in kept] == [1, 2, 3, 4]
    # Within the first 2 of 4: placed second, the rest move down one.
    kept = keep_run_leaders(fused[:4], fused, runs, 4, within=2)
    assert [h.chunk.chunk_id for h in kept] == ["a", "x", "b", "c"]
    # Already in place: nothing moves.
    assert keep_run_leaders(fused[:5], fused, runs, 5) == fused[:5]
