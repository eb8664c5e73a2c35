"""Concurrency trial: N threads ask questions while one thread keeps ingesting, on one shared Assistant (as the
app shares one Assistant between all sessions).

What is checked:
- no exception in any thread;
- consistency: every question about the bundled corpus gets exactly the answer (text and cited chunks) it
  got before the writer started, during and after the writer's work (the writer's documents are on other
  topics, and `after == before` is checked so the requirement is fair);
- every citation points at a passage that was retrieved for that question, of a document that existed
  (the bundled corpus or a version the writer ingested);
- at the end the manifest, the store and the BM25 index agree.

The writer ingests a folder several times: each round rewrites one document (an update), adds a new one and
removes the previous round's (a `--sync` removal). Questions about the writer's documents are asked too:
their answers change, but may only cite documents that existed.

`python -m bench.concurrency [--threads 20] [--rounds 6] [--server HOST:PORT] [--real]` writes
bench/results/concurrency-<mode>.json and .md. Tests: tests/test_concurrency.py.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.composition import Assistant
from assistant.core.records import Answer
from assistant.retrieval.lexical import chunks_signature

CORPUS_QUESTIONS = (
    "In welk jaar is de gemeente Den Haag lid geworden van EFUS?",
    "Wat was het thema van de EFUS-conferentie in Parijs in juni 2015?",
    "Wat zijn de vijf prioriteiten van de Coalitie voor veiligheid 2023-2026?",
    "Welke locaties zijn bezocht tijdens de dienstreis naar Oslo?",
    "Wat is het Strong Cities Network?",
    "Hoeveel deelnemers had de conferentie over Veiligheid, Democratie en Steden in Brussel in 2024?",
    "Wat is sociale cohesie volgens het rapport?",
    "Welke Belgische en Nederlandse directies wisselen kennis uit over veiligheid en preventie?",
)
WRITER_QUESTIONS = (
    "Op welke dag wordt het grofvuil in Zuidwijk opgehaald?",
    "Hoeveel kost een bewonersparkeervergunning?",
)
_TOPICS = (
    (
        "grofvuil",
        "Ophaaldagen grofvuil Zuidwijk",
        "Het grofvuil in Zuidwijk wordt op {day} opgehaald. Zet het "
        "grofvuil voor zeven uur 's ochtends aan de straat. Koelkasten en wasmachines worden apart ingezameld.",
    ),
    (
        "parkeren",
        "Tarieven parkeervergunning",
        "Een bewonersparkeervergunning kost {price} euro per jaar. Een "
        "tweede vergunning per adres is duurder. De aanvraag loopt via het digitale loket.",
    ),
)
_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag")


def answer_signature(answer: Answer) -> tuple[str, tuple[str, ...], bool]:
    return answer.text, tuple(c.chunk_id for c in answer.citations), answer.abstained


def passages_signature(answer: Answer) -> tuple[str, ...]:
    """The passages an answer was built from, in order: the same passages must give the same answer."""
    return tuple(h.chunk.chunk_id for h in answer.hits)


@dataclass
class StressResult:
    mode: str
    threads: int
    writer_rounds: int
    questions_asked: int = 0
    asked_while_writing: int = 0  # answered while the writer was still at work
    compared: int = 0  # corpus answers built from the same passages as before, so compared with it
    errors: list[str] = field(default_factory=list)
    inconsistent: list[str] = field(default_factory=list)
    unretrieved_citations: list[str] = field(default_factory=list)
    unknown_documents: list[str] = field(default_factory=list)
    changed_after: list[str] = field(default_factory=list)
    end_state: list[str] = field(default_factory=list)
    writer_operations: dict[str, int] = field(default_factory=dict)
    latency_ms_p50: float = 0.0
    latency_ms_p95: float = 0.0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (
            self.errors
            or self.inconsistent
            or self.unretrieved_citations
            or self.unknown_documents
            or self.changed_after
            or self.end_state
        )


def write_round(folder: Path, n: int) -> None:
    """Round n of the writer's folder: doc 'grofvuil' rewritten, 'parkeren-<n>' new, 'parkeren-<n-1>' gone."""
    folder.mkdir(parents=True, exist_ok=True)
    key, title, body = _TOPICS[0]
    (folder / f"{key}.md").write_text(f"# {title}\n\n{body.format(day=_DAYS[n % len(_DAYS)])}\n", encoding="utf-8")
    key, title, body = _TOPICS[1]
    for old in folder.glob(f"{key}-*.md"):
        old.unlink()
    (folder / f"{key}-{n}.md").write_text(f"# {title} {2020 + n}\n\n{body.format(price=40 + n)}\n", encoding="utf-8")


def stress(
    assistant: Assistant,
    writer_folder: Path,
    *,
    threads: int = 20,
    writer_rounds: int = 6,
    min_passes: int = 2,
    mode: str = "",
) -> StressResult:
    """Run the trial on an Assistant whose index already holds the bundled corpus."""
    result = StressResult(
        mode=mode or assistant.settings.storage.store_mode, threads=threads, writer_rounds=writer_rounds
    )
    corpus_docs = {d.doc_id for d in assistant.manifest.documents()}
    first = {q: assistant.ask(q) for q in CORPUS_QUESTIONS}
    before = {q: answer_signature(a) for q, a in first.items()}
    before_passages = {q: passages_signature(a) for q, a in first.items()}
    seen_docs: set[str] = set(corpus_docs)
    seen_lock = threading.Lock()
    answers: list[tuple[str, Answer]] = []
    latencies: list[float] = []
    lock = threading.Lock()
    writer_done = threading.Event()
    start = threading.Barrier(threads + 1)

    def record_error(where: str) -> None:
        with lock:
            result.errors.append(f"{where}: {traceback.format_exc(limit=8)}")

    def writer() -> None:
        start.wait()
        try:
            for n in range(writer_rounds):
                write_round(writer_folder, n)
                report = assistant.ingest([writer_folder], sync=True)
                with seen_lock:
                    seen_docs.update(r.doc_id for r in report.results if r.doc_id)
                for status, count in report.summary().items():
                    result.writer_operations[status] = result.writer_operations.get(status, 0) + count
                if report.failed:
                    raise RuntimeError(f"ingest failed: {[r.error for r in report.results if r.error]}")
        except Exception:
            record_error("writer")
        finally:
            writer_done.set()

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        questions = list(CORPUS_QUESTIONS + WRITER_QUESTIONS)
        start.wait()
        passes = 0
        while passes < min_passes or not writer_done.is_set():
            rng.shuffle(questions)
            for q in questions:
                try:
                    t0 = time.perf_counter()
                    answer = assistant.ask(q)
                    elapsed = (time.perf_counter() - t0) * 1000
                except Exception:
                    record_error(f"reader {seed} asking {q!r}")
                    return
                with lock:
                    answers.append((q, answer))
                    latencies.append(elapsed)
                    if not writer_done.is_set():
                        result.asked_while_writing += 1
            passes += 1

    workers = [threading.Thread(target=reader, args=(i,), name=f"reader-{i}") for i in range(threads)]
    workers.append(threading.Thread(target=writer, name="writer"))
    t_start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    result.seconds = round(time.perf_counter() - t_start, 2)

    result.questions_asked = len(answers)
    for q, answer in answers:
        retrieved = {h.chunk.chunk_id for h in answer.hits}
        for c in answer.citations:
            if c.chunk_id not in retrieved:
                result.unretrieved_citations.append(f"{q!r} cites {c.chunk_id}, not among its passages")
            if c.doc_id not in seen_docs:
                result.unknown_documents.append(f"{q!r} cites document {c.doc_id}, which never existed")
        # While the writer works, the library differs (its documents come and go), so BM25 statistics and the
        # fused order of corpus passages may shift a little; what must hold is that the same passages give the
        # same answer (no torn state), and that a corpus question never quotes the writer's documents.
        if q in before and passages_signature(answer) == before_passages[q]:
            result.compared += 1
            if answer_signature(answer) != before[q]:
                result.inconsistent.append(f"{q!r}: {answer.text[:120]!r} != {before[q][0][:120]!r}")
        if q in before:
            foreign = [c.doc_id for c in answer.citations if c.doc_id not in corpus_docs]
            if foreign:
                result.inconsistent.append(f"{q!r} cites the writer's documents {foreign}")
    after = {q: answer_signature(assistant.ask(q)) for q in CORPUS_QUESTIONS}
    result.changed_after = [q for q in CORPUS_QUESTIONS if after[q] != before[q]]
    result.end_state = end_state_problems(assistant)
    if latencies:
        ordered = sorted(latencies)
        result.latency_ms_p50 = round(statistics.median(ordered), 1)
        result.latency_ms_p95 = round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)
    # Keep reports readable: the first few of each kind say enough.
    for name in ("errors", "inconsistent", "unretrieved_citations", "unknown_documents"):
        items = getattr(result, name)
        if len(items) > 10:
            setattr(result, name, [*items[:10], f"... and {len(items) - 10} more"])
    return result


def end_state_problems(assistant: Assistant) -> list[str]:
    """Manifest, store and BM25 index must agree once everything is quiet."""
    problems: list[str] = []
    manifest_ids = set(assistant.manifest.chunk_ids())
    searchable = assistant.manifest.searchable_chunk_ids()
    store_ids = set(assistant.store.ids())
    if manifest_ids != store_ids:
        problems.append(
            f"store and manifest differ: {len(store_ids - manifest_ids)} orphans in the store, "
            f"{len(manifest_ids - store_ids)} manifest chunks missing from it"
        )
    if assistant.manifest.unfinished():
        problems.append(f"documents left unfinished: {sorted(assistant.manifest.unfinished())}")
    for row in assistant.manifest.files():
        if row.status == "ok" and assistant.manifest.document_status(row.doc_id or "") != "ok":
            problems.append(f"file {row.source} points at a missing document {row.doc_id}")
    if assistant.settings.search.retrieval == "hybrid" and assistant.lexical.get().signature != chunks_signature(
        searchable
    ):
        problems.append("the BM25 index does not hold exactly the searchable chunks")
    return problems


def to_markdown(results: list[StressResult]) -> str:
    lines = [
        "| mode | threads | writer rounds | writer ops | questions asked (while writing) | errors | inconsistent | "
        "unretrieved citations | unknown documents | p50 / p95 ms | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ops = ", ".join(f"{k} {v}" for k, v in r.writer_operations.items() if v)
        lines.append(
            f"| {r.mode} | {r.threads} | {r.writer_rounds} | {ops} | {r.questions_asked} ({r.asked_while_writing}) | "
            f"{len(r.errors)} | "
            f"{len(r.inconsistent)} | {len(r.unretrieved_citations)} | {len(r.unknown_documents)} | "
            f"{r.latency_ms_p50:.0f} / {r.latency_ms_p95:.0f} | {r.seconds:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import tempfile

    from assistant.composition import build_assistant
    from assistant.core.config import load_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--server", help="HOST:PORT of a running `chroma run` (default: embedded Chroma)")
    parser.add_argument("--real", action="store_true", help="the real default embedder instead of the test profile")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        overrides: dict[str, Any] = {"data_dir": Path(tmp) / "data", "_env_file": None}
        if not args.real:
            overrides["profile"] = "test"
        if args.server:
            host, port = args.server.rsplit(":", 1)
            overrides.update(chroma_host=host, chroma_port=int(port), collection_prefix=f"stress{int(time.time())}")
        assistant = build_assistant(load_settings(**overrides))
        assistant.ingest([assistant.settings.ingest.corpus_dir])
        mode = ("server" if args.server else "embedded") + (" real" if args.real else " test")
        result = stress(assistant, Path(tmp) / "writer", threads=args.threads, writer_rounds=args.rounds, mode=mode)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"concurrency-{mode.replace(' ', '-')}"
    stem.with_suffix(".json").write_text(json.dumps(asdict(result), indent=2, ensure_ascii=False), encoding="utf-8")
    stem.with_suffix(".md").write_text(to_markdown([result]), encoding="utf-8")
    print(to_markdown([result]))
    for name in ("errors", "inconsistent", "unretrieved_citations", "unknown_documents", "changed_after", "end_state"):
        for item in getattr(result, name):
            print(f"{name}: {item}", file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
