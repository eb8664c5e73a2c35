"""End-to-end evaluation runs: the dev set through the same path as the chat (the scoped assistant's `ask`,
with no branch on a question's label: a briefing request goes to the briefing generator because the chat
sends it there); outputs, comparison, thresholds and bad input, as a user of `assistant eval` sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.composition import Assistant
from assistant.core.config import Settings
from eval.runner import run_questions

from .conftest import DEV_QUESTIONS


def _question(qid: str, question: str, kind: str = "factoid", **fields: object) -> dict[str, object]:
    return {"id": qid, "type": kind, "lang": "nl", "question": question, **fields}


def _question_set(path: Path, *questions: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    return path


needs_dev = pytest.mark.skipif(not DEV_QUESTIONS.exists(), reason="../shared/eval/questions-dev.jsonl is absent")


@needs_dev
def test_eval_run_writes_metrics_results_and_reports(test_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "run"
    run = run_questions(test_settings, DEV_QUESTIONS, out=out)
    metrics = json.loads((out / "metrics.json").read_text())
    for key in (
        "n_questions",
        "retrieval.evidence_recall@5",
        "retrieval.mrr",
        "answer.fact_recall",
        "citation.precision",
        "citation.invalid",
        "abstention.accuracy",
        "latency.p95_ms",
    ):
        assert key in metrics
    assert metrics["n_questions"] == 20
    lines = (out / "results.jsonl").read_text().splitlines()
    assert len(lines) == 20
    first = json.loads(lines[0])
    assert {"id", "answer", "hits", "citations_list", "passed", "timings_ms"} <= set(first)
    assert "<html" in (out / "report.html").read_text().lower()
    assert "Evaluatie" in (out / "report.md").read_text()
    assert run.metrics == pytest.approx(metrics, abs=1e-3)

    # Second run on an unchanged corpus reuses the index (nothing re-ingested).
    again = run_questions(test_settings, DEV_QUESTIONS, out=tmp_path / "run2")
    assert again.metrics["retrieval.evidence_recall@5"] == pytest.approx(
        metrics["retrieval.evidence_recall@5"], abs=1e-3
    )
    assert again.index_seconds < run.index_seconds + 5


@needs_dev
def test_cli_eval_compare_and_fail_under(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_PROFILE": "test", "ASSISTANT_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"})

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, env=env, timeout=300
        )

    a = cli("eval", "--questions", str(DEV_QUESTIONS), "--out", str(tmp_path / "a"))
    assert a.returncode == 0, a.stderr
    assert "retrieval.evidence_recall@5" in a.stdout
    strict = cli(
        "eval",
        "--questions",
        str(DEV_QUESTIONS),
        "--out",
        str(tmp_path / "b"),
        "--fail-under",
        "answer.fact_recall=1.01",
    )
    assert strict.returncode == 1 and "answer.fact_recall" in strict.stderr
    cmp = cli("eval", "compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert cmp.returncode == 0 and "retrieval.mrr" in cmp.stdout

    quote = "Deze zin staat in geen enkel document van het corpus"
    edited = _question_set(tmp_path / "edited.jsonl", _question("q-edit", "Wat staat er?", evidence=[quote]))
    warned = cli("eval", "--questions", str(edited), "--out", str(tmp_path / "d"))
    assert warned.returncode == 0 and "warning" in warned.stderr and "q-edit" in warned.stderr
    assert "warning" not in a.stderr

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "type": "factoid", "lang": "nl"}\nnot json\n', encoding="utf-8")
    broken = cli("eval", "--questions", str(bad), "--out", str(tmp_path / "c"))
    assert broken.returncode == 6
    assert "bad.jsonl:1" in broken.stderr and "bad.jsonl:2" in broken.stderr and "Traceback" not in broken.stderr


@needs_dev
@pytest.mark.integration
def test_dev_set_with_the_real_model(real_corpus_assistant: Assistant, tmp_path: Path) -> None:
    """The default pipeline on the dev set: the numbers the README and closing notes quote."""
    a = real_corpus_assistant
    run = run_questions(a.settings, DEV_QUESTIONS, out=tmp_path / "dev", assistant=a)
    m = run.metrics
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "dev_metrics.json").write_text(json.dumps(m, indent=2, sort_keys=True), encoding="utf-8")
    assert m["retrieval.evidence_recall@5"] >= 0.95
    assert m["retrieval.mrr"] >= 0.8
    assert m["answer.fact_recall"] >= 0.85
    assert m["citation.invalid"] == 0
    assert m["citation.precision"] >= 0.9
    # Declining answerable questions is the costly error for staff; on-topic unanswerable questions are not
    # yet caught without an LLM (see issue notes), so abstention accuracy is reported, not asserted.
    assert m["abstention.false_rate"] <= 0.05


@needs_dev
def test_distractors_are_mixed_into_the_index(test_settings: Settings, tmp_path: Path) -> None:
    import gzip

    source = tmp_path / "laws.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as fh:
        for i in range(3):
            body = f"Artikel {i}. Deze regeling over havengelden en kadeplaatsen nummer {i} " * 20
            fh.write(json.dumps({"id": f"BWBR{i:07d}", "title": f"Havenregeling {i}", "text": body}) + "\n")
    plain = run_questions(test_settings, DEV_QUESTIONS, out=tmp_path / "plain")
    mixed = run_questions(test_settings, DEV_QUESTIONS, out=tmp_path / "mixed", distractors=2, distractor_source=source)
    meta_plain = json.loads((tmp_path / "plain" / "meta.json").read_text())
    meta_mixed = json.loads((tmp_path / "mixed" / "meta.json").read_text())
    assert meta_mixed["distractors"] == 2
    assert meta_mixed["chunks_indexed"] > meta_plain["chunks_indexed"]
    assert mixed.metrics["n_questions"] == plain.metrics["n_questions"] == 20


def test_questions_take_the_chat_path_whatever_their_label(
    test_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The label does not pick the code path: a "briefing" that is a plain question is answered by the chat
    chain, a briefing request labelled "factoid" by the briefing generator (as the chat would)."""
    from assistant.access.scoped import ScopedAssistant

    topics: list[str] = []
    original = ScopedAssistant.briefing

    def spy(self: ScopedAssistant, topic: str, **kwargs: object) -> object:
        topics.append(topic)
        return original(self, topic, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ScopedAssistant, "briefing", spy)
    questions = _question_set(
        tmp_path / "labels.jsonl",
        _question("plain", "In welk jaar is de gemeente Den Haag lid geworden van EFUS?", "briefing", facts=[["2015"]]),
        _question("request", "Maak een briefing over EFUS", facts=[["EFUS"]]),
    )
    run = run_questions(test_settings, questions, out=tmp_path / "labels")
    by_id = {r["id"]: r for r in run.results}
    assert topics == ["EFUS"]
    assert "Briefing:" not in by_id["plain"]["answer"] and "2015" in by_id["plain"]["answer"]
    assert by_id["request"]["answer"].startswith("### Briefing: EFUS") and by_id["request"]["query"] == "EFUS"
    assert by_id["request"]["citations_list"]


def test_a_quote_the_index_does_not_hold_is_reported(test_settings: Settings, tmp_path: Path) -> None:
    # An edited quote can never be found, however good retrieval is: the run names it instead of counting it
    # silently as a miss.
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "verslag.txt").write_text(
        "Verslag werkbezoek\n\nDe delegatie bezocht op 3 mei 2023 het havenbedrijf van Kustdorp.\n", encoding="utf-8"
    )
    edited = "De delegatie bezocht op 4 mei 2023 het havenbedrijf"
    questions = _question_set(
        tmp_path / "set.jsonl",
        _question(
            "kept",
            "Wanneer bezocht de delegatie het havenbedrijf?",
            evidence=["De delegatie bezocht op 3 mei 2023 het havenbedrijf"],
        ),
        _question("edited", "Welk bedrijf bezocht de delegatie?", evidence=[edited]),
    )
    run = run_questions(test_settings, questions, out=tmp_path / "run", corpus=docs)
    assert run.unfound_evidence == {"edited": (edited,)}
    meta = json.loads((tmp_path / "run" / "meta.json").read_text())
    assert meta["evidence_unfound"] == {"edited": [edited]}
    report = (tmp_path / "run" / "report.md").read_text()
    assert "## Evidence quotes not in the index (1)" in report and "4 mei 2023" in report
    assert "Evidence quotes not in the index (1)" in (tmp_path / "run" / "report.html").read_text()


def test_beir_run_scores_a_hand_made_benchmark(test_settings: Settings, tmp_path: Path) -> None:
    from eval.beir import BeirDoc, write_beir
    from eval.runner import run_beir

    folder = tmp_path / "mini-beir"
    corpus = {
        "d1": BeirDoc("Havens", "Het havenbedrijf beheert de kades en de binnenhaven."),
        "d2": BeirDoc("Parkeren", "Parkeervergunningen voor bewoners worden per zone uitgegeven."),
        "d3": BeirDoc("Afval", "Grofvuil wordt op afspraak aan huis opgehaald."),
    }
    queries = {"q1": "parkeervergunningen bewoners zone", "q2": "grofvuil ophalen afspraak"}
    qrels = {"q1": {"d2": 1}, "q2": {"d3": 1}}
    write_beir(folder, corpus, queries, qrels)
    run = run_beir(test_settings, folder, out=tmp_path / "beir-out")
    assert run.metrics["beir.recall@1"] == 1.0 and run.metrics["beir.ndcg@10"] == pytest.approx(1.0)
    assert (tmp_path / "beir-out" / "metrics.json").is_file()


def test_evaluation_indexes_move_into_the_data_dir_once(
    test_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Indexes of older versions beside the data dir are renamed into it on first use (re-indexing the PDF set
    takes about 25 minutes); a newer index already inside wins and the old one is left alone."""
    from eval.runner import corpus_index_settings, eval_settings, migrate_eval_folder

    corpus = test_settings.ingest.corpus_dir
    key = corpus_index_settings(test_settings, corpus).storage.data_dir.name
    old_root = test_settings.storage.data_dir.parent / "eval"
    (old_root / key).mkdir(parents=True)
    (old_root / key / "manifest.sqlite3").write_bytes(b"index")
    inode = (old_root / key / "manifest.sqlite3").stat().st_ino
    with caplog.at_level("WARNING", logger="eval.runner"):
        moved = corpus_index_settings(test_settings, corpus).storage.data_dir
    assert moved == test_settings.storage.data_dir / "eval" / key and not (old_root / key).exists()
    assert (moved / "manifest.sqlite3").stat().st_ino == inode  # renamed, not copied
    assert any("moved evaluation folder" in r.message for r in caplog.records)

    (old_root / key).mkdir()
    (old_root / key / "manifest.sqlite3").write_bytes(b"older")
    assert corpus_index_settings(test_settings, corpus).storage.data_dir == moved
    assert (old_root / key / "manifest.sqlite3").read_bytes() == b"older"  # left alone
    assert (moved / "manifest.sqlite3").read_bytes() == b"index"

    fresh = eval_settings(test_settings, "nothing-old").storage.data_dir
    assert fresh.parent == test_settings.storage.data_dir / "eval" and not fresh.exists()  # built there when used
    (old_root / "distractors").mkdir()
    assert migrate_eval_folder(test_settings, "distractors") == test_settings.storage.data_dir / "eval" / "distractors"
    assert (test_settings.storage.data_dir / "eval" / "distractors").is_dir() and not (
        old_root / "distractors"
    ).exists()


def test_another_chunk_size_gets_its_own_evaluation_index(test_settings: Settings) -> None:
    """The ingest cuts a library again when the chunk size changes; an evaluation at another size must not cut
    the shared evaluation index (and the next default run cut it back), so it gets an index of its own. The
    default keeps the key its indexes were built under."""
    from eval.runner import corpus_index_settings, eval_settings

    corpus = test_settings.ingest.corpus_dir
    default = corpus_index_settings(test_settings, corpus).storage.data_dir
    before = eval_settings(test_settings, corpus, 0, "default", "fake", test_settings.embedding.embedding_model)
    assert default == before.storage.data_dir  # the key of every index built before the cut was part of it
    larger = corpus_index_settings(test_settings.updated(chunk_size=1500, chunk_overlap=225), corpus)
    assert larger.storage.data_dir != default
    assert corpus_index_settings(test_settings.updated(chunk_overlap=100), corpus).storage.data_dir not in (
        default,
        larger.storage.data_dir,
    )
