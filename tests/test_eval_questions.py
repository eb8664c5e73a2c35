"""Question-set loading: the shared dev set loads, broken lines are all reported with line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.core.errors import EvalInputError
from eval.questions import Question, Turn, load_questions

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "eval" / "questions-dev.jsonl"

GOOD = {
    "id": "q1",
    "type": "factoid",
    "lang": "nl",
    "question": "In welk jaar?",
    "answer": "2015.",
    "facts": [["2015"]],
    "sources": ["a.txt"],
    "evidence": ["In 2015"],
}


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loads_a_valid_set_with_turns_extra_fields_and_blank_lines(tmp_path: Path) -> None:
    followup = {
        **GOOD,
        "id": 7,  # integer ids are accepted and become strings
        "type": "followup",
        "lang": "en",
        "turns": [{"role": "user", "content": "Eerst dit"}, {"role": "assistant", "content": "Antwoord"}],
        "reviewer": "extra fields are ignored",
    }
    unanswerable = {"id": "q3", "type": "unanswerable", "lang": "nl", "question": "Budget?", "facts": []}
    path = write_lines(
        tmp_path / "set.jsonl", [json.dumps(GOOD), "", "   ", json.dumps(followup), json.dumps(unanswerable)]
    )
    questions = load_questions(path)
    assert [q.id for q in questions] == ["q1", "7", "q3"]
    assert questions[0] == Question(
        id="q1",
        type="factoid",
        lang="nl",
        question="In welk jaar?",
        answer="2015.",
        facts=(("2015",),),
        sources=("a.txt",),
        evidence=("In 2015",),
    )
    assert questions[1].turns == (Turn("user", "Eerst dit"), Turn("assistant", "Antwoord"))
    assert questions[0].answerable and questions[1].answerable
    assert not questions[2].answerable and questions[2].unanswerable


@pytest.mark.skipif(not DEV_SET.is_file(), reason="shared dev set not present")
def test_loads_the_shared_dev_set() -> None:
    questions = load_questions(DEV_SET)
    assert len(questions) == 20
    assert {q.type for q in questions} >= {"factoid", "list", "multi", "unanswerable", "followup", "briefing"}
    assert sum(not q.answerable for q in questions) == sum(q.type == "unanswerable" for q in questions)
    assert any(q.turns for q in questions)


def test_every_problem_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD),  # 1 ok
        "",  # 2 blank: ignored, but still counts for line numbers
        '{"id": "q2", "type": "factoid",',  # 3 broken JSON
        json.dumps({**GOOD, "id": "q4", "type": "essay"}),  # 4 unknown type
        json.dumps({k: v for k, v in GOOD.items() if k != "question"} | {"id": "q5"}),  # 5 missing field
        json.dumps({**GOOD, "id": "q6", "facts": [[]]}),  # 6 empty fact
        json.dumps(GOOD),  # 7 duplicate id
        json.dumps({**GOOD, "id": "q8", "turns": [{"role": "system", "content": "x"}]}),  # 8 bad role
        json.dumps({**GOOD, "id": "q9", "lang": "Nederlands alstublieft"}),  # 9 bad lang
        json.dumps({**GOOD, "id": "q10", "facts": "2015"}),  # 10 facts not a list
        json.dumps({**GOOD, "id": "q11", "type": "unanswerable"}),  # 11 unanswerable with facts
        "[1, 2]",  # 12 not an object
    ]
    path = write_lines(tmp_path / "bad.jsonl", lines)
    with pytest.raises(EvalInputError) as info:
        load_questions(path)
    message = str(info.value)
    expected = [
        f"{path}:3: invalid JSON",
        f"{path}:4: field 'type': 'essay' is not a question type",
        f"{path}:5: field 'question': is missing",
        f"{path}:6: field 'facts': fact 0 must be a non-empty list",
        f"{path}:7: field 'id': duplicate id 'q1' (first on line 1)",
        f"{path}:8: field 'turns': turn 0 has role 'system'",
        f"{path}:9: field 'lang':",
        f"{path}:10: field 'facts': must be a list of lists",
        f"{path}:11: field 'facts': must be empty for an unanswerable question",
        f"{path}:12: must be a JSON object",
    ]
    for fragment in expected:
        assert fragment in message, fragment
    assert f"{path}:1:" not in message and f"{path}:2:" not in message
    # Nine lines with one problem each, line 11 with three (facts, sources and evidence all non-empty).
    assert "12 problems" in info.value.message
    assert "(hint:" in message


def test_missing_and_empty_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(EvalInputError, match="not found"):
        load_questions(tmp_path / "absent.jsonl")
    with pytest.raises(EvalInputError, match="no questions"):
        load_questions(write_lines(tmp_path / "empty.jsonl", ["", ""]))
