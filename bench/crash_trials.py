"""Crash trials: `kill -9` the ingest at a random moment, then check that manifest, Chroma and the BM25 index
agree, that recovery repairs what the kill left, and that a rerun ends in the same state as a clean ingest.

    .venv/bin/python -m bench.crash_trials [--trials 24] [--kinds ingest,sync,delete] [--seed 1] [--out bench/results]

Kinds of trial (all through real processes, test profile: fake embedder, real embedded Chroma):

- ingest: `assistant ingest FOLDER` into an empty data dir, killed; then the state is inspected raw, then
  after the recovery that the next start runs; then `assistant ingest FOLDER` is rerun to completion and its
  chunk ids must equal those of a clean ingest of the folder.
- sync: a fully ingested folder loses a third of its files, a few change and a few are added; `assistant
  ingest FOLDER --sync` is killed, inspected, recovered and rerun; the result must equal a clean ingest of
  the changed folder.
- delete: `Ingestor.delete_document` for a batch of documents (there is no delete command in the CLI; this
  is the code the app would call) in a worker process, killed, inspected, recovered and rerun.

Writes crash_trials.json and crash_trials.md to --out. Each inspection runs in a fresh process, as the next
start of the app or CLI would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_PDFS = PROJECT_ROOT.parent / "shared" / "testdata" / "pdfs"
Json = dict[str, Any]

_TOPICS = (
    ("cameratoezicht", "Het cameratoezicht in het centrum wordt met twee jaar verlengd."),
    ("jeugdoverlast", "De aanpak van jeugdoverlast richt zich op de pleinen bij het winkelcentrum."),
    ("evenementen", "Voor grote evenementen geldt een nieuw veiligheidsplan met extra stewards."),
    ("radicalisering", "Het netwerk tegen radicalisering organiseert vier bijeenkomsten per jaar."),
    ("ondermijning", "Het team ondermijning controleert bedrijfspanden op het industrieterrein."),
    ("woninginbraak", "Het aantal woninginbraken daalde na de campagne met achttien procent."),
    ("brandveiligheid", "Alle scholen krijgen een controle op brandveiligheid voor de zomer."),
    ("zedenzaken", "De samenwerking met de zedenpolitie wordt in een convenant vastgelegd."),
    ("cybercrime", "Ondernemers krijgen een gratis scan op de beveiliging van hun webwinkel."),
    ("havenbeveiliging", "De havenbeveiliging werkt samen met de douane aan nieuwe controles."),
)


# --- the trial folder --------------------------------------------------------------------------------------


def generated_text(i: int, paragraphs: int) -> str:
    """A deterministic Dutch note; every file differs, so none is stored as a duplicate of another."""
    topic, sentence = _TOPICS[i % len(_TOPICS)]
    parts = [f"Notitie {i:03d} over {topic}", ""]
    for p in range(paragraphs):
        parts.append(
            f"Paragraaf {p + 1} van notitie {i}. {sentence} De gemeente meet het effect in kwartaal {p % 4 + 1} "
            f"en rapporteert aan de raad. Kenmerk {i * 1000 + p}. Betrokken partijen zijn de politie, het "
            f"openbaar ministerie en de wijkteams; zij bespreken de voortgang in het veiligheidsoverleg."
        )
        parts.append("")
    return "\n".join(parts)


def build_folder(target: Path, *, n_txt: int = 30, pdfs: Path = SHARED_PDFS, max_pdf_mb: float = 1.2) -> Path:
    """The bundled corpus, the smaller real PDFs and `n_txt` generated notes, copied into `target`."""
    from assistant.core.config import BUNDLED_CORPUS

    target.mkdir(parents=True, exist_ok=True)
    for src in sorted(BUNDLED_CORPUS.iterdir()):
        shutil.copy2(src, target / src.name)
    if pdfs.is_dir():
        for src in sorted(pdfs.glob("*.pdf")):
            if src.stat().st_size <= max_pdf_mb * 1024 * 1024:
                shutil.copy2(src, target / src.name)
    notes = target / "notities"
    notes.mkdir(exist_ok=True)
    for i in range(n_txt):
        (notes / f"notitie-{i:03d}.txt").write_text(generated_text(i, 3 + i % 9), encoding="utf-8")
    return target


def mutate_folder(folder: Path, rng: random.Random) -> dict[str, list[str]]:
    """Remove about a third of the files, change three notes and add three: what a --sync must handle."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    removed = rng.sample(files, k=len(files) // 3)
    for p in removed:
        p.unlink()
    remaining = sorted(p for p in folder.rglob("*.txt") if p.is_file())
    changed = rng.sample(remaining, k=min(3, len(remaining)))
    for p in changed:
        p.write_text(p.read_text(encoding="utf-8") + "\nAanvulling: het besluit is op 1 maart genomen.\n", "utf-8")
    added = []
    for j in range(3):
        p = folder / "notities" / f"nieuw-{j}.txt"
        p.write_text(generated_text(500 + j, 4), encoding="utf-8")
        added.append(p)

    def rel(paths: list[Path]) -> list[str]:
        return sorted(str(p.relative_to(folder)) for p in paths)

    return {"removed": rel(removed), "changed": rel(changed), "added": rel(added)}


# --- inspection (runs in its own process) ------------------------------------------------------------------


def consistency_problems(state: Json, *, recovered: bool) -> list[str]:
    """What is wrong with an inspected state. Before recovery, chunks of unfinished documents may still sit in
    the store (recovery removes them); everything else must hold at every moment, even right after a kill."""
    problems: list[str] = []
    store = state["store_ids"]
    store_set = set(store)
    ok = set(state["ok_ids"])
    all_manifest = set(state["manifest_ids"])
    if len(store) != len(store_set):
        problems.append(f"store holds {len(store) - len(store_set)} duplicated chunk ids")
    if state["duplicate_spans"]:
        problems.append(f"{state['duplicate_spans']} chunks stored twice (same document and offsets)")
    missing = ok - store_set
    if missing:
        problems.append(f"{len(missing)} chunks of ok documents are missing from the store")
    unknown = store_set - all_manifest
    if unknown:
        problems.append(f"{len(unknown)} store chunks unknown to the manifest (orphans)")
    if state["bad_file_links"]:
        problems.append(f"{state['bad_file_links']} ok files point at a document that is not ok")
    if state.get("unowned_docs"):
        problems.append(f"{state['unowned_docs']} ok documents that no file points at")
    if state["manifest_ids_not_ok_unfinished"]:
        problems.append("manifest chunk rows of documents that do not exist")
    if recovered:
        if state["unfinished"]:
            problems.append(f"{state['unfinished']} documents still pending/deleting after recovery")
        extra = store_set - ok
        if extra:
            problems.append(f"{len(extra)} store chunks are not searchable per the manifest after recovery")
        if state["lexical_ids"] is not None and set(state["lexical_ids"]) != ok:
            problems.append(
                f"BM25 index disagrees with the manifest: {len(set(state['lexical_ids']) - ok)} extra, "
                f"{len(ok - set(state['lexical_ids']))} missing"
            )
        if state["lexical_ids"] is not None and len(state["lexical_ids"]) != len(set(state["lexical_ids"])):
            problems.append("BM25 index holds duplicated chunks")
    return problems


def inspect_state(data_dir: Path, *, recover: bool) -> Json:
    """Read manifest, store and BM25 index of `data_dir` (test profile); optionally run the recovery first."""
    import sqlite3

    from assistant.composition import build_assistant
    from assistant.core.config import load_settings

    a = build_assistant(load_settings(profile="test", data_dir=data_dir, _env_file=None))
    recovered_chunks = a.ingestor.recover() if recover else None
    manifest = a.manifest
    store_ids = a.store.ids()
    chunks = a.store.get(store_ids)
    spans = {(c.doc_id, c.start, c.end) for c in chunks}
    with sqlite3.connect(str(manifest.path)) as conn:
        bad_links = conn.execute(
            "SELECT COUNT(*) FROM files f LEFT JOIN documents d USING(doc_id) "
            "WHERE f.status = 'ok' AND (d.status IS NULL OR d.status != 'ok')"
        ).fetchone()[0]
        dangling_chunks = conn.execute(
            "SELECT COUNT(*) FROM chunks c LEFT JOIN documents d USING(doc_id) WHERE d.doc_id IS NULL"
        ).fetchone()[0]
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())
    lexical_ids = [c.chunk_id for c in a.lexical.get().chunks] if recover else None
    return {
        "recovered_chunks": recovered_chunks,
        "store_ids": store_ids,
        "duplicate_spans": len(chunks) - len(spans),
        "ok_ids": manifest.searchable_chunk_ids(),
        "manifest_ids": manifest.chunk_ids(),
        "unfinished": len(manifest.unfinished()),
        "doc_statuses": statuses,
        "files": manifest.counts()["files"],
        "bad_file_links": int(bad_links),
        "manifest_ids_not_ok_unfinished": int(dangling_chunks),
        "generation": manifest.generation(),
        "unowned_docs": len(manifest.unowned()),
        "lexical_ids": lexical_ids,
        "doc_chunks": {d.doc_id: manifest.chunk_ids(d.doc_id) for d in manifest.documents()},
    }


def delete_worker(data_dir: Path, doc_ids: Sequence[str]) -> None:
    from assistant.composition import build_assistant
    from assistant.core.config import load_settings

    a = build_assistant(load_settings(profile="test", data_dir=data_dir, _env_file=None))
    for doc_id in doc_ids:
        a.ingestor.delete_document(doc_id)
    a.lexical.get()


# --- running and killing -----------------------------------------------------------------------------------


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_PROFILE": "test", "ASSISTANT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


def _self(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.crash_trials", *args]


def run_to_end(cmd: list[str], data_dir: Path, timeout: float = 900) -> tuple[int, float, str]:
    """Run `cmd` to the end. Returns (exit code, seconds, stdout; stderr's tail when it failed)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd, env=_env(data_dir), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = proc.stdout if proc.returncode == 0 else proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.returncode, time.perf_counter() - t0, output


def run_and_kill(cmd: list[str], data_dir: Path, delay: float) -> tuple[bool, float]:
    """Start `cmd`, SIGKILL it after `delay` seconds. Returns (killed, seconds it ran)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=_env(data_dir), cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        proc.wait(timeout=delay)
        return False, time.perf_counter() - t0
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True, time.perf_counter() - t0


def inspect(data_dir: Path, *, recover: bool, then_recover: bool = False) -> Json:
    """Inspect in a fresh process. `then_recover`: inspect as found, run the recovery, inspect again, in one
    process (returns {"raw": ..., "recovered": ...})."""
    args = ["inspect", str(data_dir)] + (["--recover"] if recover else []) + (["--both"] if then_recover else [])
    code, _, output = run_to_end(_self(*args), data_dir, timeout=600)
    if code != 0:
        return {"error": f"inspection failed (exit {code}): {output[-2000:]}"}
    result: Json = json.loads(output.strip().splitlines()[-1]) if output.strip() else {}
    return result


def calibrate(cmd: list[str], data_dir: Path) -> tuple[float, float]:
    """Run `cmd` to the end, noting when the manifest is first written. Returns (first write s, total s)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=_env(data_dir), cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def wal_size() -> int:
        sizes = [p.stat().st_size for p in data_dir.glob("manifest-*.sqlite3-wal")] if data_dir.exists() else []
        return sum(sizes)

    start_size = wal_size()
    first = None
    while proc.poll() is None:
        if first is None and wal_size() != start_size:
            first = time.perf_counter() - t0
        time.sleep(0.05)
    total = time.perf_counter() - t0
    return (first if first is not None else 0.0), total


@dataclass
class Trial:
    number: int
    kind: str
    delay_s: float
    killed: bool
    ran_s: float
    landed: str = ""  # before-write | mid-write | between-writes | finished
    raw_problems: list[str] = field(default_factory=list)
    unfinished_at_kill: int = 0
    orphans_at_kill: int = 0
    recovered_chunks: int | None = None
    recovered_problems: list[str] = field(default_factory=list)
    rerun_exit: int | None = None
    rerun_s: float = 0.0
    final_problems: list[str] = field(default_factory=list)
    equals_clean: bool = False
    detail: str = ""


def classify(before_generation: int, raw: Json, killed: bool) -> str:
    if not killed:
        return "finished"
    store, known = set(raw["store_ids"]), set(raw["manifest_ids"])
    if raw["unfinished"] or store - known or (known - store):
        return "mid-write"
    return "before-write" if raw["generation"] == before_generation else "between-writes"


def one_trial(
    number: int,
    kind: str,
    cmd: list[str],
    data_dir: Path,
    window: tuple[float, float],
    expected: set[str],
    rng: random.Random,
    before_generation: int,
) -> Trial:
    delay = rng.uniform(*window)
    killed, ran = run_and_kill(cmd, data_dir, delay)
    trial = Trial(number, kind, round(delay, 2), killed, round(ran, 2))
    both = inspect(data_dir, recover=False, then_recover=True)
    raw = both.get("raw", both)
    if "error" in raw:
        trial.raw_problems = [raw["error"]]
        trial.landed = "unknown"
    else:
        trial.landed = classify(before_generation, raw, killed)
        trial.raw_problems = consistency_problems(raw, recovered=False)
        trial.unfinished_at_kill = raw["unfinished"]
        trial.orphans_at_kill = len(set(raw["store_ids"]) - set(raw["ok_ids"]))
    rec = both.get("recovered", both)
    if "error" in rec:
        trial.recovered_problems = [rec["error"]]
    else:
        trial.recovered_chunks = rec["recovered_chunks"]
        trial.recovered_problems = consistency_problems(rec, recovered=True)
    code, secs, output = run_to_end(cmd, data_dir)
    trial.rerun_exit, trial.rerun_s = code, round(secs, 2)
    if code != 0:
        trial.detail = output[-1500:]
    final = inspect(data_dir, recover=True)
    if "error" in final:
        trial.final_problems = [final["error"]]
    else:
        trial.final_problems = consistency_problems(final, recovered=True)
        got = set(final["ok_ids"])
        trial.equals_clean = got == expected and set(final["store_ids"]) == expected
        if not trial.equals_clean:
            trial.final_problems.append(
                f"final state differs from a clean ingest: {len(got - expected)} extra, {len(expected - got)} missing"
            )
    return trial


def run_trials(args: argparse.Namespace) -> Json:
    rng = random.Random(args.seed)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="crash-trials-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    folder = build_folder(work / "corpus", n_txt=args.txt, max_pdf_mb=args.max_pdf_mb)
    n_files = sum(1 for p in folder.rglob("*") if p.is_file())
    print(f"trial folder: {n_files} files in {folder}", flush=True)

    # Reference: a clean, uninterrupted ingest of the folder.
    ref_dir = work / "ref-data"
    # The clean reference ingest doubles as the calibration of ingest kills (when the first write happens).
    first_write, clean_s = calibrate(_cli("ingest", str(folder), "--json"), ref_dir)
    if not set(ref_dir.glob("manifest-*.sqlite3")):
        raise SystemExit("clean ingest wrote no manifest")
    ref = inspect(ref_dir, recover=False)
    ref_ids = set(ref.get("ok_ids", ()))
    if not ref_ids:
        raise SystemExit(f"clean ingest left no chunks: {ref.get('error', '')}")
    print(f"clean ingest: {clean_s:.1f} s, {len(ref_ids)} chunks", flush=True)

    plan = [kinds[i % len(kinds)] for i in range(args.trials)]
    trials: list[Trial] = []
    calibration: Json = {"ingest": (first_write, clean_s)}

    # sync: the same folder path each time (the manifest stores absolute paths), restored before each trial.
    sync_folder = work / "sync-corpus"
    sync_ref_dir = work / "sync-ref-data"
    sync_expected: set[str] = set()
    mutation: dict[str, list[str]] = {}
    if "sync" in plan:
        build_folder(sync_folder, n_txt=args.txt, max_pdf_mb=args.max_pdf_mb)
        code, _, output = run_to_end(_cli("ingest", str(sync_folder), "--json"), sync_ref_dir)
        if code != 0:
            raise SystemExit(f"sync reference ingest failed:\n{output}")
        mutated = work / "sync-mutated"
        shutil.copytree(sync_folder, mutated)
        mutation = mutate_folder(mutated, random.Random(args.seed))
        clean_dir = work / "sync-clean-data"
        code, _, output = run_to_end(_cli("ingest", str(mutated), "--json"), clean_dir)
        sync_expected = set(inspect(clean_dir, recover=False)["ok_ids"])

        def prepare_sync(trial_dir: Path) -> Path:
            if sync_folder.exists():
                shutil.rmtree(sync_folder)
            build_folder(sync_folder, n_txt=args.txt, max_pdf_mb=args.max_pdf_mb)
            # Restore the ingested state, with the files' original mtimes so they count as unchanged.
            for src in sync_ref_files:
                dst = sync_folder / src
                os.utime(dst, ns=sync_ref_files[src])
            shutil.copytree(sync_ref_dir, trial_dir)
            mutate_folder(sync_folder, random.Random(args.seed))
            return trial_dir

        sync_ref_files = {
            str(p.relative_to(sync_folder)): (p.stat().st_atime_ns, p.stat().st_mtime_ns)
            for p in sync_folder.rglob("*")
            if p.is_file()
        }
        cal_dir = prepare_sync(work / "cal-sync")
        calibration["sync"] = calibrate(_cli("ingest", str(sync_folder), "--sync", "--json"), cal_dir)

    delete_ids: list[str] = []
    delete_expected: set[str] = set()
    if "delete" in plan:
        doc_chunks: dict[str, list[str]] = ref["doc_chunks"]
        picked = random.Random(args.seed).sample(sorted(doc_chunks), k=max(1, len(doc_chunks) // 3))
        delete_ids = list(picked)
        delete_expected = ref_ids - {cid for d in delete_ids for cid in doc_chunks[d]}
        cal_dir = work / "cal-delete"
        shutil.copytree(ref_dir, cal_dir)
        calibration["delete"] = calibrate(_self("delete-worker", str(cal_dir), *delete_ids), cal_dir)
    print(f"calibration (first manifest write s, total s): {calibration}", flush=True)

    for number, kind in enumerate(plan, start=1):
        trial_dir = work / f"trial-{number:03d}"
        first, total = calibration[kind]
        # Kills are spread over the part of the run that writes (plus a little on either side).
        window = (max(0.0, first * 0.8), total * 1.05)
        if kind == "ingest":
            trial = one_trial(number, kind, _cli("ingest", str(folder), "--json"), trial_dir, window, ref_ids, rng, 0)
        elif kind == "sync":
            prepare_sync(trial_dir)
            gen = inspect(trial_dir, recover=False)["generation"]
            cmd = _cli("ingest", str(sync_folder), "--sync", "--json")
            trial = one_trial(number, kind, cmd, trial_dir, window, sync_expected, rng, gen)
        else:
            shutil.copytree(ref_dir, trial_dir)
            gen = inspect(trial_dir, recover=False)["generation"]
            cmd = _self("delete-worker", str(trial_dir), *delete_ids)
            trial = one_trial(number, kind, cmd, trial_dir, window, delete_expected, rng, gen)
        # An ingest exits 4 when a file fails; the trial folder has none, so anything but 0 is a problem.
        trials.append(trial)
        problems = trial.raw_problems + trial.recovered_problems + trial.final_problems
        print(
            f"trial {number:2d} {kind:6s} kill@{trial.delay_s:5.1f}s landed={trial.landed:14s} "
            f"unfinished={trial.unfinished_at_kill} orphans={trial.orphans_at_kill} "
            f"recovered={trial.recovered_chunks} rerun={trial.rerun_exit} equal={trial.equals_clean} "
            f"problems={problems or 'none'}",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(trial_dir, ignore_errors=True)

    result = summarise(trials, calibration, clean_s, len(ref_ids), n_files, mutation, len(delete_ids))
    result["seconds"] = round(time.perf_counter() - started, 1)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def summarise(
    trials: list[Trial],
    calibration: Json,
    clean_s: float,
    chunks: int,
    n_files: int,
    mutation: dict[str, list[str]],
    n_deleted: int,
) -> Json:
    def count(pred: Any) -> int:
        return sum(1 for t in trials if pred(t))

    per_kind: Json = {}
    for kind in sorted({t.kind for t in trials}):
        ts = [t for t in trials if t.kind == kind]
        per_kind[kind] = {
            "trials": len(ts),
            "killed": sum(t.killed for t in ts),
            "mid_write": sum(t.landed == "mid-write" for t in ts),
            "between_writes": sum(t.landed == "between-writes" for t in ts),
            "before_write": sum(t.landed == "before-write" for t in ts),
            "finished_before_kill": sum(t.landed == "finished" for t in ts),
            "recovered_chunks": sum(t.recovered_chunks or 0 for t in ts),
            "inconsistent_raw": sum(bool(t.raw_problems) for t in ts),
            "inconsistent_after_recovery": sum(bool(t.recovered_problems) for t in ts),
            "reruns_completed": sum(t.rerun_exit == 0 for t in ts),
            "final_equals_clean": sum(t.equals_clean for t in ts),
        }
    return {
        "date": dt.date.today().isoformat(),
        "command": "python -m bench.crash_trials " + " ".join(sys.argv[1:]),
        "folder_files": n_files,
        "clean_ingest_s": round(clean_s, 1),
        "clean_chunks": chunks,
        "sync_mutation": {k: len(v) for k, v in mutation.items()},
        "deleted_documents": n_deleted,
        "calibration_s": {k: [round(v[0], 2), round(v[1], 2)] for k, v in calibration.items()},
        "totals": {
            "trials": len(trials),
            "killed": count(lambda t: t.killed),
            "mid_write": count(lambda t: t.landed == "mid-write"),
            "inconsistent_raw": count(lambda t: t.raw_problems),
            "inconsistent_after_recovery": count(lambda t: t.recovered_problems),
            "reruns_completed": count(lambda t: t.rerun_exit == 0),
            "final_equals_clean": count(lambda t: t.equals_clean),
        },
        "per_kind": per_kind,
        "trials": [asdict(t) for t in trials],
    }


def write_report(result: Json, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "crash_trials.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    t = result["totals"]
    lines = [
        "# Crash trials",
        "",
        f"Measured {result['date']} with `{result['command']}` ({result['seconds']} s). Folder: "
        f"{result['folder_files']} files; a clean ingest takes {result['clean_ingest_s']} s and gives "
        f"{result['clean_chunks']} chunks (test profile: fake embedder, real embedded Chroma).",
        "",
        f"**{t['trials']} trials, {t['killed']} kills, {t['mid_write']} landed mid-write; inconsistent right after "
        f"the kill: {t['inconsistent_raw']}; after recovery: {t['inconsistent_after_recovery']}; reruns completed: "
        f"{t['reruns_completed']}; final state equal to a clean ingest: {t['final_equals_clean']}.**",
        "",
        "| kind | trials | killed | mid-write | between writes | before first write | finished first | "
        "chunks recovered | inconsistent after kill | after recovery | reruns ok | equal to clean |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, k in result["per_kind"].items():
        lines.append(
            f"| {kind} | {k['trials']} | {k['killed']} | {k['mid_write']} | {k['between_writes']} | "
            f"{k['before_write']} | {k['finished_before_kill']} | {k['recovered_chunks']} | {k['inconsistent_raw']} | "
            f"{k['inconsistent_after_recovery']} | {k['reruns_completed']} | {k['final_equals_clean']} |"
        )
    lines += [
        "",
        "*mid-write*: at the kill, the manifest had documents pending/deleting or the store and manifest chunk "
        "sets differed (recovery had work to do). *Inconsistent after kill* counts only what must hold at every "
        "moment (no duplicates, no ok document missing chunks, no store chunk unknown to the manifest, no ok file "
        "pointing at a non-ok document); *after recovery* adds: nothing pending, store = searchable chunks = "
        "BM25 index.",
        "",
        "| # | kind | kill at s | landed | unfinished | orphans | recovered | problems |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for tr in result["trials"]:
        problems = "; ".join(tr["raw_problems"] + tr["recovered_problems"] + tr["final_problems"]) or "none"
        lines.append(
            f"| {tr['number']} | {tr['kind']} | {tr['delay_s']} | {tr['landed']} | {tr['unfinished_at_kill']} | "
            f"{tr['orphans_at_kill']} | {tr['recovered_chunks']} | {problems[:200]} |"
        )
    (out / "crash_trials.md").write_text("\n".join(lines) + "\n", "utf-8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--kinds", default="ingest,sync,delete")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--txt", type=int, default=30, help="generated notes in the trial folder")
    parser.add_argument("--max-pdf-mb", type=float, default=1.2, help="real PDFs up to this size join the folder")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench" / "results")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the trial data dirs")
    parser.add_argument("--no-report", action="store_true", help="print the JSON instead of writing files")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.core.offline import quiet_offline_environment

    quiet_offline_environment()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["inspect"]:
        if "--both" in argv:
            raw = inspect_state(Path(argv[1]), recover=False)
            state = {"raw": raw, "recovered": inspect_state(Path(argv[1]), recover=True)}
        else:
            state = inspect_state(Path(argv[1]), recover="--recover" in argv)
        sys.stdout.write(json.dumps(state) + "\n")
        return 0
    if argv[:1] == ["delete-worker"]:
        delete_worker(Path(argv[1]), argv[2:])
        return 0
    args = build_parser().parse_args(argv)
    result = run_trials(args)
    if args.no_report:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        write_report(result, args.out)
    t = result["totals"]
    bad = t["inconsistent_raw"] + t["inconsistent_after_recovery"] + (t["trials"] - t["final_equals_clean"])
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
