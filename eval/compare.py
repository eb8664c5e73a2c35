"""Compare two eval runs and gate a run on thresholds.

A run folder holds `metrics.json` and `results.jsonl` (written by `eval.report`). Deltas are b - a;
"newly failing" means passed in run a and failed in run b, per metric (from each record's `passed`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.errors import EvalInputError

from .metrics import is_latency, lower_is_better
from .report import format_value, read_results

# Latency of the same answers differs this much between runs on one machine: the dev set's p50 ranged
# 194-251 ms and its p95 393-477 ms over six runs of unchanged answers on the 2-core development machine
# (2026-12-02, other work running), up to 23 %. A smaller change is not called better or worse.
LATENCY_NOISE = 0.25


@dataclass(frozen=True, slots=True)
class MetricDelta:
    name: str
    a: float
    b: float

    @property
    def delta(self) -> float:
        return self.b - self.a

    @property
    def improved(self) -> bool:
        return self.delta < 0 if lower_is_better(self.name) else self.delta > 0

    @property
    def regressed(self) -> bool:
        return self.delta > 0 if lower_is_better(self.name) else self.delta < 0

    @property
    def within_noise(self) -> bool:
        """A difference that repeated runs of the same answers also show: latency within LATENCY_NOISE of the
        slower run. Every other metric counts questions, so any change is a changed answer."""
        if is_latency(self.name):
            return abs(self.delta) <= LATENCY_NOISE * max(abs(self.a), abs(self.b))
        return abs(self.delta) < 1e-9

    @property
    def verdict(self) -> str:
        """ "better", "worse" or "same" (no change, or a latency change within noise)."""
        if self.within_noise:
            return "same"
        return "better" if self.improved else "worse" if self.regressed else "same"


@dataclass(frozen=True, slots=True)
class Comparison:
    run_a: Path
    run_b: Path
    deltas: tuple[MetricDelta, ...]  # metrics present in both runs, sorted by name
    only_in_a: tuple[str, ...] = ()  # metric names
    only_in_b: tuple[str, ...] = ()
    newly_failing: dict[str, tuple[str, ...]] = field(default_factory=dict)  # metric -> question ids
    newly_passing: dict[str, tuple[str, ...]] = field(default_factory=dict)
    questions_only_in_a: tuple[str, ...] = ()
    questions_only_in_b: tuple[str, ...] = ()


def _read_metrics(run: Path) -> dict[str, float]:
    path = run / "metrics.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalInputError(f"no metrics.json in {run}", hint="point at the output folder of an eval run") from None
    except json.JSONDecodeError as exc:
        raise EvalInputError(f"{path}: invalid JSON ({exc.msg})", hint="rerun the evaluation") from None
    if not isinstance(raw, dict):
        raise EvalInputError(f"{path}: expected an object of metric names to numbers", hint="rerun the evaluation")
    return {str(k): float(v) for k, v in raw.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def _passed_by_id(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, bool]]:
    return {str(r["id"]): {str(k): bool(v) for k, v in (r.get("passed") or {}).items()} for r in records}


def compare_runs(run_a: Path, run_b: Path) -> Comparison:
    """Metric deltas (b - a) and per-metric question changes between two run folders."""
    run_a, run_b = Path(run_a), Path(run_b)
    metrics_a, metrics_b = _read_metrics(run_a), _read_metrics(run_b)
    results_a = _passed_by_id(read_results(run_a / "results.jsonl"))
    results_b = _passed_by_id(read_results(run_b / "results.jsonl"))

    common = sorted(metrics_a.keys() & metrics_b.keys())
    deltas = tuple(MetricDelta(name, metrics_a[name], metrics_b[name]) for name in common)

    failing: dict[str, list[str]] = {}
    passing: dict[str, list[str]] = {}
    for qid in sorted(results_a.keys() & results_b.keys()):
        before, after = results_a[qid], results_b[qid]
        # Only metrics judged in both runs: a metric that appears or disappears is not a change in
        # behaviour (e.g. a question gained its first citation).
        for metric in sorted(before.keys() & after.keys()):
            if before[metric] and not after[metric]:
                failing.setdefault(metric, []).append(qid)
            elif after[metric] and not before[metric]:
                passing.setdefault(metric, []).append(qid)

    return Comparison(
        run_a=run_a,
        run_b=run_b,
        deltas=deltas,
        only_in_a=tuple(sorted(metrics_a.keys() - metrics_b.keys())),
        only_in_b=tuple(sorted(metrics_b.keys() - metrics_a.keys())),
        newly_failing={m: tuple(ids) for m, ids in failing.items()},
        newly_passing={m: tuple(ids) for m, ids in passing.items()},
        questions_only_in_a=tuple(sorted(results_a.keys() - results_b.keys())),
        questions_only_in_b=tuple(sorted(results_b.keys() - results_a.keys())),
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def format_comparison(cmp: Comparison) -> str:
    """Markdown: a table of top-level metrics (and breakdowns that changed), then question changes."""
    lines = [
        f"## Comparison: {_cell(str(cmp.run_a))} → {_cell(str(cmp.run_b))}",
        "",
        "| metric | a | b | Δ (b − a) | |",
        "|---|---:|---:|---:|---|",
    ]
    # Breakdowns multiply the table by types x languages; only their changes are worth reading.
    shown = [d for d in cmp.deltas if not d.name.startswith("by_") or d.delta != 0]
    for d in shown:
        mark = "" if d.verdict == "same" else d.verdict
        a, b = format_value(d.name, d.a), format_value(d.name, d.b)
        lines.append(f"| {_cell(d.name)} | {a} | {b} | {d.delta:+.4f} | {mark} |")
    if cmp.only_in_a or cmp.only_in_b:
        lines.append("")
        if cmp.only_in_a:
            lines.append(f"Only in a: {', '.join(cmp.only_in_a)}")
        if cmp.only_in_b:
            lines.append(f"Only in b: {', '.join(cmp.only_in_b)}")
    for heading, changes in (("Newly failing", cmp.newly_failing), ("Newly passing", cmp.newly_passing)):
        lines += ["", f"### {heading}", ""]
        if changes:
            lines += [f"- {_cell(metric)}: {', '.join(ids)}" for metric, ids in sorted(changes.items())]
        else:
            lines.append("None.")
    if cmp.questions_only_in_a or cmp.questions_only_in_b:
        lines += [
            "",
            f"Questions only in a: {len(cmp.questions_only_in_a)}; only in b: {len(cmp.questions_only_in_b)}",
        ]
    lines.append("")
    return "\n".join(lines)


def check_thresholds(metrics: Mapping[str, float], specs: Sequence[str]) -> list[str]:
    """Check "METRIC=VALUE" gates; return one message per violated gate (empty list: all pass).

    VALUE is a maximum for metrics where lower is better (`citation.invalid`, `abstention.false_rate`,
    `latency.*`, and their `by_type.*`/`by_lang.*` breakdowns) and a minimum for every other metric.
    Raises `EvalInputError` for a malformed spec or a metric the run did not report.
    """
    failures: list[str] = []
    for spec in specs:
        name, sep, raw_value = spec.partition("=")
        name, raw_value = name.strip(), raw_value.strip()
        if not sep or not name or not raw_value:
            raise EvalInputError(
                f"malformed threshold {spec!r}",
                hint="write METRIC=VALUE, e.g. retrieval.evidence_recall@5=0.95",
            )
        try:
            limit = float(raw_value)
        except ValueError:
            raise EvalInputError(
                f"threshold {spec!r}: {raw_value!r} is not a number", hint="write METRIC=VALUE with a number"
            ) from None
        if not math.isfinite(limit):
            raise EvalInputError(f"threshold {spec!r}: the value must be finite", hint="write a plain number")
        if name not in metrics:
            known = ", ".join(sorted(k for k in metrics if not k.startswith("by_")))
            raise EvalInputError(f"threshold {spec!r}: unknown metric {name!r}", hint=f"known metrics: {known}")
        value = metrics[name]
        if lower_is_better(name):
            if value > limit:
                failures.append(f"{name} = {value:.4g} is above the maximum {limit:.4g}")
        elif value < limit:
            failures.append(f"{name} = {value:.4g} is below the minimum {limit:.4g}")
    return failures
