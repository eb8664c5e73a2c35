"""The variants `bench.retrieval_offline sweep` measures (see that module)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.config import load_settings
from assistant.core.records import Hit
from assistant.retrieval.fusion import cap_per_document, convex_fusion, weighted_rrf
from assistant.retrieval.rerank import AnswerTypeReranker
from bench.retrieval_offline import (
    QUERY_PROMPTS,
    RESULTS,
    SETS,
    Corpus,
    Encoder,
    Query,
    doc_text,
    load_queries,
    metrics,
)
from eval.metrics import evidence_rank

N = 50


def dense_run(corpus: Corpus, q: Query, doc: str, prompt: str) -> list[Hit]:
    vecs = corpus.stored if doc == "none" else corpus.doc_vectors[doc]
    scores = vecs @ q.vectors[prompt]
    order = np.argsort(-scores, kind="stable")[:N]
    return [Hit(corpus.chunks[i], float(scores[i]), r, {"dense": float(scores[i])}) for r, i in enumerate(order, 1)]


def bm25_run(corpus: Corpus, q: Query) -> list[Hit]:
    return corpus.lexical.search(q.text, N)


def zscore_fusion(runs: Mapping[str, Sequence[Hit]], weights: Mapping[str, float], k: int) -> list[Hit]:
    """Weighted sum of per-run z-scores (a chunk missing from a run gets that run's lowest z)."""
    fused: dict[str, float] = {}
    chunks: dict[str, Hit] = {}
    per: dict[str, dict[str, float]] = {}
    for name, hits in runs.items():
        if not hits:
            continue
        s = np.array([h.score for h in hits], dtype=np.float64)
        sd = s.std() or 1.0
        z = (s - s.mean()) / sd
        per[name] = {h.chunk.chunk_id: float(v) for h, v in zip(hits, z, strict=True)}
        per[name]["__min__"] = float(z.min())
        for h in hits:
            chunks.setdefault(h.chunk.chunk_id, h)
    for cid in chunks:
        fused[cid] = sum(weights.get(n, 0.0) * p.get(cid, p["__min__"]) for n, p in per.items())
    order = sorted(fused, key=lambda c: -fused[c])[:k]
    return [Hit(chunks[c].chunk, fused[c], r, {"z": fused[c]}) for r, c in enumerate(order, 1)]


def peak(hits: Sequence[Hit]) -> float:
    """How far the top score stands above the rest of the run, in standard deviations."""
    if len(hits) < 3:
        return 0.0
    s = np.array([h.score for h in hits], dtype=np.float64)
    sd = s[1:].std()
    return float((s[0] - s[1:].mean()) / sd) if sd > 0 else 0.0


def adaptive(runs: dict[str, list[Hit]], base: float, mode: str) -> list[Hit]:
    pd, pb = peak(runs["dense"]), peak(runs["bm25"])
    if not runs["bm25"]:
        return runs["dense"]
    if mode == "share":
        w = pd / (pd + pb) if pd + pb > 0 else base
    elif mode == "scaled":
        w = base * pd / (base * pd + (1 - base) * pb) if pd + pb > 0 else base
    else:
        raise ValueError(mode)
    return convex_fusion(runs, {"dense": w, "bm25": 1 - w}, N)


Fuser = Callable[[dict[str, list[Hit]]], list[Hit]]


def fusers() -> dict[str, Fuser]:
    out: dict[str, Fuser] = {
        "dense": lambda r: r["dense"],
        "bm25": lambda r: r["bm25"] or r["dense"],
    }
    for w in (0.5, 0.6, 0.7, 0.8, 0.9):
        out[f"convex {w}"] = lambda r, w=w: convex_fusion(r, {"dense": w, "bm25": 1 - w}, N)
        out[f"z {w}"] = lambda r, w=w: zscore_fusion(r, {"dense": w, "bm25": 1 - w}, N)
    out["adaptive share"] = lambda r: adaptive(r, 0.7, "share")
    for w in (0.5, 0.6, 0.7, 0.8):
        out[f"adaptive scaled {w}"] = lambda r, w=w: adaptive(r, w, "scaled")
    for w in (0.5, 0.7):
        out[f"rrf {w}"] = lambda r, w=w: weighted_rrf(r, {"dense": w, "bm25": 1 - w}, N)
    return out


def run_sweep(
    names: Sequence[str],
    corpora: Mapping[Path, Corpus],
    encoder: Encoder,
    out: str,
    docs: Sequence[str],
    only: str = "",
    sentence_weights: Sequence[float] = (),
) -> None:
    docs_encoder = Encoder(load_settings(), "texts", model=encoder.model)
    for corpus in corpora.values():
        for variant in docs:
            if variant != "none":
                texts = [doc_text(c, variant) for c in corpus.chunks]
                corpus.doc_vectors[variant] = np.stack(docs_encoder.encode(texts))
    sets: dict[str, tuple[Corpus, list[Query]]] = {}
    for name in names:
        qfile, cdir = SETS[name]
        raw = load_queries(qfile)
        texts = [p + t for _, t, _ in raw for p in QUERY_PROMPTS.values()]
        vecs = dict(zip(texts, encoder.encode(texts), strict=True))
        queries = [Query(i, t, ev, {k: vecs[p + t] for k, p in QUERY_PROMPTS.items()}) for i, t, ev in raw]
        sets[name] = (corpora[cdir], queries)

    answer_type = AnswerTypeReranker(weight=0.3, top=20)
    sentence: dict[Path, Any] = {}
    if sentence_weights:
        from assistant.composition import build_assistant
        from assistant.retrieval.rerank import SentenceReranker
        from bench.retrieval_offline import index_settings

        for cdir in {SETS[n][1] for n in names}:
            a = build_assistant(index_settings(cdir))
            sentence[cdir] = (a.vector_cache, a.embedder)
    rows: list[dict[str, Any]] = []
    for doc in docs:
        for prompt in QUERY_PROMPTS:
            for fname, fuse in fusers().items():
                if only and not any(fname.startswith(o) for o in only.split(",")):
                    continue
                for at, sw in [(False, 0.0), (True, 0.0)] + [(True, w) for w in sentence_weights]:
                    for cap in (0, 3, 5):
                        row: dict[str, Any] = {
                            "doc": doc,
                            "query": prompt,
                            "fusion": fname,
                            "answer_type": at,
                            "cap": cap,
                            "sentence": sw,
                        }
                        for sname, (corpus, queries) in sets.items():
                            ranks: list[int | None] = []
                            for q in queries:
                                runs = {"dense": dense_run(corpus, q, doc, prompt), "bm25": bm25_run(corpus, q)}
                                hits = fuse(runs)
                                if at:
                                    hits = answer_type.rerank(q.text, hits)
                                if sw:
                                    cache, embedder = sentence[SETS[sname][1]]
                                    hits = SentenceReranker(embedder, cache, weight=sw, top=20).rerank(q.text, hits)
                                hits = cap_per_document(hits, cap, 10) if cap else hits[:10]
                                ranks.append(evidence_rank(q.evidence, hits))
                            row[sname] = {k: round(v, 4) for k, v in metrics(ranks).items()}
                            row[sname]["ranks"] = {q.qid: r for q, r in zip(queries, ranks, strict=True)}
                        rows.append(row)
                        print(
                            doc,
                            prompt,
                            fname,
                            at,
                            sw,
                            cap,
                            " ".join(f"{s}:{row[s]['R@5']:.3f}/{row[s]['MRR']:.3f}" for s in sets),
                            flush=True,
                        )
    (RESULTS / f"{out}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    write_report(rows, list(sets), RESULTS / f"{out}.md")


# --------------------------------------------------------------------------------------------- report

LAWS = Path(__file__).resolve().parent / "data" / "laws-nl-beir"
REPORTED = [  # (label, doc, query, fusion, answer_type, sentence, cap)
    ("**default**: hybrid convex 0.7/0.3, answer-type preference, cap 3", "none", "search", "convex 0.7", True, 0.0, 3),
    ("dense only", "none", "search", "dense", False, 0.0, 0),
    ("BM25 only", "none", "search", "bm25", False, 0.0, 0),
    ("default without the answer-type preference", "none", "search", "convex 0.7", False, 0.0, 3),
    ("default without the per-document cap", "none", "search", "convex 0.7", True, 0.0, 0),
    ("default, cap 5", "none", "search", "convex 0.7", True, 0.0, 5),
    ("default, z-score fusion 0.7/0.3", "none", "search", "z 0.7", True, 0.0, 3),
    ("default, weighted RRF 0.7/0.3", "none", "search", "rrf 0.7", True, 0.0, 3),
    ("default, query-adaptive weights (score peaks)", "none", "search", "adaptive scaled 0.7", True, 0.0, 3),
    ("default, question-answering query prompt", "none", "qa", "convex 0.7", True, 0.0, 3),
    ("default, document prompt with the real title", "title", "search", "convex 0.7", True, 0.0, 3),
    ("default, both prompts", "title", "qa", "convex 0.7", True, 0.0, 3),
    ("dense only, question-answering query prompt", "none", "qa", "dense", False, 0.0, 0),
    ("dense only, document prompt with the real title", "title", "search", "dense", False, 0.0, 0),
    ("default + best-sentence re-scoring 0.3", "none", "search", "convex 0.7", True, 0.3, 3),
    ("default + best-sentence re-scoring 0.5", "none", "search", "convex 0.7", True, 0.5, 3),
]


def laws_runs() -> tuple[Any, dict[str, list[list[Any]]], dict[str, list[list[Any]]]] | None:
    """The laws BEIR benchmark and its cached dense and BM25 runs (bench/dense_runs.py, bench/lexical_choices.py),
    or None when a run is not cached."""
    from eval.beir import load_beir

    dense_file = RESULTS / "laws-nl-beir_embeddinggemma-300m_dense_runs.json"
    bm25_file = RESULTS / "laws_beir_bm25_runs.json"
    if not dense_file.is_file() or not bm25_file.is_file():
        return None
    return load_beir(LAWS), json.loads(dense_file.read_text()), json.loads(bm25_file.read_text())


def laws_hits(run: list[list[Any]], name: str) -> list[Hit]:
    """A cached run ([chunk id, score] best first) as hits with that score under `name`."""
    from assistant.core.records import Chunk

    return [
        Hit(Chunk(str(c), str(c), str(c), "", "", 0, 0, 0), float(s), r, {name: float(s)})
        for r, (c, s) in enumerate(run, 1)
    ]


def _laws_rows() -> dict[str, dict[str, float]]:
    """The fusions of REPORTED over the cached laws-BEIR runs (dense: bench/dense_runs.py, BM25:
    bench/lexical_choices.py). Title queries have no question form, so the answer-type preference, the QA
    prompt and the cap do not apply; the laws corpus has no titles, so neither does the title prompt."""
    from eval.metrics import aggregate_beir

    cached = laws_runs()
    if cached is None:
        return {}
    bench, dense, bm25 = cached
    out: dict[str, dict[str, float]] = {}
    for fname, fuse in fusers().items():
        run = {}
        for qid in bench.queries:
            runs = {"dense": laws_hits(dense.get(qid, []), "dense"), "bm25": laws_hits(bm25.get(qid, []), "bm25")}
            run[qid] = [h.chunk.chunk_id for h in fuse(runs)][:100]
        out[fname] = aggregate_beir(run, bench.qrels)
    return out


def write_report(rows: Sequence[dict[str, Any]], sets: Sequence[str], path: Path) -> None:
    laws = _laws_rows()
    index = {(r["doc"], r["query"], r["fusion"], r["answer_type"], r.get("sentence", 0.0), r["cap"]): r for r in rows}
    head = "| configuration | " + " | ".join(f"{s} R@5 | {s} MRR" for s in sets) + " | laws nDCG@10 | laws R@1 |"
    lines = [
        "# Retrieval on every benchmark, one run",
        "",
        "Evidence recall@5 and MRR@10 (rank of the first passage holding an evidence quote) on the question sets,",
        "nDCG@10 and recall@1 on `bench/data/laws-nl-beir` (319 title queries). Follow-ups are rewritten as in",
        "the chat. Reproduce: `python -m bench.retrieval_offline sweep --sentence 0.3,0.5` (document vectors for the",
        "title prompt: `python -m bench.retrieval_offline embed` first).",
        "",
        head,
        "|" + "---|" * (1 + 2 * len(sets) + 2),
    ]
    for label, doc, query, fusion, at, sw, cap in REPORTED:
        row = index.get((doc, query, fusion, at, sw, cap))
        if row is None:
            continue
        cells = [f"{row[s]['R@5']:.3f} | {row[s]['MRR']:.3f}" for s in sets]
        law = laws.get(fusion) if doc == "none" and query == "search" and not sw else None
        law_cells = f"{law['beir.ndcg@10']:.3f} | {law['beir.recall@1']:.3f}" if law else "n/a | n/a"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {law_cells} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
