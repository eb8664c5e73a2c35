"""Loaders: each format on tiny fixture files made at test time, and every failure names the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.errors import IngestError, UnsupportedFormatError
from ingest.loaders import SUPPORTED_SUFFIXES, load_file

PDF_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "pdfs"


def test_cp1252_text_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "oud.txt"
    path.write_bytes("Café ë in het beleidsplan van de gemeente.\r\nTweede regel.".encode("cp1252"))
    raw = load_file(path)
    assert raw.format == "txt"
    assert raw.pages == ("Café ë in het beleidsplan van de gemeente.\nTweede regel.",)
    assert raw.encoding == "cp1252"


def test_utf16_with_bom_is_decoded_and_bom_stripped(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("Veiligheid in de wijk — één plan.".encode("utf-16"))
    raw = load_file(path)
    assert raw.pages[0] == "Veiligheid in de wijk — één plan."
    assert not raw.pages[0].startswith("\ufeff")


def test_utf8_bom_stripped_and_md_format(tmp_path: Path) -> None:
    path = tmp_path / "notitie.md"
    path.write_bytes("\ufeff# Kop\n\nTekst.".encode())
    raw = load_file(path)
    assert raw.format == "md"
    assert raw.pages == ("# Kop\n\nTekst.",)


def test_docx_headings_lists_and_tables(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.core_properties.title = "Beleidsnota veiligheid"
    document.add_heading("Inleiding", level=1)
    document.add_paragraph("De gemeente werkt aan veiligheid.")
    document.add_heading("Aanpak", level=2)
    document.add_paragraph("eerste punt", style="List Bullet")
    document.add_paragraph("tweede punt", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Thema"
    table.cell(0, 1).text = "Budget"
    table.cell(1, 0).text = "Jeugd"
    table.cell(1, 1).text = "€ 10.000"
    document.add_paragraph("Slotzin na de tabel.")
    path = tmp_path / "nota.docx"
    document.save(str(path))

    raw = load_file(path)
    text = raw.pages[0]
    assert raw.format == "docx"
    assert raw.title_hint == "Beleidsnota veiligheid"
    assert "# Inleiding" in text.split("\n")
    assert "## Aanpak" in text.split("\n")
    assert "- eerste punt\n- tweede punt" in text
    assert "Thema | Budget\nJeugd | € 10.000" in text
    # Tables stay in document order, between the paragraphs around them.
    assert text.index("Thema | Budget") < text.index("Slotzin na de tabel.")


def test_docx_zip_bomb_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zipfile

    import ingest.loaders as loaders

    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\0" * 2_000_000)
    monkeypatch.setattr(loaders, "MAX_DOCX_UNCOMPRESSED", 1_000_000)
    with pytest.raises(IngestError, match="refusing") as info:
        load_file(path)
    assert info.value.path == str(path)


def test_html_drops_script_and_renders_structure(tmp_path: Path) -> None:
    path = tmp_path / "pagina.html"
    path.write_text(
        "<html><head><title>Nieuws  over veiligheid</title><style>p{color:red}</style></head><body>"
        "<nav><a href='/'>Home</a></nav><script>var geheim = 1;</script>"
        "<h1>Buurtpreventie</h1><p>Bewoners  letten\n op elkaar.</p>"
        "<ul><li>WhatsApp-groepen</li><li>Schouwen</li></ul><h2>Resultaat</h2><p>Minder inbraken.</p>"
        "</body></html>",
        encoding="utf-8",
    )
    raw = load_file(path)
    text = raw.pages[0]
    assert raw.title_hint == "Nieuws over veiligheid"
    assert "geheim" not in text and "color" not in text and "Home" not in text
    assert text == (
        "# Buurtpreventie\n\nBewoners letten op elkaar.\n\n- WhatsApp-groepen\n- Schouwen\n\n"
        "## Resultaat\n\nMinder inbraken."
    )


def test_html_survives_deep_nesting(tmp_path: Path) -> None:
    path = tmp_path / "diep.html"
    depth = 20_000
    path.write_text("<div>" * depth + "<p>Diep verstopt.</p>" + "</div>" * depth, encoding="utf-8")
    assert "Diep verstopt." in load_file(path).pages[0]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "leeg.txt"
    path.write_bytes(b"")
    with pytest.raises(IngestError, match="file is empty") as info:
        load_file(path)
    assert info.value.path == str(path)
    assert info.value.hint


def test_binary_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "stiekem.txt"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(IngestError, match="not a text file") as info:
        load_file(path)
    assert str(path) in str(info.value)


def test_unknown_suffix_names_supported_types(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnsupportedFormatError) as info:
        load_file(path)
    message = str(info.value)
    assert ".xlsx" in message and str(path) in message
    assert all(suffix in message for suffix in SUPPORTED_SUFFIXES)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not found"):
        load_file(tmp_path / "weg.pdf")


def test_truncated_pdf_is_reported_as_damaged(tmp_path: Path) -> None:
    source = PDF_DIR / "Bijlage_C_-_Juridische_Analyse_Landsadvocaat.pdf"
    if not source.exists():
        pytest.skip(f"test PDFs not found at {PDF_DIR}")
    data = source.read_bytes()
    path = tmp_path / "kapot.pdf"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(IngestError) as info:
        load_file(path)
    assert info.value.path == str(path)
    assert info.value.hint == "the file is damaged; re-export or re-download it"


def test_garbage_pdf_is_reported_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "nep.pdf"
    path.write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    with pytest.raises(IngestError, match="cannot read PDF"):
        load_file(path)


def test_pdf_pages_and_meaningful_title() -> None:
    source = PDF_DIR / "ori_besluitenlijst-raadsvergadering-29-juni-2015.pdf"
    if not source.exists():
        pytest.skip(f"test PDFs not found at {PDF_DIR}")
    raw = load_file(source)
    assert raw.format == "pdf"
    assert len(raw.pages) == 4
    # Its metadata title belongs to a 2008 document the template came from: not backed by the text.
    assert raw.title_hint is None
