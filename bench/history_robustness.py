"""Do standalone questions keep their answers when asked in the middle of a conversation?

    .venv/bin/python -m bench.history_robustness            # writes bench/results/history_robustness.{json,md}

The question sets give a conversation only to their follow-up questions, so `assistant eval` cannot see a
standalone question that the follow-up handling wrongly leans on an earlier turn (borrowing its words and
preferring the documents its answer cited). This check asks every answerable standalone question of each set
twice on the set's evaluation index: alone, and after an unrelated turn: the nearest earlier standalone
question of the set about other documents (no source in common), with the assistant's own answer to it and the
documents that answer cited as history. It reports matched facts both ways, how many questions the
follow-up detection took for follow-ups, and how many lost a fact. The blind sets are counted in total only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from assistant.answering.answerer import Turn
from assistant.answering.question import refers_back
from assistant.composition import build_assistant
from assistant.core.config import BUNDLED_CORPUS
from assistant.core.offline import quiet_offline_environment
from bench.retrieval_offline import RESULTS, ROOT, SHARED, index_settings
from eval.metrics import fact_matches
from eval.questions import Question, load_questions

DATA = ROOT / "bench" / "data"
PDFS = SHARED / "testdata" / "pdfs"
SETS: dict[str, tuple[str, Path, Path]] = {  # name: (group, questions, corpus)
    "own": ("choosing", DATA / "own-questions.jsonl", BUNDLED_CORPUS),
    "own-corpus-2": ("choosing", DATA / "own-questions-corpus-2.jsonl", BUNDLED_CORPUS),
    "own-unanswerable": ("choosing", DATA / "own-questions-corpus-unanswerable.jsonl", BUNDLED_CORPUS),
    "own-pdfs": ("choosing", DATA / "own-questions-pdfs.jsonl", PDFS),
    "own-pdfs-2": ("choosing", DATA / "own-questions-pdfs-2.jsonl", PDFS),
    "own-pdfs-t1": ("choosing", DATA / "own-questions-pdfs-t1.jsonl", PDFS),
    "own-pdfs-t2": ("choosing", DATA / "own-questions-pdfs-t2.jsonl", PDFS),
    "dev": ("public", SHARED / "eval" / "questions-dev.jsonl", BUNDLED_CORPUS),
    "pdfs": ("public", SHARED / "eval" / "questions-pdfs.jsonl", PDFS),
    "heldout-a": ("blind", DATA / "heldout-pdfs-a.jsonl", PDFS),
    "heldout-b": ("blind", DATA / "heldout-pdfs-b.jsonl", PDFS),
    "heldout-c": ("blind", DATA / "heldout-corpus-c.jsonl", BUNDLED_CORPUS),
}


def _facts(question: Question, text: str) -> int:
    return len(fact_matches(question.facts, text)[0])


def _unrelated(questions: list[Question], index: int) -> Question | None:
    """The nearest earlier standalone question about other documents than question `index`."""
    own = set(questions[index].sources)
    for earlier in reversed(questions[:index]):
        if not earlier.turns and earlier.sources and not own & set(earlier.sources):
            return earlier
    return None


def run_set(assistant: Any, path: Path) -> dict[str, int]:
    questions = [q for q in load_questions(path) if q.type != "briefing"]
    out = {"questions": 0, "taken_for_follow_ups": 0, "facts": 0, "facts_alone": 0, "facts_after": 0, "lost": 0}
    histories: dict[str, list[Turn]] = {}  # one earlier question serves as history for many: asked once
    for i, q in enumerate(questions):
        earlier = _unrelated(questions, i)
        if q.turns or not q.answerable or earlier is None:
            continue
        if earlier.id not in histories:
            first = assistant.ask(earlier.question)
            cited = tuple(dict.fromkeys(c.doc_id for c in first.citations))
            histories[earlier.id] = [Turn("user", earlier.question), Turn("assistant", first.text, cited)]
        history = histories[earlier.id]
        alone, after = _facts(q, assistant.ask(q.question).text), _facts(q, assistant.ask(q.question, history).text)
        out["questions"] += 1
        out["taken_for_follow_ups"] += refers_back(q.question)
        out["facts"] += len(q.facts)
        out["facts_alone"] += alone
        out["facts_after"] += after
        out["lost"] += after < alone
    return out


def main() -> None:
    quiet_offline_environment()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated names of " + ", ".join(SETS))
    parser.add_argument("--out", default="history_robustness", help="results file stem in bench/results")
    args = parser.parse_args()
    assistants: dict[Path, Any] = {}
    rows: dict[str, dict[str, Any]] = {}
    for name in args.sets.split(","):
        group, path, corpus = SETS[name]
        if not path.exists():
            print(f"{name}: {path} not found, skipped")
            continue
        if corpus not in assistants:
            assistants[corpus] = build_assistant(index_settings(corpus.resolve()))
        rows[name] = {"group": group, **run_set(assistants[corpus], path)}
        print(name, rows[name], flush=True)
    groups: dict[str, dict[str, int]] = {}
    for row in rows.values():
        total = groups.setdefault(str(row["group"]), {})
        for key, value in row.items():
            if key != "group":
                total[key] = total.get(key, 0) + int(value)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps({"sets": rows, "groups": groups}, indent=1) + "\n")
    lines = [
        "# Standalone questions asked after an unrelated turn (`python -m bench.history_robustness`)",
        "",
        "Each answerable standalone question alone and after the nearest earlier standalone question of its set",
        "about other documents (with the assistant's answer to it and that answer's cited documents as history).",
        "",
        "| sets | questions | taken for follow-ups | facts alone | facts after the unrelated turn "
        "| questions that lost a fact |",
        "|---|---|---|---|---|---|",
    ]
    shown = {name: row for name, row in rows.items() if row["group"] != "blind"}
    totals: list[tuple[str, dict[str, Any]]] = [(f"{g} (all)", {"group": g, **t}) for g, t in groups.items()]
    for name, row in [*shown.items(), *totals]:
        lines.append(
            f"| {name} | {row['questions']} | {row['taken_for_follow_ups']} | {row['facts_alone']} / {row['facts']} "
            f"| {row['facts_after']} / {row['facts']} | {row['lost']} |"
        )
    (RESULTS / f"{args.out}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
