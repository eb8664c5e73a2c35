"""What `assistant ingest --reread` costs against the ingest it spares, measured in the same run.

    .venv/bin/python -m bench.reread_speed                 # the 12 test PDFs (~6 min)
    .venv/bin/python -m bench.reread_speed --folder DIR

Three `assistant ingest` processes over a fresh data dir: the first ingest (everything read and embedded), a
plain re-run (unchanged files skipped by size and time), and `--reread` (every file read and chunked again, a
document whose chunks come out the same keeps its vectors). The figures that count are the ratios to the first
ingest. Writes bench/results/reread_speed.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from assistant.core.offline import quiet_offline_environment
from bench.ingest_speed import PDFS, _load, run_ingest

quiet_offline_environment()

RESULTS = Path(__file__).resolve().parent / "results"


def measure(folder: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="reread-") as tmp:
        work = Path(tmp)
        docs = work / "docs"
        shutil.copytree(folder, docs)
        env: dict[str, str] = {}
        runs: dict[str, Any] = {"load_before": _load()}
        runs["first"] = run_ingest(docs, work / "data", env)
        runs["plain"] = run_ingest(docs, work / "data", env)
        runs["reread"] = run_ingest(docs, work / "data", env, extra=["--reread"])
        runs["load_after"] = _load()
    first = runs["first"]["wall_s"]
    for name in ("plain", "reread"):
        runs[name]["of_first"] = round(runs[name]["wall_s"] / first, 3)
    return runs


def write(folder: Path, started: str, runs: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {"folder": str(folder), "started": started, **runs}
    (RESULTS / "reread_speed.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# `assistant ingest --reread` against the first ingest, same run",
        "",
        f"`python -m bench.reread_speed` on {result['started']}, {os.cpu_count()} cores, folder `{folder.name}`; "
        f"load average before {runs['load_before']}, after {runs['load_after']}. Each row is a whole "
        "`assistant ingest` process (model load included) over the same data dir.",
        "",
        "| run | wall s | × first ingest | chunks embedded | files by status |",
        "|---|---|---|---|---|",
    ]
    for name, label in (("first", "first ingest"), ("plain", "again, unchanged"), ("reread", "again, `--reread`")):
        r = runs[name]
        statuses = ", ".join(f"{v} {k}" for k, v in r["summary"].items() if v)
        lines.append(f"| {label} | {r['wall_s']} | {r.get('of_first', 1.0)} | {r['chunks']} | {statuses} |")
    (RESULTS / "reread_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return RESULTS / "reread_speed.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, default=PDFS)
    args = parser.parse_args()
    folder = args.folder.resolve()
    started = dt.datetime.now().isoformat(timespec="minutes")
    path = write(folder, started, measure(folder))
    print(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
