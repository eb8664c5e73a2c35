"""Answer latency over cold passages (answer vectors not precomputed) against warm ones, and one query embedding
on torch against ONNX Runtime (the threads setting of a serving process).

    .venv/bin/python -m bench.answer_vectors_cold      # ~3 min on 2 cores; prints one JSON line

Ingests the bundled corpus into a temporary data dir with ASSISTANT_PRECOMPUTE_ANSWER_VECTORS off, asks five
generic questions (cold: their sentences are embedded at question time), asks them again (warm), then warms
the rest and times it.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from assistant.core.offline import quiet_offline_environment

quiet_offline_environment()

# Generic questions any report can be asked; the figure is the wait, not the answer.
QUESTIONS = (
    "Welke afspraken zijn er gemaakt?",
    "Wie waren er aanwezig?",
    "Wat zijn de belangrijkste aanbevelingen?",
    "Welke risico's worden genoemd?",
    "Wanneer vond het plaats?",
)


def _timed(fn: object, *args: object) -> float:
    t0 = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return round(time.perf_counter() - t0, 2)


def main() -> None:
    from assistant.composition import build_assistant
    from assistant.core.config import load_settings
    from assistant.embedding.embedders import build_embedder

    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="answer-vectors-") as tmp:
        settings = load_settings(data_dir=Path(tmp), precompute_answer_vectors=False, _env_file=None)
        a = build_assistant(settings)
        a.ingest([settings.ingest.corpus_dir])
        a.search("opwarmen")  # model load, Chroma, BM25: not part of any answer below
        out["answer_cold_s"] = [_timed(a.ask, q) for q in QUESTIONS]
        out["answer_warm_s"] = [_timed(a.ask, q) for q in QUESTIONS]
        t0 = time.perf_counter()
        out["units_warmed"] = a.warm_answer_vectors()
        out["warm_rest_s"] = round(time.perf_counter() - t0, 1)
    for backend in ("sentence-transformers", "onnx"):
        embedder = build_embedder(load_settings(embedding_backend=backend, _env_file=None))
        embedder.embed_query("opwarmen")
        ms = sorted(_timed(embedder.embed_query, q) * 1000 for q in QUESTIONS * 4)
        out[f"query_ms_{backend}"] = {"p50": ms[len(ms) // 2], "p95": ms[int(len(ms) * 0.95) - 1]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
