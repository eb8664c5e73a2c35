"""Follow-up questions rewritten by the language model into a standalone search query.

"En wie waren daar?" means nothing to a retriever. `HistoryExpansion` (assistant/answering/chain.py) appends content
words of earlier user turns; with a model configured, `LLMRewriter` asks it for the question as it would
be asked without the conversation ("Wie spraken er tijdens het werkbezoek aan Aarhus?"), which keeps the grammar and
resolves "daar" and "die" to what they point at.

What goes to the model and what comes back is kept small and checked:
- only questions that lean on the conversation are sent (the same test as the deterministic expansion),
  so a standalone question costs no model call and is never changed;
- only the user's own earlier turns are sent: the assistant's answers quote documents, and a document's
  text must not steer what is searched (prompt injection);
- the reply must be one short question-like line with content words; anything else (empty, a paragraph,
  an answer instead of a question), or an unreachable server, falls back to the deterministic expansion,
  so a follow-up always gets a usable query.

The rewritten query is only used for retrieval: the answer is still written for the user's own question,
and `Answer.query` shows which query was searched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from assistant.answering.answerer import Turn
from assistant.answering.chain import HistoryExpansion, content_words, leaned_on
from assistant.answering.llm import ChatModel, LLMError, Message

log = logging.getLogger(__name__)

REWRITE_SYSTEM = (
    "Je herschrijft een vervolgvraag uit een gesprek tot één zelfstandige zoekvraag voor een zoekmachine over "
    "beleidsdocumenten. Vervang verwijzingen als 'daar', 'die', 'hij', 'ze' of 'dat' door waar ze naar "
    "verwijzen in de eerdere vragen. Houd de taal van de vervolgvraag aan. Beantwoord de vraag niet. Geef "
    "alleen de herschreven vraag, op één regel, zonder uitleg."
)

# One worked example: small local models follow a shown pattern far better than a described one.
# Invented, like the answerer's worked example: no question or document of the evaluation sets.
_EXAMPLE_USER = (
    "Eerdere vragen:\n- Wat stond er op het programma van het werkbezoek aan Aarhus?\n\n"
    "Vervolgvraag: En wie spraken daar?"
)
_EXAMPLE_ASSISTANT = "Wie spraken er tijdens het werkbezoek aan Aarhus?"

_LABEL = re.compile(
    r"^\s*(?:\*\*)?(?:herschreven\s+vraag|zelfstandige\s+(?:zoek)?vraag|zoekvraag|vraag|query|standalone\s+"
    r"question|rewritten\s+question|question)\s*(?:\*\*)?\s*[:：]\s*",
    re.IGNORECASE,
)


def rewrite_messages(question: str, earlier_questions: Sequence[str]) -> list[Message]:
    """The prompt: instruction, one worked example, then the user's earlier questions and the follow-up."""
    listed = "\n".join(f"- {q.strip()}" for q in earlier_questions if q.strip())
    return [
        {"role": "system", "content": REWRITE_SYSTEM},
        {"role": "user", "content": _EXAMPLE_USER},
        {"role": "assistant", "content": _EXAMPLE_ASSISTANT},
        {"role": "user", "content": f"Eerdere vragen:\n{listed}\n\nVervolgvraag: {question.strip()}"},
    ]


def parse_rewrite(raw: str, *, max_chars: int = 300) -> str | None:
    """The standalone query in a model's reply, or None when the reply is not usable as one: empty, longer
    than `max_chars`, prose over several lines (an answer, not a query), or without any content word."""
    lines = [line.strip() for line in raw.strip().splitlines() if line.strip()]
    if not lines:
        return None
    line = _LABEL.sub("", lines[0]).strip().strip("*").strip().strip("\"'“”‘’«»`").strip()
    if not line or len(line) > max_chars:
        return None
    # A question followed by an explanation is fine; a first line of prose that goes on is an answer.
    if len(lines) > 1 and not line.endswith("?"):
        return None
    if not content_words(line):
        return None
    return line


class LLMRewriter:
    """A `QueryRewriter` that asks the chat model for a standalone query; falls back to `HistoryExpansion`."""

    def __init__(
        self,
        model: ChatModel,
        *,
        fallback: HistoryExpansion | None = None,
        max_turns: int = 3,
        max_chars: int = 300,
    ) -> None:
        self.model = model
        self.fallback = fallback or HistoryExpansion()
        self.max_turns = max_turns
        self.max_chars = max_chars

    def rewrite(self, question: str, history: Sequence[Turn]) -> str:
        earlier = [history[i].content for i in reversed(leaned_on(history))][-self.max_turns :]
        if not earlier or not self.fallback.depends_on_history(question):
            return question
        try:
            raw = self.model.complete(rewrite_messages(question, earlier))
        except LLMError as exc:
            # Search must still work while the model server is down: the answerer reports the outage itself.
            log.warning("query rewrite: model unavailable (%s); using history expansion", exc.message)
            return self.fallback.rewrite(question, history)
        query = parse_rewrite(raw, max_chars=self.max_chars)
        if query is None:
            log.info("query rewrite: unusable model reply %r; using history expansion", raw[:200])
            return self.fallback.rewrite(question, history)
        return query
