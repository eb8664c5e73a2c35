"""Choose the fusion weights by measurement: dense (EmbeddingGemma) + BM25 runs on the laws BEIR benchmark
(precomputed by bench/dense_runs.py and bench/lexical_choices.py), and the dev questions over the bundled
corpus. Writes bench/results/fusion_sweep.{json,md}.

    .venv/bin/python bench/fusion_sweep.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.core.records import Chunk, Hit
from assistant.retrieval.fusion import convex_fusion, weighted_rrf
from eval.beir import load_beir
from eval.metrics import aggregate_beir

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"


def _hits(run: list[list[object]]) -> list[Hit]:
    return [
        Hit(Chunk(str(cid), str(cid), str(cid), "", "", 0, 0, 0), float(score), rank)  # type: ignore[arg-type]
        for rank, (cid, score) in enumerate(run, 1)
    ]


def sweep_beir(dense_file: Path, bm25_file: Path, folder: Path) -> list[dict[str, object]]:
    bench = load_beir(folder)
    dense = json.loads(dense_file.read_text())
    bm25 = json.loads(bm25_file.read_text())
    rows: list[dict[str, object]] = []
    for method in ("convex", "rrf"):
        for step in range(0, 11):
            w = step / 10
            run = {}
            for qid in bench.queries:
                runs = {"dense": _hits(dense.get(qid, [])), "bm25": _hits(bm25.get(qid, []))}
                weights = {"dense": w, "bm25": 1 - w}
                fused = convex_fusion(runs, weights, 100) if method == "convex" else weighted_rrf(runs, weights, 100)
                run[qid] = [h.chunk.chunk_id for h in fused]
            m = aggregate_beir(run, bench.qrels)
            rows.append({"method": method, "dense_weight": w, **{k: round(v, 4) for k, v in m.items()}})
    return rows


def main() -> None:
    folder = ROOT / "data" / "laws-nl-beir"
    dense_file = RESULTS / "laws-nl-beir_embeddinggemma-300m_dense_runs.json"
    bm25_file = RESULTS / "laws_beir_bm25_runs.json"
    if not dense_file.is_file():
        sys.exit(f"missing {dense_file}: run bench/dense_runs.py {folder} first")
    rows = sweep_beir(dense_file, bm25_file, folder)
    (RESULTS / "fusion_sweep.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    lines = ["| method | dense weight | nDCG@10 | R@1 | R@5 | R@10 | MRR@10 |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['method']} | {r['dense_weight']} | {r['beir.ndcg@10']} | {r['beir.recall@1']} | "
            f"{r['beir.recall@5']} | {r['beir.recall@10']} | {r['beir.mrr@10']} |"
        )
    (RESULTS / "fusion_sweep.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
