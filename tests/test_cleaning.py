"""Cleaning: running headers/footers, hyphenation, whitespace, page spans and letter headers."""

from __future__ import annotations

from pathlib import Path

from ingest.cleaning import clean_pages, extract_letter_header

CORPUS = Path(__file__).resolve().parents[1] / "assistant" / "data" / "corpus"


def _page(n: int, body: str) -> str:
    return (
        "VWS | Directie Informatiebeleid / CIO - DPIA app\n"
        f"{n} | 12 Gegevensbeschermingseffectbeoordeling | PIA\n"
        f"{body}\n"
        f"Pagina {n} van 12\n"
    )


def test_running_headers_and_page_numbers_removed() -> None:
    bodies = ["Privacy eerst.", "Dataminimalisatie.", "Bewaartermijnen.", "Beveiliging.", "Conclusie."]
    pages = [_page(n, body) for n, body in enumerate(bodies, start=1)]
    cleaned = clean_pages(pages)
    assert "Directie Informatiebeleid" not in cleaned.text
    assert "| 12" not in cleaned.text and "Pagina" not in cleaned.text
    assert cleaned.removed_lines == 15
    for body, span in zip(bodies, cleaned.pages, strict=True):
        assert cleaned.text[span.start : span.end] == body
    assert cleaned.text.count("\n\n") == 4  # pages joined by one blank line


def test_repeats_need_enough_pages() -> None:
    # Two pages are too few to call a repeated line a running header.
    pages = ["Gemeente Den Haag\nTekst een.", "Gemeente Den Haag\nTekst twee."]
    assert clean_pages(pages).text.count("Gemeente Den Haag") == 2


def test_bare_page_number_lines_removed_only_at_page_edges() -> None:
    body = "\n".join(f"Regel {i} van de tekst." for i in range(8))
    pages = [f"Titel\n{body}\nTabel:\n42\n{body}\n3", "Meer tekst.\n- 4 -"]
    text = clean_pages(pages).text
    assert "\n42\n" in text
    assert not text.endswith("- 4 -") and "\n3\n" not in text


def test_hyphenation_repaired_but_real_hyphens_kept() -> None:
    text = clean_pages(["Het veiligheids-\nbeleid van Noord-\nHolland is klaar."]).text
    assert text == "Het veiligheidsbeleid van Noord-Holland is klaar."


def test_hard_wrapped_lines_joined_structure_kept() -> None:
    raw = (
        "# Kop\n"
        "Dit is een zin die\n"
        "doorloopt op de volgende regel.\n"
        "Nieuwe zin op nieuwe regel.\n"
        "- eerste item\n"
        "- tweede item\n"
        "ALGEMENE BEPALINGEN\n"
        "artikel volgt\n"
        "1. Genummerd punt\n"
    )
    text = clean_pages([raw]).text
    assert text.split("\n") == [
        "# Kop",
        "Dit is een zin die doorloopt op de volgende regel.",
        "Nieuwe zin op nieuwe regel.",
        "- eerste item",
        "- tweede item",
        "ALGEMENE BEPALINGEN",
        "artikel volgt",
        "1. Genummerd punt",
    ]


def test_whitespace_normalised() -> None:
    text = clean_pages(["a  \t b   \n\n\n\n\nc\u00a0d \nﬁnanciën\u00ad"]).text
    assert text == "a b\n\ncd financiën".replace("cd", "c d")


def test_page_spans_cover_text_and_empty_pages() -> None:
    cleaned = clean_pages(["Een.", "", "  \n ", "Vier."])
    assert cleaned.text == "Een.\n\nVier."
    assert [(s.number, s.start, s.end) for s in cleaned.pages] == [
        (1, 0, 4),
        (2, 4, 4),
        (3, 4, 4),
        (4, 6, 11),
    ]


def test_empty_input() -> None:
    cleaned = clean_pages([])
    assert cleaned.text == "" and cleaned.pages == ()


def test_letter_header_from_corpus_letter() -> None:
    raw = (CORPUS / "002_5525973de46d0ec1.txt").read_text(encoding="utf-8")
    cleaned = clean_pages([raw])
    meta, text = extract_letter_header(cleaned.text)
    assert meta == {
        "aan": "De raad van de gemeente [naam]",
        "van": "Burgemeester [naam]",
        "datum": "28 september 2022",
        "steller": "Wim Eppinga",
        "onderwerp": "Aanbieding ontwerp regionaal beleidsplan 'Coalitie voor veiligheid 2023 -2026'",
        "telefoon": "06 46 21 53 65",
        "email": "wim.eppinga@denhaag.nl",
    }
    assert text.startswith("Aan: De raad van de gemeente [naam]\nVan: Burgemeester [naam]\nDatum: 28 september")
    assert "\t" not in text
    assert "Geachte leden van de gemeenteraad," in text


def test_letter_header_colon_form_and_no_header() -> None:
    meta, text = extract_letter_header("Aan: College van B&W\nDatum: 1 mei 2020\n\nGeachte college,")
    assert meta == {"aan": "College van B&W", "datum": "1 mei 2020"}
    assert text.endswith("Geachte college,")
    plain = "Van de redactie\n\nDit is gewoon een artikel."
    assert extract_letter_header(plain) == ({}, plain)
