"""Sweep the extractive answer's selection settings on the choosing part of the question sets.

    python -m bench.answer_sweep [--sets dev,own,ownpdfs,pdfs] [--out bench/results/answer_sweep.md]

Retrieves once per question (the chat's chain, as `assistant eval` does, on the same separate indexes), then
answers every question with each combination of: the margin a unit from another document than the best
unit's must keep (`other_doc_cut`), the margin for units of the same document (`relative_cut`) and the
number of quotes for a one-thing question (`max_quotes`). Reports fact recall, all facts, citation precision
and false abstention on the choosing part (which picks the default) and on the reporting part (which does
not), split as in `eval.calibrate_abstention` (whole sets named in --choose-sets; half of every other set).
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path
from typing import Any

from assistant.access.principal import Principal
from assistant.answering.answerer import Turn
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.composition import build_assistant
from assistant.core.config import load_settings
from assistant.core.records import Hit
from eval.calibrate_abstention import chooses
from eval.metrics import aggregate, score_question
from eval.questions import Question, load_questions
from eval.runner import corpus_index_settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SETS: dict[str, tuple[Path, Path]] = {
    "dev": (SHARED / "eval/questions-dev.jsonl", ROOT / "assistant/data/corpus"),
    "own": (ROOT / "bench/data/own-questions.jsonl", ROOT / "assistant/data/corpus"),
    "owncorpus": (ROOT / "bench/data/own-questions-corpus-unanswerable.jsonl", ROOT / "assistant/data/corpus"),
    "ownpdfs": (ROOT / "bench/data/own-questions-pdfs.jsonl", SHARED / "testdata/pdfs"),
    "pdfs": (SHARED / "eval/questions-pdfs.jsonl", SHARED / "testdata/pdfs"),
    "owncorpus2": (ROOT / "bench/data/own-questions-corpus-2.jsonl", ROOT / "assistant/data/corpus"),
    "ownpdfs2": (ROOT / "bench/data/own-questions-pdfs-2.jsonl", SHARED / "testdata/pdfs"),
    "ownpdfs-t1": (ROOT / "bench/data/own-questions-pdfs-t1.jsonl", SHARED / "testdata/pdfs"),
    "ownpdfs-t2": (ROOT / "bench/data/own-questions-pdfs-t2.jsonl", SHARED / "testdata/pdfs"),
}
KEY = ("answer.fact_recall", "answer.all_facts", "citation.precision", "abstention.false_rate", "abstention.accuracy")


def retrieve(names: list[str]) -> list[tuple[str, Question, list[Hit], Any]]:
    settings = load_settings()
    out = []
    for name in names:
        questions_path, corpus = SETS[name]
        corpus = corpus.resolve()
        ev = corpus_index_settings(settings, corpus)
        assistant = build_assistant(ev)
        assistant.ingest([corpus], sync=True)
        chain = assistant.scoped(Principal.operator(), audited=False).chain
        for q in load_questions(questions_path):
            history = [Turn(t.role, t.content) for t in q.turns]
            query = chain.rewriter.rewrite(q.question, history)
            hits = chain.search(q.question, query, history)
            out.append((questions_path.stem, q, hits, assistant))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", default="dev,own,owncorpus,ownpdfs,pdfs")
    parser.add_argument(
        "--choose-sets", default="questions-dev,own-questions,own-questions-corpus-unanswerable,own-questions-pdfs"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/answer_sweep.md")
    args = parser.parse_args(argv)
    rows = retrieve(args.sets.split(","))
    choose_sets = set(args.choose_sets.split(","))
    grid = list(itertools.product((0.05, 0.12, 0.25), (0.15, 0.25), (2, 3, 4)))
    grid = [(o, r, m) for o, r, m in grid if o <= r]
    lines = [
        "# Answer selection sweep",
        "",
        f"`python -m bench.answer_sweep --sets {args.sets}`, {time.strftime('%Y-%m-%d')}; choosing part: all of "
        f"{sorted(choose_sets)} and the even-hash half of the other sets.",
        "",
        "| other_doc_cut | relative_cut | max_quotes | part | " + " | ".join(KEY) + " |",
        "|---|---|---|---|" + "---|" * len(KEY),
    ]
    for other_doc_cut, relative_cut, max_quotes in grid:
        results: dict[str, list[Any]] = {"choosing": [], "reporting": []}
        for set_name, q, hits, assistant in rows:
            answerer = ExtractiveAnswerer(
                assistant.embedder,
                vector_cache=assistant.vector_cache,
                other_doc_cut=other_doc_cut,
                relative_cut=relative_cut,
                max_quotes=max_quotes,
            )
            answer = answerer.answer(q.question, hits[: assistant.settings.search.top_k])
            part = "choosing" if chooses({"set": set_name, "id": q.id}, choose_sets) else "reporting"
            results[part].append(score_question(q, answer, hits, 0.0))
        for part, scored in results.items():
            metrics = aggregate(scored)
            values = " | ".join(f"{metrics.get(k, 0.0):.3f}" for k in KEY)
            lines.append(f"| {other_doc_cut} | {relative_cut} | {max_quotes} | {part} ({len(scored)}) | {values} |")
        print(lines[-2], lines[-1], sep="\n", flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
