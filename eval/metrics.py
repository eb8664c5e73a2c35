"""Evaluation metrics: pure functions over records, no I/O, no models.

Metric names are the stable keys of `metrics.json` (see `shared/eval/README.md`). Where the README leaves
room, this module decides, and the decision is stated next to the code:

* Ranks are 1-based positions in the `hits` sequence as given (best first); `Hit.rank` is not trusted
  because retrievers may leave it at 0.
* Retrieval metrics (`retrieval.*`) count answerable questions that carry evidence quotes
  (`doc_recall@5`: answerable questions that name sources).
* `answer.fact_recall` is micro-averaged: matched facts / all facts, over answerable questions.
  `retrieval.fact_recall@5` is the same share for the text of the first five retrieved passages instead of
  the answer: the facts within the answer's reach. Against `answer.fact_recall` it tells a fact that
  retrieval never brought from one the answer left out, and unlike the evidence metrics it needs no quotes.
  Longer passages raise it too, but only as far as the text the answer reads holds the facts.
  `answer.all_facts` is the share of answerable questions with facts where every fact is present.
* `citation.precision` is micro-averaged over all citations of answerable questions; with no citations at
  all it is 0.0 (an assistant that never cites must not look perfect).
* `citation.invalid` is a count (not a share): citations, over all questions, to passages that were not
  retrieved. Any value above 0 is a bug in the citation step.
* `abstention.accuracy` is over questions of type `unanswerable`; 1.0 when the set has none (nothing was
  got wrong). `abstention.false_rate` is over answerable questions; 0.0 when there are none.
* Other top-level metrics over an empty population are 0.0, so every key exists and is a number;
  `n_answerable` and `n_unanswerable` tell a reader when a value is vacuous. Breakdowns (`by_type.*`,
  `by_lang.*`) only carry metrics whose population in that group is non-empty.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from assistant.core.records import Answer, Chunk, Citation, Hit

from .questions import Question

RECALL_KS = (1, 3, 5, 10)
DOC_RECALL_K = 5

METRIC_NAMES: tuple[str, ...] = (
    "n_questions",
    *(f"retrieval.evidence_recall@{k}" for k in RECALL_KS),
    "retrieval.mrr",
    f"retrieval.doc_recall@{DOC_RECALL_K}",
    f"retrieval.fact_recall@{DOC_RECALL_K}",
    "answer.fact_recall",
    "answer.all_facts",
    "citation.precision",
    "citation.invalid",
    "abstention.accuracy",
    "abstention.false_rate",
    "latency.p50_ms",
    "latency.p95_ms",
)
BEIR_METRIC_NAMES: tuple[str, ...] = (
    "beir.ndcg@10",
    "beir.recall@1",
    "beir.recall@5",
    "beir.recall@10",
    "beir.mrr@10",
)

# Metrics where a smaller number is better; thresholds on them are maxima.
_LOWER_IS_BETTER = ("citation.invalid", "abstention.false_rate")
_LOWER_IS_BETTER_PREFIXES = ("latency.",)
_BREAKDOWN_RE = re.compile(r"^by_(?:type|lang)\.[^.]+\.")


def base_metric(name: str) -> str:
    """`by_type.factoid.answer.fact_recall` -> `answer.fact_recall`."""
    return _BREAKDOWN_RE.sub("", name, count=1)


def is_latency(name: str) -> bool:
    """A time in milliseconds (`latency.p50_ms`, `by_type.factoid.latency.p95_ms`), not a share or a count."""
    return base_metric(name).startswith("latency.")


def lower_is_better(name: str) -> bool:
    base = base_metric(name)
    return base in _LOWER_IS_BETTER or base.startswith(_LOWER_IS_BETTER_PREFIXES)


# ---------------------------------------------------------------------------------------------- text

# Letters that NFKD does not decompose but that users type without the mark ("Utoya" for "Utøya").
_CHAR_MAP = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "ħ": "h",
        "ı": "i",
        "ŀ": "l",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        # Typographic quotes and dashes from Word/PDF versus plain ones typed in a question set.
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        # Invisible characters left by extraction.
        "\u00ad": "",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
    }
)


def normalise(text: str) -> str:
    """Casefold, strip accents, unify quotes and dashes, collapse whitespace.

    NFKD splits "é" into "e" + a combining accent, which is then dropped; it also turns ligatures ("ﬁ")
    and non-breaking spaces into their plain forms.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.translate(_CHAR_MAP).split())


_NOT_ALNUM = re.compile(r"[\W_]+")


def _squash(text: str) -> str:
    """Normalised text without whitespace or punctuation: evidence quotes are verbatim, but PDF extraction both
    drops and inserts spaces and line breaks, and ingest writes a letter's tab-separated header fields as
    "Datum: …" lines, so only letters and digits are compared when looking for a quote."""
    return _NOT_ALNUM.sub("", normalise(text))


def _base_name(source: str) -> str:
    # Gold sources are bare file names; chunk sources may carry the folder they were ingested from.
    return source.replace("\\", "/").rsplit("/", 1)[-1]


# ----------------------------------------------------------------------------------------- retrieval


TRIMMED_GAP = 2  # characters between two chunks that only the trimmed whitespace of a boundary can explain


def _join_adjacent(a: Chunk, b: Chunk) -> str | None:
    """Text of two chunks of the same document that touch or overlap, merged by offsets.

    Returns None when they are from different documents, have a gap between them (more than the whitespace
    a chunker trims at a boundary), or one lies inside the other (then the joined text holds nothing the
    larger chunk does not).
    """
    if a.doc_id != b.doc_id:
        return None
    first, second = sorted((a, b), key=lambda c: (c.start, c.end))
    if second.end <= first.end:
        return None
    if second.start > first.end:
        # The chunker trims the whitespace at a boundary: chunks that end and start a character or two apart
        # touch. Joined without the gap; a quote holding a character of a real gap then still fails to match.
        return first.text + second.text if second.start - first.end <= TRIMMED_GAP else None
    overlap = first.end - second.start
    if len(first.text) == first.end - first.start and len(second.text) == second.end - second.start:
        # Offsets describe the texts exactly: drop the shared part once.
        return first.text + second.text[overlap:]
    # Offsets do not match the texts (a splitter stripped whitespace): find the shared part by text,
    # never longer than the offsets allow.
    for size in range(min(overlap, len(first.text), len(second.text)), 0, -1):
        if first.text.endswith(second.text[:size]):
            return first.text + second.text[size:]
    return first.text + " " + second.text


def unfound_evidence(evidence: Mapping[str, Sequence[str]], chunks: Iterable[Chunk]) -> dict[str, tuple[str, ...]]:
    """Per question id, the evidence quotes that no indexed chunk holds, nor two touching chunks of one document
    joined: the matching `evidence_rank` uses, so such a question can never count as found. Usually a quote that
    was edited, or copied from text the loader reads differently (a table, a scanned page); the set's author
    should look at it. Questions whose quotes are all found are left out."""
    texts: list[str] = []
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        texts.append(_squash(chunk.text))
        by_doc.setdefault(chunk.doc_id, []).append(chunk)
    for doc_chunks in by_doc.values():
        ordered = sorted(doc_chunks, key=lambda c: (c.start, c.end))
        for first, second in pairwise(ordered):
            joined = _join_adjacent(first, second)
            if joined is not None:
                texts.append(_squash(joined))
    # One search per quote over all texts at once; squashed text holds only letters and digits, so the line
    # break cannot join the end of one text to the start of the next.
    haystack = "\n".join(texts)
    unfound: dict[str, tuple[str, ...]] = {}
    for qid, quotes in evidence.items():
        missing = tuple(q for q in quotes if (squashed := _squash(q)) and squashed not in haystack)
        if missing:
            unfound[qid] = missing
    return unfound


def evidence_rank(evidence: Sequence[str], hits: Sequence[Hit], *, joined_neighbours: bool = True) -> int | None:
    """1-based rank of the first retrieved chunk that contains any evidence quote, or None.

    Containment ignores case, accents, punctuation and whitespace (see `normalise`, `_squash`).

    Split quotes: a chunker may cut a quote in two. With `joined_neighbours`, a quote that no single
    hit contains still counts when two retrieved chunks of the same document that touch or overlap
    (`first.end >= second.start`, ordered by `start`) contain it once merged by their offsets. Such a
    pair scores the rank of its *later-ranked* chunk, so at any cutoff k both halves were retrieved
    within the top k. The result is the smallest rank over single chunks and such pairs. Only pairs
    are joined: a quote longer than a whole chunk is a question-set problem.
    """
    quotes = [q for q in (_squash(e) for e in evidence) if q]
    if not quotes or not hits:
        return None
    best: int | None = None
    for position, hit in enumerate(hits, start=1):
        text = _squash(hit.chunk.text)
        if any(q in text for q in quotes):
            best = position
            break
    if not joined_neighbours:
        return best
    # Only pairs whose later member ranks before `best` can improve on it; scan by that member's rank
    # so the first pair found is the best one.
    limit = best - 1 if best is not None else len(hits)
    for later in range(1, limit):
        for earlier in range(later):
            joined = _join_adjacent(hits[earlier].chunk, hits[later].chunk)
            if joined is None:
                continue
            text = _squash(joined)
            if any(q in text for q in quotes):
                return later + 1
    return best


def evidence_recall_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions whose evidence rank is within the top k; 0.0 for no questions."""
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mrr(ranks: Sequence[int | None]) -> float:
    """Mean reciprocal evidence rank; a question whose evidence was not retrieved adds 0."""
    if not ranks:
        return 0.0
    return sum(1.0 / r for r in ranks if r is not None and r > 0) / len(ranks)


def doc_recall_at(sources: Sequence[str], hits: Sequence[Hit], k: int) -> float:
    """Fraction of the distinct gold sources that appear among the top-k hits' `chunk.source`.

    1.0 when every gold source was retrieved (also, vacuously, when there are no gold sources; callers
    leave such questions out of the average). Sources compare by file name, ignoring folders.
    """
    gold = {_base_name(s) for s in sources}
    if not gold:
        return 1.0
    found = {_base_name(h.chunk.source) for h in hits[:k]}
    return len(gold & found) / len(gold)


# ------------------------------------------------------------------------------------------- answers


@lru_cache(maxsize=4096)
def _fact_pattern(spelling: str) -> re.Pattern[str] | None:
    norm = normalise(spelling)
    if not norm:
        return None
    # A number must not match inside a longer number ("700" in "1700", "16" in "2016"). Letters may:
    # sets use stems such as "undermin" on purpose.
    head = r"(?<!\d)" if norm[0].isdigit() else ""
    tail = r"(?!\d)" if norm[-1].isdigit() else ""
    return re.compile(head + re.escape(norm) + tail)


def fact_matches(
    facts: Sequence[Sequence[str]], answer_text: str
) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """Split facts into (matched, missing). A fact matches when any of its spellings occurs in the
    answer, ignoring case, accents and whitespace differences (digits only match as whole numbers)."""
    text = normalise(answer_text)
    matched: list[tuple[str, ...]] = []
    missing: list[tuple[str, ...]] = []
    for fact in facts:
        alternatives = tuple(fact)
        patterns = (_fact_pattern(s) for s in alternatives)
        if any(p is not None and p.search(text) for p in patterns):
            matched.append(alternatives)
        else:
            missing.append(alternatives)
    return tuple(matched), tuple(missing)


# ----------------------------------------------------------------------------------------- citations


def _citation_is_precise(
    citation: Citation, chunk: Chunk | None, gold_sources: Collection[str], quotes: Sequence[str]
) -> bool:
    if _base_name(citation.source) in gold_sources:
        return True
    if chunk is not None and _base_name(chunk.source) in gold_sources:
        return True
    # Without the chunk (not retrieved), the quote shown to the user is the best text we have.
    text = _squash(chunk.text if chunk is not None else citation.quote)
    return any(q in text for q in quotes)


def count_precise_citations(
    citations: Sequence[Citation],
    chunks_by_id: Mapping[str, Chunk],
    sources: Sequence[str],
    evidence: Sequence[str],
) -> int:
    """Number of citations whose chunk comes from a gold source or contains an evidence quote."""
    gold = {_base_name(s) for s in sources}
    quotes = [q for q in (_squash(e) for e in evidence) if q]
    return sum(1 for c in citations if _citation_is_precise(c, chunks_by_id.get(c.chunk_id), gold, quotes))


def citation_precision(
    citations: Sequence[Citation],
    chunks_by_id: Mapping[str, Chunk],
    sources: Sequence[str],
    evidence: Sequence[str],
) -> float:
    """Share of citations whose chunk comes from a gold source or contains an evidence quote; 0.0
    without citations."""
    if not citations:
        return 0.0
    return count_precise_citations(citations, chunks_by_id, sources, evidence) / len(citations)


def invalid_citations(citations: Sequence[Citation], retrieved_ids: Collection[str]) -> int:
    """Number of citations whose `chunk_id` is not among the retrieved hits."""
    return sum(1 for c in citations if c.chunk_id not in retrieved_ids)


# ---------------------------------------------------------------------------------------- abstention


def abstention_accuracy(abstained_on_unanswerable: Sequence[bool]) -> float:
    """Share of unanswerable questions the assistant declined; 1.0 when there are none."""
    if not abstained_on_unanswerable:
        return 1.0
    return sum(abstained_on_unanswerable) / len(abstained_on_unanswerable)


def false_abstention_rate(abstained_on_answerable: Sequence[bool]) -> float:
    """Share of answerable questions the assistant wrongly declined; 0.0 when there are none."""
    if not abstained_on_answerable:
        return 0.0
    return sum(abstained_on_answerable) / len(abstained_on_answerable)


# --------------------------------------------------------------------------------------------- stats


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) with linear interpolation, as `numpy.percentile`'s default."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0.0 <= p <= 100.0:
        raise ValueError(f"percentile must be within 0..100, got {p}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100.0
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ---------------------------------------------------------------------------------------------- BEIR


def _dedupe(ids: Iterable[str]) -> list[str]:
    # A run listing a document twice must not earn its gain twice (pytrec_eval keeps one entry).
    seen: set[str] = set()
    out: list[str] = []
    for doc_id in ids:
        if doc_id not in seen:
            seen.add(doc_id)
            out.append(doc_id)
    return out


def ndcg_at_k(ranked_ids: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k as pytrec_eval/BEIR compute it: gain = graded relevance, discount = log2(rank + 1),
    ideal DCG from the judged relevances sorted high to low. 0.0 when nothing is relevant."""
    dcg = sum(
        max(qrels.get(doc_id, 0), 0) / math.log2(rank + 1)
        for rank, doc_id in enumerate(_dedupe(ranked_ids)[:k], start=1)
    )
    ideal_gains = sorted((rel for rel in qrels.values() if rel > 0), reverse=True)[:k]
    idcg = sum(rel / math.log2(rank + 1) for rank, rel in enumerate(ideal_gains, start=1))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked_ids: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    """Relevant documents (relevance > 0) in the top k, over all relevant documents."""
    relevant = {doc_id for doc_id, rel in qrels.items() if rel > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(_dedupe(ranked_ids)[:k])) / len(relevant)


def mrr_at_k(ranked_ids: Sequence[str], qrels: Mapping[str, int], k: int = 10) -> float:
    """1 / rank of the first relevant document within the top k, else 0."""
    for rank, doc_id in enumerate(_dedupe(ranked_ids)[:k], start=1):
        if qrels.get(doc_id, 0) > 0:
            return 1.0 / rank
    return 0.0


def aggregate_beir(
    run: Mapping[str, Sequence[str]],
    qrels: Mapping[str, Mapping[str, int]],
    *,
    ignore_identical_ids: bool = True,
) -> dict[str, float]:
    """Mean BEIR metrics over the judged queries.

    Unlike BEIR (which averages only over queries present in the run), a judged query missing from
    `run` scores 0: the harness retrieves for every query, so a gap is a failure, not an absence.
    Queries without any relevance > 0 cannot be scored and are left out. As in BEIR, a document whose
    id equals the query id is dropped from the ranking (`ignore_identical_ids`).
    """
    scored = sorted(qid for qid, judged in qrels.items() if any(rel > 0 for rel in judged.values()))
    totals = dict.fromkeys(BEIR_METRIC_NAMES, 0.0)
    for qid in scored:
        ranked = [d for d in run.get(qid, ()) if not (ignore_identical_ids and d == qid)]
        judged = qrels[qid]
        totals["beir.ndcg@10"] += ndcg_at_k(ranked, judged, 10)
        totals["beir.recall@1"] += recall_at_k(ranked, judged, 1)
        totals["beir.recall@5"] += recall_at_k(ranked, judged, 5)
        totals["beir.recall@10"] += recall_at_k(ranked, judged, 10)
        totals["beir.mrr@10"] += mrr_at_k(ranked, judged, 10)
    n = len(scored)
    out = {name: (total / n if n else 0.0) for name, total in totals.items()}
    out["beir.n_queries"] = float(n)
    return out


# ------------------------------------------------------------------------------------ per question


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """Everything scored about one question; `to_record` is one line of results.jsonl."""

    id: str
    type: str
    lang: str
    answerable: bool
    abstained: bool
    evidence_rank: int | None  # None: no evidence quote in any retrieved chunk (or none given)
    has_evidence: bool
    doc_recall_5: float | None  # None when the question names no sources
    facts_matched: tuple[tuple[str, ...], ...]
    facts_missing: tuple[tuple[str, ...], ...]
    n_facts: int
    n_citations: int
    n_precise_citations: int
    n_invalid_citations: int
    latency_ms: float
    # Per metric name: did this question pass it? Only metrics that apply to the question are present.
    passed: dict[str, bool] = field(default_factory=dict, hash=False)
    question: str = ""
    answer: str = ""
    # Facts whose spelling the first DOC_RECALL_K retrieved passages hold (None: a record of an older run).
    facts_in_top: int | None = None

    @property
    def unanswerable(self) -> bool:
        return self.type == "unanswerable"

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "lang": self.lang,
            "question": self.question,
            "answer": self.answer,
            "answerable": self.answerable,
            "abstained": self.abstained,
            "evidence_rank": self.evidence_rank,
            "has_evidence": self.has_evidence,
            f"doc_recall@{DOC_RECALL_K}": self.doc_recall_5,
            "facts_matched": [list(f) for f in self.facts_matched],
            "facts_missing": [list(f) for f in self.facts_missing],
            "n_facts": self.n_facts,
            f"facts_in_top{DOC_RECALL_K}": self.facts_in_top,
            "citations": {
                "n": self.n_citations,
                "precise": self.n_precise_citations,
                "invalid": self.n_invalid_citations,
            },
            "latency_ms": self.latency_ms,
            "passed": dict(self.passed),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> QuestionResult:
        citations = record.get("citations") or {}
        doc_recall = record.get(f"doc_recall@{DOC_RECALL_K}")
        rank = record.get("evidence_rank")
        in_top = record.get(f"facts_in_top{DOC_RECALL_K}")
        return cls(
            id=str(record["id"]),
            type=str(record.get("type", "")),
            lang=str(record.get("lang", "")),
            answerable=bool(record.get("answerable", False)),
            abstained=bool(record.get("abstained", False)),
            evidence_rank=int(rank) if rank is not None else None,
            has_evidence=bool(record.get("has_evidence", False)),
            doc_recall_5=float(doc_recall) if doc_recall is not None else None,
            facts_matched=tuple(tuple(f) for f in record.get("facts_matched", ())),
            facts_missing=tuple(tuple(f) for f in record.get("facts_missing", ())),
            n_facts=int(record.get("n_facts", 0)),
            n_citations=int(citations.get("n", 0)),
            n_precise_citations=int(citations.get("precise", 0)),
            n_invalid_citations=int(citations.get("invalid", 0)),
            latency_ms=float(record.get("latency_ms", 0.0)),
            passed={str(k): bool(v) for k, v in (record.get("passed") or {}).items()},
            question=str(record.get("question", "")),
            answer=str(record.get("answer", "")),
            facts_in_top=int(in_top) if in_top is not None else None,
        )


def score_question(question: Question, answer: Answer, hits: Sequence[Hit], latency_ms: float) -> QuestionResult:
    """Score one answered question. `hits` is everything retrieved, best first.

    Citations may point at `hits` or at `answer.hits` (the passages the answer was built from); both
    count as retrieved.
    """
    retrieved: dict[str, Chunk] = {h.chunk.chunk_id: h.chunk for h in (*answer.hits, *hits)}
    answerable = question.answerable
    has_evidence = answerable and bool(question.evidence)
    rank = evidence_rank(question.evidence, hits) if has_evidence else None
    doc_recall = doc_recall_at(question.sources, hits, DOC_RECALL_K) if answerable and question.sources else None
    matched, missing = fact_matches(question.facts, answer.text) if answerable else ((), ())
    in_top = 0
    if answerable and question.facts:
        in_top = len(fact_matches(question.facts, "\n\n".join(h.chunk.text for h in hits[:DOC_RECALL_K]))[0])
    citations = answer.citations
    precise = count_precise_citations(citations, retrieved, question.sources, question.evidence)
    invalid = invalid_citations(citations, retrieved.keys())

    passed: dict[str, bool] = {}
    if has_evidence:
        for k in RECALL_KS:
            passed[f"retrieval.evidence_recall@{k}"] = rank is not None and rank <= k
    if doc_recall is not None:
        passed[f"retrieval.doc_recall@{DOC_RECALL_K}"] = doc_recall >= 1.0
    if answerable and question.facts:
        passed[f"retrieval.fact_recall@{DOC_RECALL_K}"] = in_top == len(question.facts)
        passed["answer.all_facts"] = not missing
    if answerable and citations:
        passed["citation.precision"] = precise == len(citations)
    passed["citation.invalid"] = invalid == 0
    if question.unanswerable:
        passed["abstention.accuracy"] = answer.abstained
    if answerable:
        passed["abstention.false_rate"] = not answer.abstained

    return QuestionResult(
        id=question.id,
        type=question.type,
        lang=question.lang,
        answerable=answerable,
        abstained=answer.abstained,
        evidence_rank=rank,
        has_evidence=has_evidence,
        doc_recall_5=doc_recall,
        facts_matched=matched,
        facts_missing=missing,
        n_facts=len(question.facts) if answerable else 0,
        n_citations=len(citations),
        n_precise_citations=precise,
        n_invalid_citations=invalid,
        latency_ms=float(latency_ms),
        passed=passed,
        question=question.question,
        answer=answer.text,
        facts_in_top=in_top,
    )


# --------------------------------------------------------------------------------------- aggregation


def _summary(results: Sequence[QuestionResult], *, complete: bool) -> dict[str, float]:
    """Metrics over `results`. `complete`: emit every key (0.0/1.0 for empty populations, see the
    module docstring); otherwise only keys with a non-empty population (for breakdowns)."""
    out: dict[str, float] = {"n_questions": float(len(results))}
    answerable = [r for r in results if r.answerable]

    ranks = [r.evidence_rank for r in answerable if r.has_evidence]
    if ranks or complete:
        for k in RECALL_KS:
            out[f"retrieval.evidence_recall@{k}"] = evidence_recall_at(ranks, k)
        out["retrieval.mrr"] = mrr(ranks)
    doc_recalls = [r.doc_recall_5 for r in answerable if r.doc_recall_5 is not None]
    if doc_recalls or complete:
        out[f"retrieval.doc_recall@{DOC_RECALL_K}"] = sum(doc_recalls) / len(doc_recalls) if doc_recalls else 0.0

    n_facts = sum(r.n_facts for r in answerable)
    reached = [r for r in answerable if r.facts_in_top is not None]
    n_reached_facts = sum(r.n_facts for r in reached)
    if n_reached_facts or complete:
        out[f"retrieval.fact_recall@{DOC_RECALL_K}"] = (
            sum(r.facts_in_top or 0 for r in reached) / n_reached_facts if n_reached_facts else 0.0
        )
    if n_facts or complete:
        matched = sum(len(r.facts_matched) for r in answerable)
        out["answer.fact_recall"] = matched / n_facts if n_facts else 0.0
    with_facts = [r for r in answerable if r.n_facts]
    if with_facts or complete:
        complete_answers = sum(1 for r in with_facts if not r.facts_missing)
        out["answer.all_facts"] = complete_answers / len(with_facts) if with_facts else 0.0

    n_citations = sum(r.n_citations for r in answerable)
    if n_citations or complete:
        precise = sum(r.n_precise_citations for r in answerable)
        out["citation.precision"] = precise / n_citations if n_citations else 0.0
    out["citation.invalid"] = float(sum(r.n_invalid_citations for r in results))

    unanswerable = [r.abstained for r in results if r.unanswerable]
    if unanswerable or complete:
        out["abstention.accuracy"] = abstention_accuracy(unanswerable)
    if answerable or complete:
        out["abstention.false_rate"] = false_abstention_rate([r.abstained for r in answerable])

    latencies = [r.latency_ms for r in results]
    if latencies or complete:
        out["latency.p50_ms"] = percentile(latencies, 50) if latencies else 0.0
        out["latency.p95_ms"] = percentile(latencies, 95) if latencies else 0.0
    return out


def aggregate(results: Sequence[QuestionResult]) -> dict[str, float]:
    """Flat metrics for metrics.json: every README key, `n_answerable`, `n_unanswerable`, and
    breakdowns `by_type.<type>.<metric>` and `by_lang.<lang>.<metric>`."""
    out = _summary(results, complete=True)
    out["n_answerable"] = float(sum(1 for r in results if r.answerable))
    out["n_unanswerable"] = float(sum(1 for r in results if r.unanswerable))
    for attribute in ("type", "lang"):
        groups: dict[str, list[QuestionResult]] = {}
        for r in results:
            groups.setdefault(getattr(r, attribute), []).append(r)
        for name in sorted(groups):
            for key, value in _summary(groups[name], complete=False).items():
                out[f"by_{attribute}.{name}.{key}"] = value
    return out
