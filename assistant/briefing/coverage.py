"""Section 7, "Dekking en lacunes": which documents were consulted and how recent they are, what is missing,
and conflicting figures (same entity, same kind of count, different numbers in different documents)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.briefing.formatting import format_date
from assistant.briefing.records import CorpusState, Draft, Unit
from assistant.briefing.selection import chunk_annotations
from assistant.core.records import Chunk
from assistant.language.citations import split_sentences
from ingest.manifest import DocumentRow
from ingest.metadata import doc_type_name

Ref = tuple[Chunk, int, int]  # a chunk and the span of it a line quotes

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def coverage_drafts(
    topic: str,
    focus: Sequence[str],
    units: list[Unit],
    drafts: list[Draft],
    documents: dict[str, DocumentRow],
    corpus: CorpusState,
    chunks: Sequence[Chunk],
) -> list[Draft]:
    """Section 7: documents consulted (each cited by a passage it contributed), recency, gaps, conflicts
    (`conflict_drafts` over `chunks`)."""
    out: list[Draft] = []
    first_use: dict[str, Ref] = {}
    uses: dict[str, int] = {}
    for d in drafts:
        for chunk, s, e in d.units:
            first_use.setdefault(chunk.doc_id, (chunk, s, e))
            uses[chunk.doc_id] = uses.get(chunk.doc_id, 0) + 1
    relevant = sorted(first_use, key=lambda i: (documents[i].date or "") if i in documents else "")
    subject = ", ".join(focus) or topic
    for doc_id in relevant:
        doc = documents.get(doc_id)
        chunk, s, e = first_use[doc_id]
        title = doc.title if doc else chunk.title
        date = format_date(doc.date if doc else chunk.date) or "zonder datum"
        kind = doc_type_name(doc.doc_type if doc else chunk.doc_type)
        label = f"{title} ({chunk.source}, {date}, {kind})"
        used = uses[doc_id]
        out.append(Draft("coverage", label, f"{used} {'zin' if used == 1 else 'zinnen'} gebruikt", [(chunk, s, e)]))
    dated = [day for i in relevant if i in documents and (day := documents[i].date)]
    newest = max(dated, default=None)
    if newest:
        out.append(
            Draft(
                "coverage",
                "Recentheid",
                f"Het nieuwste document over {subject} is van {format_date(newest)}; "
                f"geen verslag over {subject} na {newest[:4]}."
                + (
                    f" Het nieuwste document in de hele index is van {format_date(corpus.newest_date)}."
                    if corpus.newest_date and corpus.newest_date != newest
                    else ""
                ),
                [],
            )
        )
    undated = [documents[i].title for i in relevant if i in documents and not documents[i].date]
    for title in undated:
        out.append(
            Draft(
                "coverage",
                "Zonder datum",
                f"„{title}” heeft geen datum: maanden zonder jaartal daarin zijn niet in de tijd te plaatsen.",
                [],
            )
        )
    if len(relevant) == 1:
        out.append(Draft("coverage", "Eén bron", f"Alles over {subject} komt uit één document.", []))
    if not any(documents[i].doc_type == "trip report" for i in relevant if i in documents):
        out.append(Draft("coverage", "Geen reisverslag", f"Er is geen dienstreisverslag over {subject}.", []))
    out.extend(conflict_drafts(focus, units, documents, chunks))
    return out


def conflict_drafts(
    focus: Sequence[str], units: list[Unit], documents: dict[str, DocumentRow], chunks: Sequence[Chunk]
) -> list[Draft]:
    """Same entity, same kind of count, different numbers in different documents: show both, with dates.

    The entities checked are the topic's and the organisations the briefing names at least twice; their
    counts are looked up in every chunk that mentions them (`chunks`: the whole index, when it is small
    enough)."""
    org_counts: dict[str, int] = {}
    for u in units:
        for org in {x.name for x in u.entities if x.kind == "org"}:
            org_counts[org] = org_counts.get(org, 0) + 1
    subjects = set(focus) | {name for name, n in org_counts.items() if n >= 2}
    # (entity, noun) -> number -> list of (chunk, quote start, quote end)
    table: dict[tuple[str, str], dict[int, list[Ref]]] = {}
    for chunk in {c.chunk_id: c for c in chunks}.values():
        entities, _events, counts = chunk_annotations(chunk)
        if not counts:
            continue
        spans = split_sentences(chunk.text)
        for count in counts:
            index = next((i for i, (s, e) in enumerate(spans) if s <= count.start < e), None)
            if index is None:
                continue
            # The subject of "De 40 leden ... uit 12 landen" is the nearest one named in the sentence or
            # before it in the same paragraph.
            for back in range(index, -1, -1):
                s, e = spans[back]
                owners = [x.name for x in entities if s <= x.start < e and x.name in subjects and x.kind == "org"]
                if owners:
                    quote = (s, spans[index][1])
                    table.setdefault((owners[0], count.noun), {}).setdefault(count.number, []).append((chunk, *quote))
                    break
                if back > 0 and _PARAGRAPH_BREAK.search(chunk.text, spans[back - 1][1], s):
                    break
    out: list[Draft] = []
    for (entity, noun), by_number in sorted(table.items()):
        docs_per_number = {n: {c.doc_id for c, _s, _e in refs} for n, refs in by_number.items()}
        all_docs = set().union(*docs_per_number.values())
        if len(by_number) < 2 or len(all_docs) < 2:
            continue
        parts: list[str] = []
        refs_used: list[Ref] = []
        for number, refs in sorted(by_number.items(), key=lambda kv: _oldest(kv[1], documents)):
            chunk, s, e = refs[0]
            doc = documents.get(chunk.doc_id)
            date = format_date(doc.date if doc else chunk.date) or "zonder datum"
            parts.append(f"{number} {noun} volgens „{doc.title if doc else chunk.title}” ({date})")
            refs_used.append((chunk, s, e))
        out.append(Draft("coverage", f"Tegenstrijdige cijfers over {entity}", "; ".join(parts) + ".", refs_used))
    return out


def _oldest(refs: list[Ref], documents: dict[str, DocumentRow]) -> str:
    """The earliest date of the documents `refs` quote ("" for an undated one, which sorts first)."""
    return min(((documents[c.doc_id].date or "") if c.doc_id in documents else "") for c, _, _ in refs)
