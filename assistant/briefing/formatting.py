"""Dates and sources as a briefing's labels state them ("20–22 maart 2021", "Reisverslag, 24–27 juni 2015")."""

from __future__ import annotations

import datetime as dt

from assistant.answering.direct import spoken_date
from assistant.core.records import Chunk
from assistant.core.text import MONTHS
from assistant.language.citations import neutralise_brackets
from ingest.metadata import doc_type_name, find_date_spans


def format_date(iso: str | None, end: str | None = None) -> str:
    """Partial ISO as Dutch text: "2019", "november 2019", "3 mei 2019", "20–22 maart 2021"."""
    if not iso:
        return ""
    parts = iso.split("-")
    text = spoken_date(iso, "nl")
    if end and len(parts) == 3:
        e = end.split("-")
        if len(e) == 3 and e[:2] == parts[:2]:
            return f"{int(parts[2])}–{int(e[2])} {MONTHS['nl'][int(parts[1]) - 1]} {parts[0]}"
        return f"{text} – {format_date(end)}"
    return text


def source_kind(chunk: Chunk, doc_date: str | None) -> str:
    """What a source is and when, for the summary: "Reisverslag, 24–27 juni 2015 (4 dagen)". The period is
    the one the title names (a trip's dates), else the document's date."""
    kind = doc_type_name(chunk.doc_type).capitalize()
    spans = find_date_spans(chunk.title)
    start, end = (spans[0].date, spans[0].date_end) if spans and spans[0].date_end else (doc_date, None)
    when = format_date(start, end)
    if start and end and len(start) == len(end) == 10:
        days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
        when += f" ({days} dagen)" if 1 < days <= 60 else ""
    return f"{kind}, {when}" if when else kind


def flat(text: str) -> str:
    """`text` on one line, its brackets neutralised (a passage's own "[3]" is no citation)."""
    return neutralise_brackets(" ".join(text.split()))
