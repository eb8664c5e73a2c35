"""Fit the abstention model on one part of the question sets and report it on another.

    python -m eval.calibrate_abstention collect --questions FILE [--corpus DIR] --out FEATURES.jsonl
    python -m eval.calibrate_abstention fit FEATURES.jsonl … [--write]

`collect` indexes the corpus exactly as `assistant eval` does (the same separate index, reused), retrieves for
every question through the chat's chain (follow-ups with their turns), and writes the evidence features of
the extractive answerer (`assistant.answering.abstention`) with the label: 1 when the question is answerable.

`fit` splits the rows into a choosing part and a reporting part, fits the logistic model on the choosing part
only, and prints false abstention and abstention accuracy on both. The split: every row of a set named in
`--choose-sets` chooses; rows of other sets choose when a hash of their id is even (`--split-others`), so half
of a new set chooses and the other half reports. `--write` stores the model with its provenance in
`assistant/data/abstention.json`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from assistant.access.principal import Principal
from assistant.answering.abstention import FEATURES, MODEL_PATH, AbstentionModel, fit_logistic
from assistant.answering.answerer import Turn
from assistant.core.config import load_settings

from .questions import load_questions


def collect(questions_path: Path, corpus: Path | None, out: Path) -> int:
    from assistant.answering.extractive import ExtractiveAnswerer
    from assistant.composition import build_assistant

    from .metrics import evidence_rank
    from .runner import corpus_index_settings

    settings = load_settings()
    corpus = (corpus or settings.ingest.corpus_dir).resolve()
    ev = corpus_index_settings(settings, corpus)
    assistant = build_assistant(ev)
    assistant.ingest([corpus], sync=True)
    chain = assistant.scoped(Principal.operator(), audited=False).chain
    answerer = assistant.answerer
    if not isinstance(answerer, ExtractiveAnswerer):
        raise SystemExit("collect measures the extractive answerer: unset ASSISTANT_LLM_BACKEND")
    rows = 0
    with out.open("w", encoding="utf-8") as fh:
        for q in load_questions(questions_path):
            history = [Turn(t.role, t.content) for t in q.turns]
            query = chain.rewriter.rewrite(q.question, history)
            hits = chain.retriever.search(query, chain.retrieve_k)[: chain.answer_k]
            draft = answerer.draft(q.question, hits)
            record: dict[str, Any] = {
                "set": questions_path.stem,
                "id": q.id,
                "type": q.type,
                "label": 0 if q.type == "unanswerable" else 1,
                "evidence_rank": evidence_rank(q.evidence, hits) if q.evidence else None,
                "question": q.question,
                **draft.evidence.to_record(),
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            rows += 1
    return rows


def chooses(row: dict[str, Any], choose_sets: set[str]) -> bool:
    if row["set"] in choose_sets:
        return True
    return int(hashlib.sha1(row["id"].encode()).hexdigest(), 16) % 2 == 0


def _report(name: str, rows: list[dict[str, Any]], model: AbstentionModel) -> dict[str, Any]:
    answerable = [r for r in rows if r["label"] == 1]
    unanswerable = [r for r in rows if r["label"] == 0]

    def declined(r: dict[str, Any]) -> bool:
        return model.probability(_evidence(r)) < model.threshold

    false = sum(declined(r) for r in answerable)
    right = sum(declined(r) for r in unanswerable)
    line = {
        "part": name,
        "answerable": len(answerable),
        "wrongly_declined": false,
        "false_rate": round(false / len(answerable), 3) if answerable else 0.0,
        "unanswerable": len(unanswerable),
        "declined": right,
    }
    print(json.dumps(line))
    for r in rows:
        if declined(r) != (r["label"] == 0):
            print(f"    {'declined' if declined(r) else 'answered'} {r['id']} ({r['type']}): {r['question'][:90]}")
    return line


def _evidence(row: dict[str, Any]) -> Any:
    from assistant.answering.abstention import Evidence

    return Evidence(**{k: row[k] for k in FEATURES})


FOLDS = 5


def _fold(row: dict[str, Any]) -> int:
    return int(hashlib.sha1(str(row["id"]).encode()).hexdigest(), 16) % FOLDS


def _out_of_fold(rows: list[dict[str, Any]], l2: float) -> list[float]:
    """p(answered) of every row from a model fitted on the other folds."""
    out = [0.0] * len(rows)
    for k in range(FOLDS):
        train = [r for r in rows if _fold(r) != k]
        if len({r["label"] for r in train}) < 2:
            continue
        weights, bias = fit_logistic([[r[f] for f in FEATURES] for r in train], [r["label"] for r in train], l2=l2)
        model = AbstentionModel(tuple(weights), bias, 0.5)
        for i, r in enumerate(rows):
            if _fold(r) == k:
                out[i] = model.probability(_evidence(r))
    return out


def fit(paths: list[Path], choose_sets: set[str], l2: float, write: bool, max_false_rate: float = 0.05) -> int:
    rows = [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    choosing = [r for r in rows if chooses(r, choose_sets)]
    reporting = [r for r in rows if not chooses(r, choose_sets)]
    weights, bias = fit_logistic([[r[k] for k in FEATURES] for r in choosing], [r["label"] for r in choosing], l2=l2)
    sets = sorted({r["set"] for r in rows})
    provenance = (
        f"fitted {date.today().isoformat()} by eval.calibrate_abstention (l2={l2}) on {len(choosing)} questions: "
        f"all of {sorted(choose_sets)} and the even-hash half of the others ({sets}); "
        f"reported on the other {len(reporting)}"
    )
    # The threshold: the highest that keeps false abstention on the choosing part within the target (users
    # lose more from a wrongly declined answerable question than from a quoted near-miss they can check).
    # Measured on out-of-fold probabilities (each row scored by a model fitted without its fold): a threshold
    # set on the rows the weights were fitted on is optimistic, and declined more answerable questions of
    # the reporting part than it allowed on the choosing part.
    scores = sorted(p for p, r in zip(_out_of_fold(choosing, l2), choosing, strict=True) if r["label"] == 1)
    allowed = int(max_false_rate * len(scores))
    threshold = min(0.5, scores[allowed] - 1e-6) if scores else 0.5
    provenance += (
        f"; threshold {threshold:.3f}: false abstention at most {max_false_rate:.0%} on out-of-fold "
        f"probabilities of the choosing part ({FOLDS} folds by id hash)"
    )
    model = AbstentionModel(tuple(weights), bias, round(threshold, 6), provenance)
    print(json.dumps(model.to_mapping(), indent=2))
    _report("choosing", choosing, model)
    _report("reporting", reporting, model)
    for name in sets:
        _report(f"set {name}", [r for r in rows if r["set"] == name], model)
    if write:
        MODEL_PATH.write_text(json.dumps(model.to_mapping(), indent=2) + "\n", encoding="utf-8")
        print(f"written: {MODEL_PATH}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--questions", type=Path, required=True)
    c.add_argument("--corpus", type=Path)
    c.add_argument("--out", type=Path, required=True)
    f = sub.add_parser("fit")
    f.add_argument("features", type=Path, nargs="+")
    f.add_argument("--choose-sets", default="questions-dev,own-questions")
    f.add_argument("--l2", type=float, default=0.1)
    f.add_argument("--write", action="store_true")
    f.add_argument("--max-false-rate", type=float, default=0.05)
    args = parser.parse_args(argv)
    if args.command == "collect":
        print(f"{collect(args.questions, args.corpus, args.out)} questions -> {args.out}")
        return 0
    return fit(args.features, set(filter(None, args.choose_sets.split(","))), args.l2, args.write, args.max_false_rate)


if __name__ == "__main__":
    sys.exit(main())
