"""Run outputs (metrics.json, results.jsonl, report.md/html) and run comparison / threshold gates."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import EvalInputError
from eval.compare import check_thresholds, compare_runs, format_comparison
from eval.report import append_result, failure_reasons, read_results, write_metrics, write_report

XSS = "<script>alert('x')</script>"


def record(qid: str, passed: dict[str, bool], **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": qid,
        "type": "factoid",
        "lang": "nl",
        "question": f"Vraag {qid}?",
        "answer": "Antwoord.",
        "answerable": True,
        "abstained": False,
        "evidence_rank": 1,
        "has_evidence": True,
        "facts_matched": [],
        "facts_missing": [],
        "n_facts": 1,
        "citations": {"n": 1, "precise": 1, "invalid": 0},
        "latency_ms": 120.0,
        "passed": passed,
    }
    return base | extra


METRICS = {
    "n_questions": 3.0,
    "retrieval.evidence_recall@1": 0.3333333,
    "retrieval.evidence_recall@3": 0.5,
    "retrieval.evidence_recall@5": 0.6666667,
    "retrieval.evidence_recall@10": 1.0,
    "answer.fact_recall": 0.5,
    "citation.invalid": 1.0,
    "latency.p50_ms": 130.0,
    "by_type.factoid.retrieval.evidence_recall@5": 0.5,
    "by_type.factoid.answer.fact_recall": 0.25,
    "by_type.list.retrieval.evidence_recall@5": 1.0,
    "by_type.list.answer.fact_recall": 0.75,
}


def test_write_metrics_sorts_rounds_and_keeps_counts_integral(tmp_path: Path) -> None:
    path = write_metrics(tmp_path / "run", METRICS)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == sorted(METRICS)
    assert data["retrieval.evidence_recall@1"] == 0.3333
    assert data["n_questions"] == 3 and isinstance(data["n_questions"], int)
    assert data["citation.invalid"] == 1 and isinstance(data["citation.invalid"], int)
    with pytest.raises(ValueError, match="finite"):
        write_metrics(tmp_path, {"answer.fact_recall": float("nan")})


def test_append_result_survives_an_interrupted_run(tmp_path: Path) -> None:
    path = tmp_path / "run" / "results.jsonl"
    append_result(path, record("q1", {"answer.all_facts": True}))
    append_result(path, record("q2", {"answer.all_facts": False}, question="Utøya?"))
    # Visible on disk line by line, without closing anything.
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2
    assert "Utøya" in path.read_text(encoding="utf-8")  # UTF-8, not \u escapes
    # A run killed mid-write leaves half a line at the end: it is skipped.
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "q3", "pass')
    assert [r["id"] for r in read_results(path)] == ["q1", "q2"]
    # Damage anywhere else is an error.
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text('{"id": "a"}\n{broken\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(EvalInputError, match=r"damaged.jsonl:2"):
        read_results(damaged)


def test_failure_reasons_say_what_was_missing() -> None:
    assert failure_reasons(record("ok", {"answer.all_facts": True, "retrieval.evidence_recall@1": False})) == []
    bad = record(
        "bad",
        {
            "retrieval.evidence_recall@5": False,
            "answer.all_facts": False,
            "abstention.false_rate": False,
            "citation.invalid": False,
        },
        evidence_rank=None,
        facts_missing=[["utoya", "utøya"], ["london pub"]],
        citations={"n": 2, "precise": 2, "invalid": 1},
    )
    assert failure_reasons(bad) == [
        "declined an answerable question",
        "evidence not found in the retrieved chunks",
        "missing facts: utoya / utøya; london pub",
        "1 citation(s) to passages that were not retrieved",
    ]
    answered = record("u", {"abstention.accuracy": False}, type="unanswerable")
    assert failure_reasons(answered) == [
        "answered an unanswerable question instead of saying it is not in the documents"
    ]


def test_report_escapes_html_and_inlines_charts(tmp_path: Path) -> None:
    results = [
        record("q1", {"answer.all_facts": True}, latency_ms=100.0),
        record(
            "q2",
            {"answer.all_facts": False},
            question=f"Wat doet {XSS} | hier?",
            answer=f"Dit: {XSS}",
            facts_missing=[["<b>feit</b>"]],
            latency_ms=160.0,
        ),
    ]
    meta = {"model": "<img src=x onerror=alert(1)>", "questions": "dev"}
    write_report(tmp_path, METRICS, results, title="Eval <dev>", meta=meta)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;feit&lt;/b&gt;" in page
    assert "<title>Eval &lt;dev&gt;</title>" in page
    charts = page.count('src="data:image/png;base64,')
    assert charts == 3  # by type, recall@k, latency
    payload = page.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(payload).startswith(b"\x89PNG")
    assert "Failing questions (1 of 2)" in page

    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| retrieval.evidence_recall@5 | 0.667 |" in markdown
    assert "| latency.p50_ms | 130 ms |" in markdown
    # The pipe in the question must not split the table cell.
    assert re.search(r"(?<!\\)\| hier\?", markdown) is None and "\\| hier?" in markdown
    # Markdown viewers render raw HTML, so the Markdown report escapes it too.
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "missing facts: &lt;b&gt;feit&lt;/b&gt;" in markdown
    assert "| factoid | – | 0.500 |" in markdown  # by-type table; n_questions absent -> dash


def _run(folder: Path, metrics: dict[str, float], records: list[dict[str, Any]]) -> Path:
    write_metrics(folder, metrics)
    for r in records:
        append_result(folder / "results.jsonl", r)
    return folder


def test_compare_runs_reports_deltas_and_question_changes(tmp_path: Path) -> None:
    run_a = _run(
        tmp_path / "a",
        {"answer.fact_recall": 0.5, "latency.p50_ms": 100.0, "citation.invalid": 2.0, "old.metric": 1.0},
        [
            record("q1", {"answer.all_facts": True, "abstention.false_rate": True}),
            record("q2", {"answer.all_facts": False}),
            record("q3", {"answer.all_facts": True}),
        ],
    )
    run_b = _run(
        tmp_path / "b",
        {"answer.fact_recall": 0.75, "latency.p50_ms": 150.0, "citation.invalid": 0.0},
        [
            record("q1", {"answer.all_facts": False, "abstention.false_rate": False}),
            record("q2", {"answer.all_facts": True}),
            record("q4", {"answer.all_facts": True}),
        ],
    )
    cmp = compare_runs(run_a, run_b)
    deltas = {d.name: d for d in cmp.deltas}
    assert deltas["answer.fact_recall"].delta == pytest.approx(0.25) and deltas["answer.fact_recall"].improved
    assert deltas["latency.p50_ms"].delta == 50.0 and deltas["latency.p50_ms"].regressed  # slower is worse
    assert deltas["citation.invalid"].improved  # 2 -> 0
    assert cmp.only_in_a == ("old.metric",)
    assert cmp.newly_failing == {"answer.all_facts": ("q1",), "abstention.false_rate": ("q1",)}
    assert cmp.newly_passing == {"answer.all_facts": ("q2",)}
    assert cmp.questions_only_in_a == ("q3",) and cmp.questions_only_in_b == ("q4",)

    text = format_comparison(cmp)
    assert "| answer.fact_recall | 0.500 | 0.750 | +0.2500 | better |" in text
    assert "| latency.p50_ms | 100 ms | 150 ms | +50.0000 | worse |" in text
    assert "- answer.all_facts: q1" in text

    with pytest.raises(EvalInputError, match=r"no metrics\.json"):
        compare_runs(tmp_path / "absent", run_b)


def test_check_thresholds_minimum_maximum_and_bad_specs() -> None:
    metrics = {"retrieval.evidence_recall@5": 0.9, "citation.invalid": 1.0, "latency.p95_ms": 2000.0}
    assert check_thresholds(metrics, ["retrieval.evidence_recall@5=0.9", "latency.p95_ms=2500"]) == []
    failures = check_thresholds(
        metrics, ["retrieval.evidence_recall@5=0.95", "citation.invalid=0", " latency.p95_ms = 1500 "]
    )
    assert failures == [
        "retrieval.evidence_recall@5 = 0.9 is below the minimum 0.95",
        "citation.invalid = 1 is above the maximum 0",
        "latency.p95_ms = 2000 is above the maximum 1500",
    ]
    for spec in ["retrieval.evidence_recall@5", "=0.5", "retrieval.evidence_recall@5=veel", "answer.x=nan"]:
        with pytest.raises(EvalInputError):
            check_thresholds(metrics, [spec])
    with pytest.raises(EvalInputError, match=r"unknown metric 'answer\.fact_recal'"):
        check_thresholds(metrics, ["answer.fact_recal=0.5"])


def test_latency_within_run_to_run_noise_is_the_same_and_any_count_change_is_not() -> None:
    from eval.compare import LATENCY_NOISE, MetricDelta

    assert MetricDelta("latency.p50_ms", 200.0, 202.0).verdict == "same"  # a 2 ms wobble is not "worse"
    slower = 200.0 / (1 - LATENCY_NOISE) + 1
    assert MetricDelta("latency.p95_ms", 200.0, slower).verdict == "worse"
    assert MetricDelta("by_type.factoid.latency.p50_ms", 300.0, 150.0).verdict == "better"
    assert MetricDelta("answer.fact_recall", 0.80, 0.81).verdict == "better"  # one fact more is a real change
    assert MetricDelta("abstention.false_rate", 0.0, 0.05).verdict == "worse"
    assert MetricDelta("answer.all_facts", 0.5, 0.5).verdict == "same"
