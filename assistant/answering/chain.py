"""The answering chain: conversation-aware query → retrieve → answer → Answer. One code path for chat, CLI,
evaluation and briefings, also available as a LangChain runnable."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from assistant.answering.answerer import Answerer, Turn
from assistant.answering.passages import CONTINUES, SIGNED
from assistant.answering.question import STOP_EN, STOP_NL, analyse, asks_who
from assistant.answering.signatory import speaks_first_person
from assistant.core.records import Answer, ExpandedQuery, Hit
from assistant.core.text import fold
from assistant.language.units import continuation, ends_in_list, ends_mid_sentence
from assistant.retrieval.retriever import Retriever
from vectorstore.base import SearchFilter

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable


class QueryRewriter(Protocol):
    def rewrite(self, question: str, history: Sequence[Turn]) -> str: ...


_WORD = re.compile(r"[\w.]+", re.UNICODE)


def content_words(text: str) -> list[str]:
    """The words of `text` that carry its topic, lower-cased, in order (the question analysis's stopwords)."""
    words = [w.strip(".").lower() for w in _WORD.findall(text)]
    return [w for w in words if len(w) > 1 and w not in STOP_NL and w not in STOP_EN]


def leaned_on(history: Sequence[Turn]) -> list[int]:
    """Indexes of the user turns a follow-up leans on: the last user turn, and the one before it while the
    later one itself leaned back ("En daar?" after "En wie waren er?" after "Wat deed de delegatie in Oslo?")."""
    users = [i for i, t in enumerate(history) if t.role == "user"]
    chosen: list[int] = []
    for index in reversed(users[-3:]):
        chosen.append(index)
        if not analyse(history[index].content).refers_back:
            break
    return chosen


def previous_sources(history: Sequence[Turn]) -> tuple[str, ...]:
    """Documents the assistant's answer after the leaned-on user turn cited (empty when unknown)."""
    turns = leaned_on(history)
    if not turns:
        return ()
    for turn in history[turns[0] + 1 :]:
        if turn.role == "assistant":
            return turn.sources
    return ()


class HistoryExpansion:
    """Deterministic follow-up handling without an LLM: a question that leans on the conversation ("En wie
    waren daar?", `assistant.answering.question.refers_back`) gets the content words of the user turn it
    leans on appended, as an `ExpandedQuery`: BM25 counts those borrowed words at `extra_weight`. Words come
    only from that turn (and from the one before it when that turn leaned back too), never from unrelated
    earlier questions. A question that stands on its own is left alone, so history never drags a new topic
    back to an old one."""

    def __init__(self, *, max_words: int = 12, extra_weight: float = 1.0) -> None:
        self.max_words = max_words
        self.extra_weight = extra_weight

    def depends_on_history(self, question: str) -> bool:
        return analyse(question).refers_back

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        turns = leaned_on(history)
        if not turns or not self.depends_on_history(question):
            return question
        seen = {fold(w) for w in content_words(question)}
        extra: list[str] = []
        for index in turns:
            for word in content_words(history[index].content):
                key = fold(word)
                if key not in seen:
                    seen.add(key)
                    extra.append(word)
        return ExpandedQuery(question, " ".join(extra[: self.max_words]), self.extra_weight) if extra else question


PREVIOUS_DOCS = 2  # documents taken as "what the previous answer was about" when its citations are unknown


class AnswerChain:
    """retrieve (with a conversation-aware query) → answer → Answer with hits and timings."""

    def __init__(
        self,
        retriever: Retriever,
        answerer: Answerer,
        *,
        rewriter: QueryRewriter | None = None,
        retrieve_k: int = 10,
        answer_k: int = 5,
        overview_k: int | None = None,
        locate: Callable[[str, int], str | None] | None = None,
    ) -> None:
        """`locate(doc_id, ordinal)`: the id of a document's chunk by position (the manifest's), so a passage
        that stops inside a list or a sentence is given the passage that continues it. `overview_k`: the
        passages a request for an overview reads (default `answer_k`)."""
        self.retriever = retriever
        self.answerer = answerer
        self.rewriter = rewriter or HistoryExpansion()
        self.answer_k = answer_k
        self.overview_k = max(answer_k, overview_k or answer_k)
        self.retrieve_k = max(retrieve_k, self.overview_k)
        self.locate = locate

    def passages(self, hits: Sequence[Hit], question: str = "") -> list[Hit]:
        """The passages the answerer reads: the top `answer_k` hits, then, for a passage that stops inside a
        list or a sentence, the next passage of its document when it opens with the rest of it. They go last,
        so the retrieved order and the first `answer_k` numbers stay; the answerer quotes from them only to
        finish what a passage before them started. For a question that asks who, a passage that speaks in
        the first person ("… waren Jan Smit en ik aanwezig") also brings its document's last passage, where a
        report is signed (`assistant.answering.signatory`). A request for an overview of what the documents say
        reads the first `overview_k`: it asks for breadth."""
        top = list(hits[: self.overview_k if question and analyse(question).overview else self.answer_k])
        store = getattr(self.retriever, "store", None)
        if self.locate is None or store is None:
            return top
        have = {h.chunk.chunk_id for h in top}
        wanted: dict[str, tuple[Hit, bool]] = {}  # following chunk id -> (the passage it continues, in a list)
        for hit in top:
            chunk = hit.chunk
            in_list = ends_in_list(chunk.text)
            if not in_list and not ends_mid_sentence(chunk.text):
                continue
            following = self.locate(chunk.doc_id, chunk.ordinal + 1)
            if following is not None and following not in have and following not in wanted:
                wanted[following] = (hit, in_list)
        signed: dict[str, Hit] = {}  # last chunk id -> the first-person passage of its document
        if question and asks_who(question):
            for hit in top:
                if hit.chunk.doc_id in {h.chunk.doc_id for h in signed.values()}:
                    continue
                if speaks_first_person(hit.chunk.text):
                    # the last two: a signature block may straddle the last chunk boundary
                    for ordinal in (-1, -2):
                        last = self.locate(hit.chunk.doc_id, ordinal)
                        if last is not None and last not in wanted and last not in have:
                            signed[last] = hit
        extra: list[Hit] = []
        # One store read for all of them; a scoped store returns nothing the principal may not read.
        fetch = [*wanted, *signed]
        for found in store.get(fetch) if fetch else []:
            if found.chunk_id in signed:
                hit = signed[found.chunk_id]
                extra.append(Hit(found, hit.score, len(top) + len(extra) + 1, {SIGNED: float(hit.rank)}))
                continue
            hit, in_list = wanted[found.chunk_id]
            if continuation(found.text, max(0, hit.chunk.end - found.start), in_list=in_list) is not None:
                extra.append(Hit(found, hit.score, len(top) + len(extra) + 1, {CONTINUES: float(hit.rank)}))
        return top + extra

    def _numbered(self, passages: Sequence[Hit], hits: Sequence[Hit]) -> tuple[Hit, ...]:
        """The hits an answer carries: everything retrieved in its order, then the continuation passages
        (citations name their chunk, so the order of `Answer.hits` only has to keep retrieval's ranks)."""
        seen = {h.chunk.chunk_id for h in hits}
        return (*hits, *(h for h in passages if h.chunk.chunk_id not in seen))

    def search(self, question: str, query: str, history: Sequence[Turn], flt: SearchFilter | None = None) -> list[Hit]:
        """Hits for `query`. A follow-up (the query was resolved from the conversation) prefers the documents of
        the answer it follows: those the answer cited, or, when the history does not say (a conversation
        replayed from text), the best documents of the expanded query. Their passages come first, beyond the
        per-document cap of the plain search."""
        hits = self.retriever.search(query, self.retrieve_k, flt)
        if query == question or not history:
            return hits
        documents = previous_sources(history)
        if not documents:
            # The expanded query carries the earlier turn's words: its best documents stand in for the cited
            # ones (no extra search, so no extra query embedding).
            documents = tuple(dict.fromkeys(h.chunk.doc_id for h in hits[:PREVIOUS_DOCS]))
        if not documents:
            return hits
        allowed = tuple(d for d in documents if not flt or not flt.doc_ids or d in flt.doc_ids)
        if not allowed:
            return hits
        narrowed = replace(flt, doc_ids=allowed) if flt else SearchFilter(doc_ids=allowed)
        preferred = self.retriever.search(query, self.answer_k - 1, narrowed)
        seen = {h.chunk.chunk_id for h in preferred}
        merged = [*preferred, *(h for h in hits if h.chunk.chunk_id not in seen)]
        return [replace(h, rank=i) for i, h in enumerate(merged[: self.retrieve_k], start=1)]

    def ask(self, question: str, history: Sequence[Turn] = (), flt: SearchFilter | None = None) -> Answer:
        t0 = time.perf_counter()
        query = self.rewriter.rewrite(question, history)
        t1 = time.perf_counter()
        hits = self.search(question, query, history, flt)
        t2 = time.perf_counter()
        passages = self.passages(hits, question)
        answer = self.answerer.answer(question, passages, history=history)
        t3 = time.perf_counter()
        timings = {
            **dict(answer.timings_ms),
            "rewrite": (t1 - t0) * 1000,
            "retrieve": (t2 - t1) * 1000,
            "answer": (t3 - t2) * 1000,
            "total": (t3 - t0) * 1000,
        }
        # Citations are numbered against the passages the answerer saw; the rest retrieved follows them.
        return replace(answer, hits=self._numbered(passages, hits), query=query, timings_ms=timings)

    def stream(
        self, question: str, history: Sequence[Turn] = (), flt: SearchFilter | None = None
    ) -> tuple[Iterator[str], Callable[[], Answer]]:
        """Text pieces as the answerer produces them, and a function that returns the finished Answer.
        Answerers that cannot stream (the extractive default) yield their whole text at once."""
        t0 = time.perf_counter()
        query = self.rewriter.rewrite(question, history)
        hits = self.search(question, query, history, flt)
        t1 = time.perf_counter()
        streamer = getattr(self.answerer, "stream_answer", None)
        passages = self.passages(hits, question)
        if not callable(streamer):
            answer = self.answerer.answer(question, passages, history=history)
            done = self._finish(answer, self._numbered(passages, hits), query, t0, t1)
            return iter([done.text]), lambda: done
        live = streamer(question, passages, history)
        return iter(live), lambda: self._finish(live.result(), self._numbered(passages, hits), query, t0, t1)

    def _finish(self, answer: Answer, hits: Sequence[Hit], query: str, t0: float, t1: float) -> Answer:
        t2 = time.perf_counter()
        timings = {
            **dict(answer.timings_ms),
            "retrieve": (t1 - t0) * 1000,
            "answer": (t2 - t1) * 1000,
            "total": (t2 - t0) * 1000,
        }
        return replace(answer, hits=tuple(hits), query=query, timings_ms=timings)

    def as_runnable(self) -> Runnable[dict[str, Any], Answer]:
        """`{"question": str, "history": [Turn], "filter": SearchFilter | None}` → Answer."""
        from langchain_core.runnables import RunnableLambda  # only who asks for a runnable loads LangChain

        def _run(inputs: dict[str, Any]) -> Answer:
            return self.ask(inputs["question"], inputs.get("history", ()), inputs.get("filter"))

        return RunnableLambda(_run)
