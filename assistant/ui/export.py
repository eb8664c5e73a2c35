"""Conversation export as Markdown and Word, with footnote-style citations under each answer.

Pure functions: turns in, text/bytes out. Each answer keeps its inline `[n]` markers and is followed by a
numbered list `[n] Title, file, p. N — „quote”`, so a printed copy can still be checked against the sources.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from assistant.core.records import Citation
from assistant.language.citations import markdown_file_safe
from assistant.ui.i18n import Lang, translate
from assistant.ui.render import shorten
from assistant.ui.state import ChatTurn

_LABELS: dict[Lang, dict[str, str]] = {
    "nl": {
        "title": "Gesprek met de Beleidsassistent",
        "question": "Vraag {i}",
        "answer": "Antwoord",
        "sources": "Bronnen",
        "asked": "Gesteld op {when}",
        "empty": "Geen vragen gesteld.",
    },
    "en": {
        "title": "Conversation with the policy assistant",
        "question": "Question {i}",
        "answer": "Answer",
        "sources": "Sources",
        "asked": "Asked at {when}",
        "empty": "No questions asked.",
    },
}
_QUOTE_CHARS = 300
# XML 1.0 forbids most control characters; PDFs do contain them (form feeds), and python-docx would refuse.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub(" ", text)


def citation_line(c: Citation, lang: Lang = "nl") -> str:
    """`[n] Title, file, p. N — „quote”` (page left out when unknown)."""
    parts = [c.title or c.source]
    if c.source and c.source != c.title:
        parts.append(c.source)
    if c.page is not None:
        parts.append(translate("chat.page", lang, page=c.page))
    line = f"[{c.n}] " + ", ".join(parts)
    if c.quote.strip():
        line += f" — „{shorten(c.quote, _QUOTE_CHARS)}”"
    return line


def _answer_text(turn: ChatTurn, lang: Lang) -> str:
    a = turn.answer
    if a.abstained:
        return translate("chat.abstain.title", lang)
    return a.text


def conversation_markdown(turns: Sequence[ChatTurn], lang: Lang = "nl") -> str:
    labels = _LABELS[lang]
    lines = [f"# {labels['title']}", ""]
    if not turns:
        lines += [labels["empty"], ""]
    for i, turn in enumerate(turns, 1):
        question = " ".join(turn.question.split())
        lines += [f"## {labels['question'].format(i=i)}: {question}", ""]
        lines += [f"*{labels['asked'].format(when=turn.asked_at)}*", ""]
        lines += [f"**{labels['answer']}**", "", _answer_text(turn, lang).strip(), ""]
        if turn.answer.citations and not turn.answer.abstained:
            lines += [f"**{labels['sources']}**", ""]
            # Two trailing spaces: a Markdown line break, so each footnote stays on its own line.
            lines += [citation_line(c, lang) + "  " for c in turn.answer.citations]
            lines.append("")
    return markdown_file_safe(_clean("\n".join(lines)))


def conversation_docx(turns: Sequence[ChatTurn], lang: Lang = "nl") -> bytes:
    from docx import Document
    from docx.shared import Pt

    labels = _LABELS[lang]
    doc = Document()
    doc.add_heading(labels["title"], level=0)
    if not turns:
        doc.add_paragraph(labels["empty"])
    for i, turn in enumerate(turns, 1):
        doc.add_heading(_clean(f"{labels['question'].format(i=i)}: {' '.join(turn.question.split())}"), level=1)
        asked = doc.add_paragraph()
        asked.add_run(labels["asked"].format(when=turn.asked_at)).italic = True
        doc.add_heading(labels["answer"], level=2)
        for line in _answer_text(turn, lang).strip().splitlines():
            if line.strip():
                doc.add_paragraph(_clean(line.rstrip()))
        if turn.answer.citations and not turn.answer.abstained:
            doc.add_heading(labels["sources"], level=2)
            for c in turn.answer.citations:
                para = doc.add_paragraph()
                run = para.add_run(_clean(citation_line(c, lang)))
                run.font.size = Pt(9)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
