"""Conversation export: Markdown and Word, with a footnote-style source list under each answer."""

from __future__ import annotations

import io

import docx

from assistant.core.records import Answer, Chunk, Citation, Hit
from assistant.ui.export import citation_line, conversation_docx, conversation_markdown
from assistant.ui.state import ChatTurn


def _turns() -> list[ChatTurn]:
    chunk = Chunk("c1", "d1", "nota.pdf", "Nota veiligheid", "In 2015 werd Den Haag lid van EFUS.", 0, 35, 0, page=3)
    cited = Answer(
        text="Volgens de documenten:\n- In 2015 werd Den Haag lid van EFUS. [1]\n- Het forum telt 250 leden. [2]",
        citations=(
            Citation(1, "c1", "d1", "Nota veiligheid", "nota.pdf", 3, "In 2015 werd Den Haag lid van EFUS."),
            Citation(2, "c2", "d2", "Verslag\x0cParijs", "verslag.txt", None, "De 250 leden\nbestaan uit overheden."),
        ),
        hits=(Hit(chunk, 0.9, 1),),
    )
    absent = Answer(text="Dit staat niet in de documenten.", hits=(Hit(chunk, 0.2, 1),), abstained=True)
    return [
        ChatTurn("Wanneer werd Den Haag lid van EFUS?", cited, asked_at="2025-01-02T10:00:00"),
        ChatTurn("Wat kost de ruimtevaart?", absent, asked_at="2025-01-02T10:01:00"),
    ]


def test_citation_line_is_footnote_style() -> None:
    c = Citation(1, "c1", "d1", "Nota veiligheid", "nota.pdf", 3, "In 2015 werd\nDen Haag lid.")
    assert citation_line(c) == "[1] Nota veiligheid, nota.pdf, p. 3 — „In 2015 werd Den Haag lid.”"
    no_page = Citation(2, "c2", "d2", "Verslag", "verslag.txt", None, "")
    assert citation_line(no_page) == "[2] Verslag, verslag.txt"
    long = Citation(3, "c3", "d3", "T", "t.txt", 1, "woord " * 200)
    assert len(citation_line(long)) < 350 and citation_line(long).endswith("…”")


def test_markdown_export_has_questions_answers_and_sources() -> None:
    md = conversation_markdown(_turns())
    assert md.startswith("# Gesprek met de Beleidsassistent")
    assert "## Vraag 1: Wanneer werd Den Haag lid van EFUS?" in md
    assert "- In 2015 werd Den Haag lid van EFUS. [1]" in md  # inline markers kept
    assert "**Bronnen**" in md
    assert "[1] Nota veiligheid, nota.pdf, p. 3 — „In 2015 werd Den Haag lid van EFUS.”" in md
    assert "[2] Verslag Parijs, verslag.txt — „De 250 leden bestaan uit overheden.”" in md
    # The abstained answer says so and lists no sources.
    second = md.split("## Vraag 2")[1]
    assert "Dit staat niet in de documenten." in second and "Bronnen" not in second


def test_markdown_export_in_english_and_empty() -> None:
    assert "## Question 1:" in conversation_markdown(_turns(), "en")
    assert "Geen vragen gesteld." in conversation_markdown([])


def test_docx_export_has_headings_and_citation_list() -> None:
    data = conversation_docx(_turns())
    document = docx.Document(io.BytesIO(data))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", "Gesprek met de Beleidsassistent")
    assert ("Heading 1", "Vraag 1: Wanneer werd Den Haag lid van EFUS?") in headings
    assert ("Heading 1", "Vraag 2: Wat kost de ruimtevaart?") in headings
    assert [h for h in headings if h[1] == "Bronnen"] == [("Heading 2", "Bronnen")]  # only the cited answer
    texts = [p.text for p in document.paragraphs]
    assert "- In 2015 werd Den Haag lid van EFUS. [1]" in texts
    assert "[1] Nota veiligheid, nota.pdf, p. 3 — „In 2015 werd Den Haag lid van EFUS.”" in texts
    # Control characters from PDFs (form feed) would make invalid XML: they are replaced.
    assert any(t.startswith("[2] Verslag Parijs, verslag.txt") for t in texts)
    assert "Dit staat niet in de documenten." in texts


def test_docx_export_of_an_empty_conversation() -> None:
    document = docx.Document(io.BytesIO(conversation_docx([], "en")))
    assert [p.text for p in document.paragraphs] == ["Conversation with the policy assistant", "No questions asked."]


HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> [klik hier](javascript:alert(3)) & meer"


def test_markdown_exports_carry_document_markup_as_text() -> None:
    from assistant.language.citations import markdown_file_safe

    chunk = Chunk("c1", "d1", "nota.html", "Nota <b>x</b>", HOSTILE, 0, len(HOSTILE), 0)
    answer = Answer(
        text=f"Volgens de documenten:\n- {HOSTILE} [1]",
        citations=(Citation(1, "c1", "d1", "Nota <b>x</b>", "nota.html", None, HOSTILE),),
        hits=(Hit(chunk, 0.9, 1),),
    )
    exported = conversation_markdown([ChatTurn("Wat staat er in de <i>nota</i>?", answer, asked_at="2025-01-02")])
    for raw in ("<script", "<img", "<b>", "<i>", "](javascript:"):
        assert raw not in exported
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in exported and "[1]" in exported and "&amp; meer" in exported
    # Our own Markdown stays as it is.
    assert markdown_file_safe("## Kop\n- **vet** [2]") == "## Kop\n- **vet** [2]"
