"""PDF fonts whose text map is incomplete (`ingest.pdffonts`): word gaps and figures read correctly, on the test
set's composite-font report, on a PDF made here, and nothing changed where the fonts say enough themselves."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from ingest.documents import build_document
from ingest.loaders import load_file
from ingest.pdffonts import FIGURES_RECOVERED, PDF_READER, PDF_READER_VERSION
from ingest.quality import RUN_TOGETHER, assess_extraction
from ingest.respace import SPACES_RESTORED
from tests.conftest import TESTDATA_PDFS

COMPOSITE = TESTDATA_PDFS / "Bijlage_J_-_MinVWS-Coronamelder-REPORT-v1.0.pdf"
# Fonts of these PDFs hold a run of unmapped glyphs shaped like figures that the text never shows.
UNUSED_RUNS = ("Bijlage_B_-_Advies_Autoriteit_Persoonsgegevens.pdf",)
# What an unmapped glyph reads as: its glyph number as a character, which lands in Latin Extended-A here.
GLYPH_NUMBERS = re.compile(r"[\u0100-\u017f]")

SENTENCES = [
    "The report will be sent to the council each week and the minister will answer the questions in writing.",
    "The review of the source code found no weaknesses in the way the keys are stored on the phone.",
    "The results of the test were shared with the developers before the app was made available to all users.",
]


def _narrow_gap_pdf(path: Path, lines: list[str], gap: int = -100, spaced: int = 0) -> Path:
    """A PDF in a standard font whose words are set apart by `gap` thousandths of an em, less than the font's
    space (278): a reader that trusts the space width sees the words run together. The first `spaced` lines
    have wide gaps (a title page, headings) and read as words."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    shown = []
    for number, line in enumerate(lines):
        words = " ".join(f"({w}) {-300 if number < spaced else gap}" for w in line.split())
        shown.append(f"BT /F1 9 Tf 40 {750 - 11 * number} Td [{words}] TJ ET")
    content = DecodedStreamObject()
    content.set_data("\n".join(shown).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(content)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_a_pdf_whose_word_gaps_are_narrower_than_its_space_is_flagged_respaced_and_returned(tmp_path: Path) -> None:
    pdf = _narrow_gap_pdf(tmp_path / "narrow.pdf", SENTENCES * 20, spaced=9)  # 60 lines: enough to judge
    raw = load_file(pdf)
    assert "Thereportwillbesent" in raw.pages[0]  # the reader trusts the font's space: the premise of the test
    assert "The report will be sent" in raw.pages[0]  # ... and wide gaps read as spaces
    assert any(r.startswith(RUN_TOGETHER) for r in assess_extraction(raw.pages).reasons)
    doc = build_document(pdf)
    assert any(w.startswith(f"extraction quality: {RUN_TOGETHER}") for w in doc.warnings), doc.warnings
    assert any(w.startswith("spaces restored in") for w in doc.warnings), doc.warnings
    assert int(doc.metadata[SPACES_RESTORED]) > 0
    assert doc.metadata[PDF_READER] == str(PDF_READER_VERSION)
    assert "The report will be sent to the council each week" in doc.text


@pytest.mark.integration
def test_a_composite_font_without_a_space_glyph_reads_its_word_gaps() -> None:
    if not COMPOSITE.is_file():
        pytest.skip(f"{COMPOSITE} is absent")
    report = assess_extraction(load_file(COMPOSITE).pages)
    assert report.ok, (report.reasons, report.stats)
    assert report.stats["function_word_share"] > 0.2, report.stats  # run together it was about 0.15


@pytest.mark.integration
def test_a_monospaced_composite_font_keeps_a_code_listing_as_written() -> None:
    """The report's log and code listings are set in a monospaced font (LMMono) with no space glyph and no
    FixedPitch flag, each glyph tightened by 56-157/1000: only a full glyph's width is a word gap."""
    if not COMPOSITE.is_file():
        pytest.skip(f"{COMPOSITE} is absent")
    text = build_document(COMPOSITE).text
    assert "f9c02602-db1e-4abc-9520-270537b92cb1" in text  # a work id in a log line
    assert "Scheduling work ID f9c02602" in text  # the word gaps of the same line are kept
    assert '<?xml version="1.0" encoding="UTF-8"?>' in text  # a listing of a property list
    assert "f9c02602 -db1e" not in text


@pytest.mark.integration
def test_figures_a_composite_font_leaves_out_of_its_text_map_are_read_from_the_glyph_shapes() -> None:
    if not COMPOSITE.is_file():
        pytest.skip(f"{COMPOSITE} is absent")
    doc = build_document(COMPOSITE)
    assert any(w.startswith(FIGURES_RECOVERED) for w in doc.warnings), doc.warnings
    assert not GLYPH_NUMBERS.search(doc.text), GLYPH_NUMBERS.findall(doc.text)[:10]
    assert re.search(r"\b20[0-2]\d\b", doc.text)  # the report's year, once its figures read as figures
    # Numbered sections ("4.10.", "4.10.1.") in order: the figures of each font are numbered right, even where
    # two fonts of the document number their figure glyphs differently.
    numbers = [tuple(int(n) for n in m.group(1).split(".")) for m in re.finditer(r"(?m)^(\d+(?:\.\d+)+)\. ", doc.text)]
    assert len(numbers) > 20
    assert sum(b > a for a, b in itertools.pairwise(numbers)) > 0.8 * (len(numbers) - 1)


@pytest.mark.integration
@pytest.mark.parametrize("name", UNUSED_RUNS)
def test_a_font_whose_figure_shaped_glyphs_the_text_never_shows_is_left_alone(name: str) -> None:
    from pypdf import PdfReader

    path = TESTDATA_PDFS / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    raw = load_file(path)
    assert not any(w.startswith(FIGURES_RECOVERED) for w in raw.warnings)
    assert list(raw.pages) == [page.extract_text() or "" for page in PdfReader(path).pages]
