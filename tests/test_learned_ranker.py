"""The learned ranker: its features, its fit, its model file, and how the composition root wires it."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.composition import build_assistant
from assistant.core.config import Settings
from assistant.core.errors import ConfigurationError
from assistant.core.records import Chunk, Hit
from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.learned import (
    BUNDLED_MODEL,
    FEATURES,
    LearnedReranker,
    RankerModel,
    cover_greedily,
    feature_matrix,
    fit_pairwise,
)
from assistant.retrieval.lexical import LexicalIndex, TermPresence
from assistant.retrieval.rerank import AnswerTypeReranker, Reranker


def _chunk(cid: str, text: str) -> Chunk:
    return Chunk(chunk_id=cid, doc_id=cid, source=f"{cid}.txt", title="", text=text, start=0, end=len(text), ordinal=0)


def _hit(cid: str, text: str, rank: int, *, dense: float | None = None, bm25: float | None = None) -> Hit:
    scores = {k: v for k, v in (("dense", dense), ("bm25", bm25)) if v is not None}
    return Hit(chunk=_chunk(cid, text), score=1.0 / rank, rank=rank, scores=scores)


def _terms(held: dict[str, str], words: str) -> Callable[[str, Sequence[Chunk]], TermPresence]:
    """Fake `LexicalIndex.term_presence`: chunk id -> the letters (one letter a word, weight 1) it holds."""

    def terms(query: str, chunks: Sequence[Chunk]) -> TermPresence:
        present = np.array([[w in held.get(c.chunk_id, "") for w in words] for c in chunks], dtype=bool)
        return TermPresence(np.ones(len(words)), present.reshape(len(chunks), len(words)))

    return terms


# --- features ----------------------------------------------------------------------------------------------


def test_features_per_hit_in_the_documented_order() -> None:
    hits = [
        _hit("a", "Het stadskantoor opende op 15 juni 2023.", 1, dense=0.60, bm25=8.0),
        _hit("b", "Geen datum in deze zin.", 2, dense=0.50),
        _hit("c", "Alleen BM25 vond deze passage.", 3, bm25=2.0),
    ]
    # one query word, weight 1: coverage is 1 where a hit holds it
    terms = TermPresence(np.ones(1), np.array([[True], [False], [True]]))
    x = feature_matrix("Wanneer opende het stadskantoor?", hits, terms)
    assert x.shape == (3, len(FEATURES)) and FEATURES == ("dense", "bm25", "answer_type", "coverage")
    assert x[:, 0] == pytest.approx([0.60, 0.50, 0.48])  # no cosine: just below the dense run's last
    assert x[:, 1] == pytest.approx([1.0, 0.0, 0.25])  # BM25 over the query's best BM25 score
    assert list(x[:, 2]) == [1.0, 0.0, 0.0]  # "wanneer" asks for a date; only "a" has one
    assert list(x[:, 3]) == [1.0, 0.0, 1.0]


def test_features_take_the_run_extremes_from_the_context() -> None:
    chosen = [_hit("a", "Het thema was veiligheid.", 1, dense=0.7, bm25=2.0), _hit("b", "Iets.", 2, bm25=1.0)]
    context = [*chosen, _hit("c", "Meer.", 3, dense=0.4, bm25=8.0)]
    x = feature_matrix("Wat was het thema?", chosen, None, context)
    assert x.shape == (2, 4)
    assert x[:, 0] == pytest.approx([0.7, 0.38]) and x[:, 1] == pytest.approx([0.25, 0.125])
    assert not x[:, 2].any() and not x[:, 3].any()  # no answer form, no coverage function


# --- ranking -----------------------------------------------------------------------------------------------


def test_reranker_orders_the_head_by_the_model_and_keeps_the_tail_below() -> None:
    hits = [
        _hit("few-words", "Veiligheid.", 1, dense=0.62),
        _hit("all-words", "Veiligheid in havensteden en hun bruggen.", 2, dense=0.60),
        _hit("tail-1", "Iets anders.", 3, dense=0.30),
        _hit("tail-2", "Nog iets anders.", 4, dense=0.20),
    ]
    model = RankerModel(weights=(10.0, 1.0, 1.0, 1.0), head=2)
    out = LearnedReranker(model, _terms({"few-words": "a", "all-words": "abcde"}, "abcde")).rerank("x", hits)
    assert [h.chunk.chunk_id for h in out] == ["all-words", "few-words", "tail-1", "tail-2"]
    assert [h.rank for h in out] == [1, 2, 3, 4]
    assert out[0].scores["learned"] == pytest.approx(10 * 0.60 + 1.0) and out[0].scores["dense"] == 0.60
    assert out[1].scores["learned"] == pytest.approx(10 * 0.62 + 0.2)
    assert all(out[1].score >= h.score for h in out[2:])
    # Coverage weighed less than the cosine gap: the fused order stands.
    kept = LearnedReranker(RankerModel(weights=(100.0, 1.0, 1.0, 1.0), head=2), None).rerank("x", hits)
    assert [h.chunk.chunk_id for h in kept] == ["few-words", "all-words", "tail-1", "tail-2"]


def test_a_question_in_a_language_the_model_was_not_fitted_for_gets_the_other_order() -> None:
    # Word coverage favours passages in the question's language: an English question over Dutch reports would
    # be ranked by words that mostly cannot occur there.
    class Recorder:
        def __init__(self) -> None:
            self.queries: list[str] = []

        def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
            self.queries.append(query)
            return list(reversed(hits))

    hits = [
        _hit("few-words", "Veiligheid.", 1, dense=0.62),
        _hit("all-words", "Veiligheid in havensteden en hun bruggen.", 2, dense=0.60),
    ]
    terms = _terms({"few-words": "a", "all-words": "abcde"}, "abcde")
    fixed = Recorder()
    ranker = LearnedReranker(
        RankerModel(weights=(10.0, 1.0, 1.0, 1.0), languages=("nl",)), terms, other_languages=fixed
    )
    dutch = ranker.rerank("Welke havens werden bezocht door de delegatie?", hits)
    assert [h.chunk.chunk_id for h in dutch] == ["all-words", "few-words"] and "learned" in dutch[0].scores
    assert fixed.queries == []
    english = ranker.rerank("Which ports did the delegation visit?", hits)
    assert fixed.queries == ["Which ports did the delegation visit?"]
    assert [h.chunk.chunk_id for h in english] == ["all-words", "few-words"] and "learned" not in english[0].scores
    # A model for every language (no languages recorded) ranks every question.
    anyone = LearnedReranker(RankerModel(weights=(10.0, 1.0, 1.0, 1.0)), terms, other_languages=fixed)
    assert "learned" in anyone.rerank("Which ports did the delegation visit?", hits)[0].scores


def test_ties_keep_the_fused_order_and_the_next_stage_runs_after() -> None:
    class Reverse:
        def rerank(self, query: str, hits: list[Hit]) -> list[Hit]:
            return list(reversed(hits))

    hits = [_hit("a", "een", 1, dense=0.5), _hit("b", "twee", 2, dense=0.5), _hit("c", "drie", 3, dense=0.5)]
    ranker = LearnedReranker(RankerModel(weights=(1.0, 0.0, 0.0, 0.0)), None)
    assert isinstance(ranker, Reranker)
    assert [h.chunk.chunk_id for h in ranker.rerank("q", hits)] == ["a", "b", "c"]
    chained = LearnedReranker(RankerModel(weights=(1.0, 0.0, 0.0, 0.0)), None, then=Reverse())
    assert [h.chunk.chunk_id for h in chained.rerank("q", hits)] == ["c", "b", "a"]
    assert ranker.rerank("q", hits[:1]) == hits[:1] and ranker.rerank("q", []) == []


def test_novelty_gives_later_places_to_passages_holding_the_question_s_other_words() -> None:
    hits = [
        _hit("first-part", "deel een", 1, dense=0.70),
        _hit("first-part-again", "deel een opnieuw", 2, dense=0.69),
        _hit("second-part", "deel twee", 3, dense=0.65),
    ]
    held = {"first-part": "ab", "first-part-again": "ab", "second-part": "cd"}
    plain = LearnedReranker(RankerModel(weights=(10.0, 0.0, 0.0, 0.0)), _terms(held, "abcd"))
    assert [h.chunk.chunk_id for h in plain.rerank("q", hits)] == ["first-part", "first-part-again", "second-part"]
    diverse = LearnedReranker(RankerModel(weights=(10.0, 0.0, 0.0, 0.0), novelty=2.0), _terms(held, "abcd"))
    out = diverse.rerank("q", hits)
    assert [h.chunk.chunk_id for h in out] == ["first-part", "second-part", "first-part-again"]
    assert [h.rank for h in out] == [1, 2, 3] and out[2].scores["learned"] == pytest.approx(6.9)
    shown = [h.score for h in out]  # on the fused 0..1 scale, best first, whatever the model's range
    assert shown[0] == 1.0 and shown[-1] == 0.0 and shown == sorted(shown, reverse=True)
    # A passage adding nothing new competes on its score alone; ties go to the earlier one.
    terms = TermPresence(np.ones(2), np.array([[True, False], [True, False], [False, False]]))
    assert [i for i, _ in cover_greedily([1.0, 1.0, 1.0], terms, 5.0)] == [0, 1, 2]
    no_words = TermPresence(np.zeros(0), np.zeros((3, 0), dtype=bool))
    assert [i for i, _ in cover_greedily([1.0, 0.5, 0.2], no_words, 5.0)] == [0, 1, 2]


# --- fitting -----------------------------------------------------------------------------------------------


def test_fit_learns_which_feature_marks_the_relevant_passage() -> None:
    rng = np.random.default_rng(7)
    groups = []
    for _ in range(40):
        x = rng.normal(size=(10, 3))
        relevant = [False] * 10
        best = int(np.argmax(x[:, 1]))  # only feature 1 decides
        relevant[best] = True
        groups.append((x, relevant))
    w = fit_pairwise(groups, c=10.0)
    assert w[1] > 3 * max(abs(w[0]), abs(w[2]))
    hits = sum(int(np.argmax(x @ w)) == relevant.index(True) for x, relevant in groups)
    assert hits >= 38
    # Stronger regularisation shrinks the weights.
    assert np.linalg.norm(fit_pairwise(groups, c=0.01)) < np.linalg.norm(w)


def test_fit_skips_questions_without_a_pair_and_refuses_when_none_has_one() -> None:
    x = np.array([[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="nothing to learn"):
        fit_pairwise([(x, [False, False]), (x, [True, True])])
    w = fit_pairwise([(x, [True, False]), (x, [False, False])])
    assert w[0] > 0 > w[1]


# --- model file --------------------------------------------------------------------------------------------


def test_bundled_model_is_complete_and_says_where_it_came_from() -> None:
    model = RankerModel.load(BUNDLED_MODEL)
    assert model.features == FEATURES and len(model.weights) == len(FEATURES) and model.head >= 10
    assert model.provenance["trained_on"] and "bench.learn_ranker" in model.provenance["by"]
    # Nothing public chose it: only the question sets we wrote ourselves.
    assert all(name.startswith("own") for name in model.provenance["trained_on"])
    assert model.languages == ("nl",) and "languages" in model.provenance  # most of those questions are Dutch


def test_model_round_trip_and_bad_files_get_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ranker.json"
    model = RankerModel(weights=(1.0, 2.0, 3.0, 4.0), head=12, novelty=1.5, provenance={"trained_on": ["mine"]})
    model.save(path)
    assert RankerModel.load(path) == model
    for_dutch = RankerModel(weights=(1.0, 2.0, 3.0, 4.0), languages=("nl",))
    for_dutch.save(path)
    assert RankerModel.load(path) == for_dutch
    for body in ("not json", json.dumps({"features": ["dense", "colour"], "weights": [1, 2]}), json.dumps({})):
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigurationError, match="cannot read the ranker model") as info:
            RankerModel.load(path)
        assert str(path) in str(info.value) and "ASSISTANT_RANKER" in str(info.value)
    with pytest.raises(ConfigurationError, match="cannot read"):
        RankerModel.load(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="one weight per feature"):
        RankerModel(weights=(1.0,))
    with pytest.raises(ValueError, match="novelty at least 0"):
        RankerModel(weights=(1.0, 1.0, 1.0, 1.0), novelty=-1.0)


# --- coverage ----------------------------------------------------------------------------------------------


def test_coverage_weights_rare_words_above_common_ones() -> None:
    chunks = [
        _chunk("rare", "De havenbeveiliging in Rotterdam."),
        _chunk("common", "De gemeente en de gemeente en de gemeente."),
        _chunk("both", "De gemeente regelt de havenbeveiliging."),
        *[_chunk(f"filler-{i}", f"De gemeente besluit over punt {i}.") for i in range(6)],
    ]
    index = LexicalIndex.build(chunks)
    outside = _chunk("outside", "havenbeveiliging gemeente")
    presence = index.term_presence("havenbeveiliging gemeente", [*chunks[:3], outside])
    rare, common, both, missing = presence.coverage()
    assert both == pytest.approx(1.0) and rare > common > 0 and rare + common == pytest.approx(1.0)
    assert missing == 0.0  # a passage the index does not hold
    assert presence.present.shape == (4, 2) and presence.present[2].all() and presence.weights.min() > 0
    assert list(index.term_presence("onbekendwoord", chunks[:2]).coverage()) == [0.0, 0.0]
    assert len(index.term_presence("gemeente", []).coverage()) == 0
    weights = index.query_weights("havenbeveiliging gemeente onbekendwoord")
    assert len(weights) == 2 and list(weights.values()) == pytest.approx(list(presence.weights))
    rare_weight, common_weight = weights.values()  # in query order
    assert rare_weight > common_weight
    # The rows holding a word are the chunks that contain it, in the index's order; none for an unknown word.
    stem = next(iter(weights))
    held = [index.chunks[i].chunk_id for i in index.term_rows(stem)]
    assert held and all("havenbeveiliging" in index.chunks[i].text.lower() for i in index.term_rows(stem)), held
    assert len(index.term_rows("onbekendwoord")) == 0


# --- wiring ------------------------------------------------------------------------------------------------


def test_composition_uses_the_learned_ranker_by_default(test_settings: Settings, tmp_path: Path) -> None:
    fixed = build_assistant(test_settings.updated(ranker="fixed")).retriever
    assert isinstance(fixed, HybridRetriever) and isinstance(fixed.reranker, AnswerTypeReranker)
    learned = build_assistant(test_settings).retriever
    assert isinstance(learned, HybridRetriever) and isinstance(learned.reranker, LearnedReranker)
    assert isinstance(learned.reranker.other_languages, AnswerTypeReranker)  # the fixed order, for other languages
    assert learned.reranker.model.features == FEATURES
    own = tmp_path / "mine.json"
    RankerModel(weights=(1.0, 0.0, 0.0, 2.0)).save(own)
    mine = build_assistant(test_settings.updated(ranker="learned", ranker_model=own)).retriever
    assert isinstance(mine, HybridRetriever) and isinstance(mine.reranker, LearnedReranker)
    assert mine.reranker.model.weights == (1.0, 0.0, 0.0, 2.0)
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=str(broken)):
        _ = build_assistant(test_settings.updated(ranker="learned", ranker_model=broken)).retriever


def test_learned_search_scores_every_head_passage(test_settings: Settings, corpus_dir: Path) -> None:
    a = build_assistant(test_settings.updated(ranker="learned"))
    a.ingest([corpus_dir])
    hits = a.retriever.search("Wanneer opende het stadskantoor?", 10)
    assert len(hits) == 10 and [h.rank for h in hits] == list(range(1, 11))
    assert all("learned" in h.scores and "convex" in h.scores for h in hits)
