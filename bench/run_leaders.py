"""Does keeping each run's first candidate in the top k (`assistant.retrieval.fusion.keep_run_leaders`) cost the laws
BEIR benchmark anything? Dense + BM25 runs precomputed (bench/dense_runs.py, bench/lexical_choices.py), the
product's convex fusion 0.7 / 0.3, the leaders kept within the first 5 (the product's top_k) or 10 places of
the top 10. The question sets are measured with `assistant eval` and
`ASSISTANT_KEEP_RUN_LEADERS=true` (docs/retrieval.md).

    .venv/bin/python -m bench.run_leaders      # writes bench/results/run_leaders.md
"""

from __future__ import annotations

import json

from assistant.retrieval.fusion import convex_fusion, keep_run_leaders
from bench.fusion_sweep import RESULTS, ROOT, _hits
from eval.beir import load_beir
from eval.metrics import aggregate_beir


def main() -> None:
    bench = load_beir(ROOT / "data" / "laws-nl-beir")
    dense = json.loads((RESULTS / "laws-nl-beir_embeddinggemma-300m_dense_runs.json").read_text())
    bm25 = json.loads((RESULTS / "laws_beir_bm25_runs.json").read_text())
    lines = ["| configuration | nDCG@10 | R@1 | R@5 | R@10 | MRR@10 |", "|---|---|---|---|---|---|"]
    for label, k in (
        ("convex 0.7 / 0.3 (default)", 0),
        ("+ run leaders within the first 5 of the top 10", 5),
        ("+ run leaders within the top 10", 10),
    ):
        run = {}
        for qid in bench.queries:
            runs = {"dense": _hits(dense.get(qid, [])), "bm25": _hits(bm25.get(qid, []))}
            fused = convex_fusion(runs, {"dense": 0.7, "bm25": 0.3}, 100)
            if k:
                top = keep_run_leaders(fused[:10], fused, runs, 10, within=k)
                chosen = {h.chunk.chunk_id for h in top}
                fused = top + [h for h in fused if h.chunk.chunk_id not in chosen]
            run[qid] = [h.chunk.chunk_id for h in fused]
        m = aggregate_beir(run, bench.qrels)
        lines.append(
            f"| {label} | {m['beir.ndcg@10']:.4f} | {m['beir.recall@1']:.4f} | {m['beir.recall@5']:.4f} | "
            f"{m['beir.recall@10']:.4f} | {m['beir.mrr@10']:.4f} |"
        )
        print(lines[-1], flush=True)
    (RESULTS / "run_leaders.md").write_text("# Run leaders kept in the top k (issue #15)\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
