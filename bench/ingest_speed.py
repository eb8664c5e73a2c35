"""Ingest throughput of the whole product against its own embedder, measured in the same run.

    .venv/bin/python -m bench.ingest_speed                       # 120 small laws + the 12 PDFs (~15 min)
    .venv/bin/python -m bench.ingest_speed --laws 120 --skip-pdfs
    .venv/bin/python -m bench.ingest_speed --skip-laws --skip-pdfs --scale 10000   # whole laws, projected to 5,000
    .venv/bin/python -m bench.ingest_speed --encode-only         # embedder throughput by backend and threads
    .venv/bin/python -m bench.ingest_speed --env ASSISTANT_EMBEDDING_BACKEND=sentence-transformers

For each corpus it times the whole `assistant ingest` process (a fresh data dir, default settings unless
`--env` says otherwise: model load, parsing, chunking, embedding, storing, everything a user waits for),
then one `assistant ask` process (the time to the first answer), and, as the baseline, a bare
sentence-transformers `encode` loop (torch, library defaults) over the same chunk texts the product
embedded, in its own process. The figure that counts is the ratio: product chunks/s ÷ bare encode
chunks/s, both measured in this run on this machine. Writes ingest_speed-<tag>.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.core.offline import quiet_offline_environment

quiet_offline_environment()

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
PDFS = SHARED / "testdata" / "pdfs"
# A question any report can be asked; the figure is the wait for an answer, not its content.
FIRST_QUESTION = "Wat is de belangrijkste conclusie van het rapport?"
Json = dict[str, Any]


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _assistant_bin() -> str:
    return str(Path(sys.executable).with_name("assistant"))


# --- corpora ----------------------------------------------------------------------------------------------


def prepare_laws(folder: Path, count: int, lo: int = 1200, hi: int = 1800) -> Json:
    """`count` laws of lo–hi characters (file order), one .md file each."""
    from bench.run import load_laws

    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for law in load_laws():
        text = str(law.get("text") or "")
        if not lo <= len(text) <= hi:
            continue
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(law["id"]))[-60:]
        (folder / f"{written:05d}-{safe}.md").write_text(text, encoding="utf-8")
        written += 1
        if written >= count:
            break
    return {"name": f"laws-{written}", "folder": str(folder), "files": written}


def chunk_texts(data_dir: Path) -> list[str]:
    """The texts the product embedded, read back from its manifest and store (the baseline encodes these)."""
    from assistant.composition import build_assistant

    settings = _settings(data_dir)
    a = build_assistant(settings)
    ids = list(a.manifest.chunk_ids())
    return [c.embed_text for start in range(0, len(ids), 2000) for c in a.store.get(ids[start : start + 2000])]


def _settings(data_dir: Path) -> Any:
    from assistant.core.config import Settings

    return Settings(data_dir=data_dir)


# --- phases (own processes) -------------------------------------------------------------------------------


def run_ingest(folder: Path, data_dir: Path, env: dict[str, str], extra: Sequence[str] = ()) -> Json:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [_assistant_bin(), "ingest", str(folder), "--json", *extra],
        env={**os.environ, **env, "ASSISTANT_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 4):  # 4: some files failed, which the report lists
        raise SystemExit(f"assistant ingest failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    report = json.loads(proc.stdout)
    chunks = sum(int(f.get("chunks") or 0) for f in report["files"])
    return {
        "wall_s": round(seconds, 1),
        "ingest_report_s": report["seconds"],
        "documents_chunks_per_s": round(chunks / report["seconds"], 3),
        "answer_units": report.get("answer_units"),
        "answer_vectors_s": report.get("answer_vectors_seconds"),
        "summary": report["summary"],
        "chunks": chunks,
        "chunks_per_s": round(chunks / seconds, 3),
    }


def run_ask(data_dir: Path, env: dict[str, str]) -> Json:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [_assistant_bin(), "ask", FIRST_QUESTION],
        env={**os.environ, **env, "ASSISTANT_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=False,
    )
    return {"wall_s": round(time.perf_counter() - t0, 1), "rc": proc.returncode}


def phase_encode(texts_file: Path, backend: str, threads: int | None, batch_size: int | None) -> Json:
    """Embedder throughput alone. backend 'bare': SentenceTransformer.encode with library defaults (the
    baseline); otherwise the product's embedder of that backend."""
    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    t_load = time.perf_counter()
    if backend == "bare":
        from sentence_transformers import SentenceTransformer

        from assistant.core.config import Settings

        folder = Settings().storage.models_dir / "embeddinggemma-300m"
        model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        if threads:
            import torch

            torch.set_num_threads(threads)
        loaded = time.perf_counter() - t_load
        t0 = time.perf_counter()
        kwargs: Json = {"batch_size": batch_size} if batch_size else {}
        model.encode_document(texts, **kwargs)
    else:
        from assistant.core.config import Settings
        from assistant.embedding.embedders import build_embedder

        fields: Json = {"embedding_backend": backend, "embedding_threads": threads}
        if batch_size:
            fields["embedding_batch_size"] = batch_size
        embedder = build_embedder(Settings(**fields))
        loaded = time.perf_counter() - t_load
        t0 = time.perf_counter()
        embedder.embed_documents(texts)
    seconds = time.perf_counter() - t0
    return {
        "backend": backend,
        "threads": threads,
        "batch_size": batch_size,
        "texts": len(texts),
        "load_s": round(loaded, 1),
        "encode_s": round(seconds, 1),
        "texts_per_s": round(len(texts) / seconds, 3),
    }


def encode(texts: list[str], work: Path, backend: str, threads: int | None, batch_size: int | None = None) -> Json:
    texts_file = work / "texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    result_file = work / "encode-result.json"
    cmd = [sys.executable, "-m", "bench.ingest_speed", "--phase-encode", str(texts_file), "--backend", backend]
    if threads:
        cmd += ["--threads", str(threads)]
    if batch_size:
        cmd += ["--batch-size", str(batch_size)]
    cmd += ["--result", str(result_file)]
    subprocess.run(cmd, check=True, cwd=PROJECT_ROOT)
    return dict(json.loads(result_file.read_text(encoding="utf-8")))


# --- orchestration ------------------------------------------------------------------------------------------


def measure_corpus(
    name: str, folder: Path, work: Path, env: dict[str, str], ask: bool, bare_sample: int | None = None
) -> Json:
    data_dir = work / f"data-{name}"
    shutil.rmtree(data_dir, ignore_errors=True)
    load_before = _load()
    product = run_ingest(folder, data_dir, env)
    first = run_ask(data_dir, env) if ask else None
    texts = chunk_texts(data_dir)
    if bare_sample and len(texts) > bare_sample:
        # A random sample has the passages' length mix, so its rate stands for all (and saves minutes).
        texts = random.Random(0).sample(texts, bare_sample)
    bare = encode(texts, work, "bare", None)
    ratio = product["chunks_per_s"] / bare["texts_per_s"]
    out: Json = {
        "corpus": name,
        "files": sum(product["summary"].values()),
        "product": product,
        "first_answer": first,
        "bare_encode": bare,
        "ratio_product_to_bare": round(ratio, 2),
        "load_before": load_before,
        "load_after": _load(),
    }
    if first is not None:
        out["ingest_to_first_answer_s"] = round(product["wall_s"] + first["wall_s"], 1)
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return out


def encode_matrix(work: Path, laws: int) -> list[Json]:
    """Embedder throughput per backend and thread count, on chunk texts and on answer-unit texts."""
    from assistant.language.units import extract_units
    from ingest.chunking import chunk_document
    from ingest.documents import build_document

    folder = work / "laws-encode"
    prepare_laws(folder, laws)
    chunks = [c for p in sorted(folder.iterdir()) for c in chunk_document(build_document(p, source=p.name))]
    kinds = {
        "chunks": [c.embed_text for c in chunks],
        "units": list(dict.fromkeys(u.text for c in chunks for u in extract_units(0, c.text, c.heading_path))),
    }
    rows: list[Json] = []
    for kind, texts in kinds.items():
        for backend, threads in (("bare", None), ("sentence-transformers", 1), ("onnx", 1), ("onnx", 2)):
            row = {"kind": kind, **encode(texts, work, backend, threads)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def count_law_chunks(count: int) -> Json:
    """Chunks of the first `count` laws (file order, whole texts), counted by the product's chunker without
    embedding: what a projection to that many laws multiplies by."""
    from bench.run import load_laws
    from ingest.chunking import chunk_document
    from ingest.documents import build_document

    chunks = docs = 0
    with tempfile.TemporaryDirectory(prefix="law-count-") as tmp:
        path = Path(tmp) / "law.md"
        for law in load_laws()[:count]:
            path.write_text(str(law.get("text") or ""), encoding="utf-8")
            docs += 1
            try:
                chunks += len(chunk_document(build_document(path, source=path.name)))
            except Exception:  # an empty law fails at ingest too; it has no chunks
                continue
    return {"laws": docs, "chunks": chunks}


def measure_scale(work: Path, target_chunks: int, project_laws: int, env: dict[str, str]) -> Json:
    """Whole laws (file order) up to about `target_chunks` chunks, ingested with the product's defaults, and
    the projection of that rate to the first `project_laws` laws."""
    from bench.run import load_laws, prepare_corpus

    corpus = prepare_corpus(load_laws(), work, "laws-scale", target_chunks=target_chunks)
    measured = measure_corpus(f"laws-full-{corpus['chunks']}", Path(corpus["folder"]), work, env, ask=True)
    total = count_law_chunks(project_laws)
    rate = measured["product"]["chunks_per_s"]
    measured["projection"] = {**total, "hours": round(total["chunks"] / rate / 3600, 1)}
    print(json.dumps(measured["projection"]), flush=True)
    return measured


def write(out_dir: Path, tag: str, result: Json) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"ingest_speed-{tag}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# Ingest speed: the whole product against a bare encode loop, same run",
        "",
        f"`python -m bench.ingest_speed {' '.join(result['argv'])}` on {result['started']}, "
        f"{os.cpu_count()} cores. Settings: defaults{' + ' + ', '.join(result['env']) if result['env'] else ''}.",
        "",
    ]
    if result.get("corpora"):
        lines += [
            "| corpus | files | chunks | documents stored s (chunks/s) | answer vectors s (units) | whole "
            "`assistant ingest` s | bare encode chunks/s | product ÷ bare: documents / whole | first answer s | "
            "ingest → first answer s | load before → after |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for c in result["corpora"]:
            first = c.get("first_answer") or {}
            p = c["product"]
            bare = c["bare_encode"]["texts_per_s"]
            docs_ratio = p["documents_chunks_per_s"] / bare if p.get("documents_chunks_per_s") else float("nan")
            lines.append(
                f"| {c['corpus']} | {c['files']} | {p['chunks']} | {p['ingest_report_s']:.0f} "
                f"({p.get('documents_chunks_per_s', '')}) | {p.get('answer_vectors_s') or 0:.0f} "
                f"({p.get('answer_units', '')}) | {p['wall_s']:.0f} | {bare} "
                f"(n={c['bare_encode']['texts']}) | **{docs_ratio:.2f}** / **{c['ratio_product_to_bare']}** | "
                f"{first.get('wall_s', '')} | {c.get('ingest_to_first_answer_s', '')} | "
                f"{c['load_before'][0]} → {c['load_after'][0]} |"
            )
        lines.append("")
        for c in result["corpora"]:
            if c.get("projection"):
                pr = c["projection"]
                lines += [
                    f"Projection from {c['corpus']} at its whole-process rate ({c['product']['chunks_per_s']} "
                    f"chunks/s): the first {pr['laws']} laws are {pr['chunks']} chunks (counted by the chunker), "
                    f"**{pr['hours']} h**.",
                    "",
                ]
    if result.get("encode"):
        lines += [
            "Embedder alone (model load excluded), per backend and thread count:",
            "",
            "| texts | backend | threads | n | texts/s | × bare |",
            "|---|---|---|---|---|---|",
        ]
        bare = {r["kind"]: r["texts_per_s"] for r in result["encode"] if r["backend"] == "bare"}
        for r in result["encode"]:
            lines.append(
                f"| {r['kind']} | {r['backend']} | {r['threads'] or 'library'} | {r['texts']} | {r['texts_per_s']} "
                f"| {r['texts_per_s'] / bare[r['kind']]:.2f} |"
            )
        lines.append("")
    md = out_dir / f"ingest_speed-{tag}.md"
    md.write_text("\n".join(lines))
    return md


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--laws", type=int, default=120, help="Number of small law files (1,200–1,800 chars).")
    parser.add_argument("--skip-laws", action="store_true")
    parser.add_argument("--skip-pdfs", action="store_true")
    parser.add_argument("--encode-only", action="store_true", help="Only the embedder matrix.")
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        help="Also ingest whole laws up to about this many chunks and project the rate to --project-laws laws.",
    )
    parser.add_argument("--project-laws", type=int, default=5000)
    parser.add_argument(
        "--bare-sample", type=int, default=300, help="Passages the PDF baseline encodes (a random sample; 0 = all)."
    )
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the product's processes.")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "results")
    parser.add_argument("--tag", default=None, help="Result file suffix (default: the date).")
    parser.add_argument("--render", type=Path, help="Rewrite the .md of an ingest_speed-*.json.")
    parser.add_argument("--phase-encode", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="bare", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.phase_encode:
        args.result.write_text(json.dumps(phase_encode(args.phase_encode, args.backend, args.threads, args.batch_size)))
        return

    if args.render:
        data = json.loads(args.render.read_text(encoding="utf-8"))
        print(f"wrote {write(args.render.parent, args.render.stem.removeprefix('ingest_speed-'), data)}")
        return

    env = dict(item.split("=", 1) for item in args.env)
    result: Json = {
        "argv": list(argv if argv is not None else sys.argv[1:]),
        "started": dt.datetime.now().isoformat(timespec="minutes"),
        "env": args.env,
        "corpora": [],
        "encode": [],
    }
    with tempfile.TemporaryDirectory(prefix="ingest-speed-") as tmp:
        work = Path(tmp)
        if args.encode_only:
            result["encode"] = encode_matrix(work, args.laws)
        else:
            if not args.skip_laws:
                laws = prepare_laws(work / "laws", args.laws)
                result["corpora"].append(measure_corpus(laws["name"], Path(laws["folder"]), work, env, ask=True))
            if not args.skip_pdfs:
                if not PDFS.is_dir():
                    raise SystemExit(f"{PDFS} is missing: run with --skip-pdfs")
                result["corpora"].append(
                    measure_corpus("pdfs-12", PDFS, work, env, ask=True, bare_sample=args.bare_sample)
                )
            if args.scale:
                result["corpora"].append(measure_scale(work, args.scale, args.project_laws, env))
    md = write(args.out, args.tag or dt.date.today().isoformat(), result)
    print(f"wrote {md}")


if __name__ == "__main__":
    main()
