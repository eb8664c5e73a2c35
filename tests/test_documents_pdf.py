"""End-to-end on real Dutch government PDFs (shared/testdata/pdfs): cleaning, quality flags, pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.core.records import Document
from ingest.chunking import chunk_document
from ingest.documents import build_document
from ingest.loaders import load_file
from ingest.quality import assess_extraction

PDF_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "pdfs"
CORPUS = Path(__file__).resolve().parents[1] / "assistant" / "data" / "corpus"

pytestmark = pytest.mark.skipif(not PDF_DIR.is_dir(), reason=f"test PDFs not found at {PDF_DIR}")

DPIA = "Bijlage_A_-_DPIA_Coronamelder.pdf"
# Parsing these takes about 1.7 s each with pypdf; they are checked in the slow run only.
SLOW_PDFS = {
    "Bijlage_J_-_MinVWS-Coronamelder-REPORT-v1.0.pdf",
    "Bijlage_K_-_Rapportage_Penetratietest.pdf",
    "Bijlage_I_-_Codereview_Radically_Open_Security.pdf",
}
GOOD_PDFS = sorted(p.name for p in PDF_DIR.glob("*.pdf")) if PDF_DIR.is_dir() else []


@pytest.fixture(scope="module")
def dpia() -> Document:
    return build_document(PDF_DIR / DPIA)


def test_dpia_running_header_and_footer_removed(dpia: Document) -> None:
    header = "VWS | Directie Informatiebeleid / CIO - DPIA COVID-19 notificatie-app"
    footer = re.compile(r"\d+ \| 75 Gegevensbeschermingseffectbeoordeling")
    assert header not in dpia.text
    assert not footer.search(dpia.text)
    chunks = chunk_document(dpia)
    assert chunks
    for chunk in chunks:
        assert header not in chunk.text and not footer.search(chunk.text)
        assert dpia.text[chunk.start : chunk.end] == chunk.text
    assert not dpia.warnings


def test_dpia_pages_kept_and_correct_for_known_phrase(dpia: Document) -> None:
    assert len(dpia.pages) == 65
    assert [p.number for p in dpia.pages] == list(range(1, 66))
    # "Koppelingsfase" is a subheading on PDF page 11 (numbered 11 | 75 in the footer).
    offset = dpia.text.index("Koppelingsfase\nDe smartphones van andere gebruikers")
    assert dpia.page_at(offset) == 11
    chunk = next(c for c in chunk_document(dpia) if c.start <= offset < c.end)
    assert chunk.page is not None and chunk.page <= 11 <= (chunk.page_end or 0)


def test_dpia_metadata(dpia: Document) -> None:
    assert dpia.language == "nl"
    assert dpia.doc_type == "report"
    assert len(dpia.sha256) == 64 and dpia.doc_id == dpia.sha256[:16]
    assert dpia.source == DPIA and Path(dpia.path).is_absolute()


@pytest.mark.parametrize("name", [n for n in GOOD_PDFS if n not in SLOW_PDFS and n != DPIA])
def test_good_pdfs_not_flagged(name: str) -> None:
    report = assess_extraction(load_file(PDF_DIR / name).pages)
    assert report.ok, (name, report.reasons, report.stats)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_PDFS))
def test_slow_good_pdfs_not_flagged(name: str) -> None:
    report = assess_extraction(load_file(PDF_DIR / name).pages)
    assert report.ok, (name, report.reasons, report.stats)


def test_corpus_texts_pass_quality() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        report = assess_extraction([path.read_text(encoding="utf-8")])
        assert report.ok, (path.name, report.reasons)


def test_corpus_letter_document() -> None:
    doc = build_document(CORPUS / "002_5525973de46d0ec1.txt")
    assert doc.doc_type == "letter"
    assert doc.date == "2022-09-28"
    assert doc.metadata["letter_steller"] == "Wim Eppinga"
    assert doc.title.startswith("Aanbieding ontwerp regionaal beleidsplan")
    assert doc.pages[0].start == 0 and doc.pages[-1].end == len(doc.text)
