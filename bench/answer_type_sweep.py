"""Choose the weight of the answer-type preference (`answer_type_weight`, assistant/retrieval/rerank.py).

    .venv/bin/python -m bench.answer_type_sweep [--distractors 1000 --distractor-chars 800]

Runs the product's own retriever (factory, real EmbeddingGemma, the evaluation's index of the bundled corpus,
optionally with laws mixed in) at several weights over two question sets: the dev set and
bench/data/own-questions.jsonl, 20 questions written for this check from the corpus text (not from any
question set; 16 of them have a form that names an answer type). Reports evidence recall@5 and MRR, with
the questions whose evidence rank changed. Writes bench/results/answer_type_sweep.{json,md} (the suffix
-distractors-N when laws are mixed in).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from assistant.answering.answerer import Turn
from assistant.answering.chain import HistoryExpansion
from assistant.composition import Assistant
from assistant.core.config import BUNDLED_CORPUS, load_settings
from assistant.core.offline import quiet_offline_environment
from assistant.embedding.embedders import build_embedder
from eval.metrics import evidence_rank, evidence_recall_at, mrr
from eval.questions import load_questions
from eval.runner import (
    DEFAULT_DISTRACTOR_SOURCE,
    corpus_index_settings,
    materialise_distractors,
    migrate_eval_folder,
)

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
SETS = {
    "dev": ROOT.parent.parent / "shared" / "eval" / "questions-dev.jsonl",
    "own": ROOT / "data" / "own-questions.jsonl",
}
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)


def main() -> None:
    quiet_offline_environment()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--distractors", type=int, default=0)
    ap.add_argument("--distractor-chars", type=int, default=None)
    args = ap.parse_args()
    base = load_settings(profile="default")
    corpus = BUNDLED_CORPUS.resolve()
    spec: Any = args.distractors if not args.distractor_chars else f"{args.distractors}-{args.distractor_chars}c"
    settings = corpus_index_settings(base, corpus, spec)
    paths = [corpus]
    if args.distractors:
        folder = migrate_eval_folder(base, "distractors")
        paths.append(
            materialise_distractors(DEFAULT_DISTRACTOR_SOURCE, args.distractors, folder, args.distractor_chars)
        )
    embedder = build_embedder(settings)
    Assistant(settings, embedder=embedder).ingest(paths, sync=True)  # a no-op when the index is current
    rewriter = HistoryExpansion()
    rows: dict[str, Any] = {}
    for set_name, path in SETS.items():
        questions = [q for q in load_questions(path) if q.evidence and q.type != "briefing"]
        per_weight: dict[str, Any] = {}
        for w in WEIGHTS:
            a = Assistant(settings.updated(answer_type_weight=w), embedder=embedder)
            ranks: dict[str, int | None] = {}
            for q in questions:
                query = rewriter.rewrite(q.question, [Turn(t.role, t.content) for t in q.turns])
                ranks[q.id] = evidence_rank(q.evidence, a.search(query, 10))
            values = list(ranks.values())
            per_weight[str(w)] = {
                "recall@5": evidence_recall_at(values, 5),
                "mrr": mrr(values),
                "ranks": ranks,
            }
            print(set_name, w, per_weight[str(w)]["recall@5"], round(per_weight[str(w)]["mrr"], 3), flush=True)
        rows[set_name] = per_weight
    suffix = f"-distractors-{spec}" if args.distractors else ""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"answer_type_sweep{suffix}.json").write_text(json.dumps(rows, indent=2))
    lines = [
        f"# Answer-type preference sweep{' with ' + str(spec) + ' distractor laws' if args.distractors else ''}",
        "",
        "`python -m bench.answer_type_sweep"
        + (f" --distractors {args.distractors}" if args.distractors else "")
        + (f" --distractor-chars {args.distractor_chars}" if args.distractor_chars else "")
        + "`; product retriever,"
        " EmbeddingGemma, top 10. Evidence rank = first passage holding an evidence quote.",
        "",
        "| set | weight | evidence R@5 | MRR | ranks changed vs 0 |",
        "|---|---|---|---|---|",
    ]
    for set_name, per_weight in rows.items():
        zero = per_weight["0.0"]["ranks"]
        for w, r in per_weight.items():
            changed = [f"{qid} {zero[qid]}→{rank}" for qid, rank in r["ranks"].items() if rank != zero[qid]]
            lines.append(f"| {set_name} | {w} | {r['recall@5']:.3f} | {r['mrr']:.3f} | {', '.join(changed) or '–'} |")
    (RESULTS / f"answer_type_sweep{suffix}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
