"""Read one file into raw page texts. No cleaning happens here, only faithful extraction.

Every failure is an `IngestError` that names the file and says what the user can do, so a batch ingest
can report and skip one bad file instead of stopping.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import IngestError, UnsupportedFormatError
from ingest.pdffonts import FIGURES_RECOVERED, FigureRepair, install_space_fix

SUPPORTED_SUFFIXES: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}

# A .docx is a zip; these limits refuse decompression bombs before python-docx inflates anything.
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_DOCX_RATIO = 100.0
_RATIO_CHECK_FROM = 10 * 1024 * 1024  # small files may compress absurdly well without being a threat

_DAMAGED_HINT = "the file is damaged; re-export or re-download it"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Detectors confuse sibling single-byte code pages on short texts; Dutch files that are not UTF-8
# are almost always Windows-1252, so prefer it whenever the detector lands in that family.
_WESTERN_SINGLE_BYTE = re.compile(r"^(cp125\d|windows-125\d|latin_?1|iso8859_\d+|mac_\w+|cp8\d\d|ascii)$")


@dataclass(frozen=True, slots=True)
class RawDocument:
    """Extracted text before cleaning: one entry per PDF page, a single entry for other formats."""

    pages: tuple[str, ...]
    format: str
    title_hint: str | None = None
    encoding: str | None = None
    warnings: tuple[str, ...] = ()


def load_file(path: Path) -> RawDocument:
    """Read `path` according to its suffix. Raises `IngestError` (naming the file) on any failure."""
    suffix = path.suffix.lower()
    fmt = SUPPORTED_SUFFIXES.get(suffix)
    if fmt is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise UnsupportedFormatError(
            f"unsupported file type '{suffix or '(none)'}'",
            path=str(path),
            hint=f"supported types are {supported}; convert the file to one of these",
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError("file not found", path=str(path), hint="check the path and try again") from exc
    except OSError as exc:
        raise IngestError(
            f"cannot read file ({exc.strerror or exc})", path=str(path), hint="check permissions"
        ) from exc
    if not data:
        raise IngestError("file is empty", path=str(path), hint="re-export the document or remove it")
    if fmt in ("txt", "md"):
        return _load_text(path, data, fmt)
    if fmt == "pdf":
        return _load_pdf(path, data)
    if fmt == "docx":
        return _load_docx(path, data)
    return _load_html(path, data)


# --- plain text -------------------------------------------------------------------------------------


def sniff_utf16(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' for UTF-16 without a byte order mark, else None. Latin-script UTF-16 has a
    zero byte in nearly every code unit, always on the same side; binary data has zeros on both sides."""
    sample = data[:8192]
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8:
        return None
    half = len(sample) // 2
    even_zero = sample[0::2].count(0) / half
    odd_zero = sample[1::2].count(0) / half
    if odd_zero > 0.3 and even_zero < 0.02:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.02:
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Decode bytes to text; returns (text, encoding) or None when the bytes are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding).lstrip("\ufeff"), encoding
            except UnicodeDecodeError:
                return None
    utf16 = sniff_utf16(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    encoding = best.encoding
    if _WESTERN_SINGLE_BYTE.match(encoding):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best).lstrip("\ufeff"), encoding


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return bad / len(text) > 0.02


def _load_text(path: Path, data: bytes, fmt: str) -> RawDocument:
    # NUL bytes in anything but UTF-16/32 mean a binary file, whatever a detector makes of it.
    wide = any(data.startswith(bom) for bom, _ in _BOMS) or sniff_utf16(data) is not None
    decoded = None if (b"\x00" in data[:65536] and not wide) else decode_text(data)
    if decoded is None or _looks_binary(decoded[0]):
        raise IngestError(
            "not a text file (binary content)",
            path=str(path),
            hint="check that this is really a text document; rename or convert it",
        )
    text, encoding = decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return RawDocument(pages=(text,), format=fmt, title_hint=None, encoding=encoding)


# --- PDF ----------------------------------------------------------------------------------------------


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    # pypdf (and fontTools, reading embedded fonts for it and for `ingest.pdffonts`) log every recoverable
    # oddity; we report what matters as warnings instead.
    loggers = [logging.getLogger(name) for name in ("pypdf", "fontTools")]
    old = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, old, strict=True):
            logger.setLevel(level)


def _meaningful_pdf_title(title: Any, first_pages: str) -> str | None:
    """PDF metadata titles are often stale template names; keep one only if the text backs it up."""
    if not isinstance(title, str):
        return None
    title = re.sub(r"^(Microsoft (Word|PowerPoint|Excel)|Word) - ", "", title.strip())
    title = re.sub(r"\.(docx?|pptx?|xlsx?|pdf|odt)$", "", title, flags=re.IGNORECASE).strip()
    words = re.findall(r"[^\W\d_]{3,}", title.lower())
    if len(words) < 2 or title.lower() in {"untitled", "naamloos", "document"}:
        return None
    haystack = first_pages.lower()
    found = sum(1 for w in words if w in haystack)
    return title if found / len(words) >= 0.6 else None


def _load_pdf(path: Path, data: bytes) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    install_space_fix()
    warnings: list[str] = []
    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    ok = reader.decrypt("")
                except DependencyError as exc:
                    raise IngestError(
                        "PDF is encrypted and needs a crypto library to open",
                        path=str(path),
                        hint="run: pip install cryptography",
                    ) from exc
                if not ok:
                    raise IngestError(
                        "PDF is password-protected",
                        path=str(path),
                        hint="remove the password (e.g. qpdf --decrypt, or print to PDF) and ingest again",
                    )
                warnings.append("PDF is encrypted (opened with an empty password)")
            page_objs = list(reader.pages)
        except IngestError:
            raise
        except FileNotDecryptedError as exc:
            raise IngestError(
                "PDF is password-protected", path=str(path), hint="remove the password and ingest again"
            ) from exc
        except Exception as exc:  # pypdf raises many types on broken input; all mean the same to a user
            raise IngestError(f"cannot read PDF ({exc})", path=str(path), hint=_DAMAGED_HINT) from exc
        pages: list[str] = []
        figures = FigureRepair()
        for number, page in enumerate(page_objs, start=1):
            try:
                text = page.extract_text() or ""
                if figures.page(page, text):
                    text = page.extract_text() or ""
                pages.append(text)
            except Exception as exc:  # one bad page should not cost the whole document
                warnings.append(f"page {number} could not be read ({type(exc).__name__})")
                pages.append("")
        if figures.fonts_repaired:
            warnings.append(
                f"{FIGURES_RECOVERED}: {figures.fonts_repaired} font(s) draw figures the PDF's text map leaves out; "
                "they were read from the glyph shapes (check figures against the PDF)"
            )
        try:
            meta_title = reader.metadata.title if reader.metadata else None
        except Exception:
            meta_title = None
    if not pages:
        raise IngestError("PDF has no pages", path=str(path), hint=_DAMAGED_HINT)
    title = _meaningful_pdf_title(meta_title, "\n".join(pages[:2]))
    return RawDocument(pages=tuple(pages), format="pdf", title_hint=title, warnings=tuple(warnings))


# --- DOCX ---------------------------------------------------------------------------------------------


def _check_zip_bomb(path: Path, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError("not a valid .docx (zip) file", path=str(path), hint=_DAMAGED_HINT) from exc
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    ratio = total / packed if packed else float("inf")
    if total > MAX_DOCX_UNCOMPRESSED or (total > _RATIO_CHECK_FROM and ratio > MAX_DOCX_RATIO):
        raise IngestError(
            f"refusing .docx that inflates to {total / 1e6:.0f} MB (ratio {ratio:.0f}:1)",
            path=str(path),
            hint="this looks like a zip bomb or a huge embedded file; re-save the document without it",
        )


def _heading_level(style_name: str) -> int | None:
    name = style_name.strip().lower()
    if name in ("title", "titel"):
        return 1
    match = re.match(r"(heading|kop)\s*(\d)", name)
    return min(int(match.group(2)), 6) if match else None


def _is_list_paragraph(paragraph: Any) -> bool:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if "list" in style.lower() or "lijst" in style.lower():
        return True
    ppr = paragraph._p.pPr
    return ppr is not None and ppr.numPr is not None


def _load_docx(path: Path, data: bytes) -> RawDocument:
    _check_zip_bomb(path, data)
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise IngestError(f"cannot read .docx ({exc})", path=str(path), hint=_DAMAGED_HINT) from exc
    blocks: list[str] = []
    list_run: list[str] = []

    def flush_list() -> None:
        if list_run:
            blocks.append("\n".join(list_run))
            list_run.clear()

    # Walk the body in document order so tables stay where they were between paragraphs.
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(element, document)
            text = paragraph.text.strip()
            if not text:
                continue
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            level = _heading_level(style)
            if level is not None:
                flush_list()
                blocks.append("#" * level + " " + " ".join(text.split()))
            elif _is_list_paragraph(paragraph):
                list_run.append("- " + text)
            else:
                flush_list()
                blocks.append(text)
        elif tag == "tbl":
            flush_list()
            rows: list[str] = []
            for row in Table(element, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    cell_text = " ".join(cell.text.split())
                    # Merged cells repeat the same object; print them once.
                    if cell_text and (not cells or cells[-1] != cell_text):
                        cells.append(cell_text)
                if cells:
                    rows.append(" | ".join(cells))
            if rows:
                blocks.append("\n".join(rows))
    flush_list()
    title = (document.core_properties.title or "").strip() or None
    return RawDocument(pages=("\n\n".join(blocks),), format="docx", title_hint=title, encoding=None)


# --- HTML ---------------------------------------------------------------------------------------------

_DROP_TAGS = frozenset({"script", "style", "nav", "noscript", "template", "svg", "iframe", "head"})
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre",
        "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "form", "fieldset",
        "figure", "figcaption", "address", "hr", "body", "html",
    }
)  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BR = "\x00"  # marks <br>; source newlines are ordinary whitespace in HTML


class _HtmlText:
    """Collects text into Markdown-ish blocks while walking the tree without recursion."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []  # (kind, text)
        self.buffer: list[str] = []

    def add(self, text: str) -> None:
        self.buffer.append(text)

    def take(self) -> str:
        # <br> becomes a newline; all other whitespace runs collapse like a browser would.
        lines = (" ".join(part.split()) for part in "".join(self.buffer).split(_BR))
        self.buffer.clear()
        return "\n".join(line for line in lines if line)

    def flush(self, prefix: str = "", kind: str = "p") -> None:
        text = self.take()
        if text:
            self.blocks.append((kind, prefix + text))

    def text(self) -> str:
        parts: list[str] = []
        previous = ""
        for kind, block in self.blocks:
            # List items and table rows stay on consecutive lines; everything else is a paragraph.
            if parts:
                parts.append("\n" if kind == previous and kind in ("li", "tr") else "\n\n")
            parts.append(block)
            previous = kind
        return "".join(parts)


def _load_html(path: Path, data: bytes) -> RawDocument:
    from bs4 import BeautifulSoup
    from bs4.element import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    decoded = decode_text(data)
    if decoded is None:
        raise IngestError("cannot decode HTML", path=str(path), hint="save the page as UTF-8 and try again")
    markup, encoding = decoded
    # html.parser has no nesting-depth limit (libxml2 silently truncates very deep trees).
    soup = BeautifulSoup(markup, "html.parser")
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text().split()) if isinstance(title_tag, Tag) else ""

    out = _HtmlText()
    row: list[str] | None = None
    cell_depth = 0
    skip = (Comment, Doctype, Declaration, ProcessingInstruction)
    # Explicit stack of (node, closing) pairs instead of recursion, so nesting depth cannot overflow.
    stack: list[tuple[Any, bool]] = [(soup, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, skip):
                out.add(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = (node.name or "").lower()
        if not closing:
            if name in _DROP_TAGS:
                continue
            if cell_depth == 0:
                if name in _HEADINGS or name == "li" or name in _BLOCK_TAGS:
                    out.flush()
                elif name == "tr":
                    out.flush()
                    row = []
                elif name == "br":
                    out.add(_BR)
            if name in ("td", "th"):
                cell_depth += 1
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
            continue
        if name in ("td", "th"):
            cell_depth -= 1
            if cell_depth == 0:
                cell = " ".join(out.take().split())
                if row is not None and cell:
                    row.append(cell)
            continue
        if cell_depth:
            continue
        if name in _HEADINGS:
            out.flush("#" * _HEADINGS[name] + " ")
        elif name == "li":
            out.flush("- ", "li")
        elif name == "tr":
            if row:
                out.blocks.append(("tr", " | ".join(row)))
            row = None
        elif name in _BLOCK_TAGS:
            out.flush()
    out.flush()
    text = out.text()
    return RawDocument(pages=(text,), format="html", title_hint=title or None, encoding=encoding)
