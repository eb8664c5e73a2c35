"""Second-stage re-ranking by the best sentence inside each passage (fake embedder, real vector cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.embeddings import FakeEmbedder
from assistant.records import Chunk, Hit
from assistant.rerank import Reranker, SentenceReranker, mix_scores
from assistant.vectorcache import VectorCache


def _hit(cid: str, text: str, score: float, rank: int) -> Hit:
    chunk = Chunk(
        chunk_id=cid, doc_id=cid, source=f"{cid}.txt", title=cid, text=text, start=0, end=len(text), ordinal=0
    )
    return Hit(chunk=chunk, score=score, rank=rank, scores={"dense": score})


def test_mix_scores_reorders_and_keeps_components() -> None:
    hits = [_hit("a", "x", 1.0, 1), _hit("b", "y", 0.8, 2), _hit("c", "z", 0.0, 3)]
    mixed = mix_scores(hits, [0.1, 0.9, 0.2], 0.5, "sentence")
    assert [h.chunk.chunk_id for h in mixed] == ["b", "a", "c"]
    assert [h.rank for h in mixed] == [1, 2, 3]
    assert mixed[0].scores["sentence"] == pytest.approx(0.9) and mixed[0].scores["dense"] == 0.8


def test_mix_scores_weight_zero_keeps_order() -> None:
    hits = [_hit("a", "x", 1.0, 1), _hit("b", "y", 0.5, 2)]
    assert [h.chunk.chunk_id for h in mix_scores(hits, [0.0, 1.0], 0.0, "s")] == ["a", "b"]
    assert mix_scores([], [], 0.5, "s") == []


def test_passage_with_the_answering_sentence_moves_up(tmp_path: Path) -> None:
    query = "Wie organiseerden de conferentie in Brussel?"
    general = _hit("g", "Het thema was democratie. Er waren veel sprekers. Steden spraken over veiligheid.", 1.0, 1)
    answering = _hit(
        "a", "De sfeer was goed. Wie organiseerden de conferentie in Brussel? Efus en safe.brussels.", 0.9, 2
    )
    cache = VectorCache(tmp_path / "v.sqlite3", "fake")
    reranker = SentenceReranker(FakeEmbedder(), cache, weight=0.6, top=10)
    assert isinstance(reranker, Reranker)
    out = reranker.rerank(query, [general, answering])
    assert [h.chunk.chunk_id for h in out] == ["a", "g"]
    assert len(cache) > 0  # sentences embedded once are kept for the next question


def test_tail_beyond_top_keeps_its_order_below_the_head(tmp_path: Path) -> None:
    hits = [_hit(str(i), f"Zin nummer {i} over iets.", 1.0 - i / 10, i + 1) for i in range(5)]
    out = SentenceReranker(FakeEmbedder(), None, weight=0.5, top=3).rerank("zin", hits)
    assert {h.chunk.chunk_id for h in out[:3]} == {"0", "1", "2"}
    assert [h.chunk.chunk_id for h in out[3:]] == ["3", "4"]
    assert [h.rank for h in out] == [1, 2, 3, 4, 5]
    assert all(out[2].score >= h.score for h in out[3:])
