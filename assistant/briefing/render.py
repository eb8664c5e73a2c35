"""A briefing as Markdown, as a Word document, as JSON, and as an `Answer` for evaluation."""

from __future__ import annotations

import io
import re
from typing import Any

from assistant.briefing.formatting import format_date
from assistant.briefing.records import Briefing, BriefingLine
from assistant.core.records import Answer, Citation
from assistant.language.citations import neutralise_brackets


def citation_line(c: Citation) -> str:
    """`[n] Title, file, p. N — „quote”` (page left out when unknown)."""
    parts = [c.title or c.source]
    if c.source and c.source != c.title:
        parts.append(c.source)
    if c.page is not None:
        parts.append(f"p. {c.page}")
    line = f"[{c.n}] " + ", ".join(parts)
    if c.quote.strip():
        line += f" — „{' '.join(c.quote.split())}”"
    return line


def _line_markdown(line: BriefingLine) -> str:
    return f"- **{neutralise_brackets(line.label)}** — {line.text}" if line.label else f"- {line.text}"


def corpus_line(b: Briefing) -> str:
    when = b.generated_at.replace("T", " ")[:16]
    newest = format_date(b.corpus.newest_date) or "onbekend"
    return (
        f"Gegenereerd op {when} · index: {b.corpus.documents} documenten, {b.corpus.chunks} passages · "
        f"nieuwste document: {newest}"
    )


def writer_line(b: Briefing) -> str | None:
    """Who wrote sections 1-6, when it was an LLM: the reader must know the text is generated."""
    if b.written_by == "extractive":
        return None
    modes = {s.mode for s in b.sections}
    text = (
        f"Secties geschreven door een taalmodel ({b.written_by}); elke zin is gecontroleerd tegen de passage "
        "die hij citeert (niet gestaafde zinnen: verwijderd, of gemarkeerd met ⚠). Dekking en lacunes is berekend."
    )
    if "fallback" in modes:
        text += " Waar de tekst van het taalmodel niet gestaafd werd, staan de letterlijke passages."
    return neutralise_brackets(text)


def to_markdown(b: Briefing) -> str:
    """The briefing as Markdown: sections with `[n]` per line, then the numbered sources with quotes."""
    out = [f"# Briefing: {neutralise_brackets(b.topic)}", "", f"_{corpus_line(b)}_", ""]
    if (note := writer_line(b)) is not None:
        out += [f"_{note}_", ""]
    for section in b.sections:
        out += [f"## {section.title}", ""]
        if section.lines:
            out += [_line_markdown(line) for line in section.lines]
        elif section.empty_note:
            out.append(f"_{section.empty_note}_")
        out.append("")
    if b.citations:
        out += ["## Bronnen", ""]
        # Two trailing spaces: a Markdown line break, so each footnote stays on its own line.
        out += [citation_line(c) + "  " for c in b.citations]
        out.append("")
    return "\n".join(out)


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    # XML 1.0 forbids most control characters; documents do contain them, and python-docx would refuse.
    return _XML_ILLEGAL.sub(" ", text)


def to_docx(b: Briefing) -> bytes:
    """The briefing as a Word document: title, generation time and corpus state, a heading per section,
    bulleted lines with `[n]`, and footnote-style numbered sources with their quotes."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading(_x(f"Briefing: {b.topic}"), level=0)
    meta = doc.add_paragraph()
    meta.add_run(_x(corpus_line(b))).italic = True
    if (note := writer_line(b)) is not None:
        doc.add_paragraph().add_run(_x(note)).italic = True
    for section in b.sections:
        doc.add_heading(section.title, level=1)
        if not section.lines and section.empty_note:
            doc.add_paragraph().add_run(section.empty_note).italic = True
        for line in section.lines:
            para = doc.add_paragraph(style="List Bullet")
            if line.label:
                para.add_run(_x(line.label)).bold = True
                para.add_run(" — ")
            para.add_run(_x(line.text))
    if b.citations:
        doc.add_heading("Bronnen", level=1)
        for c in b.citations:
            run = doc.add_paragraph().add_run(_x(citation_line(c)))
            run.font.size = Pt(9)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_dict(b: Briefing) -> dict[str, Any]:
    """JSON-ready form (CLI `--json`)."""
    from dataclasses import asdict

    data = asdict(b)
    data.pop("hits", None)
    return data


def briefing_answer(b: Briefing) -> Answer:
    """The briefing as an `Answer` (text = Markdown, citations = the briefing's), for evaluation."""
    return Answer(
        text=to_markdown(b),
        citations=b.citations,
        hits=b.hits,
        abstained=not b.found,
        abstain_reason=None if b.found else "topic not mentioned in any document",
        query=b.topic,
        timings_ms=dict(b.timings_ms),
    )


def all_quotes_verbatim(b: Briefing) -> bool:
    """Every citation quote occurs in its passage (a self-check the tests and the UI can use)."""
    by_id = {h.chunk.chunk_id: h.chunk.text for h in b.hits}
    return all(c.quote in by_id.get(c.chunk_id, "") for c in b.citations)
