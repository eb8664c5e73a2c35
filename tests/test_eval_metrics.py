"""Metric functions against hand-computed numbers (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.core.records import Answer, Chunk, Citation, Hit
from eval.metrics import (
    BEIR_METRIC_NAMES,
    METRIC_NAMES,
    QuestionResult,
    abstention_accuracy,
    aggregate,
    aggregate_beir,
    citation_precision,
    doc_recall_at,
    evidence_rank,
    evidence_recall_at,
    fact_matches,
    false_abstention_rate,
    invalid_citations,
    lower_is_better,
    mrr,
    mrr_at_k,
    ndcg_at_k,
    normalise,
    percentile,
    recall_at_k,
    score_question,
    unfound_evidence,
)
from eval.questions import Question

DOC = "In 2015 is de gemeente Den Haag officieel lid geworden van EFUS, een netwerk van steden."
QUOTE = "In 2015 is de gemeente Den Haag officieel lid geworden van EFUS"


def chunk(
    text: str,
    *,
    doc_id: str = "d1",
    start: int = 0,
    end: int | None = None,
    source: str = "a.txt",
    cid: str = "",
) -> Chunk:
    end = start + len(text) if end is None else end
    return Chunk(
        chunk_id=cid or f"{doc_id}:{start}:{end}",
        doc_id=doc_id,
        source=source,
        title="t",
        text=text,
        start=start,
        end=end,
        ordinal=0,
    )


def hits_of(*chunks: Chunk) -> list[Hit]:
    return [Hit(chunk=c, score=1.0 / (i + 1), rank=i + 1) for i, c in enumerate(chunks)]


def noise(n: int, doc_id: str = "other") -> Chunk:
    return chunk(f"ruis nummer {n} zonder het citaat", doc_id=doc_id, start=n * 1000, source="noise.txt")


def cite(c: Chunk, n: int = 1, *, source: str | None = None) -> Citation:
    return Citation(
        n=n,
        chunk_id=c.chunk_id,
        doc_id=c.doc_id,
        title=c.title,
        source=source or c.source,
        page=None,
        quote=c.text,
    )


# ------------------------------------------------------------------------------------------ text


def test_normalise_casefolds_strips_accents_and_unifies_punctuation() -> None:
    assert normalise("  Utøya’s  “Café”\u00a0–\n Wrocław  ") == 'utoya\'s "cafe" - wroclaw'
    assert normalise("ﬁnanciële\u00adsteun") == "financielesteun"
    assert normalise("STRASSE") == normalise("Straße")


# ------------------------------------------------------------------------------------- retrieval


def test_evidence_rank_single_chunk_ignores_case_accents_quotes_and_whitespace() -> None:
    target = chunk("bijna 250 steden en regio's\nuit   17 LANDEN, aldus het verslag", start=0)
    hits = hits_of(noise(1), target, noise(2))
    assert evidence_rank(["bijna 250 steden en regio’s uit 17 landen"], hits) == 2
    # Any quote counts: the second quote is found at rank 2 even though the first is nowhere.
    assert evidence_rank(["niet aanwezig", "uit 17 landen"], hits) == 2
    assert evidence_rank(["niet aanwezig"], hits) is None
    assert evidence_rank([], hits) is None
    assert evidence_rank(["uit 17 landen"], []) is None


def test_evidence_rank_finds_a_quote_of_a_letter_header_that_ingest_rewrote() -> None:
    # The source has "Datum<TAB>3 maart 2021<TAB>Steller<TAB>P. de Vries"; ingest writes "Datum: …" lines.
    header = chunk("Aan: De raad\nDatum: 3 maart 2021\nSteller: P. de Vries\nOnderwerp: Kustplan", start=0)
    assert evidence_rank(["Datum 3 maart 2021 Steller P. de Vries"], hits_of(noise(1), header)) == 2
    assert evidence_rank(["Datum 4 maart 2021 Steller P. de Vries"], hits_of(noise(1), header)) is None


def test_evidence_rank_joins_two_overlapping_neighbours_by_offsets() -> None:
    # A = DOC[0:40], B = DOC[30:]: they share DOC[30:40] ("ag offici"-ish, 10 characters).
    a = chunk(DOC[:40], start=0)
    b = chunk(DOC[30:], start=30)
    assert QUOTE not in a.text and QUOTE not in b.text
    # Naive concatenation repeats the 10 shared characters inside the quote, so it would miss.
    assert normalise(QUOTE) not in normalise(a.text + b.text)
    # B at rank 2, A at rank 4: the pair counts at the later rank, 4.
    hits = hits_of(noise(1), b, noise(2), a, noise(3))
    assert evidence_rank([QUOTE], hits) == 4
    assert evidence_rank([QUOTE], hits, joined_neighbours=False) is None
    # Order in the ranking does not matter, only offsets: A at 1, B at 3 -> 3.
    assert evidence_rank([QUOTE], hits_of(a, noise(1), b)) == 3


def test_unfound_evidence_names_only_quotes_no_passage_or_touching_pair_holds() -> None:
    a, b = chunk(DOC[:40], start=0), chunk(DOC[30:], start=30)
    apart = chunk("Een ander stuk over de begroting van 2016.", doc_id="d2", source="b.txt")
    evidence = {
        "split": [QUOTE],  # only in a and b joined by their offsets
        "punctuation": ["EFUS; een netwerk van steden!"],  # letters and digits compared
        "edited": ["In 2016 is de gemeente Den Haag officieel lid geworden van EFUS", QUOTE],
        "across documents": ["een netwerk van steden Een ander stuk"],  # d1's end, d2's start: not a pair
        "none": [],
    }
    unfound = unfound_evidence(evidence, [b, apart, a])
    assert unfound == {
        "edited": ("In 2016 is de gemeente Den Haag officieel lid geworden van EFUS",),
        "across documents": ("een netwerk van steden Een ander stuk",),
    }
    assert unfound_evidence({"split": [QUOTE]}, [a]) == {"split": (QUOTE,)}


def test_evidence_rank_prefers_a_better_single_chunk_and_rejects_non_neighbours() -> None:
    a, b = chunk(DOC[:40], start=0), chunk(DOC[30:], start=30)
    whole = chunk(DOC, doc_id="d2", source="b.txt")
    # A single chunk at rank 2 beats the pair (ranks 1 and 3 -> 3).
    assert evidence_rank([QUOTE], hits_of(a, whole, b)) == 2
    # The single chunk at rank 4 loses to the pair (ranks 1 and 2 -> 2).
    assert evidence_rank([QUOTE], hits_of(a, b, noise(1), whole)) == 2
    # Same offsets, different documents: no join.
    other_doc_b = chunk(DOC[30:], doc_id="d9", start=30)
    assert evidence_rank([QUOTE], hits_of(a, other_doc_b)) is None
    # A gap between the chunks (A ends at 40, C starts at 41): the lost character is not whitespace, so the
    # quote across it is not found; a wider gap never joins.
    gap = chunk(DOC[41:], start=41)
    assert evidence_rank([DOC[:60]], hits_of(a, gap)) is None
    assert evidence_rank([DOC[42:60]], hits_of(chunk(DOC[:42], start=0), chunk(DOC[45:], start=45))) is None
    # The chunker trimmed the space at the boundary (A' ends before it, E starts after it): they touch.
    assert DOC[41] == " "
    trimmed = chunk(DOC[:41], start=0), chunk(DOC[42:], start=42)
    assert evidence_rank([DOC[30:60]], hits_of(noise(1), *trimmed)) == 3
    # Touching chunks (A ends where D starts) join without overlap.
    touching = chunk(DOC[40:], start=40)
    assert evidence_rank([QUOTE], hits_of(touching, a)) == 2


def test_evidence_rank_joins_by_text_when_offsets_do_not_match_the_text() -> None:
    # A splitter stripped B's leading space: offsets say 31.., the text starts at DOC[32].
    assert DOC[31] == " "
    a = chunk(DOC[:40], start=0)
    b = chunk(DOC[32:], start=31, end=len(DOC))
    # Offsets overlap 40 - 31 = 9; the texts share DOC[32:40] (8 characters), found by text.
    assert evidence_rank([QUOTE], hits_of(b, a)) == 2


def test_evidence_recall_and_mrr() -> None:
    ranks = [1, 3, None, 6]
    assert evidence_recall_at(ranks, 1) == 0.25  # only rank 1 -> 1/4
    assert evidence_recall_at(ranks, 3) == 0.5  # ranks 1, 3 -> 2/4
    assert evidence_recall_at(ranks, 5) == 0.5
    assert evidence_recall_at(ranks, 10) == 0.75  # ranks 1, 3, 6 -> 3/4
    # (1/1 + 1/3 + 0 + 1/6) / 4 = 1.5 / 4 = 0.375
    assert mrr(ranks) == pytest.approx(0.375)
    assert evidence_recall_at([], 5) == 0.0
    assert mrr([]) == 0.0


def test_doc_recall_at_is_the_fraction_of_gold_sources_in_the_top_k() -> None:
    hits = hits_of(
        noise(1),
        chunk("x", source="docs/a.txt"),  # folder ignored: counts as a.txt
        chunk("y", source="a.txt"),
        noise(2),
        noise(3),
        chunk("z", source="b.txt"),  # rank 6
    )
    assert doc_recall_at(["a.txt", "b.txt"], hits, 5) == 0.5  # a found, b at rank 6 -> 1/2
    assert doc_recall_at(["a.txt", "b.txt"], hits, 6) == 1.0
    assert doc_recall_at([], hits, 5) == 1.0


# --------------------------------------------------------------------------------------- answers


def test_fact_matches_alternatives_and_accents() -> None:
    facts = [["utoya", "utøya"], ["london pub"], ["ambassade"]]
    matched, missing = fact_matches(facts, "Bezocht: het eiland Utøya en de London  Pub.")
    assert matched == (("utoya", "utøya"), ("london pub",))
    assert missing == (("ambassade",),)
    # The accent may sit on either side.
    assert fact_matches([["Utøya"]], "UTOYA")[0] == (("Utøya",),)
    assert fact_matches([["Wrocław"]], "in wroclaw")[0] == (("Wrocław",),)
    # Any alternative suffices; "&" versus "and" needs its own spelling.
    assert fact_matches([["Security & Tourism", "Security and Tourism"]], "security and tourism")[1] == ()
    # Stems match inside words, numbers do not match inside longer numbers.
    assert fact_matches([["undermin"]], "undermining")[1] == ()
    assert fact_matches([["700"]], "1700 deelnemers")[1] == (("700",),)
    assert fact_matches([["700"]], "ruim 700 deelnemers")[1] == ()
    assert fact_matches([["16"]], "in 2016")[1] == (("16",),)


def test_citation_precision_and_invalid_citations() -> None:
    gold = chunk("iets over het beleid", source="a.txt", cid="c-gold")
    with_quote = chunk("Den Haag is deelnemer aan het EFUS-project LIAISE.", source="b.txt", cid="c-quote")
    off = chunk("iets anders", source="b.txt", cid="c-off")
    chunks = {c.chunk_id: c for c in (gold, with_quote, off)}
    citations = [cite(gold, 1), cite(with_quote, 2), cite(off, 3)]
    # gold source + evidence quote; the third is neither -> 2/3
    precision = citation_precision(citations, chunks, ["a.txt"], ["deelnemer aan het EFUS-project LIAISE"])
    assert precision == pytest.approx(2 / 3)
    assert citation_precision([], chunks, ["a.txt"], []) == 0.0
    ghost = Citation(n=4, chunk_id="not-retrieved", doc_id="d", title="", source="a.txt", page=None, quote="")
    assert invalid_citations([*citations, ghost], {"c-gold", "c-quote", "c-off"}) == 1


def test_abstention_rates() -> None:
    assert abstention_accuracy([True, False, True, True]) == 0.75
    assert abstention_accuracy([]) == 1.0
    assert false_abstention_rate([False, False, True, False]) == 0.25
    assert false_abstention_rate([]) == 0.0


# ----------------------------------------------------------------------------------------- stats


def test_percentile_linear_interpolation() -> None:
    values = [40.0, 10.0, 30.0, 20.0]
    assert percentile(values, 50) == 25.0  # sorted 10,20,30,40: position 1.5 -> 20 + 0.5 * 10
    assert percentile(values, 95) == pytest.approx(38.5)  # position 2.85 -> 30 + 0.85 * 10
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0
    with pytest.raises(ValueError):
        percentile([], 50)


@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=40),
    st.floats(min_value=0, max_value=100),
)
def test_percentile_matches_numpy(values: list[float], p: float) -> None:
    assert percentile(values, p) == pytest.approx(float(np.percentile(values, p)), rel=1e-9, abs=1e-6)


# ------------------------------------------------------------------------------------------ BEIR

QRELS = {"d1": 2, "d2": 1, "d3": 3}
RANKED = ["d2", "d4", "d1", "d3"]


def test_ndcg_graded_relevance_by_hand() -> None:
    # DCG  = 1/log2(2) + 0/log2(3) + 2/log2(4) + 3/log2(5) = 1 + 0 + 1 + 1.29203 = 3.29203
    # IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4)             = 3 + 1.26186 + 0.5   = 4.76186
    # nDCG = 3.29203 / 4.76186 = 0.69133
    assert ndcg_at_k(RANKED, QRELS, 10) == pytest.approx(0.69133, abs=1e-5)
    # k=2: DCG = 1; IDCG = 3 + 1.26186 = 4.26186; nDCG = 0.23464
    assert ndcg_at_k(RANKED, QRELS, 2) == pytest.approx(0.23464, abs=1e-5)
    assert ndcg_at_k(["d3", "d1", "d2"], QRELS) == pytest.approx(1.0)
    # A repeated document earns its gain once: DCG = 3, IDCG = 4.76186 -> 0.63000
    assert ndcg_at_k(["d3", "d3"], QRELS) == pytest.approx(3 / 4.76186, abs=1e-5)
    assert ndcg_at_k(RANKED, {}) == 0.0


def test_recall_and_mrr_at_k_by_hand() -> None:
    assert recall_at_k(RANKED, QRELS, 1) == pytest.approx(1 / 3)  # d2 of {d1, d2, d3}
    assert recall_at_k(RANKED, QRELS, 3) == pytest.approx(2 / 3)  # d2, d1
    assert recall_at_k(RANKED, QRELS, 10) == 1.0
    assert mrr_at_k(RANKED, QRELS, 10) == 1.0
    assert mrr_at_k(["d4", "d5", "d3"], QRELS, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(["d4", "d5", "d3"], QRELS, 2) == 0.0


def test_aggregate_beir_counts_missing_queries_and_drops_self_matches() -> None:
    run = {"q1": RANKED, "q4": ["q4", "d9"]}  # q4 retrieves itself first: dropped, d9 is rank 1
    qrels = {"q1": QRELS, "q2": {"x": 1}, "q3": {"y": 0}, "q4": {"d9": 1}}
    out = aggregate_beir(run, qrels)
    assert set(BEIR_METRIC_NAMES) <= out.keys()
    assert out["beir.n_queries"] == 3  # q3 has no relevant document and cannot be scored
    # q1 = 0.69133, q2 (not in the run) = 0, q4 = 1 -> (0.69133 + 0 + 1) / 3
    assert out["beir.ndcg@10"] == pytest.approx((0.69133 + 1) / 3, abs=1e-5)
    assert out["beir.recall@1"] == pytest.approx((1 / 3 + 0 + 1) / 3)
    assert out["beir.mrr@10"] == pytest.approx(2 / 3)


# ---------------------------------------------------------------------------- questions -> metrics


def _scenario() -> list[QuestionResult]:
    evidence_chunk = chunk("In 2015 is de gemeente Den Haag officieel lid geworden van EFUS.", source="a.txt")
    q1 = Question(
        id="q1",
        type="factoid",
        lang="nl",
        question="Sinds wanneer?",
        facts=(("2015",), ("efus",)),
        sources=("a.txt",),
        evidence=("lid geworden van EFUS",),
    )
    r1 = score_question(
        q1,
        Answer(text="Sinds 2015 [1].", citations=(cite(evidence_chunk),)),
        hits_of(noise(1), evidence_chunk),
        100.0,
    )
    q2 = Question(id="q2", type="unanswerable", lang="nl", question="Budget?")
    ghost = Citation(n=1, chunk_id="ghost", doc_id="d", title="", source="x.txt", page=None, quote="")
    r2 = score_question(q2, Answer(text="Het budget is 5 miljoen [1].", citations=(ghost,)), hits_of(noise(2)), 300.0)
    r3 = score_question(
        Question(id="q3", type="unanswerable", lang="nl", question="Burgemeester?"),
        Answer(text="Dat staat niet in de documenten.", abstained=True),
        hits_of(noise(3)),
        200.0,
    )
    q4 = Question(
        id="q4",
        type="list",
        lang="en",
        question="Which places?",
        facts=(("utoya", "utøya"), ("london pub",)),
        sources=("c.txt",),
        evidence=("werkbezoek aan het eiland Utoya",),
    )
    r4 = score_question(
        q4,
        Answer(text="Dat staat niet in de documenten.", abstained=True),
        hits_of(chunk("iets anders", source="d.txt")),
        400.0,
    )
    return [r1, r2, r3, r4]


def test_score_question_records_what_passed() -> None:
    r1, r2, r3, r4 = _scenario()
    assert r1.evidence_rank == 2 and r1.doc_recall_5 == 1.0
    assert r1.facts_matched == (("2015",),) and r1.facts_missing == (("efus",),)
    assert (r1.n_citations, r1.n_precise_citations, r1.n_invalid_citations) == (1, 1, 0)
    assert r1.passed["retrieval.evidence_recall@1"] is False
    assert r1.passed["retrieval.evidence_recall@3"] is True
    assert r1.passed["answer.all_facts"] is False
    # Both facts were in the passages the answer could read; it stated one.
    assert r1.facts_in_top == 2 and r1.passed["retrieval.fact_recall@5"] is True
    assert r1.passed["abstention.false_rate"] is True
    # Unanswerable, answered anyway, citing a passage that was never retrieved.
    assert not r2.answerable and not r2.abstained
    assert r2.passed == {"citation.invalid": False, "abstention.accuracy": False}
    # Unanswerable and declined: right.
    assert r3.passed == {"citation.invalid": True, "abstention.accuracy": True}
    # Answerable but declined: a false abstention, and no facts.
    assert r4.passed["abstention.false_rate"] is False
    assert r4.evidence_rank is None and r4.doc_recall_5 == 0.0 and len(r4.facts_missing) == 2
    assert r4.facts_in_top == 0 and r4.passed["retrieval.fact_recall@5"] is False
    assert QuestionResult.from_record(r1.to_record()) == r1


def test_aggregate_by_hand() -> None:
    metrics = aggregate(_scenario())
    assert set(METRIC_NAMES) <= metrics.keys()
    expected = {
        "n_questions": 4,
        "n_answerable": 2,  # q1, q4
        "n_unanswerable": 2,  # q2, q3
        # evidence ranks over answerable questions: q1 = 2, q4 = None
        "retrieval.evidence_recall@1": 0.0,
        "retrieval.evidence_recall@3": 0.5,
        "retrieval.evidence_recall@5": 0.5,
        "retrieval.evidence_recall@10": 0.5,
        "retrieval.mrr": 0.25,  # (1/2 + 0) / 2
        "retrieval.doc_recall@5": 0.5,  # q1 1.0, q4 0.0
        "retrieval.fact_recall@5": 0.5,  # q1's two facts are in its passages, q4's two are not
        "answer.fact_recall": 0.25,  # 1 matched of 2 + 2 facts
        "answer.all_facts": 0.0,
        "citation.precision": 1.0,  # q1's one citation; q2 is unanswerable and not counted
        "citation.invalid": 1.0,  # q2's ghost citation
        "abstention.accuracy": 0.5,  # q3 declined, q2 did not
        "abstention.false_rate": 0.5,  # q4 of q1, q4
        "latency.p50_ms": 250.0,  # sorted 100,200,300,400 -> position 1.5
        "latency.p95_ms": 385.0,  # position 2.85 -> 300 + 0.85 * 100
    }
    for name, value in expected.items():
        assert metrics[name] == pytest.approx(value), name
    assert metrics["by_type.factoid.retrieval.evidence_recall@5"] == 1.0
    assert metrics["by_type.unanswerable.abstention.accuracy"] == 0.5
    assert metrics["by_type.unanswerable.n_questions"] == 2
    assert "by_type.unanswerable.retrieval.evidence_recall@5" not in metrics  # no population
    assert metrics["by_lang.en.answer.fact_recall"] == 0.0
    assert metrics["by_lang.nl.answer.fact_recall"] == 0.5  # q1: 1 of 2
    assert metrics["by_lang.nl.n_questions"] == 3
    assert all(math.isfinite(v) for v in metrics.values())


def test_fact_recall_at_5_reads_only_the_first_five_passages_and_skips_older_records() -> None:
    q = Question(id="q", type="factoid", lang="nl", question="Wanneer?", facts=(("2015",),), sources=("a.txt",))
    late = chunk("Sinds 2015 lid.", source="a.txt")
    sixth = score_question(q, Answer(text="Onbekend."), hits_of(*(noise(i) for i in range(5)), late), 10.0)
    fifth = score_question(q, Answer(text="Onbekend."), hits_of(*(noise(i) for i in range(4)), late), 10.0)
    assert (sixth.facts_in_top, fifth.facts_in_top) == (0, 1)
    # A results.jsonl line of a run before the metric existed has no count: it is left out, not read as 0.
    old = {k: v for k, v in fifth.to_record().items() if k != "facts_in_top5"}
    assert QuestionResult.from_record(old).facts_in_top is None
    metrics = aggregate([fifth, QuestionResult.from_record(old), sixth])
    assert metrics["retrieval.fact_recall@5"] == pytest.approx(0.5)  # 1 of the 2 facts counted
    assert metrics["answer.fact_recall"] == 0.0


def test_aggregate_of_nothing_has_every_key() -> None:
    metrics = aggregate([])
    assert set(METRIC_NAMES) <= metrics.keys()
    assert metrics["abstention.accuracy"] == 1.0
    assert metrics["citation.precision"] == 0.0


def test_lower_is_better() -> None:
    assert lower_is_better("citation.invalid")
    assert lower_is_better("latency.p95_ms")
    assert lower_is_better("by_type.factoid.abstention.false_rate")
    assert not lower_is_better("retrieval.evidence_recall@5")
    assert not lower_is_better("by_lang.nl.answer.fact_recall")
