"""Run outputs: `metrics.json`, `results.jsonl` (one record per question) and `report.md`/`report.html`.

The HTML report is one self-contained file (charts inlined as base64 PNG) so it can be mailed or archived
without a folder of images. Question and answer texts come from users and models, so every piece of text
is escaped before it reaches HTML or a Markdown table.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.core.errors import EvalInputError

from .metrics import DOC_RECALL_K, METRIC_NAMES, RECALL_KS, is_latency

# A question "fails" in the report when it fails one of these; recall@1/@3 misses are normal and
# would drown the table.
HEADLINE_CHECKS = (
    "retrieval.evidence_recall@5",
    "answer.all_facts",
    "citation.precision",
    "citation.invalid",
    "abstention.accuracy",
    "abstention.false_rate",
)
_BREAKDOWN_COLUMNS = (
    ("n", "n_questions"),
    ("evidence@5", "retrieval.evidence_recall@5"),
    ("MRR", "retrieval.mrr"),
    ("facts in top 5", "retrieval.fact_recall@5"),
    ("fact recall", "answer.fact_recall"),
    ("all facts", "answer.all_facts"),
    ("citation precision", "citation.precision"),
    ("abstention acc.", "abstention.accuracy"),
    ("false abstention", "abstention.false_rate"),
    ("p50 ms", "latency.p50_ms"),
)
_ANSWER_CHARS = 400


# ------------------------------------------------------------------------------------------ files


def _write_atomic(path: Path, text: str) -> None:
    # A reader (CI, a browser refresh) never sees a half-written file.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _is_count(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.startswith("n_") or name.endswith("citation.invalid")


def write_metrics(out_dir: Path, metrics: Mapping[str, float]) -> Path:
    """Write `metrics.json`: sorted keys, floats rounded to 4 decimals, counts as integers."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    clean: dict[str, float | int] = {}
    for name, value in metrics.items():
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"metric {name} is {number}; metrics.json holds finite numbers only")
        clean[name] = int(number) if _is_count(name) and number.is_integer() else round(number, 4)
    path = out_dir / "metrics.json"
    _write_atomic(path, json.dumps(clean, indent=2, sort_keys=True) + "\n")
    return path


def append_result(path: Path, record: Mapping[str, Any]) -> None:
    """Append one JSON line and flush it to disk, so an interrupted run keeps every finished question."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False, sort_keys=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_results(path: Path) -> list[dict[str, Any]]:
    """Read results.jsonl. A broken *last* line is what an interrupted run leaves and is skipped; a
    broken line elsewhere means the file was damaged and raises `EvalInputError`."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EvalInputError(f"results not found: {path}", hint="point at a finished eval run folder") from None
    records: list[dict[str, Any]] = []
    numbered = [(n, text) for n, text in enumerate(lines, start=1) if text.strip()]
    for index, (number, text) in enumerate(numbered):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            if index == len(numbered) - 1:
                break
            raise EvalInputError(f"{path}:{number}: invalid JSON: {exc.msg}", hint="rerun the evaluation") from None
        if not isinstance(obj, dict) or "id" not in obj:
            raise EvalInputError(f"{path}:{number}: not a result record (no 'id')", hint="rerun the evaluation")
        records.append(obj)
    return records


# ---------------------------------------------------------------------------------------- content


def format_value(name: str, value: float) -> str:
    if _is_count(name):
        return f"{value:.0f}"
    if is_latency(name):
        return f"{value:.0f} ms"
    return f"{value:.3f}"


def _fact_text(fact: Any) -> str:
    return " / ".join(str(s) for s in fact) if isinstance(fact, list | tuple) else str(fact)


def failure_reasons(record: Mapping[str, Any]) -> list[str]:
    """Human-readable reasons why a result record fails a headline check; empty when it passes."""
    passed: Mapping[str, bool] = record.get("passed") or {}
    reasons: list[str] = []
    if passed.get("abstention.accuracy") is False:
        reasons.append("answered an unanswerable question instead of saying it is not in the documents")
    if passed.get("abstention.false_rate") is False:
        reasons.append("declined an answerable question")
    if passed.get("retrieval.evidence_recall@5") is False:
        rank = record.get("evidence_rank")
        reasons.append(f"evidence only at rank {rank}" if rank else "evidence not found in the retrieved chunks")
    if passed.get("answer.all_facts") is False:
        missing = "; ".join(_fact_text(f) for f in record.get("facts_missing") or [])
        reasons.append(f"missing facts: {missing}" if missing else "missing facts")
    citations: Mapping[str, int] = record.get("citations") or {}
    if passed.get("citation.precision") is False:
        n = int(citations.get("n", 0))
        off = n - int(citations.get("precise", 0))
        reasons.append(f"{off} of {n} citations point outside the gold sources and evidence")
    if passed.get("citation.invalid") is False:
        reasons.append(f"{int(citations.get('invalid', 0))} citation(s) to passages that were not retrieved")
    return reasons


def _failing(results: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], list[str]]]:
    out = []
    for record in results:
        reasons = failure_reasons(record)
        if reasons:
            out.append((record, reasons))
    return out


def _top_level(metrics: Mapping[str, float]) -> list[tuple[str, float]]:
    known = [(name, metrics[name]) for name in METRIC_NAMES if name in metrics]
    rest = sorted((k, v) for k, v in metrics.items() if not k.startswith("by_") and k not in METRIC_NAMES)
    return known + rest


def _groups(metrics: Mapping[str, float], kind: str) -> list[str]:
    prefix = f"by_{kind}."
    return sorted({key[len(prefix) :].split(".", 1)[0] for key in metrics if key.startswith(prefix)})


def _truncate(text: str, limit: int = _ANSWER_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------- charts


def _charts(metrics: Mapping[str, float], results: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Base64 PNGs keyed by chart name; empty when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display on servers and in CI
        import matplotlib.pyplot as plt
    except ImportError:
        return {}

    def render(draw: Callable[[Any], None]) -> str:
        fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
        try:
            draw(ax)
            fig.tight_layout()
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png")
        finally:
            plt.close(fig)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    charts: dict[str, str] = {}
    types = _groups(metrics, "type")
    if types:

        def by_type(ax: Any) -> None:
            width = 0.38
            xs = range(len(types))
            recall = [metrics.get(f"by_type.{t}.retrieval.evidence_recall@5", 0.0) for t in types]
            facts = [metrics.get(f"by_type.{t}.answer.fact_recall", 0.0) for t in types]
            ax.bar([x - width / 2 for x in xs], recall, width, label="evidence recall@5")
            ax.bar([x + width / 2 for x in xs], facts, width, label="fact recall")
            ax.set_xticks(list(xs), types)
            ax.set_ylim(0, 1.05)
            ax.set_title("By question type")
            ax.legend(loc="lower right")

        charts["by_type"] = render(by_type)

    if any(f"retrieval.evidence_recall@{k}" in metrics for k in RECALL_KS):

        def recall_curve(ax: Any) -> None:
            values = [metrics.get(f"retrieval.evidence_recall@{k}", 0.0) for k in RECALL_KS]
            ax.plot(list(RECALL_KS), values, marker="o")
            ax.set_xticks(list(RECALL_KS))
            ax.set_ylim(0, 1.05)
            ax.set_xlabel("k")
            ax.set_ylabel("evidence recall@k")
            ax.set_title("Evidence recall at k")
            ax.grid(alpha=0.3)

        charts["recall_at_k"] = render(recall_curve)

    latencies = [float(r["latency_ms"]) for r in results if isinstance(r.get("latency_ms"), int | float)]
    if latencies:

        def latency(ax: Any) -> None:
            ax.hist(latencies, bins=min(30, max(5, len(latencies) // 2)))
            ax.set_xlabel("latency (ms)")
            ax.set_ylabel("questions")
            ax.set_title("Latency per question")

        charts["latency"] = render(latency)
    return charts


# ------------------------------------------------------------------------------------- markdown


def _md(text: Any) -> str:
    # Table cells: a pipe would split the cell, a newline would end the row. Markdown viewers pass raw
    # HTML through, so angle brackets and ampersands are escaped as in the HTML report.
    flat = " ".join(str(text).split())
    return html.escape(flat, quote=False).replace("\\", "\\\\").replace("|", "\\|")


UNFOUND = "evidence_unfound"  # meta key: question id -> quotes no indexed chunk holds
UNFOUND_TITLE = "Evidence quotes not in the index"
UNFOUND_NOTE = (
    "No indexed passage holds these quotes (letters and digits compared), so their questions count as retrieval "
    "misses whatever the ranking. Check each quote against the document text: an edited quote, or text the "
    "loader reads differently (a table, a scanned page)."
)


def _markdown(
    metrics: Mapping[str, float], results: Sequence[Mapping[str, Any]], title: str, meta: Mapping[str, Any]
) -> str:
    lines = [f"# {_md(title)}", ""]
    for key, value in meta.items():
        if key != UNFOUND:
            lines.append(f"- **{_md(key)}**: {_md(value)}")
    unfound: Mapping[str, Sequence[str]] = meta.get(UNFOUND) or {}
    if unfound:
        lines += ["", f"## {UNFOUND_TITLE} ({len(unfound)})", "", UNFOUND_NOTE, ""]
        lines += [f"- {_md(qid)}: " + "; ".join(f"“{_md(q)}”" for q in quotes) for qid, quotes in unfound.items()]
    lines += ["", "## Metrics", "", "| metric | value |", "|---|---:|"]
    lines += [f"| {name} | {format_value(name, value)} |" for name, value in _top_level(metrics)]
    for kind in ("type", "lang"):
        groups = _groups(metrics, kind)
        if not groups:
            continue
        lines += [
            "",
            f"## By {kind}",
            "",
            "| " + " | ".join([kind] + [c for c, _ in _BREAKDOWN_COLUMNS]) + " |",
        ]
        lines.append("|---" + "|---:" * len(_BREAKDOWN_COLUMNS) + "|")
        for group in groups:
            cells = []
            for _, name in _BREAKDOWN_COLUMNS:
                key = f"by_{kind}.{group}.{name}"
                cells.append(format_value(name, metrics[key]) if key in metrics else "–")
            lines.append(f"| {_md(group)} | " + " | ".join(cells) + " |")
    failing = _failing(results)
    lines += ["", f"## Failing questions ({len(failing)} of {len(results)})", ""]
    if failing:
        lines += ["| id | type | question | what failed |", "|---|---|---|---|"]
        for record, reasons in failing:
            lines.append(
                f"| {_md(record.get('id', ''))} | {_md(record.get('type', ''))} | "
                f"{_md(record.get('question', ''))} | {_md('; '.join(reasons))} |"
            )
    else:
        lines.append("None.")
    lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ html

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:70rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #ccc;padding:.3rem .6rem;vertical-align:top}
th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.charts img{max-width:100%;margin:.5rem 0}.muted{color:#777}ul.reasons{margin:0;padding-left:1.1rem}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _html(
    metrics: Mapping[str, float],
    results: Sequence[Mapping[str, Any]],
    title: str,
    meta: Mapping[str, Any],
    charts: Mapping[str, str],
) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
    ]
    if meta:
        parts.append("<table>")
        parts += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in meta.items() if k != UNFOUND]
        parts.append("</table>")
    unfound: Mapping[str, Sequence[str]] = meta.get(UNFOUND) or {}
    if unfound:
        parts += [f"<h2>{_e(UNFOUND_TITLE)} ({len(unfound)})</h2>", f"<p>{_e(UNFOUND_NOTE)}</p>", "<ul>"]
        parts += [
            f"<li>{_e(qid)}: " + "; ".join(f"“{_e(q)}”" for q in quotes) + "</li>" for qid, quotes in unfound.items()
        ]
        parts.append("</ul>")

    parts += ["<h2>Metrics</h2>", "<table><tr><th>metric</th><th>value</th></tr>"]
    parts += [
        f'<tr><td>{_e(name)}</td><td class="num">{_e(format_value(name, value))}</td></tr>'
        for name, value in _top_level(metrics)
    ]
    parts.append("</table>")

    for kind in ("type", "lang"):
        groups = _groups(metrics, kind)
        if not groups:
            continue
        parts.append(f"<h2>By {_e(kind)}</h2><table><tr><th>{_e(kind)}</th>")
        parts += [f"<th>{_e(label)}</th>" for label, _ in _BREAKDOWN_COLUMNS]
        parts.append("</tr>")
        for group in groups:
            parts.append(f"<tr><td>{_e(group)}</td>")
            for _, name in _BREAKDOWN_COLUMNS:
                key = f"by_{kind}.{group}.{name}"
                value = format_value(name, metrics[key]) if key in metrics else "–"
                parts.append(f'<td class="num">{_e(value)}</td>')
            parts.append("</tr>")
        parts.append("</table>")

    parts.append('<h2>Charts</h2><div class="charts">')
    if charts:
        captions = {
            "by_type": "Evidence recall@5 and fact recall by question type",
            "recall_at_k": "Evidence recall at k",
            "latency": "Latency histogram",
        }
        for name, data in charts.items():
            parts.append(f'<img alt="{_e(captions.get(name, name))}" src="data:image/png;base64,{data}">')
    else:
        parts.append('<p class="muted">No charts: install matplotlib to draw them.</p>')
    parts.append("</div>")

    failing = _failing(results)
    parts.append(f"<h2>Failing questions ({len(failing)} of {len(results)})</h2>")
    if failing:
        parts.append("<table><tr><th>id</th><th>type</th><th>lang</th><th>question</th><th>answer</th>")
        parts.append("<th>what failed</th></tr>")
        for record, reasons in failing:
            items = "".join(f"<li>{_e(r)}</li>" for r in reasons)
            parts.append(
                f"<tr><td>{_e(record.get('id', ''))}</td><td>{_e(record.get('type', ''))}</td>"
                f"<td>{_e(record.get('lang', ''))}</td><td>{_e(record.get('question', ''))}</td>"
                f"<td>{_e(_truncate(str(record.get('answer', ''))))}</td>"
                f'<td><ul class="reasons">{items}</ul></td></tr>'
            )
        parts.append("</table>")
    else:
        parts.append("<p>None.</p>")
    parts.append(
        f'<p class="muted">Evidence recall counts a question when an evidence quote lies inside one of the '
        f"top-k retrieved chunks; doc recall uses the top {DOC_RECALL_K}.</p>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(
    out_dir: Path,
    metrics: dict[str, float],
    results: list[dict[str, Any]],
    *,
    title: str,
    meta: dict[str, Any],
) -> None:
    """Write `report.md` and a self-contained `report.html` into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(out_dir / "report.md", _markdown(metrics, results, title, meta))
    _write_atomic(out_dir / "report.html", _html(metrics, results, title, meta, _charts(metrics, results)))
