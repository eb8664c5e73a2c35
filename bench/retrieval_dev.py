"""Retrieval design choices on the dev questions over the bundled corpus, with the real default embedder.

    .venv/bin/python bench/retrieval_dev.py [--questions FILE]

Each configuration is the product's own retriever (assistant.composition) with one setting changed; queries go
through the same follow-up rewriter as the chat. Writes bench/results/retrieval_dev.{json,md}."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.answering.answerer import Turn
from assistant.answering.chain import HistoryExpansion
from assistant.composition import build_assistant
from assistant.core.config import BUNDLED_CORPUS, load_settings
from assistant.core.embedder import Embedder, Vectors
from assistant.core.offline import quiet_offline_environment
from assistant.embedding.embedders import build_embedder
from eval.metrics import evidence_rank, evidence_recall_at, mrr, percentile
from eval.questions import load_questions

RESULTS = Path(__file__).resolve().parent / "results"
DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "questions-dev.jsonl"

CONFIGS: dict[str, dict[str, Any]] = {
    "dense only": {"retrieval": "dense", "max_chunks_per_doc": 0},
    "dense + cap 3": {"retrieval": "dense", "max_chunks_per_doc": 3},
    "hybrid convex 0.9/0.1": {"dense_weight": 0.9, "lexical_weight": 0.1},
    "hybrid convex 0.8/0.2": {"dense_weight": 0.8, "lexical_weight": 0.2},
    "hybrid convex 0.7/0.3": {"dense_weight": 0.7, "lexical_weight": 0.3},
    "hybrid convex 0.6/0.4": {"dense_weight": 0.6, "lexical_weight": 0.4},
    "hybrid convex 0.5/0.5": {"dense_weight": 0.5, "lexical_weight": 0.5},
    "hybrid convex 0.7/0.3, no cap": {"dense_weight": 0.7, "lexical_weight": 0.3, "max_chunks_per_doc": 0},
    "hybrid rrf 0.7/0.3": {"fusion": "rrf", "dense_weight": 0.7, "lexical_weight": 0.3},
    "hybrid rrf 0.5/0.5": {"fusion": "rrf", "dense_weight": 0.5, "lexical_weight": 0.5},
}


class CachedEmbedder:
    """Same vectors for the same query across configurations; the timing of the first call is kept."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.cache: dict[str, Vectors] = {}

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> Vectors:
        if text not in self.cache:
            self.cache[text] = self.inner.embed_query(text)
        return self.cache[text]


def main() -> None:
    quiet_offline_environment()
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=DEV)
    args = parser.parse_args()
    questions = [q for q in load_questions(args.questions) if q.evidence]
    base = load_settings(data_dir=Path(tempfile.mkdtemp()) / "data")
    embedder = CachedEmbedder(build_embedder(base))
    build_assistant(base, embedder=embedder).ingest([BUNDLED_CORPUS])
    rewriter = HistoryExpansion()
    rows = []
    for name, overrides in CONFIGS.items():
        a = build_assistant(base.updated(**overrides), embedder=embedder)
        ranks = []
        times = []
        for q in questions:
            query = rewriter.rewrite(q.question, [Turn(t.role, t.content) for t in q.turns])
            t0 = time.perf_counter()
            hits = a.search(query, 10)
            times.append((time.perf_counter() - t0) * 1000)
            ranks.append(evidence_rank(q.evidence, hits))
        rows.append(
            {
                "config": name,
                "evidence_recall@1": round(evidence_recall_at(ranks, 1), 4),
                "evidence_recall@5": round(evidence_recall_at(ranks, 5), 4),
                "mrr": round(mrr(ranks), 4),
                "p50_ms_warm": round(percentile(times, 50), 1),
                "ranks": {q.id: r for q, r in zip(questions, ranks, strict=True)},
            }
        )
        print(rows[-1]["config"], rows[-1]["evidence_recall@5"], rows[-1]["mrr"], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "retrieval_dev.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    lines = ["| configuration | evidence R@1 | R@5 | MRR |", "|---|---|---|---|"]
    lines += [f"| {r['config']} | {r['evidence_recall@1']} | {r['evidence_recall@5']} | {r['mrr']} |" for r in rows]
    (RESULTS / "retrieval_dev.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
