"""BEIR-format benchmarks: `corpus.jsonl`, `queries.jsonl` and `qrels.tsv` (or `qrels/test.tsv`).

Format (https://github.com/beir-cellar/beir): corpus lines `{"_id", "title", "text"}`, query lines
`{"_id", "text"}`, qrels a tab-separated file with the header `query-id corpus-id score`.
Syntax problems in any file are collected and raised as one `EvalInputError` ("FILE:LINE: problem").
Inconsistencies that real BEIR sets contain (judgements for documents missing from the corpus) are kept
as warnings, so official sets still load.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.errors import EvalInputError

QRELS_HEADER = ("query-id", "corpus-id", "score")
_MAX_LISTED = 50  # a broken million-line corpus must not produce a million-line message


@dataclass(frozen=True, slots=True)
class BeirDoc:
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class BeirSet:
    folder: Path
    corpus: dict[str, BeirDoc]
    queries: dict[str, str]  # only queries with at least one judgement
    qrels: dict[str, dict[str, int]]  # query id -> corpus id -> graded relevance
    dropped_queries: int = 0  # queries in queries.jsonl without any judgement
    warnings: tuple[str, ...] = field(default=())


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, path: Path, line: int, problem: str) -> None:
        self.lines.append(f"{path}:{line}: {problem}")


def _iter_jsonl(path: Path, problems: _Problems) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                problems.add(path, number, f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(obj, dict):
                problems.add(path, number, f"must be a JSON object, got {type(obj).__name__}")
                continue
            yield number, obj


def _read_id(obj: Mapping[str, Any], path: Path, line: int, problems: _Problems) -> str | None:
    raw = obj.get("_id")
    # Several official sets use numeric ids; they are matched as strings against qrels.tsv.
    if isinstance(raw, bool) or not isinstance(raw, str | int) or not str(raw).strip():
        problems.add(path, line, f"field '_id': must be a non-empty string, got {raw!r}")
        return None
    return str(raw)


def _load_corpus(path: Path, problems: _Problems) -> dict[str, BeirDoc]:
    corpus: dict[str, BeirDoc] = {}
    for line, obj in _iter_jsonl(path, problems):
        doc_id = _read_id(obj, path, line, problems)
        text, title = obj.get("text"), obj.get("title", "")
        if not isinstance(text, str):
            problems.add(path, line, f"field 'text': must be a string, got {type(text).__name__}")
            continue
        if title is None:
            title = ""
        if not isinstance(title, str):
            problems.add(path, line, f"field 'title': must be a string, got {type(title).__name__}")
            continue
        if doc_id is None:
            continue
        if doc_id in corpus:
            problems.add(path, line, f"field '_id': duplicate document id {doc_id!r}")
            continue
        corpus[doc_id] = BeirDoc(title=title, text=text)
    return corpus


def _load_queries(path: Path, problems: _Problems) -> dict[str, str]:
    queries: dict[str, str] = {}
    for line, obj in _iter_jsonl(path, problems):
        query_id = _read_id(obj, path, line, problems)
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.add(path, line, "field 'text': must be a non-empty string")
            continue
        if query_id is None:
            continue
        if query_id in queries:
            problems.add(path, line, f"field '_id': duplicate query id {query_id!r}")
            continue
        queries[query_id] = text
    return queries


def _parse_score(raw: str) -> int | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    # Some tools write "1.0"; a fractional grade has no meaning in nDCG's integer gains.
    return int(value) if value.is_integer() else None


def _load_qrels(path: Path, problems: _Problems, warnings: list[str]) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    duplicates = 0
    with path.open(encoding="utf-8-sig") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            cells = text.rstrip("\r\n").split("\t")
            if len(cells) != 3:
                cells = text.split()  # tolerate space-separated files
            if number == 1 and tuple(c.strip().lower() for c in cells) == QRELS_HEADER:
                continue
            if len(cells) != 3:
                problems.add(
                    path,
                    number,
                    f"expected 3 tab-separated columns (query-id, corpus-id, score), got {len(cells)}",
                )
                continue
            query_id, doc_id, raw_score = (c.strip() for c in cells)
            score = _parse_score(raw_score)
            if not query_id or not doc_id:
                problems.add(path, number, "query-id and corpus-id must not be empty")
                continue
            if score is None:
                problems.add(path, number, f"score {raw_score!r} is not an integer")
                continue
            judged = qrels.setdefault(query_id, {})
            duplicates += doc_id in judged
            judged[doc_id] = score
    if duplicates:
        warnings.append(f"{path}: {duplicates} repeated judgement(s); the last one counts")
    return qrels


def _qrels_path(folder: Path) -> Path | None:
    for candidate in (folder / "qrels.tsv", folder / "qrels" / "test.tsv"):
        if candidate.is_file():
            return candidate
    return None


def load_beir(folder: Path) -> BeirSet:
    """Load and validate a BEIR folder. Queries without judgements are dropped (`dropped_queries`)."""
    folder = Path(folder)
    corpus_path, queries_path, qrels_path = (
        folder / "corpus.jsonl",
        folder / "queries.jsonl",
        _qrels_path(folder),
    )
    missing = [p.name for p in (corpus_path, queries_path) if not p.is_file()]
    if qrels_path is None:
        missing.append("qrels.tsv (or qrels/test.tsv)")
    if missing:
        raise EvalInputError(
            f"{folder}: not a BEIR benchmark, missing {', '.join(missing)}",
            hint="a BEIR folder holds corpus.jsonl, queries.jsonl and qrels.tsv",
        )
    assert qrels_path is not None  # for the type checker: `missing` covers it

    problems = _Problems()
    warnings: list[str] = []
    try:
        corpus = _load_corpus(corpus_path, problems)
        queries = _load_queries(queries_path, problems)
        qrels = _load_qrels(qrels_path, problems, warnings)
    except UnicodeDecodeError as exc:
        raise EvalInputError(f"{folder}: a benchmark file is not UTF-8 ({exc.reason})", hint="save as UTF-8") from None

    if problems.lines:
        listed = problems.lines[:_MAX_LISTED]
        more = len(problems.lines) - len(listed)
        tail = f"\n... and {more} more" if more else ""
        raise EvalInputError(
            f"{folder}: {len(problems.lines)} problem(s) in the BEIR benchmark:\n" + "\n".join(listed) + tail,
            hint="fix the lines listed; see https://github.com/beir-cellar/beir for the format",
        )
    if not corpus:
        raise EvalInputError(f"{corpus_path}: the corpus holds no documents", hint="add documents")

    unknown_queries = sorted(q for q in qrels if q not in queries)
    if unknown_queries:
        warnings.append(
            f"{qrels_path}: {len(unknown_queries)} judged query id(s) not in queries.jsonl, ignored "
            f"(first: {unknown_queries[0]!r})"
        )
        for query_id in unknown_queries:
            del qrels[query_id]
    unknown_docs = sum(1 for judged in qrels.values() for doc_id in judged if doc_id not in corpus)
    if unknown_docs:
        # Official sets contain a few of these; they count as relevant but can never be retrieved.
        warnings.append(f"{qrels_path}: {unknown_docs} judgement(s) name documents not in corpus.jsonl")

    judged_queries = {q: text for q, text in queries.items() if q in qrels}
    dropped = len(queries) - len(judged_queries)
    if not judged_queries:
        raise EvalInputError(
            f"{folder}: no query has a judgement in {qrels_path.name}",
            hint="check that qrels query-ids match the _id values in queries.jsonl",
        )
    return BeirSet(
        folder=folder,
        corpus=corpus,
        queries=judged_queries,
        qrels=qrels,
        dropped_queries=dropped,
        warnings=tuple(warnings),
    )


def write_beir(
    folder: Path,
    corpus: Mapping[str, BeirDoc | str],
    queries: Mapping[str, str],
    qrels: Mapping[str, Mapping[str, int]],
) -> None:
    """Write a benchmark in BEIR layout (a `str` corpus value is the text, with an empty title)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for doc_id, doc in corpus.items():
            title, text = ("", doc) if isinstance(doc, str) else (doc.title, doc.text)
            handle.write(json.dumps({"_id": doc_id, "title": title, "text": text}, ensure_ascii=False) + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for query_id, text in queries.items():
            handle.write(json.dumps({"_id": query_id, "text": text}, ensure_ascii=False) + "\n")
    with (folder / "qrels.tsv").open("w", encoding="utf-8") as handle:
        handle.write("\t".join(QRELS_HEADER) + "\n")
        for query_id, judged in qrels.items():
            for doc_id, score in judged.items():
                if "\t" in query_id or "\t" in doc_id or "\n" in query_id or "\n" in doc_id:
                    raise ValueError(f"ids must not contain tabs or newlines: {query_id!r}, {doc_id!r}")
                handle.write(f"{query_id}\t{doc_id}\t{int(score)}\n")
