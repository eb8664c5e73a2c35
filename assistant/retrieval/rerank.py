"""Second stage: re-score the fused candidates by their best sentence.

A passage is embedded as a whole, so a chunk that mentions the question's subject throughout can outrank
the chunk holding the one sentence that answers it (the conference's organisers are named in one sentence
of a passage about the conference's themes). The reranker looks inside: for each of the top candidates it
takes the highest cosine between the query and the passage's answer units (sentences, lists, with their
heading), and mixes that, min-max normalised over the candidates, into the fused score.

The unit vectors are the ones the extractive answerer uses, embedded at ingest into the persistent
`VectorCache`, so re-ranking costs lookups and dot products, not model calls; units not yet cached are
embedded once and stored.

The other second stage, a local cross-encoder model, is in `assistant/retrieval/cross_encoder.py`; both mix their score
into the fused one with `mix_scores` and leave the tail below the head (`with_tail`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.core.embedder import Embedder
from assistant.core.records import Hit
from assistant.embedding.cache import VectorCache
from assistant.language.answertype import Expectation, direct_answer, retrieval_expectation, satisfies
from assistant.language.units import extract_units, unit_key
from assistant.retrieval.fusion import minmax


@runtime_checkable
class Reranker(Protocol):
    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        """The same hits, re-scored and re-ordered (ranks renumbered from 1)."""
        ...


def mix_scores(hits: Sequence[Hit], extra: Sequence[float], weight: float, name: str) -> list[Hit]:
    """(1 − weight) · first-stage score (min-max normalised) + weight · `extra` (min-max normalised), re-sorted.
    Ties keep the first-stage order. The component scores are kept in `Hit.scores` for explanation."""
    if not hits:
        return []
    base = minmax([h.score for h in hits])
    second = minmax(list(extra))
    mixed = [(1.0 - weight) * b + weight * e for b, e in zip(base, second, strict=True)]
    order = sorted(range(len(hits)), key=lambda i: (-mixed[i], i))
    return [
        replace(hits[i], score=mixed[i], rank=rank, scores={**hits[i].scores, name: float(extra[i])})
        for rank, i in enumerate(order, start=1)
    ]


def with_tail(reranked: list[Hit], tail: Sequence[Hit]) -> list[Hit]:
    """The re-scored head, then the candidates beyond it in their own order, ranked and scored below it: a
    second stage only re-orders what it looked at."""
    floor = min(h.score for h in reranked)
    return reranked + [replace(h, rank=len(reranked) + i, score=min(h.score, floor)) for i, h in enumerate(tail, 1)]


class SentenceReranker:
    """Re-scores the top candidates by max cosine(query, answer unit) inside each passage."""

    def __init__(self, embedder: Embedder, cache: VectorCache | None, *, weight: float = 0.5, top: int = 20) -> None:
        self.embedder = embedder
        self.cache = cache
        self.weight = weight
        self.top = top

    def _vectors(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = dict(self.cache.get_many(keys)) if self.cache is not None else {}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing:
            fresh = {
                k: np.asarray(v, dtype=np.float32)
                for k, v in zip(missing, self.embedder.embed_documents(missing), strict=True)
            }
            if self.cache is not None:
                self.cache.put_many(fresh)
            found.update(fresh)
        return found

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        head, tail = list(hits[: self.top]), list(hits[self.top :])
        if len(head) < 2 or self.weight <= 0:
            return list(hits)
        keys_per_hit = [[unit_key(u) for u in extract_units(0, h.chunk.text, h.chunk.heading_path)] for h in head]
        vectors = self._vectors([k for keys in keys_per_hit for k in keys])
        q = np.asarray(self.embedder.embed_query(query), dtype=np.float32).reshape(-1)
        best: list[float] = []
        for hit, keys in zip(head, keys_per_hit, strict=True):
            if keys:
                best.append(float(max(vectors[k] @ q for k in keys)))
            else:  # a passage without sentences (a table): its own dense score stands in
                best.append(float(hit.scores.get("dense", 0.0)))
        return with_tail(mix_scores(head, best, self.weight, "sentence"), tail)


def answer_type_support(text: str, heading_path: Sequence[str], expectation: Expectation) -> float:
    """1.0 when a sentence of the passage holds the kind of answer expected (a date for "wanneer", a number
    for "hoeveel", an amount for "budget", a named person next to the question's names for "wie is de
    burgemeester van X", the spelled-out form of an abbreviation), or states it directly ("16 landen" for
    "hoeveel landen"); else 0.0."""
    units = extract_units(0, text, heading_path)
    return 1.0 if any(direct_answer(u.text, expectation) or satisfies(u.text, expectation) for u in units) else 0.0


class AnswerTypeReranker:
    """Prefers, among the top candidates, the passages that can hold the kind of answer the question asks
    for. The expected type comes from the question's form alone (`assistant.language.answertype`); a question whose
    form says nothing ("Wat was het thema …", lists, titles) keeps the first-stage order untouched.

    A passage that repeats the question's words but holds no date cannot answer "wanneer"; a dense or BM25
    score cannot see that, a pattern can. The bonus is a mix weight, so a clearly better first-stage passage
    still wins over a weak one that merely contains a date."""

    def __init__(self, *, weight: float = 0.3, top: int = 20, then: Reranker | None = None) -> None:
        self.weight = weight
        self.top = top
        self.then = then

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        out = list(hits)
        expectation = retrieval_expectation(query)
        head, tail = out[: self.top], out[self.top :]
        if expectation is not None and self.weight > 0 and len(head) >= 2:
            support = [answer_type_support(h.chunk.text, h.chunk.heading_path, expectation) for h in head]
            if len(set(support)) > 1:  # all alike: nothing to prefer
                out = with_tail(mix_scores(head, support, self.weight, "answer_type"), tail)
        return self.then.rerank(query, out) if self.then is not None else out
