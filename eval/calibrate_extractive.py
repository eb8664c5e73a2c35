"""Calibrate the extractive answerer's abstention threshold with the real embedder.

    .venv/bin/python -m eval.calibrate_extractive [--questions FILE] [--data-dir DIR] [--k 5]

Ingests the bundled corpus with the configured model (EmbeddingGemma by default) into a scratch data
folder, retrieves k passages per question (follow-ups: earlier user turns + the question, until a real
query rewriter exists), answers with `ExtractiveAnswerer(min_score=-inf)` to see every confidence, then
scores with the threshold applied exactly as `eval.metrics.score_question`/`aggregate` would.

Prints one row per question (confidence, facts hit, abstained) and the separation between the lowest
answerable confidence and the highest unanswerable one, which is what `DEFAULT_MIN_SCORE` must sit in.

Measured (EmbeddingGemma-300m, bundled corpus, dev set, k=5, 2 CPU cores): see the module docstring of
`assistant.extractive` (DEFAULT_MIN_SCORE) for the numbers.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from assistant.config import BUNDLED_CORPUS, load_settings
from assistant.extractive import ExtractiveAnswerer
from assistant.factory import build_assistant
from assistant.records import Answer

from .metrics import aggregate, fact_matches, percentile, score_question
from .questions import Question, load_questions

DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "questions-dev.jsonl"


def retrieval_query(question: Question) -> str:
    return " ".join([t.content for t in question.turns if t.role == "user"] + [question.question])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--questions", type=Path, default=DEV_SET)
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/calib-data"))
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--min-score", type=float, default=None, help="threshold to score with (default: built-in)")
    parser.add_argument("--show", action="store_true", help="print every answer")
    args = parser.parse_args(argv)

    questions = load_questions(args.questions)
    assistant = build_assistant(load_settings(data_dir=args.data_dir))
    started = time.perf_counter()
    assistant.ingest([BUNDLED_CORPUS])
    print(f"ingest: {time.perf_counter() - started:.1f} s")

    probe = ExtractiveAnswerer(assistant.embedder, min_score=float("-inf"))
    threshold = args.min_score if args.min_score is not None else ExtractiveAnswerer(assistant.embedder).min_score
    hits_by_id = {q.id: assistant.search(retrieval_query(q), args.k) for q in questions}
    # Warm-up: the first calls pay for lazy initialisation, which is not answering latency.
    for q in questions[:3]:
        probe.answer(q.question, hits_by_id[q.id])

    results = []
    rows: list[tuple[str, str, float, str, bool]] = []
    latencies: list[float] = []
    for q in questions:
        hits = hits_by_id[q.id]
        # A fresh answerer per question: its sentence cache starts empty, so the latency is the cold one.
        probe = ExtractiveAnswerer(assistant.embedder, min_score=float("-inf"))
        t0 = time.perf_counter()
        full = probe.answer(q.question, hits)
        latencies.append((time.perf_counter() - t0) * 1000.0)
        confidence = probe.last_confidence if probe.last_confidence is not None else float("-inf")
        answer: Answer = full
        if confidence < threshold:
            answer = Answer(text="Dit staat niet in de documenten.", hits=full.hits, abstained=True)
        answer = replace(answer, timings_ms=full.timings_ms)
        results.append(score_question(q, answer, hits, latencies[-1]))
        matched, _missing = fact_matches(q.facts, full.text)
        facts = f"{len(matched)}/{len(q.facts)}" if q.facts else "-"
        rows.append((q.id, q.type, confidence, facts, answer.abstained))
        if args.show:
            print(f"\n## {q.id} {q.question}\n{answer.text}")
            for c in answer.citations:
                print(f"   [{c.n}] {c.source} :: {c.quote[:100]!r}")
            units, _vectors, missing = probe.score_units(q.question, hits)
            print(f"   missing {missing:.2f}")
            for u in sorted(units, key=lambda u: -u.score)[:6]:
                print(f"   {u.score:.3f} [{u.hit + 1}] {u.text[:90]!r}")

    print(f"\n{'id':8} {'type':13} {'confidence':>10} {'facts':>6} abstained")
    for qid, qtype, confidence, facts, abstained in rows:
        print(f"{qid:8} {qtype:13} {confidence:10.3f} {facts:>6} {abstained}")
    answerable = [c for _, t, c, _, _ in rows if t != "unanswerable"]
    unanswerable = [c for _, t, c, _, _ in rows if t == "unanswerable"]
    if answerable and unanswerable:
        low, high = min(answerable), max(unanswerable)
        print(f"\nlowest answerable {low:.3f}, highest unanswerable {high:.3f}, gap {low - high:+.3f}")
    metrics = aggregate(results)
    print(f"threshold {threshold:.3f}")
    for key in (
        "answer.fact_recall",
        "answer.all_facts",
        "citation.precision",
        "citation.invalid",
        "abstention.accuracy",
        "abstention.false_rate",
    ):
        print(f"{key:24} {metrics[key]:.3f}")
    print(f"answer latency p50 {percentile(latencies, 50):.0f} ms, p95 {percentile(latencies, 95):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
