"""Measure BM25 analysis choices (stemmer, stopwords, compound splitting) and write the results.

Views:
* laws-nl-beir (bench/data/laws-nl-beir, built by bench/build_laws_beir.py): nDCG@10, Recall@10, MRR@10.
* dev questions over the bundled corpus (../shared/eval/questions-dev.jsonl, assistant/data/corpus):
  evidence recall@5/@10 and MRR of the chunk containing the evidence quote (eval.metrics.evidence_rank).
* `--timing`: index build and rebuild (`updated`) times at 10k and 100k chunks of the laws corpus.

Writes bench/results/lexical_choices.{json,md} and bench/results/laws_beir_bm25_runs.json (top-100 BM25
run of the chosen default analyzer, for fusion with dense runs).

Run: .venv/bin/python bench/lexical_choices.py [--timing]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.core.records import Chunk
from assistant.retrieval.bm25_analysis import DEFAULT_ANALYZER, STEMMERS, Analyzer
from assistant.retrieval.lexical import LexicalIndex
from eval.beir import BeirSet, load_beir
from eval.metrics import aggregate_beir, evidence_rank, evidence_recall_at, mrr
from eval.questions import load_questions
from ingest.chunking import chunk_document
from ingest.documents import build_document

ROOT = Path(__file__).resolve().parent.parent
BEIR_DIR = ROOT / "bench" / "data" / "laws-nl-beir"
DEV_QUESTIONS = ROOT.parent / "shared" / "eval" / "questions-dev.jsonl"
DEV_CORPUS = ROOT / "assistant" / "data" / "corpus"
LAWS = ROOT.parent / "shared" / "testdata" / "laws" / "laws_subset.jsonl.gz"
RESULTS = ROOT / "bench" / "results"


def configs() -> list[Analyzer]:
    out = [Analyzer(stemmer=s, stopwords=True, split_compounds=c) for c in (False, True) for s in STEMMERS]
    out += [Analyzer(stemmer=s, stopwords=False, split_compounds=False) for s in STEMMERS]
    return out


def label(a: Analyzer) -> str:
    return f"{a.stemmer}/{'stop' if a.stopwords else 'nostop'}/{'split' if a.split_compounds else 'whole'}"


def beir_chunks(beir: BeirSet) -> list[Chunk]:
    return [
        Chunk(
            chunk_id=cid, doc_id=cid.split("-art")[0], source=cid, title=d.title, text=d.text, start=0, end=0, ordinal=0
        )
        for cid, d in beir.corpus.items()
    ]


def run_beir(index: LexicalIndex, beir: BeirSet, k: int = 100) -> dict[str, list[tuple[str, float]]]:
    return {qid: [(h.chunk.chunk_id, h.score) for h in index.search(q, k)] for qid, q in beir.queries.items()}


def dev_chunks() -> list[Chunk]:
    chunks: list[Chunk] = []
    for path in sorted(DEV_CORPUS.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            chunks.extend(chunk_document(build_document(path, source=path.name)))
    return chunks


def dev_metrics(index: LexicalIndex) -> dict[str, float]:
    questions = [q for q in load_questions(DEV_QUESTIONS) if q.answerable and q.evidence]
    ranks = [evidence_rank(q.evidence, index.search(q.question, 10)) for q in questions]
    return {
        "dev.evidence_recall@5": evidence_recall_at(ranks, 5),
        "dev.evidence_recall@10": evidence_recall_at(ranks, 10),
        "dev.mrr@10": mrr(ranks),
        "dev.n": float(len(ranks)),
    }


def timing(sizes: Sequence[int] = (10_000, 100_000)) -> list[dict[str, Any]]:
    """Build and rebuild times on laws split into ~1000-character passages (no chunker, to time BM25)."""
    passages: list[Chunk] = []
    with gzip.open(LAWS, "rt", encoding="utf-8") as handle:
        for line in handle:
            obj = json.loads(line)
            text = obj["text"] or ""
            for n, start in enumerate(range(0, len(text), 1000)):
                passages.append(
                    Chunk(
                        f"{obj['id']}-{n}",
                        obj["id"],
                        obj["id"],
                        obj["title"],
                        text[start : start + 1000],
                        start,
                        start + 1000,
                        n,
                    )
                )
                if len(passages) >= max(sizes):
                    break
            if len(passages) >= max(sizes):
                break
    rows: list[dict[str, Any]] = []
    for size in sizes:
        chunks = passages[:size]
        t0 = time.perf_counter()
        index = LexicalIndex.build(chunks, DEFAULT_ANALYZER)
        t1 = time.perf_counter()
        updated = index.updated(chunks[:10], removed_ids=[c.chunk_id for c in chunks[10:20]])
        t2 = time.perf_counter()
        for q in ("toezicht op de naleving", "vergunning voor het bouwen", "subsidie aan gemeenten"):
            updated.search(q, 10)
        t3 = time.perf_counter()
        rows.append({"chunks": size, "build_s": t1 - t0, "update_s": t2 - t1, "query_ms": (t3 - t2) / 3 * 1000.0})
        print(f"timing {size}: build {t1 - t0:.1f}s, updated {t2 - t1:.1f}s, query {(t3 - t2) / 3 * 1000:.1f}ms")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timing", action="store_true", help="also time builds at 10k and 100k chunks")
    args = parser.parse_args()

    beir = load_beir(BEIR_DIR)
    chunks = beir_chunks(beir)
    have_dev = DEV_QUESTIONS.is_file()
    devc = dev_chunks() if have_dev else []
    rows: list[dict[str, Any]] = []
    chosen_runs: dict[str, list[tuple[str, float]]] | None = None
    for analyzer in configs():
        t0 = time.perf_counter()
        index = LexicalIndex.build(chunks, analyzer)
        build_s = time.perf_counter() - t0
        runs = run_beir(index, beir)
        metrics = aggregate_beir({q: [d for d, _ in r] for q, r in runs.items()}, beir.qrels)
        families: dict[str, float] = {}
        for family in ("title", "section"):
            sub = {q: j for q, j in beir.qrels.items() if q.startswith(family + "-")}
            families[f"{family}.ndcg@10"] = aggregate_beir({q: [d for d, _ in runs[q]] for q in sub}, sub)[
                "beir.ndcg@10"
            ]
        row: dict[str, Any] = {"config": label(analyzer), **analyzer.config, **metrics, **families, "build_s": build_s}
        if have_dev:
            row.update(dev_metrics(LexicalIndex.build(devc, analyzer)))
        rows.append(row)
        if analyzer == DEFAULT_ANALYZER:
            chosen_runs = runs
        print(
            f"{label(analyzer):28s} nDCG@10 {metrics['beir.ndcg@10']:.4f}  R@10 {metrics['beir.recall@10']:.4f}  "
            f"MRR@10 {metrics['beir.mrr@10']:.4f}  title {families['title.ndcg@10']:.4f}  "
            f"section {families['section.ndcg@10']:.4f}  dev R@5 {row.get('dev.evidence_recall@5', float('nan')):.3f}"
        )

    RESULTS.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {
        "benchmark": str(BEIR_DIR.relative_to(ROOT)),
        "n_passages": len(chunks),
        "n_queries": len(beir.queries),
        "default": label(DEFAULT_ANALYZER),
        "rows": rows,
    }
    if args.timing:
        out["timing"] = timing()
    (RESULTS / "lexical_choices.json").write_text(json.dumps(out, indent=2), encoding="utf-8")
    (RESULTS / "lexical_choices.md").write_text(markdown(out), encoding="utf-8")
    if chosen_runs is not None:
        (RESULTS / "laws_beir_bm25_runs.json").write_text(
            json.dumps({q: [[d, round(s, 5)] for d, s in r] for q, r in chosen_runs.items()}), encoding="utf-8"
        )


def markdown(out: dict[str, Any]) -> str:
    lines = [
        "# BM25 analysis choices",
        "",
        f"Benchmark `{out['benchmark']}`: {out['n_passages']} passages, {out['n_queries']} queries. "
        f"Default chosen: `{out['default']}`. Dev view: evidence recall over the bundled corpus.",
        "",
        "| config | nDCG@10 | R@10 | MRR@10 | title nDCG | section nDCG | dev R@5 | dev R@10 | dev MRR |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in out["rows"]:
        lines.append(
            f"| {r['config']} | {r['beir.ndcg@10']:.4f} | {r['beir.recall@10']:.4f} | {r['beir.mrr@10']:.4f} | "
            f"{r['title.ndcg@10']:.4f} | {r['section.ndcg@10']:.4f} | {r.get('dev.evidence_recall@5', 0):.3f} | "
            f"{r.get('dev.evidence_recall@10', 0):.3f} | {r.get('dev.mrr@10', 0):.3f} |"
        )
    if "timing" in out:
        lines += ["", "| chunks | build s | updated s | query ms |", "|---|---|---|---|"]
        for t in out["timing"]:
            lines.append(f"| {t['chunks']} | {t['build_s']:.1f} | {t['update_s']:.1f} | {t['query_ms']:.1f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
