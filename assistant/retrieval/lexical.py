"""BM25 over chunks (bm25s), with metadata filtering, persistence and rebuild-style updates.

An index is immutable once built: `updated` returns a new index, so readers in other threads never see
a half-built one and need no lock (the owner swaps the reference). bm25s has no incremental API; a
rebuild re-analyses every kept chunk with the already-fitted analyzer (the compound vocabulary is only
re-learned by `build`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt

from assistant.core.records import Chunk, ExpandedQuery, Hit
from assistant.language.entities import find_definitions
from assistant.retrieval.bm25_analysis import DEFAULT_ANALYZER, Analyzer, CompoundSplitter
from vectorstore.base import SearchFilter

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
_CHUNKS_FILE = "chunks.jsonl"
_META_FILE = "lexical.json"
_BM25_DIR = "bm25"


def chunks_signature(chunk_ids: Iterable[str]) -> str:
    """sha256 of the sorted chunk ids: equal sets of chunks give equal signatures, in any order."""
    digest = hashlib.sha256()
    for chunk_id in sorted(chunk_ids):
        digest.update(chunk_id.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def index_text(chunk: Chunk, gloss: str = "") -> str:
    """What BM25 sees: title and headings travel with the text, as for the embedder; `gloss`: the long forms
    of the abbreviations it uses (`abbreviation_glosses`)."""
    return f"{chunk.embed_text}\n{gloss}" if gloss else chunk.embed_text


def abbreviation_glosses(chunks: Sequence[Chunk]) -> dict[str, str]:
    """Per chunk id, the long forms of the abbreviations the chunk uses without spelling out, as its own document
    defines them elsewhere: "Algemene wet bestuursrecht (Awb)" on page 2 makes a page-9 passage that only says
    "de Awb" findable by the words of the law's name. Only the document's own definitions count (an abbreviation
    may mean another thing in another document); one defined twice differently takes its most frequent long
    form. Measured in docs/retrieval.md (issue #15)."""
    by_doc: dict[str, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        by_doc[chunk.doc_id].append(chunk)
    glosses: dict[str, str] = {}
    for doc_chunks in by_doc.values():
        forms: dict[str, Counter[str]] = defaultdict(Counter)
        for chunk in doc_chunks:
            for definition in find_definitions(chunk.text):
                # A web address or a clause the pattern caught would gloss every passage using the letters.
                if long := definition.spelled_out:
                    forms[definition.short][long] += 1
        if not forms:
            continue
        defined = {short: counts.most_common(1)[0][0] for short, counts in forms.items()}
        used = re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, defined), key=len, reverse=True)) + r")(?!\w)")
        for chunk in doc_chunks:
            lower = chunk.text.lower()
            longs = [defined[s] for s in dict.fromkeys(used.findall(chunk.text)) if defined[s].lower() not in lower]
            if longs:
                glosses[chunk.chunk_id] = " ; ".join(longs)
    return glosses


def _index_texts(chunks: Sequence[Chunk]) -> list[str]:
    glosses = abbreviation_glosses(chunks)
    return [index_text(c, glosses.get(c.chunk_id, "")) for c in chunks]


def _chunk_to_json(chunk: Chunk) -> str:
    return json.dumps(asdict(chunk), ensure_ascii=False)


def _chunk_from_json(line: str) -> Chunk:
    obj: dict[str, Any] = json.loads(line)
    obj["heading_path"] = tuple(obj.get("heading_path") or ())
    obj["groups"] = tuple(obj.get("groups") or ())
    return Chunk(**obj)


@dataclass(frozen=True)
class TermPresence:
    """Which of a query's words each of some chunks holds (`present`: chunks × words), and each word's weight."""

    weights: npt.NDArray[np.float64]
    present: npt.NDArray[np.bool_]

    def coverage(self) -> npt.NDArray[np.float64]:
        """Per chunk, the weighted share of the words it holds (0 when there are no words)."""
        total = float(self.weights.sum())
        if total <= 0:
            return np.zeros(len(self.present))
        return np.asarray(self.present @ self.weights / total, dtype=np.float64)


class LexicalIndex:
    def __init__(self, chunks: Sequence[Chunk], analyzer: Analyzer, bm25: bm25s.BM25 | None) -> None:
        """Use `build` or `load`; this wires already-consistent parts together."""
        self.chunks: tuple[Chunk, ...] = tuple(chunks)
        self.analyzer = analyzer
        self._bm25 = bm25
        self._vocab: dict[str, int] = dict(bm25.vocab_dict) if bm25 is not None else {}
        self.signature = chunks_signature(c.chunk_id for c in self.chunks)

    # ------------------------------------------------------------------------------------ building

    @classmethod
    def build(cls, chunks: Sequence[Chunk], analyzer: Analyzer = DEFAULT_ANALYZER) -> LexicalIndex:
        """Fit the analyzer on the chunks (compound vocabulary) and index them."""
        unique = _dedupe(chunks)
        fitted, corpus_tokens = analyzer.fit_tokens(_index_texts(unique))
        return cls._from_tokens(unique, fitted, corpus_tokens)

    @classmethod
    def _index(cls, chunks: Sequence[Chunk], analyzer: Analyzer) -> LexicalIndex:
        return cls._from_tokens(chunks, analyzer, analyzer.tokens_many(_index_texts(chunks)))

    @classmethod
    def _from_tokens(cls, chunks: Sequence[Chunk], analyzer: Analyzer, corpus_tokens: list[list[str]]) -> LexicalIndex:
        if not chunks:
            return cls((), analyzer, None)
        bm25 = bm25s.BM25()
        bm25.index(corpus_tokens, show_progress=False)
        return cls(chunks, analyzer, bm25)

    def updated(self, added: Sequence[Chunk], removed_ids: Collection[str] = ()) -> LexicalIndex:
        """A new index without `removed_ids` and with `added` (an added id replaces the old chunk)."""
        added = _dedupe(added)
        drop = set(removed_ids) | {c.chunk_id for c in added}
        kept = [c for c in self.chunks if c.chunk_id not in drop]
        analyzer = self.analyzer
        if analyzer.split_compounds and analyzer.splitter is None:
            return LexicalIndex.build([*kept, *added], analyzer)
        return LexicalIndex._index([*kept, *added], analyzer)

    def __len__(self) -> int:
        return len(self.chunks)

    # ------------------------------------------------------------------------------------- search

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """BM25 score of every chunk for `query` (in `self.chunks` order); zeros when nothing matches."""
        if self._bm25 is None:
            return np.zeros(0, dtype=np.float32)
        if isinstance(query, ExpandedQuery) and query.extra_weight < 1.0:
            # Words borrowed from earlier turns count less than the question's own (see ExpandedQuery).
            own = self.analyzer.tokens(query.question)
            seen = set(own)
            borrowed = [t for t in self.analyzer.tokens(query.extra) if t not in seen]
            return self._term_scores(own) + np.float32(query.extra_weight) * self._term_scores(borrowed)
        return self._term_scores(self.analyzer.tokens(query))

    def _term_scores(self, tokens: list[str]) -> npt.NDArray[np.float32]:
        # Terms the corpus never saw score 0 anyway; bm25s would fail on them.
        terms = [t for t in tokens if t in self._vocab]
        if not terms or self._bm25 is None:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)[: len(self.chunks)]

    @cached_property
    def _rows(self) -> dict[str, int]:
        return {c.chunk_id: i for i, c in enumerate(self.chunks)}

    def term_rows(self, term: str) -> npt.NDArray[np.int32]:
        """The rows (in `self.chunks` order) of the chunks that hold the indexed word `term`; none for a word the
        index lacks. bm25s keeps them per word (a CSC matrix), so nothing is scored."""
        tid = self._vocab.get(term)
        if self._bm25 is None or tid is None:
            return np.zeros(0, dtype=np.int32)
        indptr = self._bm25.scores["indptr"]
        return np.asarray(self._bm25.scores["indices"][indptr[tid] : indptr[tid + 1]], dtype=np.int32)

    def _query_rows(self, query: str) -> dict[str, npt.NDArray[np.int32]]:
        """The query's distinct indexed words that some chunk holds, in query order, each with its rows."""
        found = {term: self.term_rows(term) for term in dict.fromkeys(self.analyzer.tokens(query))}
        return {term: rows for term, rows in found.items() if len(rows)}

    def _idf(self, df: int) -> float:
        return math.log(1.0 + len(self.chunks) / df)

    def query_weights(self, query: str) -> dict[str, float]:
        """The query's distinct indexed words that some chunk holds, in query order, each with its inverse
        document frequency log(1 + N / df), so a rare word counts more than a common one."""
        return {term: self._idf(len(rows)) for term, rows in self._query_rows(query).items()}

    def term_presence(self, query: str, chunks: Sequence[Chunk]) -> TermPresence:
        """Which of the query's distinct indexed words each chunk holds, each word weighted as in
        `query_weights`. A chunk the index does not hold holds none."""
        found = self._query_rows(query)  # once: the weights and the presence both read the rows
        if not chunks or not found:
            return TermPresence(np.zeros(0), np.zeros((len(chunks), 0), dtype=bool))
        rows = [self._rows.get(c.chunk_id, -1) for c in chunks]
        weights = [self._idf(len(r)) for r in found.values()]
        columns = [np.isin(rows, r) for r in found.values()]
        return TermPresence(np.asarray(weights), np.stack(columns, axis=1))

    def search(self, query: str, k: int = 5, flt: SearchFilter | None = None) -> list[Hit]:
        """Top-k chunks by BM25 (only chunks sharing a term with the query), filtered by `flt`."""
        if k <= 0 or not query.strip() or not self.chunks:
            return []
        scores = self.scores(query)
        positive = int(np.count_nonzero(scores > 0))
        if positive == 0:
            return []
        active = flt is not None and not flt.empty
        # With a filter, look at more candidates than k; widen until k pass or every match was seen.
        want = min(positive, k * 4 if active else k)
        while True:
            order = _top(scores, want)
            picked: list[int] = []
            for i in order:
                if scores[i] <= 0:
                    break
                if active and not flt.matches(self.chunks[i]):  # type: ignore[union-attr]
                    continue
                picked.append(int(i))
                if len(picked) == k:
                    break
            if len(picked) == k or want >= positive:
                break
            want = min(positive, want * 4)
        return [
            Hit(chunk=self.chunks[i], score=float(scores[i]), rank=rank, scores={"bm25": float(scores[i])})
            for rank, i in enumerate(picked, start=1)
        ]

    # -------------------------------------------------------------------------------- persistence

    def save(self, folder: Path) -> None:
        """Write the index to `folder`: bm25s arrays, chunks as JSON lines, analyzer config and vocabulary."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(str(folder / _BM25_DIR), show_progress=False)
        with (folder / _CHUNKS_FILE).open("w", encoding="utf-8") as handle:
            for chunk in self.chunks:
                handle.write(_chunk_to_json(chunk) + "\n")
        splitter = self.analyzer.splitter
        meta = {
            "format": FORMAT_VERSION,
            "signature": self.signature,
            "n_chunks": len(self.chunks),
            "analyzer": self.analyzer.config,
            "compound_counts": dict(splitter.counts) if splitter is not None else None,
        }
        # Written last: a folder without it is an interrupted save and `load` refuses it.
        tmp = folder / (_META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        tmp.replace(folder / _META_FILE)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        folder = Path(folder)
        meta_path = folder / _META_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(f"{folder}: no lexical index ({_META_FILE} missing)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"{folder}: lexical index format {meta.get('format')!r}, expected {FORMAT_VERSION}")
        counts = meta.get("compound_counts")
        splitter = CompoundSplitter(counts=counts) if counts is not None else None
        analyzer = Analyzer.from_config(meta["analyzer"], splitter=splitter)
        with (folder / _CHUNKS_FILE).open(encoding="utf-8") as handle:
            chunks = [_chunk_from_json(line) for line in handle if line.strip()]
        bm25 = bm25s.BM25.load(str(folder / _BM25_DIR), show_progress=False) if chunks else None
        index = cls(chunks, analyzer, bm25)
        if index.signature != meta.get("signature"):
            raise ValueError(f"{folder}: chunk list does not match the saved signature (corrupt index)")
        return index


def _top(scores: npt.NDArray[np.float32], n: int) -> npt.NDArray[np.intp]:
    """Indices of the n highest scores, best first; ties by position so results are deterministic."""
    if n >= len(scores):
        return np.lexsort((np.arange(len(scores)), -scores))
    part = np.argpartition(-scores, n - 1)[:n]
    return part[np.lexsort((part, -scores[part]))]


def _dedupe(chunks: Sequence[Chunk]) -> list[Chunk]:
    # The last chunk with an id wins, as in the stores ("adding an existing id replaces it").
    by_id = {c.chunk_id: c for c in chunks}
    return list(by_id.values())
