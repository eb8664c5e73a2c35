"""EmbeddingGemma speed options and what they cost in quality, measured against torch float32 in the same run.

    .venv/bin/python -m bench.embedding_options                 # laws subset + dev set (~40-60 min on 2 busy cores)
    .venv/bin/python -m bench.embedding_options --skip-dev      # laws subset only
    .venv/bin/python -m bench.embedding_options --dev-only      # dev question set only (reads the JSON, adds to it)

Options: torch float32 (the default, `sentence-transformers`), ONNX float32 (`onnx`), ONNX with 8-bit blockwise
weights (`onnx-int8`, MatMulNBits), ONNX with classic dynamic int8 (what sentence-transformers'
`export_dynamic_quantized_onnx_model` / optimum's avx512_vnni config produce; not a setting, measured to show why),
each at 768 dimensions and with Matryoshka truncation to 512 and 256 (the first d dimensions, re-normalised:
exactly what `truncate_dim` does, so it is computed from the full vectors instead of embedding again).

Fairness on a shared machine: every option embeds the same blocks of passages in turn (block 1 by each option,
then block 2 ...), and single-query latencies are taken round-robin, so a neighbour's load hits all options
alike; the report gives ratios to torch from the same run, the load average and the busy share of all CPUs.

Laws subset: whole laws drawn at random (seed 20241129) from bench/data/laws-nl-beir until about --passages
passages; the queries are those whose every relevant passage is in the subset (the title query of each drawn
law and its section queries), so no judged passage is missing and nDCG is not capped by the subset.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.core.config import load_settings
from assistant.core.embedder import Embedder
from assistant.core.offline import quiet_offline_environment
from assistant.embedding.embedders import SentenceTransformerEmbedder
from assistant.embedding.models import resolve_model_folder
from bench.run import _cpu_busy_share, _load, machine_info
from eval.beir import BeirSet, load_beir
from eval.metrics import aggregate_beir

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
BEIR = ROOT / "data" / "laws-nl-beir"
DEV = ROOT.parent.parent / "shared" / "eval" / "questions-dev.jsonl"
OPTIONS = ("torch", "onnx", "onnx-int8", "onnx-int8-dynamic", "onnx-int8-mixed")
DIMS = (768, 512, 256)
Json = dict[str, Any]


def subset(bench: BeirSet, passages: int, seed: int = 20241129) -> tuple[list[str], dict[str, dict[str, int]]]:
    """Whole laws until about `passages` passages, and the queries fully judged inside them."""
    by_law: dict[str, list[str]] = {}
    for doc_id in sorted(bench.corpus):
        by_law.setdefault(doc_id.split("-")[0], []).append(doc_id)
    # Only laws that some query is about: a drawn law then brings its judged queries with it.
    judged_laws = {doc_id.split("-")[0] for judged in bench.qrels.values() for doc_id in judged}
    laws = sorted(law for law in by_law if law in judged_laws)
    random.Random(seed).shuffle(laws)
    chosen: list[str] = []
    for law in laws:
        if len(chosen) >= passages:
            break
        chosen += by_law[law]
    keep = set(chosen)
    qrels = {
        qid: judged
        for qid, judged in bench.qrels.items()
        if qid in bench.queries and set(judged) <= keep and any(r > 0 for r in judged.values())
    }
    return sorted(chosen), qrels


def build(option: str, threads: int | None) -> Embedder:
    settings = load_settings(embedding_threads=threads)
    folder, model_id = resolve_model_folder(settings)
    if option == "torch":
        return SentenceTransformerEmbedder(folder, model_id=model_id, batch_size=16, threads=threads)
    from assistant.embedding.onnx import OnnxEmbedder, onnx_cache_dir

    precision = {
        "onnx": "fp32",
        "onnx-int8": "int8",
        "onnx-int8-dynamic": "int8-dynamic",
        "onnx-int8-mixed": "int8-mixed",
    }[option]
    return OnnxEmbedder(
        folder,
        onnx_cache_dir(settings.storage.models_dir, folder, model_id),
        model_id=model_id,
        precision=precision,  # type: ignore[arg-type]
        batch_size=16,
        threads=threads,
    )


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _unit(m: np.ndarray, dim: int) -> np.ndarray:
    cut = m[:, :dim]
    out: np.ndarray = cut / np.linalg.norm(cut, axis=1, keepdims=True)
    return out


def laws_benchmark(args: argparse.Namespace) -> Json:
    bench = load_beir(BEIR)
    ids, qrels = subset(bench, args.passages)
    texts = [f"{bench.corpus[i].title}\n\n{bench.corpus[i].text}".strip() for i in ids]
    qids = sorted(qrels)
    options = [o for o in OPTIONS if o in args.options.split(",")]
    out: Json = {
        "subset": {"passages": len(ids), "queries": len(qids), "laws": len({i.split("-")[0] for i in ids})},
        "threads": args.threads,
        "load_before": _load(),
        "cpu_busy_before": _cpu_busy_share(),
    }
    models: dict[str, Embedder] = {}
    load_s: dict[str, float] = {}
    for option in options:
        t0 = time.perf_counter()
        models[option] = build(option, args.threads)
        models[option].embed_query("opwarmen")
        load_s[option] = time.perf_counter() - t0
        print(f"{option}: loaded in {load_s[option]:.1f} s", flush=True)
    doc_seconds = dict.fromkeys(options, 0.0)
    common_seconds = dict.fromkeys(options, 0.0)  # over the blocks every option embedded: the fair ratio
    doc_vectors: dict[str, list[np.ndarray]] = {o: [] for o in options}
    base = "torch" if "torch" in options else options[0]
    for start in range(0, len(texts), args.block):
        block = texts[start : start + args.block]
        # torch's float32 vectors equal ONNX float32's (checked below on the blocks both embed), so after
        # --torch-passages torch stops, saving the slowest option's time; its quality is ONNX float32's.
        active = [o for o in options if not (o == "torch" and start >= args.torch_passages and "onnx" in options)]
        for option in active:
            t0 = time.perf_counter()
            doc_vectors[option].append(models[option].embed_documents(block))
            spent = time.perf_counter() - t0
            doc_seconds[option] += spent
            if base in active:
                common_seconds[option] += spent
        done = min(start + args.block, len(texts))
        rates = ", ".join(f"{o} {sum(len(b) for b in doc_vectors[o]) / doc_seconds[o]:.2f}/s" for o in options)
        print(f"{done}/{len(texts)} passages: {rates}; load {_load()[0]}", flush=True)
    query_vectors: dict[str, list[np.ndarray]] = {o: [] for o in options}
    latencies: dict[str, list[float]] = {o: [] for o in options}
    for n, qid in enumerate(qids):
        for option in options:
            if option == "torch" and n >= args.latency_queries and "onnx" in options:
                continue  # torch's query vectors equal ONNX float32's; only its latency is needed
            t0 = time.perf_counter()
            query_vectors[option].append(models[option].embed_query(bench.queries[qid]))
            if n < args.latency_queries:
                latencies[option].append((time.perf_counter() - t0) * 1000)
    out["load_after"] = _load()
    out["cpu_busy_after"] = _cpu_busy_share()
    docs = {o: np.vstack(doc_vectors[o]) for o in options}
    n_base = len(docs[base])
    out["torch_passages"] = n_base
    if n_base < len(texts):
        check = np.sum(docs["onnx"][:n_base] * docs[base], axis=1)
        out["torch_vs_onnx_fp32_min_cos"] = round(float(check.min()), 7)
        docs[base] = np.vstack([docs[base], docs["onnx"][n_base:]])
    n_query = len(query_vectors[base])
    if n_query < len(qids):
        query_vectors[base] += query_vectors["onnx"][n_query:]
    queries = {o: np.vstack(query_vectors[o]) for o in options}
    rows: list[Json] = []
    for option in options:
        agreement = np.sum(docs[option][:n_base] * docs[base][:n_base], axis=1)
        for dim in DIMS:
            d, q = _unit(docs[option], dim), _unit(queries[option], dim)
            scores = q @ d.T
            run = {qid: [ids[j] for j in np.argsort(-scores[row])[:100]] for row, qid in enumerate(qids)}
            metrics = aggregate_beir(run, qrels)
            rows.append(
                {
                    "option": option,
                    "dim": dim,
                    "ndcg@10": round(metrics["beir.ndcg@10"], 4),
                    "mrr@10": round(metrics["beir.mrr@10"], 4),
                    "recall@10": round(metrics["beir.recall@10"], 4),
                    "chunks_per_s": round(sum(len(b) for b in doc_vectors[option]) / doc_seconds[option], 3),
                    "doc_speedup": round(common_seconds[base] / common_seconds[option], 2),
                    "query_p50_ms": round(statistics.median(latencies[option]), 1),
                    "query_p95_ms": round(_pct(latencies[option], 0.95), 1),
                    "query_speedup_p50": round(
                        statistics.median(latencies[base]) / statistics.median(latencies[option]), 2
                    ),
                    "cos_to_torch_mean": round(float(agreement.mean()), 5),
                    "cos_to_torch_min": round(float(agreement.min()), 5),
                    "load_s": round(load_s[option], 1),
                }
            )
    for row in rows:
        ref = next(r for r in rows if r["option"] == base and r["dim"] == 768)
        row["ndcg_delta"] = round(row["ndcg@10"] - ref["ndcg@10"], 4)
        row["mrr_delta"] = round(row["mrr@10"] - ref["mrr@10"], 4)
    out["rows"] = rows
    out["sizes_mb"] = _sizes()
    return out


def _sizes() -> Json:
    settings = load_settings()
    folder, model_id = resolve_model_folder(settings)
    from assistant.embedding.onnx import MODEL_FILES, onnx_cache_dir

    cache = onnx_cache_dir(settings.storage.models_dir, folder, model_id)
    sizes = {"torch (model.safetensors)": round((folder / "model.safetensors").stat().st_size / 1e6)}
    for precision, name in MODEL_FILES.items():
        if (cache / name).is_file():
            sizes[f"onnx {precision}"] = round((cache / name).stat().st_size / 1e6)
    return sizes


DEV_OPTIONS: tuple[tuple[str, str, int | None], ...] = (
    ("torch", "sentence-transformers", None),
    ("onnx", "onnx", None),
    ("onnx-int8", "onnx-int8", None),
    ("torch@256", "sentence-transformers", 256),
    ("onnx-int8@256", "onnx-int8", 256),
)
DEV_METRICS = (
    "retrieval.evidence_recall@1",
    "retrieval.evidence_recall@5",
    "retrieval.mrr",
    "answer.fact_recall",
    "citation.precision",
    "latency.p50_ms",
    "latency.p95_ms",
)


def dev_benchmark(args: argparse.Namespace) -> Json:
    """`assistant eval` on the dev questions, the option set through environment variables, as a user would."""
    rows: list[Json] = []
    for label, backend, dim in DEV_OPTIONS:
        if label not in args.dev_options.split(","):
            continue
        env = dict(os.environ, ASSISTANT_EMBEDDING_BACKEND=backend)
        if dim:
            env["ASSISTANT_EMBEDDING_DIM"] = str(dim)
        if args.threads:
            env["ASSISTANT_EMBEDDING_THREADS"] = str(args.threads)
        out_dir = Path(args.work) / f"dev-{label.replace('@', '-')}"
        cmd = [sys.executable, "-m", "assistant.cli", "eval", "--questions", str(args.dev), "--out", str(out_dir)]
        if args.dev_corpus:
            cmd += ["--corpus", str(args.dev_corpus)]
        load_before = _load()
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            rows.append({"option": label, "error": (proc.stderr or proc.stdout).strip()[-500:]})
            print(f"dev {label}: failed ({proc.returncode})", flush=True)
            continue
        metrics = json.loads((out_dir / "metrics.json").read_text())
        flat = _flatten(metrics)
        meta = json.loads((out_dir / "meta.json").read_text()) if (out_dir / "meta.json").is_file() else {}
        row = {"option": label, **{m: flat.get(m) for m in DEV_METRICS}}
        row.update(
            seconds=round(seconds, 1), index_s=meta.get("index_seconds"), load_before=load_before, load_after=_load()
        )
        rows.append(row)
        print(f"dev {label}: {row}", flush=True)
    return {"questions": str(args.dev), "rows": rows}


def _flatten(metrics: Json, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def render(result: Json) -> str:
    lines = ["# EmbeddingGemma speed options and their quality cost", ""]
    m = result["machine"]
    lines.append(f"`python -m bench.embedding_options`, {result['date']}; {m['cpu_model']}, {m['cores']} cores.")
    lines.append("")
    laws = result.get("laws")
    if laws:
        s = laws["subset"]
        lines += [
            f"## Laws benchmark subset ({s['passages']} passages of {s['laws']} laws, {s['queries']} queries)",
            "",
            f"Threads per model: {laws['threads'] or 'library default'}. Load average before "
            f"{laws['load_before']}, after {laws['load_after']}; all-CPU busy share before "
            f"{laws['cpu_busy_before']:.0%}, after {laws['cpu_busy_after']:.0%} (other jobs shared the machine). "
            "Speeds are from the same interleaved run, so compare the ratios.",
            "",
            f"torch embedded the first {laws.get('torch_passages', s['passages'])} passages (its speed and the "
            "× torch ratios come from those blocks, which every option embedded in turn); its quality rows use "
            "the ONNX float32 vectors for the rest, which equal torch's (least cosine on the common passages: "
            f"{laws.get('torch_vs_onnx_fp32_min_cos', 'n/a')}).",
            "",
            "| option | dim | nDCG@10 | Δ nDCG | MRR@10 | Δ MRR | R@10 | chunks/s | × torch | query p50 ms "
            "| query p95 ms | query × torch | cos to torch (mean / min) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in laws["rows"]:
            lines.append(
                f"| {r['option']} | {r['dim']} | {r['ndcg@10']:.4f} | {r['ndcg_delta']:+.4f} | {r['mrr@10']:.4f} | "
                f"{r['mrr_delta']:+.4f} | {r['recall@10']:.4f} | {r['chunks_per_s']:.2f} | {r['doc_speedup']:.2f} | "
                f"{r['query_p50_ms']:.0f} | {r['query_p95_ms']:.0f} | {r['query_speedup_p50']:.2f} | "
                f"{r['cos_to_torch_mean']:.4f} / {r['cos_to_torch_min']:.4f} |"
            )
        lines += ["", "Model files (MB): " + ", ".join(f"{k} {v}" for k, v in laws["sizes_mb"].items()), ""]
    dev = result.get("dev")
    if dev:
        lines += [
            "## Dev question set (`assistant eval`, bundled corpus, option set through ASSISTANT_EMBEDDING_*)",
            "",
            "| option | " + " | ".join(DEV_METRICS) + " | run s | index s |",
            "|---|" + "---|" * (len(DEV_METRICS) + 2),
        ]
        for r in dev["rows"]:
            if "error" in r:
                lines.append(f"| {r['option']} | failed: {r['error'][:200]} |")
                continue
            cells = [f"{r[m]:.3f}" if isinstance(r[m], float) else str(r[m]) for m in DEV_METRICS]
            lines.append(f"| {r['option']} | " + " | ".join(cells) + f" | {r['seconds']} | {r['index_s']} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    quiet_offline_environment()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=600)
    parser.add_argument("--block", type=int, default=32, help="passages per option turn")
    parser.add_argument("--latency-queries", type=int, default=40)
    parser.add_argument(
        "--torch-passages", type=int, default=10**9, help="torch embeds only this many (its ratio uses the same ones)"
    )
    parser.add_argument("--threads", type=int, default=None, help="threads per model (default: settings default)")
    parser.add_argument("--options", default=",".join(OPTIONS))
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--dev-corpus", type=Path, default=None, help="default: the bundled corpus")
    parser.add_argument("--dev-options", default=",".join(label for label, _, _ in DEV_OPTIONS))
    parser.add_argument("--skip-dev", action="store_true")
    parser.add_argument("--dev-only", action="store_true")
    parser.add_argument("--work", default="/tmp/embedding-options")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.threads is None:
        args.threads = load_settings().embedding.embedding_threads
    json_path = args.out / "embedding_options.json"
    result: Json = json.loads(json_path.read_text()) if args.dev_only and json_path.is_file() else {}
    result.update(date=time.strftime("%Y-%m-%d %H:%M"), machine=machine_info())
    if not args.dev_only:
        result["laws"] = laws_benchmark(args)
        json_path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    if not args.skip_dev:
        result["dev"] = dev_benchmark(args)
    args.out.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    (args.out / "embedding_options.md").write_text(render(result), encoding="utf-8")
    print(f"wrote {json_path} and embedding_options.md")


if __name__ == "__main__":
    main()
