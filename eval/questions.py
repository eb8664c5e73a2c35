"""Question sets: one JSON object a line, schema in `shared/eval/README.md`.

Sets from outside the project are run through the same loader, so validation reports every problem at
once ("FILE:LINE: field 'x': problem") instead of stopping at the first: the author fixes the file in one
pass. Unknown extra fields are ignored so sets may carry their own annotations.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import EvalInputError

QUESTION_TYPES = frozenset({"factoid", "list", "multi", "unanswerable", "followup", "briefing"})
TURN_ROLES = frozenset({"user", "assistant"})
REQUIRED_FIELDS = ("id", "type", "lang", "question")
# A language tag like "nl", "en", "pt-BR": short, so a typo such as a full sentence is caught.
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_SCHEMA_HINT = "see shared/eval/README.md for the question-set schema"


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier message in a follow-up conversation."""

    role: str  # "user" or "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: str
    lang: str
    question: str
    answer: str = ""
    facts: tuple[tuple[str, ...], ...] = ()  # each fact: acceptable spellings
    sources: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    turns: tuple[Turn, ...] = ()

    @property
    def answerable(self) -> bool:
        """True when the corpus holds the answer and there is something (facts or evidence) to score."""
        return self.type != "unanswerable" and bool(self.facts or self.evidence)

    @property
    def unanswerable(self) -> bool:
        return self.type == "unanswerable"


class _Problems:
    """Collects "FILE:LINE: field 'x': problem (hint: ...)" lines for one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []

    def add(self, line: int, field: str | None, problem: str, hint: str) -> None:
        where = f"{self.path}:{line}: " + (f"field '{field}': " if field else "")
        self.lines.append(f"{where}{problem} (hint: {hint})")


def _string_list(value: Any, field: str, line: int, problems: _Problems, *, hint: str) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        problems.add(line, field, f"must be a list of strings, got {type(value).__name__}", hint)
        return None
    bad = [i for i, item in enumerate(value) if not isinstance(item, str) or not item.strip()]
    if bad:
        problems.add(line, field, f"item(s) {bad} must be non-empty strings", hint)
        return None
    return tuple(value)


def _parse_facts(value: Any, line: int, problems: _Problems) -> tuple[tuple[str, ...], ...] | None:
    hint = 'write facts as a list of lists of spellings, e.g. [["2015"], ["Utøya", "Utoya"]]'
    if not isinstance(value, list):
        problems.add(line, "facts", f"must be a list of lists of strings, got {type(value).__name__}", hint)
        return None
    facts: list[tuple[str, ...]] = []
    ok = True
    for i, fact in enumerate(value):
        if not isinstance(fact, list) or not fact:
            problems.add(line, "facts", f"fact {i} must be a non-empty list of strings", hint)
            ok = False
            continue
        if any(not isinstance(s, str) or not s.strip() for s in fact):
            problems.add(line, "facts", f"fact {i} holds an empty or non-string spelling", hint)
            ok = False
            continue
        facts.append(tuple(fact))
    return tuple(facts) if ok else None


def _parse_turns(value: Any, line: int, problems: _Problems) -> tuple[Turn, ...] | None:
    hint = 'write turns as [{"role": "user", "content": "..."}, {"role": "assistant", "content": "..."}]'
    if not isinstance(value, list):
        problems.add(line, "turns", f"must be a list of objects, got {type(value).__name__}", hint)
        return None
    turns: list[Turn] = []
    ok = True
    for i, turn in enumerate(value):
        if not isinstance(turn, dict):
            problems.add(line, "turns", f"turn {i} must be an object with 'role' and 'content'", hint)
            ok = False
            continue
        role, content = turn.get("role"), turn.get("content")
        if role not in TURN_ROLES:
            problems.add(line, "turns", f"turn {i} has role {role!r}; allowed: user, assistant", hint)
            ok = False
        if not isinstance(content, str) or not content.strip():
            problems.add(line, "turns", f"turn {i} needs a non-empty string 'content'", hint)
            ok = False
        if ok:
            turns.append(Turn(role=str(role), content=str(content)))
    return tuple(turns) if ok else None


def _parse_line(obj: Any, line: int, problems: _Problems) -> Question | None:
    if not isinstance(obj, dict):
        problems.add(line, None, f"must be a JSON object, got {type(obj).__name__}", _SCHEMA_HINT)
        return None
    before = len(problems.lines)
    for name in REQUIRED_FIELDS:
        if name not in obj:
            problems.add(line, name, "is missing", f"add '{name}'; {_SCHEMA_HINT}")

    qid = obj.get("id")
    # Integer ids are accepted (other tools write them); they are compared as strings.
    if "id" in obj and not (
        (isinstance(qid, str) and qid.strip()) or (isinstance(qid, int) and not isinstance(qid, bool))
    ):
        problems.add(line, "id", f"must be a non-empty string, got {qid!r}", "give every question a unique id")
    qtype = obj.get("type")
    if "type" in obj and qtype not in QUESTION_TYPES:
        problems.add(
            line,
            "type",
            f"{qtype!r} is not a question type",
            f"use one of {', '.join(sorted(QUESTION_TYPES))}",
        )
    lang = obj.get("lang")
    if "lang" in obj and not (isinstance(lang, str) and _LANG_RE.match(lang)):
        problems.add(line, "lang", f"{lang!r} is not a language code", "use a short code such as 'nl' or 'en'")
    text = obj.get("question")
    if "question" in obj and not (isinstance(text, str) and text.strip()):
        problems.add(line, "question", "must be a non-empty string", "write the question as the user types it")
    answer = obj.get("answer", "")
    if not isinstance(answer, str):
        problems.add(line, "answer", f"must be a string, got {type(answer).__name__}", "write the reference answer")

    facts = _parse_facts(obj.get("facts", []), line, problems)
    sources = _string_list(obj.get("sources", []), "sources", line, problems, hint="list document file names")
    evidence = _string_list(
        obj.get("evidence", []), "evidence", line, problems, hint="list verbatim quotes from the sources"
    )
    turns = _parse_turns(obj.get("turns", []), line, problems)

    if qtype == "unanswerable":
        # A fact on an unanswerable question would be scored against an answer that must decline.
        for name, value in (("facts", facts), ("sources", sources), ("evidence", evidence)):
            if value:
                problems.add(line, name, "must be empty for an unanswerable question", "remove it or change 'type'")

    if len(problems.lines) > before or facts is None or sources is None or evidence is None or turns is None:
        return None
    return Question(
        id=str(qid),
        type=str(qtype),
        lang=str(lang),
        question=str(text),
        answer=str(answer),
        facts=facts,
        sources=sources,
        evidence=evidence,
        turns=turns,
    )


def load_questions(path: Path) -> list[Question]:
    """Read and validate a question set; raise one `EvalInputError` listing every problem."""
    try:
        # utf-8-sig: sets saved by Windows editors start with a BOM.
        raw = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EvalInputError(f"question set not found: {path}", hint="check the path") from None
    except UnicodeDecodeError as exc:
        raise EvalInputError(f"{path}: not UTF-8 ({exc.reason})", hint="save the file as UTF-8") from None
    except OSError as exc:
        raise EvalInputError(f"cannot read question set {path}: {exc.strerror}", hint="check the path") from None

    problems = _Problems(Path(path))
    questions: list[Question] = []
    first_line: dict[str, int] = {}
    for number, text in enumerate(raw.splitlines(), start=1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.add(number, None, f"invalid JSON: {exc.msg} at column {exc.colno}", "one JSON object a line")
            continue
        question = _parse_line(obj, number, problems)
        if question is None:
            continue
        if question.id in first_line:
            problems.add(
                number,
                "id",
                f"duplicate id {question.id!r} (first on line {first_line[question.id]})",
                "ids must be unique",
            )
            continue
        first_line[question.id] = number
        questions.append(question)

    if problems.lines:
        count = len(problems.lines)
        raise EvalInputError(
            f"{path}: {count} problem{'s' if count != 1 else ''} in question set:\n" + "\n".join(problems.lines),
            hint="fix the lines listed; " + _SCHEMA_HINT,
        )
    if not questions:
        raise EvalInputError(f"{path}: the question set holds no questions", hint=_SCHEMA_HINT)
    return questions
