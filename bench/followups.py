"""Follow-up questions: the raw question vs. the two query rewriters, on the bundled corpus, real embedder.

    .venv/bin/python -m bench.followups [--llm-url http://127.0.0.1:8080/v1]

The conversations below were written for this check (not taken from any question set): each has a first
question, a follow-up that leans on it, and a verbatim phrase of the passage that answers the follow-up.
For each query the rank of the first retrieved passage holding that phrase is recorded (top 10; 11 = not
found). Without --llm-url only the raw question and the history expansion run. Writes
bench/results/followups.{json,md}."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.answering.answerer import Turn
from assistant.answering.chain import HistoryExpansion, QueryRewriter
from assistant.answering.llm import OpenAICompatible
from assistant.answering.rewrite import LLMRewriter
from assistant.composition import build_assistant
from assistant.core.config import BUNDLED_CORPUS, load_settings
from assistant.core.offline import quiet_offline_environment
from eval.runner import corpus_index_settings

RESULTS = Path(__file__).resolve().parent / "results"
K = 10

CONVERSATIONS: list[tuple[str, str, str]] = [
    (
        "Wanneer is EFUS opgericht?",
        "En welke Nederlandse steden zijn er lid van?",
        "In Nederland zijn Rotterdam en Den Haag lid",
    ),
    ("Waar ging de conferentie in Brussel in maart 2024 over?", "Hoeveel deelnemers waren er?", "700 deelnemers"),
    (
        "Wat is het regionaal beleidsplan Coalitie voor veiligheid?",
        "En wat staat er over de verdeling van de politie?",
        "sterkteverdeling van de politie",
    ),
    (
        "Wat was de internationale conferentie in Brussel in 2024?",
        "Wie organiseerde die?",
        "gezamenlijk georganiseerd door",
    ),
    (
        "Wat was het doel van de reis naar Oslo?",
        "Welke rol krijgt onze burgemeester daar?",
        "co-chair van de steering committee",
    ),
    (
        "Wat houdt de kennisuitwisseling tussen de Belgische en Nederlandse directies in?",
        "Wanneer is het vervolg?",
        "Op 12 juni 2024 vindt er een vervolg plaats",
    ),
    ("What is the European Forum for Urban Security?", "When was it founded?", "in 1987 opgericht"),
    ("Welke steden zijn lid van EFUS?", "En hoeveel landen?", "16 landen"),
]


class Raw:
    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        return question


def first_rank(texts: list[str], phrase: str) -> int:
    for rank, text in enumerate(texts, 1):
        if phrase.lower() in text.lower():
            return rank
    return K + 1


def main() -> None:
    quiet_offline_environment()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--llm-url", help="OpenAI-compatible server for the LLM rewriter (e.g. llama-cpp-python).")
    args = ap.parse_args()
    base = load_settings(profile="default")
    settings = corpus_index_settings(base, BUNDLED_CORPUS.resolve())
    a = build_assistant(settings)
    a.ingest([BUNDLED_CORPUS], sync=True)
    rewriters: dict[str, QueryRewriter] = {
        "raw question": Raw(),
        "history expansion, borrowed words x1": HistoryExpansion(extra_weight=1.0),
        "history expansion, borrowed words x0.5 (BM25)": HistoryExpansion(extra_weight=0.5),
    }
    if args.llm_url:
        rewriters["LLM rewrite"] = LLMRewriter(OpenAICompatible(args.llm_url, None, "local", max_tokens=96))
    rows: list[dict[str, Any]] = []
    for first, follow, phrase in CONVERSATIONS:
        history = [Turn("user", first), Turn("assistant", "…")]
        row: dict[str, Any] = {"first": first, "follow_up": follow, "phrase": phrase}
        for name, rewriter in rewriters.items():
            t0 = time.perf_counter()
            query = rewriter.rewrite(follow, history)
            ms = (time.perf_counter() - t0) * 1000
            hits = a.search(query, K)
            row[name] = {"query": query, "rank": first_rank([h.chunk.text for h in hits], phrase), "rewrite_ms": ms}
        rows.append(row)
    summary = {
        name: {
            "mrr": sum(1 / r[name]["rank"] if r[name]["rank"] <= K else 0 for r in rows) / len(rows),
            "hit@5": sum(r[name]["rank"] <= 5 for r in rows) / len(rows),
            "rewrite_ms_mean": sum(r[name]["rewrite_ms"] for r in rows) / len(rows),
        }
        for name in rewriters
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "followups.json").write_text(
        json.dumps({"summary": summary, "rows": rows}, indent=2, ensure_ascii=False)
    )
    lines = [
        "# Follow-up rewriting (bench/followups.py)",
        "",
        f"{len(rows)} conversations written for this check; rank of the first passage holding the answer phrase "
        f"(top {K}; {K + 1} = not found).",
        "",
        "| rewriter | MRR | hit@5 | rewrite ms (mean) |",
        "|---|---|---|---|",
    ]
    for name, s in summary.items():
        lines.append(f"| {name} | {s['mrr']:.3f} | {s['hit@5']:.3f} | {s['rewrite_ms_mean']:.0f} |")
    lines += ["", "| follow-up | " + " | ".join(rewriters) + " |", "|---|" + "---|" * len(rewriters)]
    for r in rows:
        cells = [f"{r[n]['rank']}: {r[n]['query']}" for n in rewriters]
        lines.append(f"| {r['first']} → {r['follow_up']} | " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    (RESULTS / "followups.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
