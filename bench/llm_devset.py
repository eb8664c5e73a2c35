"""Dev-set comparison: the generative answerer with and without verification (and the extractive one).

    .venv/bin/python -m bench.llm_devset --base-url http://127.0.0.1:8081/v1 [--out /tmp/llm-devset]

Each question is generated ONCE by the model behind `--base-url`; the same raw text is then finalised three
ways and scored with eval.metrics.score_question/aggregate:
  raw      verify_mode='off' (invalid [n] still dropped by build_citations, text otherwise as generated)
  mark     unsupported/uncited sentences kept with ⚠ (the default)
  remove   unsupported/uncited sentences removed; nothing left → abstain
plus `extractive` (the no-LLM default) on the same passages. Retrieval uses the test profile's fake hashing
embedder + BM25 (hybrid), so the run measures answering, not EmbeddingGemma under CPU load. Per-question
records go to OUT/results.jsonl as they finish; OUT/metrics.json holds the aggregates and the counts of what
the verification caught.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from assistant.answering.answerer import Turn
from assistant.answering.chain import HistoryExpansion
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.generative import GenerativeAnswerer
from assistant.answering.llm import OpenAICompatible
from assistant.composition import build_assistant
from assistant.core.config import BUNDLED_CORPUS, TestSettings
from assistant.core.records import Answer
from eval.metrics import QuestionResult, aggregate, score_question
from eval.questions import load_questions

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "questions-dev.jsonl"
VARIANTS = ("raw", "mark", "remove", "extractive")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base-url", default="http://127.0.0.1:8081/v1")
    parser.add_argument("--questions", type=Path, default=DEV_SET)
    parser.add_argument("--out", type=Path, default=Path("/tmp/llm-devset"))
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--passage-chars", type=int, default=600)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument(
        "--replay", type=Path, default=None, help="results.jsonl of an earlier run: reuse its raw texts (no LLM)"
    )
    args = parser.parse_args(argv)

    questions = load_questions(args.questions)
    if args.limit:
        questions = questions[: args.limit]
    args.out.mkdir(parents=True, exist_ok=True)
    settings = TestSettings(data_dir=args.out / "data", top_k=args.k, _env_file=None)  # type: ignore[call-arg]
    assistant = build_assistant(settings)
    assistant.ingest([BUNDLED_CORPUS])
    model = OpenAICompatible(args.base_url, None, "local", max_tokens=args.max_tokens, timeout=900)
    kwargs: dict[str, Any] = {"max_passage_chars": args.passage_chars}
    if args.threshold is not None:
        kwargs["verify_threshold"] = args.threshold
    generative = GenerativeAnswerer(model, assistant.embedder, **kwargs)
    extractive = ExtractiveAnswerer(assistant.embedder)
    rewriter = HistoryExpansion()

    results: dict[str, list[QuestionResult]] = {v: [] for v in VARIANTS}
    caught = {"removed": 0, "flagged": 0, "uncited": 0, "unsupported": 0, "invalid_citations_dropped": 0}
    scores: list[tuple[str, float, bool]] = []  # (question id, support score, supported) of cited sentences
    replayed: dict[str, tuple[str, float]] = {}
    if args.replay:
        for line in args.replay.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            replayed[str(rec["id"])] = (str(rec["raw"]), float(rec["gen_ms"]))
    records_path = args.out / "results.jsonl"
    records_path.write_text("", encoding="utf-8")
    started = time.perf_counter()
    for number, q in enumerate(questions, start=1):
        history = [Turn(t.role, t.content) for t in q.turns]
        query = rewriter.rewrite(q.question, history)
        hits = assistant.search(query, args.k)
        t0 = time.perf_counter()
        if q.id in replayed:
            raw, gen_ms = replayed[q.id]
        else:
            raw = model.complete(generative.messages(q.question, hits, history))
            gen_ms = (time.perf_counter() - t0) * 1000.0
        answers: dict[str, Answer] = {
            "raw": generative.finalise(q.question, hits, raw, mode="off"),
            "mark": generative.finalise(q.question, hits, raw, mode="mark"),
            "remove": generative.finalise(q.question, hits, raw, mode="remove"),
        }
        check = generative.last_verification
        t1 = time.perf_counter()
        answers["extractive"] = extractive.answer(q.question, hits, history=history)
        ext_ms = (time.perf_counter() - t1) * 1000.0
        for variant, answer in answers.items():
            latency = ext_ms if variant == "extractive" else gen_ms
            results[variant].append(score_question(q, answer, hits, latency))
        for key in caught:
            source = answers["mark"] if key == "flagged" else answers["remove"]
            caught[key] += int(source.verification.get(key, 0))
        if check is not None:
            scores.extend((q.id, c.score, c.supported) for c in check.checks if c.score is not None)
        record = {
            "id": q.id,
            "type": q.type,
            "question": q.question,
            "raw": raw,
            "gen_ms": round(gen_ms),
            **{f"{v}_text": answers[v].text for v in VARIANTS},
            **{f"{v}_abstained": answers[v].abstained for v in VARIANTS},
            "verification": dict(answers["remove"].verification),
            "support_scores": [
                {"sentence": c.text, "cited": c.cited, "score": c.score, "supported": c.supported}
                for c in (check.checks if check else ())
                if c.kind == "factual"
            ],
            "passed": {v: results[v][-1].passed for v in VARIANTS},
        }
        with records_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"[{number}/{len(questions)}] {q.id} {gen_ms / 1000:.1f} s  {answers['remove'].verification}", flush=True)

    metrics = {v: aggregate(results[v]) for v in VARIANTS}
    summary = {
        "questions": len(questions),
        "seconds": round(time.perf_counter() - started, 1),
        "caught": caught,
        "support_scores": scores,
        "metrics": metrics,
    }
    (args.out / "metrics.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    keys = sorted({k for m in metrics.values() for k in m if not k.startswith("by_")})
    print(f"{'metric':45s}" + "".join(f"{v:>12s}" for v in VARIANTS))
    for key in keys:
        print(f"{key:45s}" + "".join(f"{metrics[v].get(key, float('nan')):12.3f}" for v in VARIANTS))
    print("caught:", caught)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
