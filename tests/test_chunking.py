"""Chunking invariants: exact offsets, structure, sentence boundaries, ids, scale."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.core.records import Document, PageSpan, make_chunk_id, sha256_hex
from ingest.chunking import chunk_document
from ingest.cleaning import clean_pages, extract_letter_header

CORPUS = Path(__file__).resolve().parents[1] / "assistant" / "data" / "corpus"


def _doc(text: str, pages: tuple[PageSpan, ...] = ()) -> Document:
    sha = sha256_hex(text.encode())
    return Document(
        doc_id=sha[:16], source="t.txt", path="/t.txt", sha256=sha, title="T", text=text, pages=pages,
        doc_type="report", language="nl", date="2024-01-02",
    )  # fmt: skip


def _corpus_doc(name: str) -> Document:
    cleaned = clean_pages([(CORPUS / name).read_text(encoding="utf-8")])
    _, text = extract_letter_header(cleaned.text)
    return _doc(text, ((PageSpan(1, 0, len(text))),))


def _check_invariants(doc: Document, chunks: list, size: int) -> None:  # type: ignore[type-arg]
    last_start = -1
    for i, chunk in enumerate(chunks):
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip() and chunk.text == chunk.text.strip()
        assert len(chunk.text) <= size
        assert chunk.start > last_start and chunk.ordinal == i
        assert chunk.chunk_id == make_chunk_id(doc.sha256, chunk.start, chunk.end, chunk.content_key())
        last_start = chunk.start
    # Every non-space character is in some chunk.
    covered = 0
    for chunk in chunks:
        gap = doc.text[covered : chunk.start] if chunk.start > covered else ""
        assert not gap.strip(), f"uncovered text {gap[:40]!r}"
        covered = max(covered, chunk.end)
    assert not doc.text[covered:].strip()


def test_empty_and_blank_documents() -> None:
    assert chunk_document(_doc("")) == []
    assert chunk_document(_doc(" \n\n \t\n")) == []


def test_corpus_invariants_and_metadata_copied() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        doc = _corpus_doc(path.name)
        chunks = chunk_document(doc, chunk_size=600, overlap=100)
        assert chunks
        _check_invariants(doc, chunks, 600)
        for chunk in chunks:
            assert (chunk.title, chunk.doc_type, chunk.language, chunk.date) == (
                "T",
                "report",
                "nl",
                "2024-01-02",
            )
            assert chunk.page == 1 and chunk.page_end == 1
            assert chunk.doc_id == doc.doc_id and chunk.source == "t.txt"


def test_all_caps_headings_in_heading_path() -> None:
    chunks = chunk_document(_corpus_doc("003_145eaa7edb620ff2.txt"))
    paths = [c.heading_path for c in chunks]
    assert ("WELKE LOCATIES ZIJN BEZOCHT?",) in paths
    located = next(c for c in chunks if "Stadhuis van Oslo" in c.text)
    assert located.heading_path == ("WELKE LOCATIES ZIJN BEZOCHT?",)
    assert located.text.startswith("WELKE LOCATIES ZIJN BEZOCHT?")


def test_markdown_heading_path_and_list_kept_together() -> None:
    chunks = chunk_document(_corpus_doc("002_5525973de46d0ec1.txt"))
    listed = [c for c in chunks if "1. Maatschappelijk ongenoegen" in c.text]
    assert len(listed) == 1
    assert "5. Ondernijning" in listed[0].text  # the five priorities stay in one chunk
    sub = next(c for c in chunks if c.text.startswith("#### *Jeugd en veiligheid*"))
    assert sub.heading_path == ("Coalitie voor veiligheid 2023 – 2026", "Jeugd en veiligheid")


def test_headings_never_dangle() -> None:
    text = "\n\n".join(f"## Kop {i}\n\n" + " ".join(["Dit is een zin over veiligheid."] * 12) for i in range(8))
    chunks = chunk_document(_doc(text), chunk_size=300, overlap=60)
    for chunk in chunks:
        assert not re.search(r"(^|\n)## Kop \d+$", chunk.text), chunk.text


def test_long_paragraph_cut_at_sentences_with_abbreviations() -> None:
    sentences = [
        f"Zin {i} noemt o.a. het beleid van dhr. Jansen en mw. De Vries, zie art. 3 nr. {i} bijv. hier."
        for i in range(40)
    ]
    text = " ".join(sentences)
    doc = _doc(text)
    chunks = chunk_document(doc, chunk_size=500, overlap=120)
    assert len(chunks) > 5
    _check_invariants(doc, chunks, 500)
    for chunk in chunks:
        assert chunk.text.startswith("Zin "), chunk.text[:30]
        assert chunk.text.endswith("hier."), chunk.text[-30:]
    # Overlap: a continuing chunk starts with the previous chunk's last sentence.
    for prev, cur in itertools.pairwise(chunks):
        assert cur.start < prev.end
        assert prev.end - cur.start <= 120


def test_overlap_zero_gives_disjoint_chunks() -> None:
    text = " ".join(f"Zin nummer {i} gaat over veiligheid." for i in range(200))
    chunks = chunk_document(_doc(text), chunk_size=300, overlap=0)
    for prev, cur in itertools.pairwise(chunks):
        assert cur.start >= prev.end


def test_pages_from_offsets() -> None:
    page1 = " ".join(f"Eerste pagina zin {i}." for i in range(30))
    page2 = " ".join(f"Tweede pagina zin {i}." for i in range(30))
    text = page1 + "\n\n" + page2
    pages = (PageSpan(1, 0, len(page1)), PageSpan(2, len(page1) + 2, len(text)))
    chunks = chunk_document(_doc(text, pages), chunk_size=400, overlap=0)
    for chunk in chunks:
        expected_first = 1 if chunk.start < len(page1) else 2
        assert chunk.page == expected_first
        assert chunk.page_end == (2 if chunk.end > len(page1) + 2 else 1)
    assert chunks[-1].page == 2


def test_ids_stable_and_content_dependent() -> None:
    doc = _corpus_doc("000_c0ed1ecefa30b148.txt")
    first = [c.chunk_id for c in chunk_document(doc)]
    assert first == [c.chunk_id for c in chunk_document(doc)]
    changed = _doc(doc.text.replace("EFUS", "Efus", 1))
    assert set(first).isdisjoint(c.chunk_id for c in chunk_document(changed))


def test_very_long_document_is_fast() -> None:
    paragraph = (
        "Artikel 12\n\nDe burgemeester kan bij noodverordening regels stellen, bijv. over samenscholing. "
        "Het college besluit o.a. over vergunningen en ontheffingen voor evenementen in de gemeente.\n\n"
        "- eerste lid\n- tweede lid\n\n"
    )
    text = paragraph * (1_600_000 // len(paragraph))
    doc = _doc(text)
    started = time.perf_counter()
    chunks = chunk_document(doc)
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"chunking 1.6M characters took {elapsed:.1f}s"
    assert chunks[0].start == 0 and chunks[-1].end == len(text.rstrip())
    assert all(len(c.text) <= 1000 for c in chunks)


_PIECES = st.sampled_from(
    ["Zin een.", "nog wat", "# Kop", "## Sub kop", "ALGEMEEN DEEL", "- item", "1. punt", "bijv. dit", "Dhr.",
     "Lang" * 40, "woord", "Vraag?", "  ", "\t", "\n", "\n\n", "\n\n\n", "é", "x" * 300]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES, max_size=60).map(" ".join), st.sampled_from([40, 120, 400]), st.integers(0, 80))
def test_offsets_exact_on_random_text(text: str, size: int, overlap: int) -> None:
    doc = _doc(text)
    chunks = chunk_document(doc, chunk_size=size, overlap=overlap)
    _check_invariants(doc, chunks, size)
    assert chunks == chunk_document(doc, chunk_size=size, overlap=overlap)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=800), st.sampled_from([20, 100, 1000]))
def test_offsets_exact_on_arbitrary_unicode(text: str, size: int) -> None:
    doc = _doc(text)
    _check_invariants(doc, chunk_document(doc, chunk_size=size, overlap=30), size)


def test_a_pdf_read_by_another_reader_version_gets_other_chunk_ids() -> None:
    """A newer PDF reader may give a chunk the same offsets and other text; the BM25 index compares chunk ids only,
    so the ids must change with the reader (`chunk_id_seed`). Documents without a reader version keep the plain
    content-and-offsets ids."""
    from dataclasses import replace

    from ingest.pdffonts import PDF_READER

    doc = _doc("Eerste alinea over veiligheid.\n\nTweede alinea over het beleid.", (PageSpan(1, 0, 62),))
    plain = chunk_document(doc, chunk_size=40, overlap=0)
    assert [c.chunk_id for c in plain] == [make_chunk_id(doc.sha256, c.start, c.end, c.content_key()) for c in plain]
    read_by = {v: chunk_document(replace(doc, metadata={PDF_READER: v}), chunk_size=40, overlap=0) for v in "23"}
    assert [(c.start, c.end) for c in read_by["2"]] == [(c.start, c.end) for c in read_by["3"]]
    ids = [{c.chunk_id for c in chunks} for chunks in (plain, read_by["2"], read_by["3"])]
    assert not ids[0] & ids[1] and not ids[1] & ids[2] and not ids[0] & ids[2]
