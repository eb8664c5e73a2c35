"""Metadata heuristics: dates, language, document type and title (on the real corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.text import detect_language
from ingest.cleaning import clean_pages, extract_letter_header
from ingest.metadata import (
    DateSpan,
    find_date_spans,
    find_document_date,
    guess_doc_type,
    guess_title,
    parse_dutch_date,
)

CORPUS = Path(__file__).resolve().parents[1] / "assistant" / "data" / "corpus"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("28 september 2022", ("2022-09-28", None)),
        ("van 24 juni-27 juni 2015", ("2015-06-24", "2015-06-27")),
        ("van 20 tot 22 maart 2024 in Brussel", ("2024-03-20", "2024-03-22")),
        ("Op 12 juni 2024 vindt", ("2024-06-12", None)),
        ("begon op 15-06-2023", ("2023-06-15", None)),
        ("juni 2024", ("2024-06-01", None)),
        ("3 sept. 2021", ("2021-09-03", None)),
        ("1 okt 2020", ("2020-10-01", None)),
        ("June 5, 2020", ("2020-06-05", None)),
        ("5 March 2021", ("2021-03-05", None)),
        ("2023-06-15", ("2023-06-15", None)),
        ("30 juni - 2 juli 2015", ("2015-06-30", "2015-07-02")),
        ("28 december - 3 januari 2016", ("2015-12-28", "2016-01-03")),
        ("31-02-2020", (None, None)),
        ("geen datum hier", (None, None)),
    ],
)
def test_parse_dutch_date(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_dutch_date(text) == expected


def test_find_date_spans_offsets_precision_and_overlaps() -> None:
    text = "Van 24 juni-27 juni 2015 in Parijs; daarna juni 2024 en 12-06-2024."
    spans = find_date_spans(text)
    assert spans == [
        DateSpan(4, 24, "2015-06-24", "2015-06-27", "day"),  # the range, not "27 juni 2015" inside it
        DateSpan(43, 52, "2024-06-01", None, "month"),
        DateSpan(56, 66, "2024-06-12", None, "day"),
    ]
    assert [text[s.start : s.end] for s in spans] == ["24 juni-27 juni 2015", "juni 2024", "12-06-2024"]
    assert [s.date for s in find_date_spans(text, full_only=True)] == ["2015-06-24", "2024-06-12"]


def test_find_document_date_prefers_letter_datum() -> None:
    text = "Op 1 januari 2020 gebeurde iets."
    assert find_document_date(text, {"datum": "28 september 2022"}) == ("2022-09-28", None)
    assert find_document_date(text, {}) == ("2020-01-01", None)
    late = "x" * 600 + " Vergadering van 3 maart 2019 en 1 januari 2018."
    assert find_document_date(late, {}) == ("2019-03-03", None)
    assert find_document_date("Geen datum.", {}) == (None, None)


def test_detect_language() -> None:
    assert detect_language("De gemeente heeft een plan voor de veiligheid van het centrum.") == "nl"
    assert detect_language("The findings of the review are that the app is secure and it has no issues.") == "en"
    assert detect_language("") == "nl"


def _load(name: str) -> tuple[str, dict[str, str]]:
    cleaned = clean_pages([(CORPUS / name).read_text(encoding="utf-8")])
    meta, text = extract_letter_header(cleaned.text)
    return text, meta


@pytest.mark.parametrize(
    ("name", "title", "doc_type", "date"),
    [
        (
            "000_c0ed1ecefa30b148.txt",
            "Verslag dienstreis Parijs van 24 juni-27 juni 2015",
            "trip report",
            ("2015-06-24", "2015-06-27"),
        ),
        (
            "001_23d19e44c1f29afc.txt",
            "Sociale cohesie versterken om de veiligheid in steden te verbeteren",
            "conference report",
            ("2024-03-20", "2024-03-22"),
        ),
        (
            "002_5525973de46d0ec1.txt",
            "Aanbieding ontwerp regionaal beleidsplan 'Coalitie voor veiligheid 2023 -2026'",
            "letter",
            ("2022-09-28", None),
        ),
        ("003_145eaa7edb620ff2.txt", "Verslag buitenlandse dienstreis Oslo", "trip report", (None, None)),
        (
            "004_a1746381f5f4cd88.txt",
            "Kennisuitwisseling tussen Belgische en Nederlandse Directies op het gebied van veiligheid en preventie",
            "article",
            ("2024-06-12", None),
        ),
    ],
)
def test_corpus_metadata(name: str, title: str, doc_type: str, date: tuple[str | None, str | None]) -> None:
    text, meta = _load(name)
    assert guess_title(text, name, None, meta) == title
    assert guess_doc_type(text, name, meta) == doc_type
    assert find_document_date(text, meta) == date
    assert detect_language(text) == "nl"


def test_title_fallbacks() -> None:
    assert guess_title("# Nota\n\nTekst.", "a.md", "Hint", {}) == "Nota"
    assert guess_title("gewoon tekst zonder kop.", "map/stuk.txt", "Docx titel", {}) == "Docx titel"
    assert guess_title("gewoon tekst zonder kop.", "map/stuk.txt", None, {}) == "stuk"
    assert guess_title("Subject: FW: Noodverordening\nBeste allen,", "m.pdf", None, {}) == "FW: Noodverordening"


def test_doc_types() -> None:
    assert guess_doc_type("Geachte heer,\n\nHierbij...", "x.txt", {}) == "letter"
    assert guess_doc_type("Regionaal beleidsplan 2024\n\nTekst", "x.txt", {}) == "policy plan"
    assert guess_doc_type("# Wet\n\nArtikel 1\n\nIn deze wet...", "x.md", {}) == "law"
    assert guess_doc_type("Rapportage penetratietest\n\nTekst", "x.pdf", {}) == "report"
    assert guess_doc_type("Kort.", "x.txt", {}) == "document"
