"""Second-stage re-ranking by the best sentence inside each passage (fake embedder, real vector cache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.records import Chunk, Hit
from assistant.embedding.cache import VectorCache
from assistant.embedding.embedders import FakeEmbedder
from assistant.retrieval.rerank import Reranker, SentenceReranker, mix_scores


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


# --- answer-type preference -------------------------------------------------------------------------------


def test_passage_that_holds_the_asked_kind_of_answer_moves_up() -> None:
    from assistant.retrieval.rerank import AnswerTypeReranker

    query = "Wanneer begon de samenwerking met Brussel?"
    undated = _hit("u", "De samenwerking met Brussel belooft vruchtbaar te zijn. Beide partijen kijken uit.", 1.0, 1)
    other = _hit("o", "Brussel en Den Haag werken samen aan veiligheid.", 0.95, 2)
    dated = _hit("d", "Bezoek. De samenwerking begon op 15 juni 2023 in Rotterdam.", 0.9, 3)
    weak = _hit("w", "Een ander onderwerp zonder datum.", 0.0, 4)  # scores are min-max normalised over the head
    tail = _hit("t", "Iets anders, op 1 mei 2020.", 0.0, 5)
    out = AnswerTypeReranker(weight=0.3, top=4).rerank(query, [undated, other, dated, weak, tail])
    assert [h.chunk.chunk_id for h in out] == ["d", "u", "o", "w", "t"]  # the tail stays below, dated or not
    assert out[0].scores["answer_type"] == 1.0 and out[1].scores["answer_type"] == 0.0
    assert [h.rank for h in out] == [1, 2, 3, 4, 5]
    # A much stronger first-stage passage still wins over a weak one that merely has a date.
    far = _hit("d", "Bezoek. De samenwerking begon op 15 juni 2023 in Rotterdam.", 0.05, 3)
    kept = AnswerTypeReranker(weight=0.3, top=4).rerank(query, [undated, other, far, weak])
    assert [h.chunk.chunk_id for h in kept] == ["u", "o", "d", "w"]


def test_question_without_an_answer_form_keeps_the_order() -> None:
    from assistant.retrieval.rerank import AnswerTypeReranker

    hits = [_hit("a", "Thema's: veiligheid en toerisme.", 1.0, 1), _hit("b", "Op 24 juni 2015 in Parijs.", 0.9, 2)]
    for query in ("Wat was het thema van de conferentie?", "Welke steden zijn lid?"):
        assert AnswerTypeReranker(weight=0.5).rerank(query, hits) == hits
    # All candidates alike (each holds a date): nothing to prefer, scores untouched.
    dated = [_hit("a", "In 2015 werd Den Haag lid.", 1.0, 1), _hit("b", "Op 24 juni 2015 in Parijs.", 0.9, 2)]
    assert AnswerTypeReranker(weight=0.5).rerank("Wanneer werd Den Haag lid?", dated) == dated


def test_abbreviation_question_prefers_the_passage_that_spells_it_out() -> None:
    from assistant.retrieval.rerank import AnswerTypeReranker

    uses = _hit("u", "De ambities worden door het RSIV en de partners uitgewerkt in actieplannen.", 1.0, 1)
    spells = _hit("s", "Het Regionaal Samenwerkingsverband Integrale Veiligheid (RSIV) is een verband.", 0.8, 2)
    weak = _hit("w", "Het RSIV vergadert.", 0.0, 3)
    out = AnswerTypeReranker(weight=0.3).rerank("Wat is het RSIV?", [uses, spells, weak])
    assert [h.chunk.chunk_id for h in out] == ["s", "u", "w"]


def test_answer_type_preference_runs_before_the_sentence_stage(tmp_path: Path) -> None:
    from assistant.retrieval.rerank import AnswerTypeReranker

    class Recording:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
            self.seen = [h.chunk.chunk_id for h in hits]
            return list(reversed(hits))

    then = Recording()
    hits = [_hit("a", "Geen datum hier.", 1.0, 1), _hit("b", "Op 24 juni 2015.", 0.9, 2), _hit("c", "Niets.", 0.0, 3)]
    out = AnswerTypeReranker(weight=0.3, then=then).rerank("Wanneer was het?", hits)
    assert then.seen == ["b", "a", "c"] and [h.chunk.chunk_id for h in out] == ["c", "a", "b"]
