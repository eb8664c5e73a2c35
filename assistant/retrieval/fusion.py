"""Fusing ranked runs (dense, BM25, ...) and diversifying the result. Pure functions over `Hit`s.

Every function returns new `Hit`s with `rank` renumbered 1..n. `scores` keeps the per-run scores of the
inputs (so an answer can explain why a chunk was found) plus the fused score under the method's name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from assistant.core.records import Chunk, Hit


def minmax(scores: Sequence[float]) -> list[float]:
    """Scale to [0, 1] by the list's own min and max. All-equal scores map to 1.0: each item is as good
    as the best one in its run (mapping them to 0 would erase a run that found a single document)."""
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if high == low:
        return [1.0] * len(scores)
    return [(s - low) / (high - low) for s in scores]


def _renumber(hits: Sequence[Hit]) -> list[Hit]:
    return [replace(h, rank=i) for i, h in enumerate(hits, start=1)]


def _collect(runs: Mapping[str, Sequence[Hit]]) -> tuple[dict[str, Chunk], dict[str, dict[str, float]]]:
    """Chunks by id and, per chunk, the scores every run reported for it (first occurrence per run)."""
    chunks: dict[str, Chunk] = {}
    merged: dict[str, dict[str, float]] = {}
    for hits in runs.values():
        seen: set[str] = set()
        for hit in hits:
            cid = hit.chunk.chunk_id
            if cid in seen:
                continue
            seen.add(cid)
            chunks.setdefault(cid, hit.chunk)
            merged.setdefault(cid, {}).update(hit.scores)
    return chunks, merged


def _best_rank(runs: Mapping[str, Sequence[Hit]], weights: Mapping[str, float]) -> dict[str, tuple[int, int]]:
    """Tie-break key per chunk: its rank in the dense run (if any), then its best rank in any run."""
    dense_name = "dense" if "dense" in runs else max(runs, key=lambda n: weights.get(n, 0.0), default="")
    keys: dict[str, tuple[int, int]] = {}
    for name, hits in runs.items():
        for position, hit in enumerate(hits, start=1):
            cid = hit.chunk.chunk_id
            dense, best = keys.get(cid, (1 << 30, 1 << 30))
            if name == dense_name:
                dense = min(dense, position)
            keys[cid] = (dense, min(best, position))
    return keys


def convex_fusion(runs: Mapping[str, Sequence[Hit]], weights: Mapping[str, float], k: int) -> list[Hit]:
    """sum over runs of weight * minmax(score in that run); a chunk a run did not return gets 0 there.

    Runs without a weight get weight 0. Ties go to the better dense rank (the run named "dense", else
    the highest-weighted run), then to the better rank in any run.
    """
    chunks, merged = _collect(runs)
    fused = dict.fromkeys(chunks, 0.0)
    for name, hits in runs.items():
        weight = weights.get(name, 0.0)
        first: dict[str, float] = {}
        for hit in hits:
            first.setdefault(hit.chunk.chunk_id, hit.score)
        for cid, norm in zip(first, minmax(list(first.values())), strict=True):
            fused[cid] += weight * norm
    tie = _best_rank(runs, weights)
    order = sorted(fused, key=lambda cid: (-fused[cid], tie[cid]))[: max(k, 0)]
    return _renumber([Hit(chunk=chunks[c], score=fused[c], scores={**merged[c], "convex": fused[c]}) for c in order])


def weighted_rrf(runs: Mapping[str, Sequence[Hit]], weights: Mapping[str, float], k: int, c: float = 60.0) -> list[Hit]:
    """Reciprocal rank fusion: sum over runs of weight / (c + rank), rank 1-based in each run's order."""
    chunks, merged = _collect(runs)
    fused = dict.fromkeys(chunks, 0.0)
    for name, hits in runs.items():
        weight = weights.get(name, 0.0)
        seen: set[str] = set()
        for position, hit in enumerate(hits, start=1):
            cid = hit.chunk.chunk_id
            if cid not in seen:
                seen.add(cid)
                fused[cid] += weight / (c + position)
    tie = _best_rank(runs, weights)
    order = sorted(fused, key=lambda cid: (-fused[cid], tie[cid]))[: max(k, 0)]
    return _renumber([Hit(chunk=chunks[x], score=fused[x], scores={**merged[x], "rrf": fused[x]}) for x in order])


Similarity = Callable[[Chunk, Chunk], float]


def _cosine_from_vectors(vectors: Mapping[str, npt.NDArray[np.float32]]) -> Similarity:
    def sim(a: Chunk, b: Chunk) -> float:
        va, vb = vectors[a.chunk_id], vectors[b.chunk_id]
        denom = float(np.linalg.norm(va) * np.linalg.norm(vb))
        return float(np.dot(va, vb)) / denom if denom else 0.0

    return sim


def mmr(
    hits: Sequence[Hit],
    similarity: Mapping[str, npt.NDArray[np.float32]] | Similarity,
    lambda_: float,
    k: int,
) -> list[Hit]:
    """Maximal marginal relevance: repeatedly pick argmax lambda * rel - (1 - lambda) * max sim to picked.

    Relevance is the hits' scores min-max scaled to [0, 1] so lambda means the same for any retriever.
    `similarity` is either chunk vectors by chunk id (cosine) or a function of two chunks. Ties keep the
    input order.
    """
    if not 0.0 <= lambda_ <= 1.0:
        raise ValueError(f"lambda_ must be within 0..1, got {lambda_}")
    sim = _cosine_from_vectors(similarity) if isinstance(similarity, Mapping) else similarity
    relevance = minmax([h.score for h in hits])
    remaining = list(range(len(hits)))
    picked: list[int] = []
    max_sim = [float("-inf")] * len(hits)  # best similarity to anything picked so far
    while remaining and len(picked) < k:
        best = max(
            remaining,
            key=lambda i: (
                lambda_ * relevance[i] - (1 - lambda_) * (max_sim[i] if picked else 0.0),
                -i,
            ),
        )
        remaining.remove(best)
        picked.append(best)
        for i in remaining:
            max_sim[i] = max(max_sim[i], sim(hits[i].chunk, hits[best].chunk))
    return _renumber([hits[i] for i in picked])


def cap_per_document(hits: Sequence[Hit], max_per_doc: int, k: int) -> list[Hit]:
    """At most `max_per_doc` chunks of any one document in the top k, keeping the input order.

    Chunks over the cap are not dropped when the list would otherwise fall short of k: they fill the
    remaining places afterwards, in order (better a sixth chunk of one document than nothing).
    """
    if max_per_doc < 1:
        raise ValueError(f"max_per_doc must be at least 1, got {max_per_doc}")
    counts: dict[str, int] = {}
    kept: list[Hit] = []
    overflow: list[Hit] = []
    for hit in hits:
        n = counts.get(hit.chunk.doc_id, 0)
        if n < max_per_doc:
            counts[hit.chunk.doc_id] = n + 1
            kept.append(hit)
        else:
            overflow.append(hit)
    return _renumber((kept + overflow)[: max(k, 0)])


def keep_run_leaders(
    top: Sequence[Hit], fused: Sequence[Hit], runs: Mapping[str, Sequence[Hit]], k: int, within: int | None = None
) -> list[Hit]:
    """The top `k` with each run's first candidate among its first `within` places (default: all k): a
    passage BM25 ranks first while the dense run ranks it far down (or not at all) falls out of a weighted
    fusion; it is put at place `within`, the passages from there on move down one. `fused` gives the
    leader's fused score when it is not in `top`."""
    within = min(within or k, k)
    out = list(top[:k])
    by_id = {h.chunk.chunk_id: h for h in fused}
    for hits in runs.values():
        if not hits or len(out) < within:
            continue
        leader_id = hits[0].chunk.chunk_id
        if leader_id not in by_id or any(h.chunk.chunk_id == leader_id for h in out[:within]):
            continue
        out = [h for h in out if h.chunk.chunk_id != leader_id]
        out.insert(within - 1, by_id[leader_id])
    return _renumber(out[:k])
