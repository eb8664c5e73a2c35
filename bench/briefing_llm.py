"""One LLM-written briefing against a running OpenAI-compatible server, with what verification caught.

Uses the configured settings (default profile: EmbeddingGemma, hybrid retrieval) on an existing index, the
LLM at `--base-url`, and writes:

- `--md` (default examples/briefing-<topic>-llm.md): the briefing as Markdown;
- `--out`/briefing_llm.json and .md: per section the mode (llm / fallback), the verifier's counts, the
  sentences it flagged with their support scores, the model's raw text, and the timings.

    LLM_PORT=8081 scripts/llm_setup.sh start &
    .venv/bin/python -m bench.briefing_llm "Brussel" --base-url http://127.0.0.1:8081/v1 [--data-dir DIR]
        [--max-tokens 200] [--mode mark|remove]

CPU only and shared: one briefing is six model calls (about a minute each on two busy cores).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.briefing import BriefingGenerator, to_markdown
from assistant.composition import build_assistant
from assistant.core.config import BUNDLED_CORPUS, load_settings

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topic", nargs="?")
    parser.add_argument("--base-url", help="OpenAI-compatible server, including /v1")
    parser.add_argument("--render", type=Path, help="only re-render the report of a stored run (JSON)")
    parser.add_argument("--data-dir", type=Path, default=None, help="index to use (default: the settings')")
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--mode", choices=("mark", "remove"), default="mark")
    parser.add_argument("--md", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    if args.render:
        record = json.loads(args.render.read_text(encoding="utf-8"))
        args.render.with_suffix(".md").write_text(render(record), encoding="utf-8")
        return
    if not args.topic or not args.base_url:
        parser.error("a topic and --base-url are needed (or --render FILE.json)")

    overrides: dict[str, object] = {
        "llm_backend": "openai",
        "llm_base_url": args.base_url,
        "llm_max_tokens": args.max_tokens,
        "llm_timeout_s": 900.0,
        "verify_mode": args.mode,
    }
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    assistant = build_assistant(load_settings(**overrides))
    assistant.ingest([BUNDLED_CORPUS])  # a no-op when the index is current
    steps: list[tuple[float, str]] = []
    started = time.perf_counter()
    briefing = BriefingGenerator(assistant).generate(
        args.topic, progress=lambda msg: steps.append((time.perf_counter() - started, msg))
    )
    total_s = time.perf_counter() - started
    slug = re.sub(r"[^a-z0-9]+", "-", args.topic.lower()).strip("-")
    md_path = args.md or ROOT / "examples" / f"briefing-{slug}-llm.md"
    md_path.write_text(to_markdown(briefing), encoding="utf-8")

    sections = [
        {
            "key": s.key,
            "title": s.title,
            "mode": s.mode,
            "lines": len(s.lines),
            "verification": s.verification,
            "caught": list(s.caught),
            "ms": round(briefing.timings_ms.get(f"llm.{s.key}", 0.0)),
        }
        for s in briefing.sections
    ]
    record = {
        "topic": args.topic,
        "written_by": briefing.written_by,
        "embedding": assistant.status().embedding,
        "max_tokens": args.max_tokens,
        "verify_mode": args.mode,
        "example": str(md_path.relative_to(ROOT) if md_path.is_relative_to(ROOT) else md_path),
        "total_s": round(total_s, 1),
        "timings_ms": {k: round(v) for k, v in briefing.timings_ms.items()},
        "steps": [{"t_s": round(t, 1), "step": m} for t, m in steps],
        "sections": sections,
        "citations": len(briefing.citations),
        "briefing": {k: v for k, v in asdict(briefing).items() if k in ("focus", "generated_at", "corpus")},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"briefing_llm_{slug}.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    text = render(record)
    (args.out / f"briefing_llm_{slug}.md").write_text(text, encoding="utf-8")
    print(text)


def render(record: dict[str, Any]) -> str:
    """The Markdown report of one run (also: `--render FILE.json` re-renders a stored run)."""
    lines = [
        f"# LLM-written briefing: {record['topic']}",
        "",
        f"`.venv/bin/python -m bench.briefing_llm {record['topic']!r} --base-url … --max-tokens "
        f"{record['max_tokens']} --mode {record['verify_mode']}` → `{record['example']}`",
        "",
        f"Model: {record['written_by']}; retrieval embedder: {record['embedding']}.",
        f"Total {record['total_s']:.0f} s (retrieval {record['timings_ms'].get('retrieve', 0) / 1000:.0f} s, LLM "
        f"{record['timings_ms'].get('llm', 0) / 1000:.0f} s); {record['citations']} sources cited.",
        "",
        "| section | mode | lines | sentences | supported | unsupported | uncited | invalid [n] dropped | time |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in record["sections"]:
        v = s["verification"]
        took = f"{s['ms'] / 1000:.0f} s" if s.get("ms") else ""
        lines.append(
            f"| {s['title']} | {s['mode']} | {s['lines']} | {v.get('sentences', '')} | {v.get('supported', '')} "
            f"| {v.get('unsupported', '')} | {v.get('uncited', '')} | {v.get('invalid_citations_dropped', '')} "
            f"| {took} |"
        )
    lines += ["", "## What verification caught", ""]
    for s in record["sections"]:
        for c in s["caught"]:
            lines.append(f"- {s['title']}: {c}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
