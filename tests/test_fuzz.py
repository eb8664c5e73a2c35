"""Fuzzing with hypothesis: mutated bytes of real small files through each loader and on to chunks, random
pages through cleaning, random documents through the chunker. Only our domain errors (`AssistantError`,
e.g. `IngestError`) may escape; anything else is a bug.

Derandomized with a fixed budget, so CI sees the same examples every run. The default suite runs a small
budget (~30 s); `pytest -m slow tests/test_fuzz.py -s` runs 2,000 examples per target and prints the count.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.core.config import BUNDLED_CORPUS
from assistant.core.errors import AssistantError
from assistant.core.records import Document, PageSpan, make_doc_id, sha256_hex
from ingest.chunking import chunk_document
from ingest.cleaning import clean_pages, extract_letter_header
from ingest.documents import build_document

PDF_DIR = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "pdfs"
SMALL_PDF = PDF_DIR / "Bijlage_D_-_Advies_Raad_van_State.pdf"

FAST = {"txt": 200, "md": 200, "html": 200, "pdf": 200, "docx": 150, "cleaning": 600, "chunker": 600}
BIG = 2000
EXAMPLES: dict[str, int] = {}  # examples run per target in this process (reported by the slow run)


def _settings(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


# --- seed files ----------------------------------------------------------------------------------------------


@cache
def seed(fmt: str) -> bytes:
    """A real small file of each format."""
    text = (BUNDLED_CORPUS / "003_145eaa7edb620ff2.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()][:6]
    if fmt == "txt":
        return text.encode("utf-8")
    if fmt == "md":
        return ("# Verslag\n\n" + "\n\n## Onderdeel\n\n".join(paragraphs) + "\n\n- punt één\n- punt twee\n").encode()
    if fmt == "html":
        body = "".join(f"<h2>Deel {i}</h2><p>{p}</p>" for i, p in enumerate(paragraphs))
        return (
            f"<html><head><title>Verslag</title><script>x=1</script></head><body>{body}"
            "<ul><li>een</li><li>twee</li></ul><table><tr><td>a</td><td>b</td></tr></table></body></html>"
        ).encode()
    if fmt == "pdf":
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        writer.add_page(PdfReader(str(SMALL_PDF)).pages[0])
        buf = io.BytesIO()
        writer.write(buf)
        return buf.getvalue()
    if fmt == "docx":
        import docx

        document = docx.Document()
        document.core_properties.title = "Verslag"
        document.add_heading("Verslag", level=1)
        for p in paragraphs[:3]:
            document.add_paragraph(p)
        document.add_paragraph("eerste punt", style="List Bullet")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "Thema"
        table.cell(1, 1).text = "Budget"
        buf = io.BytesIO()
        document.save(buf)
        return buf.getvalue()
    raise ValueError(fmt)


_MAGIC = [
    b"\x00",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\r",
    b"\x0c",
    b"<div>" * 40,
    b"</p></table>",
    b"<!--",
    b"<![CDATA[",
    b"&#0;&#xD800;",
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"%%EOF",
    b"<<",
    b">>",
    b"/Length 99999999",
    b"xref",
    b"trailer",
    b"/Encrypt",
    b"PK\x03\x04",
    b"\xe2\x80\xae",  # right-to-left override
    "ﬁ\u00ad\u200b".encode(),
    b"\n\n\n\n",
    b"AAN\nVAN\nDATUM\nONDERWERP",
    b"Pagina 1 van 3\n",
]


@st.composite
def mutations(draw: st.DrawFn, base: bytes) -> bytes:
    """Up to 8 edits of `base`: flips, inserts (random or format tokens), deletions, truncation, duplication."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "insert", "magic", "delete", "truncate", "dup", "overwrite"]))
        pos = draw(st.integers(0, max(0, len(data))))
        if op == "flip" and data:
            i = min(pos, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        elif op == "magic":
            data[pos:pos] = draw(st.sampled_from(_MAGIC))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 512))]
        elif op == "truncate":
            del data[pos:]
        elif op == "dup":
            n = draw(st.integers(1, 256))
            data[pos:pos] = data[pos : pos + n] * draw(st.integers(1, 20))
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=32))
            data[pos : pos + len(chunk)] = chunk
    return bytes(data)


@st.composite
def docx_inner_mutations(draw: st.DrawFn) -> bytes:
    """A .docx whose document.xml (or another part) is mutated, then re-zipped: reaches python-docx and lxml."""
    base = seed("docx")
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    target = draw(st.sampled_from(sorted(parts)))
    parts[target] = draw(mutations(parts[target]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


# --- targets -------------------------------------------------------------------------------------------------


def _file_to_chunks(path: Path) -> None:
    """The whole per-file path of an ingest, short of embedding: load, check, clean, metadata, chunk."""
    try:
        doc = build_document(path, allow_ocr=False)
        chunks = chunk_document(doc, chunk_size=400, overlap=60)
    except AssistantError:
        return
    for c in chunks:
        assert 0 <= c.start < c.end <= len(doc.text)
        assert c.text == doc.text[c.start : c.end]


def fuzz_loader(fmt: str, n: int) -> None:
    if fmt in ("pdf",) and not SMALL_PDF.exists():
        pytest.skip(f"test PDFs not found at {PDF_DIR}")
    folder = Path(tempfile.mkdtemp(prefix=f"fuzz-{fmt}-"))
    path = folder / f"bestand.{fmt}"
    strategy = mutations(seed(fmt))
    if fmt == "docx":
        strategy = st.one_of(strategy, docx_inner_mutations())
    counter = f"loader:{fmt}"
    EXAMPLES[counter] = 0

    @_settings(n)
    @given(data=strategy)
    def run(data: bytes) -> None:
        EXAMPLES[counter] += 1
        path.write_bytes(data)
        _file_to_chunks(path)

    run()


_TOKENS = [
    "de", "gemeente", "Veiligheid", "VEILIGHEIDSBELEID", "beleid.", "Aan:", "Van:", "Datum:", "Onderwerp:",
    "28 september 2022", "24 juni-27 juni 2015", "Pagina 3 van 10", "- ", "• ", "1. ", "a) ", "# ", "## ",
    "\n", "\n\n", "\n\n\n", " ", "  ", "\t", "ver-\nvolg", "ﬁnanciën", "\u00ad", "\u200b", "\x0c", "\ufeff",
    "é", "€", "名", "\U0001f600", "\u2028", "?", "!", ":", ";", "…", "\r\n", "x" * 300,
    "A" * 120, "1", "2023", "WAT IS HET DOEL?", "Inleiding", "|", "Thema | Budget",
]  # fmt: skip

dutchish = st.lists(st.sampled_from(_TOKENS), max_size=200).map("".join)
any_text = st.one_of(dutchish, st.text(max_size=2000))


def fuzz_cleaning(n: int) -> None:
    EXAMPLES["cleaning"] = 0

    @_settings(n)
    @given(pages=st.lists(any_text, max_size=8))
    def run(pages: list[str]) -> None:
        EXAMPLES["cleaning"] += 1
        cleaned = clean_pages(pages)
        previous_end = 0
        for span in cleaned.pages:
            assert previous_end <= span.start <= span.end <= len(cleaned.text)
            previous_end = span.end
        meta, text = extract_letter_header(cleaned.text)
        assert isinstance(meta, dict) and isinstance(text, str)

    run()


def fuzz_chunker(n: int) -> None:
    EXAMPLES["chunker"] = 0

    @_settings(n)
    @given(
        pages=st.lists(any_text, min_size=1, max_size=5),
        size=st.integers(200, 2000),
        overlap=st.integers(0, 400),
    )
    def run(pages: list[str], size: int, overlap: int) -> None:
        EXAMPLES["chunker"] += 1
        cleaned = clean_pages(pages)
        sha = sha256_hex(cleaned.text.encode("utf-8", "surrogatepass"))
        doc = Document(
            doc_id=make_doc_id(sha),
            source="fuzz.txt",
            path="/fuzz.txt",
            sha256=sha,
            title="Fuzz",
            text=cleaned.text,
            pages=cleaned.pages or (PageSpan(1, 0, len(cleaned.text)),),
        )
        chunks = chunk_document(doc, chunk_size=size, overlap=min(overlap, size - 1))
        ids = [c.chunk_id for c in chunks]
        assert len(ids) == len(set(ids))
        for c in chunks:
            assert 0 <= c.start < c.end <= len(doc.text)
            assert c.text == doc.text[c.start : c.end] and c.text.strip()
        if doc.text.strip():
            assert chunks

    run()


# --- tests ---------------------------------------------------------------------------------------------------

LOADER_FORMATS = ["txt", "md", "html", "pdf", "docx"]


@pytest.mark.parametrize("fmt", LOADER_FORMATS)
def test_fuzz_loader(fmt: str) -> None:
    fuzz_loader(fmt, FAST[fmt])


def test_fuzz_cleaning() -> None:
    fuzz_cleaning(FAST["cleaning"])


def test_fuzz_chunker() -> None:
    fuzz_chunker(FAST["chunker"])


_BIG_TARGETS: dict[str, Callable[[], None]] = {
    **{f"loader:{fmt}": (lambda fmt=fmt: fuzz_loader(fmt, BIG)) for fmt in LOADER_FORMATS},  # type: ignore[misc]
    "cleaning": lambda: fuzz_cleaning(BIG),
    "chunker": lambda: fuzz_chunker(BIG),
}


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(_BIG_TARGETS))
def test_fuzz_big(target: str) -> None:
    import time

    t0 = time.perf_counter()
    _BIG_TARGETS[target]()
    print(f"\nfuzz {target}: {EXAMPLES[target]} examples in {time.perf_counter() - t0:.0f} s, no failure")
