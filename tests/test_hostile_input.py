"""Hostile input, all in one batch with good documents, through the real `Assistant.ingest` (fake embedder,
real embedded Chroma): every bad file gets a per-file message that says which file, what is wrong and what
to do; the good files are ingested and searchable; the manifest records each failure."""

from __future__ import annotations

import codecs
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.composition import Assistant, build_assistant
from assistant.core.config import BUNDLED_CORPUS, TestSettings
from ingest.pipeline import FileResult, IngestReport
from ingest.quality import ocr_available

PDF_DIR = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "pdfs"
SMALL_PDF = PDF_DIR / "Bijlage_D_-_Advies_Raad_van_State.pdf"
GOOD = BUNDLED_CORPUS / "000_c0ed1ecefa30b148.txt"

CP1252_TEXT = (
    "Notitie café-overleg\n\nHet overleg over de coördinatie van de wijkveiligheid vond plaats in café De Zwaan. "
    "De kosten bedroegen € 120 per deelnemer; de reünie volgt in het voorjaar. Naïeve plannen zijn geschrapt."
)
UTF16_TEXT = (
    "Verslag zeepkistrace\n\nDe zeepkistrace in Loosduinen trok veel publiek. Wethouder Ünal opende de ‘race’ "
    "met een toespraak over buurtcohesie en verkeersveiligheid. Volgend jaar wordt het parcours verlengd."
)


def _pdf_pages(n: int = 1) -> bytes:
    """The first `n` pages of a real government PDF, rewritten by pypdf."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(SMALL_PDF))
    writer = PdfWriter()
    for page in reader.pages[:n]:
        writer.add_page(page)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _encrypted_pdf(user_password: str, owner_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_pages(1))))
    # RC4 works without an optional crypto package; AES would need `cryptography`.
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _image_only_pdf() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).text((50, 50), "Gescande brief zonder tekstlaag", fill="black")
    buf = io.BytesIO()
    image.save(buf, format="PDF")
    return buf.getvalue()


def _docx_bomb() -> bytes:
    """A real .docx whose document.xml is padded with 60 MB of whitespace (legal XML) that deflates ~1000:1."""
    import docx

    real = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Een onschuldig ogende notitie.")
    document.save(real)
    buf = io.BytesIO()
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data += b" " * 60_000_000
            dst.writestr(info.filename, data)
    return buf.getvalue()


def _lying_docx_bomb() -> bytes:
    """A zip bomb whose headers claim document.xml is 1 kB: the size check passes, inflation must still stop."""
    data = bytearray(_docx_bomb())
    small = (1000).to_bytes(4, "little")
    name = b"word/document.xml"
    local = data.rfind(b"PK\x03\x04", 0, data.find(name) + 1)
    data[local + 22 : local + 26] = small  # local header: uncompressed size
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name) + 1)
    data[central + 24 : central + 28] = small  # central directory: uncompressed size
    return bytes(data)


@dataclass(frozen=True)
class Bad:
    name: str
    what: str  # a fragment the message must contain (what is wrong)


@dataclass
class Batch:
    folder: Path
    extra: list[Path]
    bad: list[Bad]
    good: dict[str, str]  # source -> a query that must find it


def build_hostile_folder(root: Path) -> Batch:
    folder = root / "docs"
    folder.mkdir()
    shutil.copy(GOOD, folder / "goed.txt")
    bad: list[Bad] = []

    def put(name: str, data: bytes, what: str | None = None) -> Path:
        path = folder / name
        path.write_bytes(data)
        if what is not None:
            bad.append(Bad(name, what))
        return path

    real_pdf = _pdf_pages(2)
    put("afgebroken.pdf", real_pdf[: len(real_pdf) // 3], "cannot read PDF")
    put("wachtwoord.pdf", _encrypted_pdf("geheim", "eigenaar"), "password-protected")
    put("alleen-eigenaar.pdf", _encrypted_pdf("", "eigenaar"))  # opens with an empty password: fine
    # With Tesseract installed the scan is OCRed instead; either way it must not break the batch.
    put("scan.pdf", _image_only_pdf(), None if ocr_available() else "no text")
    put("leeg.txt", b"", "empty")
    put("te-groot.txt", b"Dit is een te groot bestand over veiligheid.\n" * 70_000, "over the 2 MB limit")
    put("binair.txt", bytes(range(256)) * 64, "not a text file")
    put("bom.docx", _docx_bomb(), "zip bomb")
    put("bom-verstopt.docx", _lying_docx_bomb(), "cannot read .docx")
    put("kapot.docx", b"PK\x03\x04 dit is geen zip", "not a valid .docx")
    put("cp1252.txt", CP1252_TEXT.encode("cp1252"))
    put("utf16.txt", codecs.BOM_UTF16_LE + UTF16_TEXT.encode("utf-16-le"))
    put("utf16-zonder-bom.txt", UTF16_TEXT.replace("zeepkistrace", "kartrace").encode("utf-16-le"))
    deep = 100_000
    put(
        "diep.html",
        ("<div>" * deep + "<p>Diep verstopte alinea over de brandweerkazerne.</p>" + "</div>" * deep).encode(),
    )
    put("ongesloten.html", b"<html><body>" + b"<div><span><b>" * 30_000 + b"Ongesloten tags over de haven.")
    # Awkward but legal names: they are ordinary documents.
    put("naam met spaties.txt", b"Spaties in de naam: een notitie over parkeervergunningen.")
    put("ünïcødé-€-名前.txt", b"Unicode in de naam: een notitie over straatverlichting.")
    long_stem = "é" * 125  # 250 bytes in UTF-8; with ".txt" 254 bytes, just under the 255-byte limit
    put(long_stem + ".txt", b"Een heel lange naam: een notitie over afvalinzameling.")
    put("rapport ..\\..\\etc\\passwd.txt", b"Een naam met backslashes: een notitie over fietsenstallingen.")
    put("regel\neinde.txt", b"Een naam met een regeleinde: een notitie over hondenpoep.")
    # Symlinks: a folder loop, a file that links to itself, a dangling link.
    sub = folder / "sub"
    sub.mkdir()
    (sub / "lus").symlink_to("..", target_is_directory=True)
    (folder / "zelf.txt").symlink_to("zelf.txt")
    bad.append(Bad("zelf.txt", "symbolic link"))
    (folder / "weg.pdf").symlink_to(root / "bestaat-niet.pdf")
    bad.append(Bad("weg.pdf", "not found"))
    # The same good file again, named through `..`: must resolve to one document, not a second copy.
    extra = [folder / "sub" / ".." / "goed.txt"]
    good = {
        "goed.txt": "EFUS Europees Forum for Urban Security",
        "cp1252.txt": "coördinatie wijkveiligheid café",
        "utf16.txt": "zeepkistrace Loosduinen buurtcohesie",
        "utf16-zonder-bom.txt": "kartrace Loosduinen",
        "alleen-eigenaar.pdf": "Raad van State",
        "diep.html": "brandweerkazerne",
        "ongesloten.html": "ongesloten tags haven",
        "naam met spaties.txt": "parkeervergunningen",
        "ünïcødé-€-名前.txt": "straatverlichting",
        long_stem + ".txt": "afvalinzameling",
        "rapport ..\\..\\etc\\passwd.txt": "fietsenstallingen",
        "regel\neinde.txt": "hondenpoep",
    }
    return Batch(folder, extra, bad, good)


def _has_hint(message: str) -> bool:
    # Our messages are "what is wrong — what to do".
    return " — " in message and len(message.split(" — ", 1)[1]) > 10


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Batch, Assistant, IngestReport]:
    if not SMALL_PDF.exists():
        pytest.skip(f"test PDFs not found at {PDF_DIR}")
    root = tmp_path_factory.mktemp("hostile")
    batch = build_hostile_folder(root)
    settings = TestSettings(data_dir=root / "data", max_file_mb=2, _env_file=None)  # type: ignore[call-arg]
    a = build_assistant(settings)
    report = a.ingest([batch.folder, *batch.extra])
    return batch, a, report


def _by_source(report: IngestReport) -> dict[str, list[FileResult]]:
    out: dict[str, list[FileResult]] = {}
    for r in report.results:
        out.setdefault(r.source, []).append(r)
    return out


def test_every_bad_file_fails_alone_with_an_actionable_message(
    hostile: tuple[Batch, Assistant, IngestReport],
) -> None:
    batch, _, report = hostile
    results = _by_source(report)
    for bad in batch.bad:
        assert bad.name in results, f"{bad.name!r} missing from the report"
        (result,) = results[bad.name]
        assert result.status == "failed", (bad.name, result)
        message = result.error or ""
        assert bad.what in message, (bad.name, message)
        assert _has_hint(message), f"{bad.name}: no 'what to do' in {message!r}"
        assert result.path.endswith(bad.name)  # which file
    failed = {r.source for r in report.results if r.status == "failed"}
    assert failed == {b.name for b in batch.bad}
    assert report.failed


def test_good_files_are_ingested_and_searchable(hostile: tuple[Batch, Assistant, IngestReport]) -> None:
    batch, a, report = hostile
    results = _by_source(report)
    for source, query in batch.good.items():
        statuses = [r.status for r in results[source]]
        assert statuses[0] == "ingested", (source, results[source])
        doc_id = results[source][0].doc_id
        hits = a.search(query, k=5)
        assert doc_id in {h.chunk.doc_id for h in hits}, (source, query, [h.chunk.source for h in hits])
    # Encodings were decoded, not mangled.
    texts = " ".join(c.text for c in a.store.all_chunks())
    assert "coördinatie" in texts and "€ 120" in texts and "Wethouder Ünal" in texts
    assert "\ufffd" not in texts
    # The owner-password PDF opened with a warning saying so.
    (owner_only,) = results["alleen-eigenaar.pdf"]
    assert any("encrypted" in w for w in owner_only.warnings)


def test_dotdot_path_and_symlink_loop_do_not_duplicate(hostile: tuple[Batch, Assistant, IngestReport]) -> None:
    batch, a, report = hostile
    results = _by_source(report)
    # goed.txt seen twice (folder scan and the `sub/..` argument): one document, the second is unchanged.
    assert [r.status for r in results["goed.txt"]] == ["ingested", "unchanged"]
    # The folder loop was not followed: nothing was found under sub/lus/...
    assert not any("lus/" in r.source for r in report.results)
    docs = a.manifest.documents()
    assert len(docs) == len(batch.good)
    assert sorted(a.manifest.chunk_ids()) == sorted(a.store.ids())


def test_manifest_records_every_failure(hostile: tuple[Batch, Assistant, IngestReport]) -> None:
    batch, a, report = hostile
    recorded = {f.source: f for f in a.manifest.files() if f.status == "failed"}
    assert set(recorded) == {b.name for b in batch.bad}
    errors = {r.source: r.error for r in report.results if r.status == "failed"}
    for name, row in recorded.items():
        assert row.error == errors[name] and row.doc_id is None


def test_second_run_reports_the_same_failures_and_changes_nothing(
    hostile: tuple[Batch, Assistant, IngestReport],
) -> None:
    batch, a, _ = hostile
    before = sorted(a.store.ids())
    again = a.ingest([batch.folder])
    assert {r.source for r in again.results if r.status == "failed"} == {b.name for b in batch.bad}
    assert again.count("ingested") == 0 and again.count("updated") == 0
    assert sorted(a.store.ids()) == before


def test_cli_names_each_bad_file_and_exits_4(tmp_path: Path) -> None:
    if not SMALL_PDF.exists():
        pytest.skip(f"test PDFs not found at {PDF_DIR}")
    batch = build_hostile_folder(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        {
            "ASSISTANT_PROFILE": "test",
            "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
            "ASSISTANT_MAX_FILE_MB": "2",
            "ASSISTANT_PRECOMPUTE_ANSWER_VECTORS": "false",
        }
    )
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ingest", "--json", str(batch.folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stderr
    files = json.loads(proc.stdout)["files"]
    failed = {f["source"]: f["error"] for f in files if f["status"] == "failed"}
    assert set(failed) == {b.name for b in batch.bad}
    assert all(_has_hint(message) for message in failed.values())
