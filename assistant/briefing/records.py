"""What a briefing is made of: the records it is returned as, and the candidate sentences and draft lines the
generator works with before citations are numbered."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.core.records import Chunk, Citation, Hit
from assistant.language.entities import Entity, Event

SECTION_TITLES: dict[str, str] = {
    "summary": "Samenvatting",
    "contacts": "Eerdere contacten en bezoeken",
    "followups": "Afspraken en open vervolgacties",
    "people": "Personen en organisaties",
    "themes": "Relevante beleidsthema's",
    "upcoming": "Komende momenten",
    "coverage": "Dekking en lacunes",
}


@dataclass(frozen=True, slots=True)
class BriefingLine:
    """One line: an optional label (a date, a name) and verbatim passage text carrying `[n]` markers."""

    text: str
    citations: tuple[int, ...] = ()
    label: str = ""


@dataclass(frozen=True, slots=True)
class BriefingSection:
    key: str
    title: str
    lines: tuple[BriefingLine, ...] = ()
    empty_note: str = ""  # shown when there are no lines, so an empty section is stated, not hidden
    # "extractive" (verbatim passage sentences), "llm" (written by the model, verified) or "fallback" (the
    # model's text failed verification: the extractive lines, with a note saying so).
    mode: str = "extractive"
    verification: dict[str, int] = field(default_factory=dict)  # the verifier's counts, LLM sections only
    caught: tuple[str, ...] = ()  # sentences verification flagged (removed or marked), with their score


@dataclass(frozen=True, slots=True)
class ConsultedDocument:
    doc_id: str
    title: str
    source: str
    date: str | None
    doc_type: str
    passages: int  # passages of this document used in the briefing


@dataclass(frozen=True, slots=True)
class CorpusState:
    documents: int
    chunks: int
    newest_date: str | None


@dataclass(frozen=True)
class Briefing:
    topic: str
    focus: tuple[str, ...]  # canonical names (or words) the briefing is about
    found: bool
    sections: tuple[BriefingSection, ...]
    citations: tuple[Citation, ...]
    documents: tuple[ConsultedDocument, ...]
    generated_at: str
    corpus: CorpusState
    timings_ms: dict[str, float] = field(default_factory=dict)
    hits: tuple[Hit, ...] = ()  # the passages the citations point into
    written_by: str = "extractive"  # or the LLM that wrote sections 1-6, with the verification mode


# --------------------------------------------------------------------------------------------- internals


@dataclass(slots=True)
class Unit:
    """A candidate sentence: `chunk.text[start:end]`."""

    chunk: Chunk
    start: int
    end: int
    text: str
    heading: str
    entities: list[Entity]
    events: list[Event]
    on_topic: bool
    chunk_score: float
    doc_date: str | None
    near_topic: bool = False  # the sentence before or after names the topic ("Dat overleg ... in Gent")

    @property
    def key(self) -> tuple[str, int]:
        return self.chunk.chunk_id, self.start


@dataclass(slots=True)
class Draft:
    """A line before numbering: label, text, and the units it cites."""

    section: str
    label: str
    text: str
    units: list[tuple[Chunk, int, int]]
