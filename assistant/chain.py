"""The answering chain: conversation-aware query → retrieve → answer → Answer. One code path for chat, CLI,
evaluation and briefings, also available as a LangChain runnable."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any, Protocol

from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answerer import Answerer, Turn
from assistant.records import Answer, ExpandedQuery, Hit
from assistant.retrieval import Retriever
from vectorstore.base import SearchFilter


class QueryRewriter(Protocol):
    def rewrite(self, question: str, history: Sequence[Turn]) -> str: ...


# Words that carry no topic: a question made mostly of these depends on the conversation.
_FUNCTION_WORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "of",
        "maar",
        "dan",
        "dus",
        "ook",
        "nog",
        "wel",
        "niet",
        "geen",
        "er",
        "daar",
        "hier",
        "daarbij",
        "daarvan",
        "daarna",
        "toen",
        "waar",
        "wie",
        "wat",
        "welke",
        "welk",
        "wanneer",
        "waarom",
        "hoe",
        "hoeveel",
        "is",
        "zijn",
        "was",
        "waren",
        "wordt",
        "worden",
        "werd",
        "werden",
        "heeft",
        "hebben",
        "had",
        "hadden",
        "kan",
        "kon",
        "kunnen",
        "zal",
        "zou",
        "zullen",
        "moet",
        "moeten",
        "mag",
        "die",
        "dat",
        "deze",
        "dit",
        "zij",
        "ze",
        "hij",
        "hem",
        "haar",
        "hun",
        "hen",
        "wij",
        "we",
        "jullie",
        "u",
        "ik",
        "je",
        "jij",
        "mij",
        "me",
        "ons",
        "onze",
        "zich",
        "van",
        "in",
        "op",
        "aan",
        "met",
        "voor",
        "bij",
        "naar",
        "uit",
        "over",
        "om",
        "tot",
        "door",
        "als",
        "te",
        "and",
        "or",
        "but",
        "so",
        "then",
        "also",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "from",
        "by",
        "about",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "they",
        "them",
        "their",
        "he",
        "she",
        "his",
        "her",
        "we",
        "you",
        "i",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "why",
        "how",
        "many",
        "much",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "more",
        "else",
        "other",
    ]
)
_WORD = re.compile(r"[\w.]+", re.UNICODE)


def content_words(text: str) -> list[str]:
    words = [w.strip(".").lower() for w in _WORD.findall(text)]
    return [w for w in words if len(w) > 1 and w not in _FUNCTION_WORDS]


def _fold(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


class HistoryExpansion:
    """Deterministic follow-up handling without an LLM: a question that leans on the conversation ("En wie
    waren daar?") gets the content words of earlier user turns appended, most recent first, as an
    `ExpandedQuery`: BM25 counts those borrowed words at `extra_weight`. A question that stands on its own is
    left alone, so history never drags a new topic back to an old one."""

    def __init__(
        self,
        *,
        max_turns: int = 2,
        max_words: int = 12,
        standalone_min_content: int = 3,
        extra_weight: float = 1.0,
    ) -> None:
        self.max_turns = max_turns
        self.max_words = max_words
        self.standalone_min_content = standalone_min_content
        self.extra_weight = extra_weight

    def depends_on_history(self, question: str) -> bool:
        content = content_words(question)
        lowered = question.strip().lower()
        anaphoric = bool(
            re.match(r"^(en|of|maar|and|what about|en hoe|en wat|en wie|en waar|ook)\b", lowered)
            or re.search(r"\b(daar|daarbij|daarvan|die|dat|deze|hij|zij|ze|hen|hun|there|they|them|it|that)\b", lowered)
        )
        return len(content) < self.standalone_min_content or (anaphoric and len(content) < 5)

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        users = [t.content for t in history if t.role == "user"]
        if not users or not self.depends_on_history(question):
            return question
        seen = {_fold(w) for w in content_words(question)}
        extra: list[str] = []
        for turn in reversed(users[-self.max_turns :]):
            for word in content_words(turn):
                key = _fold(word)
                if key not in seen:
                    seen.add(key)
                    extra.append(word)
        return ExpandedQuery(question, " ".join(extra[: self.max_words]), self.extra_weight) if extra else question


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
    ) -> None:
        self.retriever = retriever
        self.answerer = answerer
        self.rewriter = rewriter or HistoryExpansion()
        self.retrieve_k = max(retrieve_k, answer_k)
        self.answer_k = answer_k

    def ask(self, question: str, history: Sequence[Turn] = (), flt: SearchFilter | None = None) -> Answer:
        t0 = time.perf_counter()
        query = self.rewriter.rewrite(question, history)
        t1 = time.perf_counter()
        hits = self.retriever.search(query, self.retrieve_k, flt)
        t2 = time.perf_counter()
        answer = self.answerer.answer(question, hits[: self.answer_k], history=history)
        t3 = time.perf_counter()
        timings = {
            **dict(answer.timings_ms),
            "rewrite": (t1 - t0) * 1000,
            "retrieve": (t2 - t1) * 1000,
            "answer": (t3 - t2) * 1000,
            "total": (t3 - t0) * 1000,
        }
        # Citations are numbered against the passages the answerer saw; `hits` keeps the full list retrieved.
        return replace(answer, hits=tuple(hits), query=query, timings_ms=timings)

    def stream(
        self, question: str, history: Sequence[Turn] = (), flt: SearchFilter | None = None
    ) -> tuple[Iterator[str], Callable[[], Answer]]:
        """Text pieces as the answerer produces them, and a function that returns the finished Answer.
        Answerers that cannot stream (the extractive default) yield their whole text at once."""
        t0 = time.perf_counter()
        query = self.rewriter.rewrite(question, history)
        hits = self.retriever.search(query, self.retrieve_k, flt)
        t1 = time.perf_counter()
        streamer = getattr(self.answerer, "stream_answer", None)
        if not callable(streamer):
            answer = self.answerer.answer(question, hits[: self.answer_k], history=history)
            done = self._finish(answer, hits, query, t0, t1)
            return iter([done.text]), lambda: done
        live = streamer(question, hits[: self.answer_k], history)
        return iter(live), lambda: self._finish(live.result(), hits, query, t0, t1)

    def _finish(self, answer: Answer, hits: list[Hit], query: str, t0: float, t1: float) -> Answer:
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

        def _run(inputs: dict[str, Any]) -> Answer:
            return self.ask(inputs["question"], inputs.get("history", ()), inputs.get("filter"))

        return RunnableLambda(_run)
