"""BEIR folders: round trip, official layout, and line-numbered validation errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.core.errors import EvalInputError
from eval.beir import BeirDoc, load_beir, write_beir


def test_write_then_load_round_trip_drops_unjudged_queries(tmp_path: Path) -> None:
    corpus: dict[str, BeirDoc | str] = {
        "d1": BeirDoc(title="Coalitie", text="Vijf prioriteiten voor veiligheid."),
        "d2": "Tekst zonder titel, met tab\tén ümlaut.",
    }
    queries = {"q1": "Welke prioriteiten?", "q2": "Wie?", "q3": "Niet beoordeeld"}
    qrels = {"q1": {"d1": 2, "d2": 0}, "q2": {"d2": 1}}
    write_beir(tmp_path, corpus, queries, qrels)
    assert (tmp_path / "qrels.tsv").read_text(encoding="utf-8").splitlines()[0] == "query-id\tcorpus-id\tscore"

    bench = load_beir(tmp_path)
    assert bench.corpus == {"d1": corpus["d1"], "d2": BeirDoc(title="", text=str(corpus["d2"]))}
    assert bench.queries == {"q1": "Welke prioriteiten?", "q2": "Wie?"}
    assert bench.dropped_queries == 1  # q3 has no judgement
    assert bench.qrels == {"q1": {"d1": 2, "d2": 0}, "q2": {"d2": 1}}
    assert bench.warnings == ()


def test_official_layout_numeric_ids_and_warnings(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text(
        json.dumps({"_id": 1, "title": None, "text": "een"}) + "\n" + json.dumps({"_id": "2", "text": "twee"}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "queries.jsonl").write_text(json.dumps({"_id": 10, "text": "vraag"}) + "\n", encoding="utf-8")
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n10\t1\t1\n10\t1\t2\n10\t99\t1\n77\t2\t1\n", encoding="utf-8"
    )
    bench = load_beir(tmp_path)
    assert set(bench.corpus) == {"1", "2"}
    assert bench.qrels == {"10": {"1": 2, "99": 1}}  # the repeated judgement: last one counts
    joined = "\n".join(bench.warnings)
    assert "1 repeated judgement" in joined
    assert "1 judged query id(s) not in queries.jsonl" in joined  # query 77
    assert "1 judgement(s) name documents not in corpus.jsonl" in joined  # document 99


def test_malformed_lines_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text(
        "\n".join(
            [
                json.dumps({"_id": "d1", "text": "ok"}),
                "{not json",
                json.dumps({"_id": "d3"}),
                json.dumps({"_id": "d1", "text": "dubbel"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    (tmp_path / "queries.jsonl").write_text(json.dumps({"_id": "", "text": "x"}) + "\n", encoding="utf-8")
    (tmp_path / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\tveel\nq1\td1\n", encoding="utf-8")
    with pytest.raises(EvalInputError) as info:
        load_beir(tmp_path)
    message = str(info.value)
    corpus, queries, qrels = tmp_path / "corpus.jsonl", tmp_path / "queries.jsonl", tmp_path / "qrels.tsv"
    for fragment in [
        f"{corpus}:2: invalid JSON",
        f"{corpus}:3: field 'text': must be a string",
        f"{corpus}:4: field '_id': duplicate document id 'd1'",
        f"{queries}:1: field '_id': must be a non-empty string",
        f"{qrels}:2: score 'veel' is not an integer",
        f"{qrels}:3: expected 3 tab-separated columns",
    ]:
        assert fragment in message, fragment


def test_missing_files_and_nothing_judged(tmp_path: Path) -> None:
    with pytest.raises(EvalInputError, match=r"missing corpus.jsonl, queries.jsonl, qrels.tsv"):
        load_beir(tmp_path)
    write_beir(tmp_path, {"d1": "tekst"}, {"q1": "vraag"}, {})
    with pytest.raises(EvalInputError, match="no query has a judgement"):
        load_beir(tmp_path)
