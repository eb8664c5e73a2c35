"""Fusion candidates measured for issue #15 on the four question sets over the eval indexes (no re-embedding):
the union of both candidate lists with every candidate's real dense and BM25 score, neighbour smoothing, and
dense pseudo-relevance feedback, each followed by the product's answer-type preference and per-document cap.

    .venv/bin/python -m bench.fusion_union        # needs the eval indexes (`assistant eval` on each corpus)

Writes bench/results/fusion_union.md. Result 2026-12-02: none wins on every set (docs/retrieval.md).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from assistant.core.config import load_settings
from assistant.core.offline import quiet_offline_environment
from assistant.core.records import Hit
from assistant.retrieval.fusion import cap_per_document, convex_fusion
from assistant.retrieval.rerank import AnswerTypeReranker
from bench.retrieval_offline import QUERY_PROMPTS, RESULTS, SETS, Encoder, load_corpus, load_queries, metrics
from eval.metrics import evidence_rank

N = 50


def _minmax(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.ones_like(x)


def _neighbours(corpus: Any) -> dict[int, list[int]]:
    by_doc: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, chunk in enumerate(corpus.chunks):
        by_doc[chunk.doc_id].append((chunk.ordinal, i))
    out: dict[int, list[int]] = {}
    for items in by_doc.values():
        items.sort()
        for j, (_, i) in enumerate(items):
            out[i] = [items[k][1] for k in (j - 1, j + 1) if 0 <= k < len(items)]
    return out


def ranked(corpus: Any, text: str, qv: np.ndarray, kind: str, w: float, lam: float, beta: float) -> list[Hit]:
    d = corpus.stored @ qv
    if beta:  # dense pseudo-relevance feedback
        q2 = qv + beta * corpus.stored[np.argsort(-d)[:3]].mean(0)
        d = corpus.stored @ (q2 / np.linalg.norm(q2))
    b = corpus.lexical.scores(text)
    b = b if len(b) else np.zeros_like(d)
    dtop = list(np.argsort(-d, kind="stable")[:N])
    btop = [i for i in np.argsort(-b, kind="stable")[:N] if b[i] > 0]
    if kind == "default":
        runs = {
            "dense": [Hit(corpus.chunks[i], float(d[i]), r, {"dense": float(d[i])}) for r, i in enumerate(dtop, 1)],
            "bm25": [Hit(corpus.chunks[i], float(b[i]), r, {"bm25": float(b[i])}) for r, i in enumerate(btop, 1)],
        }
        return convex_fusion(runs, {"dense": w, "bm25": 1 - w}, N)
    cand = np.array(list(dict.fromkeys(dtop + btop)))
    lexical = _minmax(b[cand]) if b[cand].max() > 0 else np.zeros(len(cand))
    fused = w * _minmax(d[cand]) + (1 - w) * lexical
    if lam:  # neighbour smoothing over the whole corpus's fused scores
        full = w * _minmax(d) + (1 - w) * (_minmax(b) if b.max() > 0 else np.zeros_like(d))
        fused = fused + lam * np.array([max([full[j] for j in corpus.nb[i]] or [0.0]) for i in cand])
    order = np.argsort(-fused, kind="stable")[:N]
    return [
        Hit(corpus.chunks[cand[k]], float(fused[k]), r, {"convex": float(fused[k])}) for r, k in enumerate(order, 1)
    ]


CONFIGS: list[tuple[str, dict[str, Any]]] = [
    ("default (convex 0.7 over each run's top 50, missing = 0)", {"kind": "default"}),
    ("union, real scores, 0.7", {"kind": "union"}),
    ("union, real scores, 0.6", {"kind": "union", "w": 0.6}),
    ("union, real scores, 0.8", {"kind": "union", "w": 0.8}),
    ("union + neighbours 0.1", {"kind": "union", "lam": 0.1}),
    ("union + neighbours 0.2", {"kind": "union", "lam": 0.2}),
    ("default + dense PRF 0.3", {"kind": "default", "beta": 0.3}),
]


def main() -> None:
    quiet_offline_environment()
    encoder = Encoder(load_settings(), "sweep")
    corpora: dict[Any, Any] = {}
    sets: dict[str, tuple[Any, list[Any]]] = {}
    for name in ["dev", "own", "pdfs", "own-pdfs"]:
        qfile, cdir = SETS[name]
        if cdir not in corpora:
            corpora[cdir] = load_corpus(cdir)
            corpora[cdir].nb = _neighbours(corpora[cdir])
        raw = load_queries(qfile)
        vectors = encoder.encode([QUERY_PROMPTS["search"] + t for _, t, _ in raw])
        sets[name] = (corpora[cdir], [(*q, v) for q, v in zip(raw, vectors, strict=True)])
    preference = AnswerTypeReranker(weight=0.3, top=20)
    lines = ["| configuration | " + " | ".join(f"{s} R@5 / MRR" for s in sets) + " |", "|---" * (len(sets) + 1) + "|"]
    for label, kw in CONFIGS:
        cells = []
        for corpus, queries in sets.values():
            ranks = []
            for _qid, text, evidence, qv in queries:
                args = {"w": 0.7, "lam": 0.0, "beta": 0.0, **kw}
                hits = preference.rerank(text, ranked(corpus, text, qv, **args))
                ranks.append(evidence_rank(evidence, cap_per_document(hits, 3, 10)))
            m = metrics(ranks)
            cells.append(f"{m['R@5']:.3f} / {m['MRR']:.3f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    (RESULTS / "fusion_union.md").write_text("# Fusion candidates (issue #15)\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
