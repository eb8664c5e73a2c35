"""File → `Document`: load, check extraction quality, clean, and add metadata."""

from __future__ import annotations

from pathlib import Path

from assistant.core.errors import IngestError
from assistant.core.records import Document, PageSpan, make_doc_id, sha256_hex
from assistant.core.text import detect_language
from ingest.cleaning import clean_pages, extract_letter_header
from ingest.loaders import load_file
from ingest.metadata import find_document_date, guess_doc_type, guess_title
from ingest.pdffonts import PDF_READER, PDF_READER_VERSION
from ingest.quality import OCR_HINT, RUN_TOGETHER, QualityReport, assess_extraction, ocr_available, ocr_pdf
from ingest.respace import SPACES_RESTORED, respace_pages, word_model


def _remap_spans(old: str, new: str, spans: tuple[PageSpan, ...]) -> tuple[PageSpan, ...]:
    """Shift page offsets after a local rewrite (old → new differ in one region only)."""
    if old == new:
        return spans
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    old_end, new_end = len(old) - suffix, len(new) - suffix
    delta = len(new) - len(old)

    def move(offset: int) -> int:
        if offset <= prefix:
            return offset
        if offset >= old_end:
            return offset + delta
        return min(offset, new_end)  # inside the rewritten region: clamp into it

    return tuple(PageSpan(s.number, move(s.start), move(s.end)) for s in spans)


def _respaced(pages: tuple[str, ...]) -> tuple[tuple[str, ...], int, str]:
    """Pages whose words run together, with spaces put back where the language has a word list
    (`ingest.respace`), and the warning that says what was done."""
    language = detect_language("\n".join(pages))
    model = word_model(language)
    if model is None:
        return pages, 0, f"spaces not restored: no word list for this language ({language}); quotes may read run on"
    fixed, count = respace_pages(pages, model)
    return (
        fixed,
        count,
        f"spaces restored in {count} runs of letters with an English word list: check quotes against the PDF",
    )


def build_document(
    path: Path, *, source: str | None = None, ocr_language: str = "nld", allow_ocr: bool = True
) -> Document:
    """Read one file into a cleaned `Document`. Quality problems become warnings, not errors."""
    raw = load_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:  # pragma: no cover - load_file just read it
        raise IngestError("cannot read file", path=str(path), hint="check permissions") from exc
    warnings = list(raw.warnings)
    pages = raw.pages
    restored = -1  # runs of letters re-spaced (`ingest.respace`); -1: the text did not need it
    if raw.format == "pdf":
        report: QualityReport | None = assess_extraction(pages)
        assert report is not None
        no_text = any(r.startswith("no text layer") for r in report.reasons)
        if no_text and allow_ocr and ocr_available():
            pages = ocr_pdf(path, ocr_language)
            warnings.append("text layer missing: text was recognised with OCR (check quotes against the PDF)")
            report = assess_extraction(pages)
        elif no_text:
            warnings.append(f"extraction quality: no text layer (scanned?); for OCR, {OCR_HINT}")
            report = None
        if report is not None:
            warnings.extend(f"extraction quality: {reason}" for reason in report.reasons)
            if any(r.startswith(RUN_TOGETHER) for r in report.reasons):
                pages, restored, note = _respaced(pages)
                warnings.append(note)

    cleaned = clean_pages(pages)
    letter_meta, text = extract_letter_header(cleaned.text)
    spans = _remap_spans(cleaned.text, text, cleaned.pages)
    source_name = source or path.name
    title = guess_title(text, source_name, raw.title_hint, letter_meta)
    date, date_end = find_document_date(text, letter_meta)
    sha = sha256_hex(data)
    metadata: dict[str, str] = {f"letter_{k}": v for k, v in letter_meta.items()}
    metadata["format"] = raw.format
    if raw.format == "pdf":
        metadata[PDF_READER] = str(PDF_READER_VERSION)
    if raw.encoding:
        metadata["encoding"] = raw.encoding
    if restored >= 0:
        metadata[SPACES_RESTORED] = str(restored)
    if cleaned.removed_lines:
        metadata["removed_header_lines"] = str(cleaned.removed_lines)
    if not text.strip():
        warnings.append("document has no text after cleaning")
    return Document(
        doc_id=make_doc_id(sha),
        source=source_name,
        path=str(path.resolve()),
        sha256=sha,
        title=title,
        text=text,
        pages=spans,
        doc_type=guess_doc_type(text, source_name, letter_meta),
        language=detect_language(text),
        date=date,
        date_end=date_end,
        metadata=metadata,
        warnings=tuple(warnings),
    )
