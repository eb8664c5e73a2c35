"""Evaluation runs: a question set through the same path as the chat (the principal's scoped assistant, where
a briefing request goes to the briefing generator whatever the question's label), or a BEIR benchmark through
the same retriever. Results are appended per question, so an interrupted run still leaves its partial results
(and metrics over what was done)."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from assistant.access.principal import Principal
from assistant.answering.answerer import Turn
from assistant.composition import Assistant, build_assistant
from assistant.core.config import Settings
from assistant.core.errors import EvalInputError
from assistant.core.records import Answer, Chunk, Hit
from assistant.retrieval.lexical import LexicalIndex
from eval.beir import load_beir
from eval.metrics import QuestionResult, aggregate, aggregate_beir, score_question, unfound_evidence
from eval.questions import Question, load_questions
from eval.report import append_result, write_metrics, write_report
from ingest.chunking import LEGACY_CHUNKING, chunking_label

log = logging.getLogger(__name__)

Pipeline = Literal["default", "baseline"]
Progress = Callable[[int, int, str], None]

DEFAULT_DISTRACTOR_SOURCE = Path(__file__).resolve().parent.parent.parent / "shared/testdata/laws/laws_subset.jsonl.gz"


@dataclass
class EvalRun:
    out: Path
    metrics: dict[str, float]
    results: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    index_seconds: float = 0.0
    interrupted: bool = False
    # question id -> its evidence quotes that no indexed chunk holds (`eval.metrics.unfound_evidence`)
    unfound_evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _key(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:12]


def _vector_kind(settings: Settings) -> str:
    """The backend as far as the index is concerned: float32 ONNX gives torch's vectors (and shares its
    collection), so both use one evaluation index; the name is torch's, which indexes built before kept."""
    backend = settings.embedding.embedding_backend
    return "sentence-transformers" if backend == "onnx" else backend


def eval_root(settings: Settings) -> Path:
    """Where evaluation indexes (and the distractor documents they hold) live: inside the data dir, so they get
    its permissions and go wherever it goes. They hold the text of restricted documents."""
    return settings.storage.data_dir / "eval"


def _legacy_eval_root(settings: Settings) -> Path:
    return settings.storage.data_dir.parent / "eval"  # versions before issue #17 wrote here, beside the data dir


def migrate_eval_folder(settings: Settings, name: str) -> Path:
    """`eval_root(settings) / name`, moved there (renamed, not copied) from the old location beside the data
    dir when only the old one exists: re-indexing the PDF set takes about 25 minutes. An existing new folder
    wins and the old one is left alone."""
    new = eval_root(settings) / name
    old = _legacy_eval_root(settings) / name
    if new.exists() or not old.is_dir() or old.resolve() == new.resolve():
        return new
    new.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        old.rename(new)
    except OSError as exc:  # another file system, or a concurrent move: build a fresh index instead
        log.warning("evaluation folder %s not moved to %s (%s); it is rebuilt there", old, new, exc)
        return new
    log.warning("moved evaluation folder %s to %s (evaluation indexes now live inside the data dir)", old, new)
    return new


def eval_settings(settings: Settings, *parts: object) -> Settings:
    """A separate index for evaluation, keyed by what it contains, so runs never touch the user's index and
    an unchanged corpus is reused."""
    key = _key(*parts)
    return settings.updated(data_dir=migrate_eval_folder(settings, key), collection_prefix=f"eval{key}")


def corpus_index_settings(
    settings: Settings, corpus: Path, distractors: object = 0, pipeline: str = "default"
) -> Settings:
    """The evaluation index `assistant eval` uses for `corpus`: tools that measure over the same questions
    (calibration, sweeps) must open this one, not build their own."""
    # Another chunk size gets its own index (the ingest would otherwise cut the shared one again, both ways); the
    # default keeps the key indexes were built under before the cut was part of it.
    cut = chunking_label(settings.ingest.chunk_size, settings.ingest.chunk_overlap)
    return eval_settings(
        settings,
        corpus,
        distractors,
        pipeline,
        _vector_kind(settings),
        settings.embedding.embedding_model,
        *(() if cut == LEGACY_CHUNKING else (cut,)),
    )


def _truncate(text: str, max_chars: int | None) -> str:
    """The start of `text`, cut at the last paragraph (else sentence) end before `max_chars`."""
    if not max_chars or len(text) <= max_chars:
        return text
    head = text[:max_chars]
    cut = max(head.rfind("\n\n"), head.rfind(". "))
    return head[: cut + 1].strip() if cut > max_chars // 2 else head.strip()


def materialise_distractors(source: Path, n: int, folder: Path, max_chars: int | None = None) -> Path:
    """Write the first `n` non-empty laws of the laws corpus as Markdown files (once; reused), each cut to
    its first `max_chars` characters when given (title and first articles: many distractor documents for
    the embedding time of a few full laws)."""
    target = folder / (f"laws-{n}" if not max_chars else f"laws-{n}-{max_chars}c")
    done = target / ".complete"
    if done.is_file():
        return target
    if not source.is_file():
        raise EvalInputError(
            f"distractor corpus {source} not found",
            hint="pass --distractor-source FILE (JSON lines with id, title, text; gzip allowed)",
        )
    target.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if source.suffix == ".gz" else open
    written = 0
    with opener(source, "rt", encoding="utf-8") as fh:
        for line in fh:
            if written >= n:
                break
            record = json.loads(line)
            text = str(record.get("text") or "").strip()
            if len(text) < 200:
                continue
            text = _truncate(text, max_chars)
            name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(record.get("id", written)))
            body = f"# {record.get('title', name)}\n\n{text}\n"
            (target / f"{name}.md").write_text(body, encoding="utf-8")
            written += 1
    done.write_text(str(written))
    return target


def _hit_record(hit: Hit) -> dict[str, Any]:
    c = hit.chunk
    return {
        "rank": hit.rank,
        "chunk_id": c.chunk_id,
        "source": c.source,
        "page": c.page,
        "score": round(hit.score, 5),
        "scores": {k: round(v, 5) for k, v in hit.scores.items()},
        "text": c.text[:300],
    }


def _record(q: Question, answer: Answer, result: QuestionResult) -> dict[str, Any]:
    rec = result.to_record()
    rec.update(
        {
            "query": answer.query,
            "abstain_reason": answer.abstain_reason,
            "hits": [_hit_record(h) for h in answer.hits],
            "citations_list": [asdict(c) for c in answer.citations],
            "timings_ms": {k: round(v, 1) for k, v in answer.timings_ms.items()},
            "verification": dict(answer.verification),
        }
    )
    return rec


def run_questions(
    settings: Settings,
    questions_path: Path,
    *,
    out: Path,
    corpus: Path | None = None,
    distractors: int = 0,
    distractor_source: Path = DEFAULT_DISTRACTOR_SOURCE,
    distractor_chars: int | None = None,
    pipeline: Pipeline = "default",
    progress: Progress | None = None,
    assistant: Assistant | None = None,
    principal: Principal | None = None,
) -> EvalRun:
    """`principal`: whose access groups limit retrieval (None: all groups, the operator)."""
    principal = principal or Principal.operator()
    questions = load_questions(questions_path)  # validates every line before any slow work
    if pipeline == "baseline" and not principal.all_groups:
        raise EvalInputError(
            "the baseline pipeline reads the corpus without access groups",
            hint="run it as the operator (no --groups/--user), or use the default pipeline",
        )
    corpus = (corpus or settings.ingest.corpus_dir).resolve()
    if not corpus.exists():
        raise EvalInputError(f"corpus {corpus} does not exist", hint="pass --corpus DIR")
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.jsonl"
    results_path.write_text("", encoding="utf-8")
    started = time.perf_counter()

    ev_settings = corpus_index_settings(
        settings, corpus, distractors if not distractor_chars else f"{distractors}-{distractor_chars}c", pipeline
    )
    paths = [corpus]
    if distractors:
        folder = migrate_eval_folder(settings, "distractors")  # the index's manifest names these files
        paths.append(materialise_distractors(distractor_source, distractors, folder, distractor_chars))
    t_index = time.perf_counter()
    unfound: dict[str, tuple[str, ...]] = {}
    chain: Any
    ask: Callable[[str, Sequence[Turn]], Answer]
    if pipeline == "baseline":
        from assistant.answering.chain import AnswerChain
        from assistant.answering.extractive import ExtractiveAnswerer
        from assistant.embedding.embedders import SentenceTransformerEmbedder
        from assistant.embedding.models import resolve_model_folder
        from eval.baseline import BASELINE_K, BaselineRetriever

        folder, model_id = resolve_model_folder(ev_settings.updated(embedding_model="all-minilm-l6-v2"))
        minilm = SentenceTransformerEmbedder(folder, model_id=model_id)
        ev_settings.storage.data_dir.mkdir(parents=True, exist_ok=True)
        retriever = BaselineRetriever(minilm, ev_settings.storage.data_dir)
        retriever.index(paths)
        chain = AnswerChain(retriever, ExtractiveAnswerer(minilm), retrieve_k=BASELINE_K, answer_k=BASELINE_K)
        ask = chain.ask  # the baseline is a plain retrieve-and-extract chain: no briefings, no access groups
    else:
        threads = ev_settings.ingest.ingest_threads
        if assistant is None:
            # Indexing waits on nobody: its embedder may use every core, as `assistant ingest`'s does. It also
            # embeds every answer sentence, so the measured latency is the steady state of a warm library, not
            # the first question about a passage; the questions are then answered with the serving thread count.
            update: dict[str, object] = {"precompute_answer_vectors": True}
            if threads:
                update["embedding_threads"] = threads
            indexer = build_assistant(ev_settings.updated(**update))
            report = indexer.ingest(paths, sync=True)
            del indexer  # its model and store handles, before the serving ones open
            a = build_assistant(ev_settings)
        else:
            a = assistant or build_assistant(ev_settings)
            report = a.ingest(paths, sync=True)
        failures = [r for r in report.results if r.status == "failed"]
        if failures and len(failures) == len(report.results):
            raise EvalInputError(f"no document of {corpus} could be ingested: {failures[0].error}")
        # Questions run as the principal, through the chat's own entry point: the same access groups, and a
        # briefing request answered by the briefing generator as in the chat (audited once, by the caller).
        view = a.scoped(principal, audited=False)
        chain = view.chain
        ask = view.ask
        # A quote the index does not hold makes its question a retrieval miss whatever the ranking: say so.
        unfound = unfound_evidence({q.id: q.evidence for q in questions if q.evidence}, a.store.all_chunks())
    index_seconds = time.perf_counter() - t_index

    results: list[QuestionResult] = []
    records: list[dict[str, Any]] = []
    interrupted = False
    # One warm-up query so model start-up does not count as the first question's latency.
    ask("warm-up", ())
    try:
        for i, q in enumerate(questions, 1):
            if progress:
                progress(i, len(questions), q.id)
            history = [Turn(t.role, t.content) for t in q.turns]
            t0 = time.perf_counter()
            # No branch on the question's label: what the chat does with the text is what is measured.
            answer = ask(q.question, history)
            latency = (time.perf_counter() - t0) * 1000
            result = score_question(q, answer, list(answer.hits), latency)
            results.append(result)
            record = _record(q, answer, result)
            records.append(record)
            append_result(results_path, record)
    except KeyboardInterrupt:
        interrupted = True

    metrics = aggregate(results)
    meta = {
        "questions": str(questions_path),
        "corpus": str(corpus),
        "distractors": distractors,
        "distractor_chars": distractor_chars,
        "pipeline": pipeline,
        "embedding": f"{settings.embedding.embedding_backend}:{settings.embedding.embedding_model}"
        if pipeline == "default"
        else "all-minilm-l6-v2",
        "chunks_indexed": chain.retriever.store.count() if hasattr(chain.retriever, "store") else None,
        "index_seconds": round(index_seconds, 2),
        "seconds": round(time.perf_counter() - started, 2),
        "interrupted": interrupted,
        "access": None if principal.all_groups else sorted(principal.groups),
        "user": principal.name,
        "completed": f"{len(results)}/{len(questions)}",
        "evidence_unfound": {qid: list(quotes) for qid, quotes in unfound.items()},
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''} {_cpu_count()} CPUs".strip(),
    }
    write_metrics(out, metrics)
    (out / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    write_report(out, metrics, records, title=f"Evaluatie {questions_path.name} ({pipeline})", meta=meta)
    return EvalRun(out, metrics, records, time.perf_counter() - started, index_seconds, interrupted, unfound)


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0


def run_beir(settings: Settings, folder: Path, *, out: Path, k: int = 10, progress: Progress | None = None) -> EvalRun:
    """Index the BEIR corpus (one chunk per corpus document, title with text) and retrieve for every query."""
    bench = load_beir(folder)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    signature = _key(folder.resolve(), len(bench.corpus), sorted(bench.corpus)[:5])
    ev_settings = eval_settings(settings, "beir", signature, _vector_kind(settings), settings.embedding.embedding_model)
    a = build_assistant(ev_settings)
    store = a.store
    t_index = time.perf_counter()
    known = set(store.ids())
    todo = [cid for cid in bench.corpus if cid not in known]
    batch = 64
    for start in range(0, len(todo), batch):
        ids = todo[start : start + batch]
        chunks = [
            Chunk(
                chunk_id=cid,
                doc_id=cid,
                source=cid,
                title=bench.corpus[cid].title,
                text=bench.corpus[cid].text,
                start=0,
                end=len(bench.corpus[cid].text),
                ordinal=0,
            )
            for cid in ids
        ]
        vectors = a.embedder.embed_documents([c.embed_text for c in chunks])
        store.add(chunks, np.asarray(vectors, dtype=np.float32))
        if progress:
            progress(min(start + batch, len(todo)), len(todo), "indexing")
    index_seconds = time.perf_counter() - t_index
    # The BEIR chunks bypass the manifest, so BM25 is built from the store itself, not from the manifest.
    built: list[LexicalIndex] = []

    def lexical() -> LexicalIndex:
        if not built:
            built.append(LexicalIndex.build(store.all_chunks()))
        return built[0]

    retriever = a.retriever_for(store, lexical)
    run: dict[str, list[str]] = {}
    latencies = []
    records = []
    for i, (qid, text) in enumerate(sorted(bench.queries.items()), 1):
        t0 = time.perf_counter()
        hits = retriever.search(text, max(k, 10))
        latencies.append((time.perf_counter() - t0) * 1000)
        run[qid] = [h.chunk.doc_id for h in hits]
        records.append({"id": qid, "query": text, "ranked": run[qid][:10], "relevant": bench.qrels.get(qid, {})})
        if progress and i % 10 == 0:
            progress(i, len(bench.queries), qid)
    metrics = aggregate_beir(run, bench.qrels)
    from eval.metrics import percentile

    metrics["latency.p50_ms"] = percentile(latencies, 50) if latencies else 0.0
    metrics["latency.p95_ms"] = percentile(latencies, 95) if latencies else 0.0
    write_metrics(out, metrics)
    with (out / "results.jsonl").open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    meta = {
        "beir": str(folder),
        "corpus": len(bench.corpus),
        "queries": len(bench.queries),
        "index_seconds": round(index_seconds, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return EvalRun(out, metrics, records, time.perf_counter() - started, index_seconds)
