"""Speed and vector drift of the ONNX precisions on real PDF passages, interleaved in one run.

    .venv/bin/python -m bench.onnx_variants [--n 96] [--threads 2]    # ~4 min on 2 cores

Embeds a random sample of the chunks of the PDF evaluation index (`../shared/testdata/pdfs`, built by
`assistant eval`) with float32, `int8` and `int8-mixed` ONNX in blocks of 32, each block by every variant in
turn, so load changes hit all alike. Reports chunks/s, the ratio to float32 and the cosine to float32.
Writes bench/results/onnx_variants-<date>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
from pathlib import Path

from assistant.core.offline import quiet_offline_environment

quiet_offline_environment()

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PDFS = PROJECT_ROOT.parent / "shared" / "testdata" / "pdfs"
PRECISIONS = ("fp32", "int8", "int8-mixed")


def main() -> None:
    import numpy as np

    from assistant.core.config import Settings
    from assistant.embedding.models import resolve_model_folder
    from assistant.embedding.onnx import OnnxEmbedder, onnx_cache_dir
    from bench.retrieval_offline import load_corpus

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=96)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    settings = Settings()
    folder, model_id = resolve_model_folder(settings)
    cache = onnx_cache_dir(settings.storage.models_dir, folder, model_id)
    chunks = load_corpus(PDFS).chunks
    texts = [c.embed_text for c in random.Random(1).sample(chunks, min(args.n, len(chunks)))]
    models = {
        p: OnnxEmbedder(folder, cache, model_id=model_id, precision=p, threads=args.threads, progress=print)
        for p in PRECISIONS
    }
    seconds = dict.fromkeys(PRECISIONS, 0.0)
    vectors: dict[str, list[np.ndarray]] = {p: [] for p in PRECISIONS}
    for start in range(0, len(texts), 32):
        block = texts[start : start + 32]
        for p, model in models.items():
            t0 = time.perf_counter()
            vectors[p].append(model.embed_documents(block))
            seconds[p] += time.perf_counter() - t0
    reference = np.concatenate(vectors["fp32"])
    rows = []
    for p in PRECISIONS:
        cos = np.sum(np.concatenate(vectors[p]) * reference, axis=1)
        rows.append(
            {
                "precision": p,
                "chunks_per_s": round(len(texts) / seconds[p], 3),
                "x_fp32": round(seconds["fp32"] / seconds[p], 2),
                "cos_mean": round(float(cos.mean()), 4),
                "cos_min": round(float(cos.min()), 4),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    out = PROJECT_ROOT / "bench" / "results" / f"onnx_variants-{dt.date.today().isoformat()}.json"
    out.write_text(json.dumps({"n": len(texts), "threads": args.threads, "rows": rows}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
