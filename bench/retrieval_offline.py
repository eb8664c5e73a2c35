"""Retrieval variants over the eval indexes, with every vector computed once and cached, so a sweep of
fusion, caps, prompts and second stages runs in seconds.

    .venv/bin/python -m bench.retrieval_offline embed [--sets pdfs,dev]     # document vectors per prompt variant
    .venv/bin/python -m bench.retrieval_offline sweep [--sets ...] [--out NAME]

Question sets with evidence quotes over the index `assistant eval` builds for their corpus (same settings, same
key): the dev set and our own set over the bundled corpus, the public PDF set and our own PDF set over
`../shared/testdata/pdfs`. Dense scores are exact cosine over all chunks (HNSW at ef 200 returns the same top 50
at this size). The answer-type preference is the product's own `AnswerTypeReranker`.

Cached under bench/results/cache/ (ignored by git). Writes bench/results/<out>.{json,md}."""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.answering.answerer import Turn
from assistant.answering.chain import HistoryExpansion
from assistant.composition import build_assistant
from assistant.core.config import BUNDLED_CORPUS, Settings, load_settings
from assistant.core.offline import quiet_offline_environment
from assistant.core.records import Chunk
from assistant.retrieval.lexical import LexicalIndex
from eval.questions import load_questions
from eval.runner import corpus_index_settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
RESULTS = ROOT / "bench" / "results"
CACHE = RESULTS / "cache"

SETS: dict[str, tuple[Path, Path]] = {
    "dev": (SHARED / "eval" / "questions-dev.jsonl", BUNDLED_CORPUS),
    "own": (ROOT / "bench" / "data" / "own-questions.jsonl", BUNDLED_CORPUS),
    "pdfs": (SHARED / "eval" / "questions-pdfs.jsonl", SHARED / "testdata" / "pdfs"),
    "own-pdfs": (ROOT / "bench" / "data" / "own-questions-pdfs.jsonl", SHARED / "testdata" / "pdfs"),
}

QUERY_PROMPTS = {"search": "task: search result | query: ", "qa": "task: question answering | query: "}

Vec = npt.NDArray[np.float32]


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:16]


def doc_text(chunk: Chunk, variant: str) -> str:
    """The text the embedder sees, per document-prompt variant."""
    if variant == "none":  # today: title and headings in the text, the model's default "title: none"
        return f"title: none | text: {chunk.embed_text}"
    if variant == "title":  # the model card's form: the real title in the prompt, headings in the text
        heading = " > ".join(h for h in chunk.heading_path if h)
        body = f"{heading}\n\n{chunk.text}" if heading else chunk.text
        return f"title: {chunk.title or 'none'} | text: {body}"
    raise ValueError(variant)


class Encoder:
    """The installed EmbeddingGemma with explicit prompt strings (vectors cached on disk by text)."""

    def __init__(self, settings: Settings, cache: str = "texts", model: Any = None) -> None:
        """`model`: an already loaded model to share (one load per process)."""
        from sentence_transformers import SentenceTransformer

        from assistant.embedding.models import resolve_model_folder

        folder, self.model_id = resolve_model_folder(settings)
        self.model = model or SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        self.path = CACHE / f"{cache}-{self.model_id}.npz"
        self.vectors: dict[str, Vec] = {}
        if self.path.is_file():
            data = np.load(self.path)
            self.vectors = {k: data[k] for k in data.files}

    def encode(self, texts: Sequence[str], *, save_every: int = 64) -> list[Vec]:
        missing = sorted({t for t in texts if _hash(t) not in self.vectors}, key=len)
        t0 = time.perf_counter()
        for start in range(0, len(missing), save_every):
            part = missing[start : start + save_every]
            vecs = self.model.encode(part, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
            for text, v in zip(part, vecs, strict=True):
                self.vectors[_hash(text)] = np.asarray(v, dtype=np.float32)
            self.save()
            done = start + len(part)
            print(f"  embedded {done}/{len(missing)} ({done / (time.perf_counter() - t0):.2f}/s)", flush=True)
        return [self.vectors[_hash(t)] for t in texts]

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, **self.vectors)
        tmp.replace(self.path)


@dataclass
class Corpus:
    chunks: list[Chunk]
    stored: Vec  # the vectors in the product's index ("none" variant, as ingested)
    lexical: LexicalIndex
    doc_vectors: dict[str, Vec] = field(default_factory=dict)  # per document-prompt variant


def index_settings(corpus: Path) -> Settings:
    """The settings `assistant eval` uses for `corpus` (its separate, reused index)."""
    base = load_settings()
    return corpus_index_settings(base, corpus.resolve())


def stored_passages(store: Any) -> tuple[list[Chunk], Vec]:
    """Every passage a Chroma store holds (of a document; bookkeeping entries left out) with its stored vector."""
    got = store._col.get(include=["embeddings", "documents", "metadatas"])
    chunks = [
        Chunk.from_metadata(cid, text or "", meta)
        for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
    ]
    keep = [i for i, c in enumerate(chunks) if c.doc_id]
    return [chunks[i] for i in keep], np.asarray(got["embeddings"], dtype=np.float32)[keep]


def load_corpus(corpus: Path) -> Corpus:
    a = build_assistant(index_settings(corpus))
    chunks, stored = stored_passages(a.store)
    if not chunks:
        raise SystemExit(f"no index for {corpus}: run `assistant eval` on it first")
    return Corpus(chunks, stored, LexicalIndex.build(chunks))


@dataclass
class Query:
    qid: str
    text: str
    evidence: list[str]
    vectors: dict[str, Vec]  # per query-prompt variant


def load_queries(path: Path) -> list[tuple[str, str, list[str]]]:
    rewriter = HistoryExpansion()
    out = []
    for q in load_questions(path):
        if not q.evidence:
            continue
        text = rewriter.rewrite(q.question, [Turn(t.role, t.content) for t in q.turns])
        out.append((q.id, text, list(q.evidence)))
    return out


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "R@1": sum(1 for r in ranks if r is not None and r <= 1) / n,
        "R@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "R@10": sum(1 for r in ranks if r is not None and r <= 10) / n,
        "MRR": sum(1 / r for r in ranks if r is not None and r <= 10) / n,
    }


def main() -> None:
    quiet_offline_environment()
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["embed", "sweep"])
    parser.add_argument("--sets", default="dev,own,pdfs,own-pdfs")
    parser.add_argument("--variants", default="none,title")
    parser.add_argument("--out", default="retrieval_offline")
    parser.add_argument("--only", default="", help="comma-separated prefixes of fusion names to run")
    parser.add_argument("--sentence", default="", help="comma-separated sentence re-scoring weights to try")
    parser.add_argument("--docs", default="none,title", help="document-prompt variants to sweep")
    args = parser.parse_args()
    names = args.sets.split(",")
    encoder = Encoder(load_settings(), "texts" if args.command == "embed" else "sweep")
    corpora: dict[Path, Corpus] = {}
    for name in names:
        _questions, cdir = SETS[name]
        if cdir not in corpora:
            corpora[cdir] = load_corpus(cdir)
    if args.command == "embed":
        for cdir, corpus in corpora.items():
            for variant in args.variants.split(","):
                print(f"{cdir.name}: {len(corpus.chunks)} chunks, variant {variant}", flush=True)
                encoder.encode([doc_text(c, variant) for c in corpus.chunks])
        return
    from bench.retrieval_variants import run_sweep

    weights = [float(w) for w in args.sentence.split(",") if w]
    run_sweep(names, corpora, encoder, args.out, args.docs.split(","), args.only, weights)


if __name__ == "__main__":
    main()
