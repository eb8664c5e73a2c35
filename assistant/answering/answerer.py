"""The answering seam. An `Answerer` turns a question and retrieved passages into an `Answer` whose
citations point at those passages; the chain around it is the one code path for chat, CLI, eval and
briefings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from assistant.core.records import Answer, Hit


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a conversation."""

    role: str  # "user" | "assistant"
    content: str
    sources: tuple[str, ...] = ()  # an assistant turn: the doc ids its answer cited (follow-ups prefer them)


@runtime_checkable
class Answerer(Protocol):
    def answer(self, question: str, hits: Sequence[Hit], *, history: Sequence[Turn] = ()) -> Answer: ...
