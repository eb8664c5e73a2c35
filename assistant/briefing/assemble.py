"""Draft lines into a `Briefing`: citations numbered globally, sections in order, the documents consulted;
and the briefing that says nothing was found."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.briefing.formatting import flat
from assistant.briefing.records import (
    SECTION_TITLES,
    Briefing,
    BriefingLine,
    BriefingSection,
    ConsultedDocument,
    CorpusState,
    Draft,
)
from assistant.core.records import Chunk, Hit
from assistant.language.citations import build_citations
from ingest.manifest import DocumentRow

if TYPE_CHECKING:
    from assistant.briefing.writer import WrittenSection

MAX_QUOTE_CHARS = 600

_EMPTY_NOTES = {
    "summary": "Geen samenvatting mogelijk.",
    "contacts": "Geen gedateerde eerdere contacten of bezoeken gevonden.",
    "followups": "Geen afspraken of vervolgacties gevonden.",
    "people": "Geen personen of organisaties met een rol gevonden.",
    "themes": "Geen beleidsthema's gevonden.",
    "upcoming": "Geen komende momenten gevonden.",
    "coverage": "",
}


def assemble(
    topic: str,
    focus: Sequence[str],
    drafts: list[Draft],
    documents: dict[str, DocumentRow],
    corpus: CorpusState,
    generated_at: str,
    written: dict[str, WrittenSection] | None = None,
) -> Briefing:
    """Number the citations globally (order of first appearance) with `build_citations`."""
    order = list(SECTION_TITLES)
    drafts = sorted(drafts, key=lambda d: order.index(d.section))  # stable: keeps order within a section
    hits: list[Hit] = []
    index_of: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    first: dict[str, tuple[int, int]] = {}
    lines: list[str] = []
    for d in drafts:
        markers: list[int] = []
        for chunk, s, e in d.units:
            if chunk.chunk_id not in index_of:
                index_of[chunk.chunk_id] = len(hits) + 1
                hits.append(Hit(chunk=chunk, score=1.0, rank=len(hits) + 1))
                spans[chunk.chunk_id] = (s, e)
                first[chunk.chunk_id] = (s, e)
            else:
                low, high = spans[chunk.chunk_id]
                spans[chunk.chunk_id] = (min(low, s), max(high, e))
            markers.append(index_of[chunk.chunk_id])
        marker = f" [{', '.join(str(m) for m in dict.fromkeys(markers))}]" if markers else ""
        lines.append(f"{d.text}{marker}")
    # The quote is the verbatim span covering every sentence used from that passage.
    # A long covering span (sentences far apart in the passage) would bury the point: then the sentence
    # that introduced the passage into the briefing is the quote. Either way it is verbatim passage text.
    quotes = {
        index_of[cid]: hits[index_of[cid] - 1].chunk.text[s:e]
        if e - s <= MAX_QUOTE_CHARS
        else hits[index_of[cid] - 1].chunk.text[first[cid][0] : first[cid][1]]
        for cid, (s, e) in spans.items()
    }
    body, citations, _invalid = build_citations("\n".join(lines), hits, quotes)
    numbered = body.split("\n")
    sections: list[BriefingSection] = []
    for key, title in SECTION_TITLES.items():
        section_lines = []
        for d, text in zip(drafts, numbered, strict=True):
            if d.section == key:
                nums = tuple(n for m in re.findall(r"\[([\d, ]+)\]\s*$", text) for n in map(int, m.split(",")))
                section_lines.append(BriefingLine(text=text, citations=nums, label=d.label))
        done = (written or {}).get(key)
        sections.append(
            BriefingSection(
                key,
                title,
                tuple(section_lines),
                _EMPTY_NOTES.get(key, ""),
                mode="extractive" if done is None else "llm" if done.ok else "fallback",
                verification=dict(done.stats) if done else {},
                caught=done.caught if done else (),
            )
        )
    used_docs: dict[str, int] = {}
    for c in citations:
        used_docs[c.doc_id] = used_docs.get(c.doc_id, 0) + 1
    consulted = tuple(
        ConsultedDocument(
            doc_id=i,
            title=documents[i].title if i in documents else i,
            source=documents[i].source if i in documents else "",
            date=documents[i].date if i in documents else None,
            doc_type=documents[i].doc_type if i in documents else "",
            passages=n,
        )
        for i, n in used_docs.items()
    )
    # Hits in citation order, so `Answer.hits` and the citations agree.
    by_id = {h.chunk.chunk_id: h for h in hits}
    ordered = tuple(by_id[c.chunk_id] for c in citations)
    return Briefing(
        topic=topic,
        focus=tuple(focus),
        found=True,
        sections=tuple(sections),
        citations=tuple(citations),
        documents=consulted,
        generated_at=generated_at,
        corpus=corpus,
        hits=ordered,
    )


def not_found(
    topic: str,
    focus: Sequence[str],
    scores: dict[str, tuple[Chunk, float]],
    documents: dict[str, DocumentRow],
    corpus: CorpusState,
    generated_at: str,
) -> Briefing:
    """No passage mentions the topic: say so, and name the closest documents without quoting them."""
    subject = ", ".join(focus) or topic
    lines = [BriefingLine(text=f"Over {subject} is in de documenten niets gevonden.")]
    closest: list[str] = []
    for chunk, _score in sorted(scores.values(), key=lambda cs: -cs[1]):
        doc = documents.get(chunk.doc_id)
        label = f"{doc.title if doc else chunk.title} ({chunk.source})"
        if label not in closest:
            closest.append(label)
        if len(closest) == 3:
            break
    if closest:
        lines.append(BriefingLine(text="Het dichtst in de buurt komen (zonder het onderwerp te noemen):"))
        lines.extend(BriefingLine(text=flat(c), label="") for c in closest)
    coverage = [
        BriefingLine(
            text=f"{corpus.documents} documenten doorzocht; geen enkele passage noemt {subject}.",
            label="Dekking",
        )
    ]
    return Briefing(
        topic=topic,
        focus=tuple(focus),
        found=False,
        sections=(
            BriefingSection("summary", SECTION_TITLES["summary"], tuple(lines)),
            BriefingSection("coverage", SECTION_TITLES["coverage"], tuple(coverage)),
        ),
        citations=(),
        documents=(),
        generated_at=generated_at,
        corpus=corpus,
    )
