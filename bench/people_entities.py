"""People found by entity extraction, before and after role-less names ("Erwin Rouwenhorst en ik").

Runs `assistant.language.entities.extract_entities` over the cleaned text of the bundled corpus and of the real test
PDFs (`../shared/testdata/pdfs`, a stress test for false positives: DPIAs, code reviews, council minutes),
once with `bare_names=False` (the extraction before role-less names) and once with it on, and lists every
person found. Writes bench/results/people_entities.json and .md. Judge precision by reading the list: each
new name is shown with its context.

    .venv/bin/python -m bench.people_entities [--pdfs DIR] [--out bench/results]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.core.config import BUNDLED_CORPUS
from assistant.language.entities import extract_entities
from ingest.documents import build_document

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PDFS = ROOT.parent / "shared" / "testdata" / "pdfs"


def people(text: str, *, bare_names: bool) -> list[dict[str, str | None]]:
    out = []
    for e in extract_entities(text, bare_names=bare_names):
        if e.kind == "person":
            context = " ".join(text[max(0, e.start - 50) : e.end + 40].split())
            out.append({"name": e.name, "role": e.role, "context": context})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=Path, default=DEFAULT_PDFS)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    files = sorted(BUNDLED_CORPUS.glob("*.txt")) + (sorted(args.pdfs.glob("*.pdf")) if args.pdfs.is_dir() else [])
    results = []
    for path in files:
        text = build_document(path, allow_ocr=False).text
        before = people(text, bare_names=False)
        after = people(text, bare_names=True)
        known = {(p["name"], p["context"]) for p in before}
        results.append(
            {
                "file": path.name,
                "set": "corpus" if path.parent == BUNDLED_CORPUS else "pdfs",
                "before": before,
                "after": after,
                "new": [p for p in after if (p["name"], p["context"]) not in known],
                "lost": [p for p in before if p not in after],
            }
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "people_entities.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = [
        "# People found by entity extraction: before / after role-less names",
        "",
        "`.venv/bin/python -m bench.people_entities` — bundled corpus and `../shared/testdata/pdfs` (cleaned text).",
        "",
        "| set | files | person mentions before | after | new (role unknown) | lost |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in ("corpus", "pdfs"):
        rows = [r for r in results if r["set"] == name]
        lines.append(
            f"| {name} | {len(rows)} | {sum(len(r['before']) for r in rows)} | {sum(len(r['after']) for r in rows)} "
            f"| {sum(len(r['new']) for r in rows)} | {sum(len(r['lost']) for r in rows)} |"
        )
    for r in results:
        if not (r["before"] or r["after"]):
            continue
        lines += ["", f"## {r['file']}", ""]
        for p in r["before"]:
            lines.append(f"- {p['name']} ({p['role'] or 'rol onbekend'})")
        for p in r["new"]:
            lines.append(f"- **new:** {p['name']} (rol onbekend) — “…{p['context']}…”")
        for p in r["lost"]:
            lines.append(f"- **lost:** {p['name']} ({p['role'] or 'rol onbekend'})")
    (args.out / "people_entities.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[4:8]))


if __name__ == "__main__":
    main()
