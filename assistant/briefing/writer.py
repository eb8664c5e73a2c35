"""LLM-written briefing sections, verified exactly like chat answers.

With an LLM backend configured, each of the sections Samenvatting, Eerdere contacten en bezoeken, Afspraken
en open vervolgacties, Personen en organisaties, Relevante beleidsthema's and Komende momenten is written by
the model from numbered passages: the passages the briefing's rules selected for that section (the evidence
of the extractive section), each widened by a sentence on both sides so the model sees the context.

Nothing here verifies on its own. The prompt is the chat's (`generative.build_messages`: system prompt,
worked example, numbered sources with brackets neutralised) with the section's task as the question, plus
one more worked example (`SECTION_EXAMPLE`): a section is a list, and the small local model cites list
items only when shown how (measured: docs/llm.md, "Briefings"). The model's text goes through
`GenerativeAnswerer.finalise`, the chat's verification path: markers outside the passages are dropped,
uncited or unsupported sentences are removed or marked (⚠) per `verify_mode`, and an answer with no
supported sentence (or the model's own "Dit staat niet in de documenten.") counts as abstained. Such a
section is not shown as written: the caller falls back to the extractive section and says so.

The verifier's sentence checks then become one line per sentence, kept, marked or dropped as the chat
shows them; each `[n]` becomes a reference to the passage's chunk and the passage sentence that best
supports the line (verbatim text, so the briefing's global source list can quote it).
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from assistant.answering.generative import USER_TEMPLATE, build_messages
from assistant.answering.llm import Message
from assistant.answering.verify import SentenceCheck
from assistant.core.records import Chunk, Hit
from assistant.core.text import fold
from assistant.language.citations import best_supporting_sentence, split_sentences, strip_markers

if TYPE_CHECKING:
    from assistant.answering.generative import GenerativeAnswerer

MAX_PASSAGES = 8  # per section: the prompt must stay small on a 2-core CPU
MAX_EXCERPT_CHARS = 700

# The question each section answers; "{subject}" is the briefing's focus ("Brussel", "EFUS").
SECTION_TASKS: dict[str, str] = {
    "summary": "Vat in drie tot vijf zinnen samen wat de documenten zeggen over {subject}: eerdere contacten, "
    "samenwerking en afspraken.",
    "contacts": "Zet de eerdere contacten en bezoeken rond {subject} op een rij, oudste eerst: per regel de "
    "datum en wat er gebeurde.",
    "followups": "Welke afspraken en open vervolgacties rond {subject} noemen de bronnen? Eén per regel.",
    "people": "Welke personen en organisaties rond {subject} noemen de bronnen, met hun functie of rol? Eén per regel.",
    "themes": "Welke beleidsthema's zijn relevant voor {subject}? Eén thema per regel met een korte toelichting.",
    "upcoming": "Welke komende momenten (bijeenkomsten, bezoeken, deadlines) rond {subject} noemen de bronnen? "
    "Eén per regel, met de datum zoals de bron die noemt.",
}

# Invented content (no real city or policy): a list answer with a [n] after every item.
SECTION_EXAMPLE: tuple[Message, Message] = (
    {
        "role": "user",
        "content": USER_TEMPLATE.format(
            context="[1] Verslag werkbezoek Aarhus (aarhus.txt)\nOp 4 april 2022 bezocht wethouder Jansen de stad "
            "Aarhus. Zij sprak daar met burgemeester Larsen over jeugdbeleid.\n\n[2] Nieuwsbrief internationaal "
            "(nieuws.txt)\nIn mei 2023 ontving de gemeente een delegatie uit Aarhus. Beide steden spraken af in 2024 "
            "een workshop over jeugdbeleid te houden.",
            question=SECTION_TASKS["contacts"].format(subject="Aarhus"),
        ),
    },
    {
        "role": "assistant",
        "content": "- 4 april 2022: wethouder Jansen bezocht Aarhus en sprak met burgemeester Larsen over "
        "jeugdbeleid [1].\n- Mei 2023: de gemeente ontving een delegatie uit Aarhus [2].\n- Afgesproken: in 2024 "
        "een workshop over jeugdbeleid [2].",
    },
)

_LIST_PREFIX = re.compile(r"^\s*(?:\d{1,3}[.)]|[-•*–·▪])\s+")

Ref = tuple[Chunk, int, int]  # a chunk and the span of it a line rests on


@dataclass(frozen=True, slots=True)
class Passage:
    """What the model sees as one numbered source: `chunk.text[start:end]`."""

    chunk: Chunk
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.chunk.text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class WrittenLine:
    text: str  # the verified sentence without markers ("⚠ " in front when marked as unverified)
    refs: tuple[Ref, ...]  # one per cited passage: the supporting passage sentence


@dataclass(frozen=True)
class WrittenSection:
    key: str
    ok: bool  # False: nothing verified (or the model failed): show the extractive section instead
    lines: tuple[WrittenLine, ...] = ()
    reason: str = ""  # why not ok
    raw: str = ""  # what the model wrote
    stats: dict[str, int] = field(default_factory=dict)  # the verifier's counts (`Answer.verification`)
    caught: tuple[str, ...] = ()  # the sentences verification flagged, with their support score
    ms: float = 0.0


def section_passages(
    refs: Sequence[Ref], *, limit: int = MAX_PASSAGES, max_chars: int = MAX_EXCERPT_CHARS
) -> list[Passage]:
    """One excerpt per chunk, in first-use order: the span covering the chunk's selected sentences, widened
    by one sentence on each side; a covering span longer than `max_chars` shrinks to the first selected
    sentence (widened while it fits)."""
    spans: dict[str, tuple[Chunk, list[tuple[int, int]]]] = {}
    for chunk, start, end in refs:
        spans.setdefault(chunk.chunk_id, (chunk, []))[1].append((start, end))
    out: list[Passage] = []
    for chunk, used in list(spans.values())[:limit]:
        sentences = split_sentences(chunk.text)
        low, high = min(s for s, _ in used), max(e for _, e in used)
        if high - low > max_chars:
            low, high = used[0]
        before = [s for s, e in sentences if e <= low]
        after = [e for s, e in sentences if s >= high]
        if before and high - before[-1] <= max_chars:
            low = before[-1]
        if after and after[0] - low <= max_chars:
            high = after[0]
        out.append(Passage(chunk, low, high))
    return out


def lines_from_checks(
    checks: Sequence[SentenceCheck], passages: Sequence[Passage], mode: str, *, title: str = ""
) -> list[WrittenLine]:
    """The verifier's sentence checks (markers numbered as the passages in the prompt) -> one line per
    factual sentence, as the chat shows it: flagged sentences dropped ('remove') or kept with "⚠ " ('mark').
    Each `[n]` becomes a reference to the passage sentence (verbatim) that best supports the line. A line
    that only repeats the section `title` ("**Komende momenten**") is left out."""
    lines: list[WrittenLine] = []
    for check in checks:
        if check.kind != "factual" or (check.flagged and mode == "remove"):
            continue  # lead-ins and headings ("Eerdere contacten:"): the section has its own title
        bare = _LIST_PREFIX.sub("", strip_markers(check.text)).strip().strip("*_ ").strip()
        bare = re.sub(r"\s+([.,;:])", r"\1", " ".join(bare.split()))
        if not bare or (title and fold(bare).strip(" *#_:.") == fold(title)):
            continue
        refs: list[Ref] = []
        for n in check.cited:
            passage = passages[n - 1]
            quote = best_supporting_sentence(bare, passage.text)
            offset = passage.text.find(quote)
            if offset < 0:  # cannot happen: the quote is passage text; then the whole excerpt is the quote
                refs.append((passage.chunk, passage.start, passage.end))
            else:
                refs.append((passage.chunk, passage.start + offset, passage.start + offset + len(quote)))
        lines.append(WrittenLine(f"⚠ {bare}" if check.flagged else bare, tuple(refs)))
    return lines


def section_messages(task: str, shown: Sequence[Hit]) -> list[Message]:
    """The chat's messages (system prompt, its worked example, the numbered passages with the task as the
    question) with `SECTION_EXAMPLE` before the real question."""
    messages = build_messages(task, shown, (), history_turns=0)
    return [*messages[:-1], *SECTION_EXAMPLE, messages[-1]]


class SectionWriter:
    """Writes one briefing section with the chat's model, prompt and verification (`GenerativeAnswerer`)."""

    def __init__(self, answerer: GenerativeAnswerer) -> None:
        self.answerer = answerer

    @property
    def mode(self) -> str:
        return str(self.answerer.verify_mode)

    def task(self, key: str, subject: str) -> str:
        return SECTION_TASKS[key].format(subject=subject)

    def write(self, key: str, subject: str, passages: Sequence[Passage], *, title: str = "") -> WrittenSection:
        started = time.perf_counter()
        task = self.task(key, subject)
        # The model sees the excerpts; citations keep the chunk ids, so they map back to whole chunks.
        shown = [Hit(chunk=replace(p.chunk, text=p.text), score=1.0, rank=i) for i, p in enumerate(passages, start=1)]
        originals = [Hit(chunk=p.chunk, score=1.0, rank=i) for i, p in enumerate(passages, start=1)]
        raw = self.answerer.model.complete(section_messages(task, shown))
        # A private copy: `finalise` records its Verification on the answerer, which the app shares.
        answerer = copy.copy(self.answerer)
        answer = answerer.finalise(task, originals, raw, shown=shown)
        check = answerer.last_verification
        checks = check.checks if check else ()
        caught = tuple(
            f"{c.text.strip()} (steun {c.score:.2f})" if c.score is not None else f"{c.text.strip()} (geen bron)"
            for c in checks
            if c.flagged
        )
        stats = dict(answer.verification or {})
        ms = (time.perf_counter() - started) * 1000
        if answer.abstained:
            said = bool(check and check.said_abstention)
            reason = "het taalmodel vond het niet in de bronnen" if said else "geen enkele zin gestaafd door zijn bron"
            return WrittenSection(key, False, (), reason, raw, stats, caught, ms)
        lines = lines_from_checks(checks, passages, str(answerer.verify_mode), title=title)
        if not any(line.refs for line in lines):
            return WrittenSection(key, False, (), "geen zin met bronvermelding over", raw, stats, caught, ms)
        return WrittenSection(key, True, tuple(lines), "", raw, stats, caught, ms)


__all__ = [
    "MAX_PASSAGES",
    "SECTION_EXAMPLE",
    "SECTION_TASKS",
    "Passage",
    "SectionWriter",
    "WrittenLine",
    "WrittenSection",
    "lines_from_checks",
    "section_messages",
    "section_passages",
]
