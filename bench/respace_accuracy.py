"""How well `ingest.respace` puts spaces back, on English text that had them: the well-extracted English PDFs of
`../shared/testdata/pdfs` with every space of each line removed, then re-spaced. Scores the word boundaries it
restores (recall) and the ones it invents (precision). None of these documents chose its thresholds (they were
read off the one PDF whose words really run together).

    .venv/bin/python -m bench.respace_accuracy      # writes bench/results/respace_accuracy.md
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assistant.core.offline import quiet_offline_environment
from ingest.documents import build_document
from ingest.respace import respace, word_model

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT.parent / "shared" / "testdata" / "pdfs"
OUT = ROOT / "bench" / "results" / "respace_accuracy.md"


def boundaries(words: list[str]) -> set[int]:
    """Positions in the glued string where a space stood."""
    at, out = 0, set()
    for word in words[:-1]:
        at += len(word)
        out.add(at)
    return out


def score(text: str) -> tuple[int, int, int]:
    """(restored, invented, missed) word boundaries over the text's lines."""
    model = word_model("en")
    if model is None:
        raise SystemExit("no English word list: pip install wordninja (make setup)")
    restored = invented = missed = 0
    for line in text.splitlines():
        words = line.split()
        if len(words) < 2:
            continue
        glued = "".join(words)
        fixed, _ = respace(glued, model)
        truth, got = boundaries(words), boundaries(fixed.split())
        restored += len(truth & got)
        invented += len(got - truth)
        missed += len(truth - got)
    return restored, invented, missed


def main() -> None:
    quiet_offline_environment()
    rows = []
    for path in sorted(PDFS.glob("*.pdf")):
        doc = build_document(path)
        if doc.language != "en" or any("run together" in w for w in doc.warnings):
            continue
        r, i, m = score(doc.text)
        rows.append((path.name, r, i, m))
    lines = [
        f"# Restoring spaces (`ingest.respace`) on English text that had them ({date.today().isoformat()})",
        "",
        "Every space of each line removed, then re-spaced; word boundaries counted per line. The thresholds of",
        "`ingest.respace` were read off the one PDF whose words really run together, not off these.",
        "",
        "| document | boundaries | restored (recall) | invented (precision) |",
        "|---|---|---|---|",
    ]
    for name, r, i, m in rows:
        lines.append(f"| {name} | {r + m:,} | {r:,} ({r / max(r + m, 1):.3f}) | {i:,} ({r / max(r + i, 1):.3f}) |")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
