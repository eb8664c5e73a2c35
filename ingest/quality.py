"""Is the extracted text layer usable? Bad extraction silently poisons retrieval, so we measure it.

Thresholds were calibrated on the real PDFs in shared/testdata/pdfs (see tests/test_documents_pdf.py):
clean prose has 30-50 % function words and an average token length of 5-7; the badly extracted
Bijlage_J report (words run together) has ~15 % function words and ~10 % tokens over 25 characters.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.core.errors import IngestError

OCR_HINT = "install Debian packages: apt-get install tesseract-ocr tesseract-ocr-nld poppler-utils"

MIN_CHARS_PER_PAGE = 20.0
MAX_AVG_TOKEN_LEN = 9.0
MAX_LONG_TOKEN_SHARE = 0.04  # tokens over 25 characters
MAX_JUNK_SHARE = 0.05  # replacement chars, private use, controls, "(cid:NN)"
MIN_FUNCTION_WORD_SHARE = 0.12
RUN_TOGETHER = "words run together"  # the reason `ingest.respace` acts on
_MIN_TOKENS_FOR_STATS = 50  # too little text to judge ratios; only the emptiness check applies

# The commonest Dutch and English function words: ordinary prose of any subject is full of them,
# while text whose word boundaries or glyphs were lost hardly matches any.
FUNCTION_WORDS = frozenset(
    """
    de het een en van in is op te dat die voor met zijn niet aan er als om ook door bij naar
    of maar dan nog wel uit over tot wordt worden werd kan kunnen moet deze dit was waren heeft
    hebben zich al meer geen ze we wij hij zij u ik je men onder tussen na zo hun haar zal zullen
    wat welke waar hoe omdat indien wanneer ten tegen binnen zonder per via dus
    the of and to a in is that for it as with on be by this are or not from at an which have has
    was were will can may should would their its these they there been into such other also than
    if when all any but more no only our we you what how where who use used
    """.split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class QualityReport:
    ok: bool
    reasons: tuple[str, ...] = ()
    stats: dict[str, float] = field(default_factory=dict)


def _is_junk_char(ch: str) -> bool:
    if ch == "\ufffd":
        return True
    category = unicodedata.category(ch)
    return category in ("Co", "Cn", "Cs") or (category == "Cc" and ch not in "\n\r\t\f")


def compute_stats(pages: Sequence[str]) -> dict[str, float]:
    text = "\n".join(pages)
    tokens = text.split()
    words = [t.strip(".,;:!?()[]{}\"'“”‘’«»-–—/").lower() for t in tokens]
    n_tokens = len(tokens)
    n_pages = max(len(pages), 1)
    non_space = sum(1 for ch in text if not ch.isspace())
    junk = sum(1 for ch in text if _is_junk_char(ch)) + 5 * text.count("(cid:")
    letters = sum(1 for ch in text if ch.isalpha())
    return {
        "pages": float(len(pages)),
        "chars": float(len(text)),
        "chars_per_page": len(text.strip()) / n_pages,
        "tokens": float(n_tokens),
        "avg_token_len": (sum(len(t) for t in tokens) / n_tokens) if n_tokens else 0.0,
        "long_token_share": (sum(1 for t in tokens if len(t) > 25) / n_tokens) if n_tokens else 0.0,
        "junk_share": junk / non_space if non_space else 0.0,
        "letter_share": letters / non_space if non_space else 0.0,
        "function_word_share": (sum(1 for w in words if w in FUNCTION_WORDS) / n_tokens) if n_tokens else 0.0,
    }


def assess_extraction(pages: Sequence[str]) -> QualityReport:
    """Judge whether extracted page texts are real, readable text. Never raises."""
    stats = compute_stats(pages)
    reasons: list[str] = []
    if stats["chars_per_page"] < MIN_CHARS_PER_PAGE:
        reasons.append(f"no text layer (scanned?) ({stats['chars_per_page']:.0f} characters per page)")
        return QualityReport(ok=False, reasons=tuple(reasons), stats=stats)
    if stats["tokens"] >= _MIN_TOKENS_FOR_STATS:
        if stats["avg_token_len"] > MAX_AVG_TOKEN_LEN or stats["long_token_share"] > MAX_LONG_TOKEN_SHARE:
            reasons.append(
                f"{RUN_TOGETHER} (avg token length {stats['avg_token_len']:.1f}, "
                f"{stats['long_token_share']:.0%} tokens over 25 characters)"
            )
        if stats["junk_share"] > MAX_JUNK_SHARE:
            reasons.append(f"garbage glyphs ({stats['junk_share']:.0%} unreadable characters)")
        if stats["function_word_share"] < MIN_FUNCTION_WORD_SHARE:
            reasons.append(f"few recognisable words ({stats['function_word_share']:.0%} common function words)")
    return QualityReport(ok=not reasons, reasons=tuple(reasons), stats=stats)


# --- OCR (optional) -------------------------------------------------------------------------------------


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_pdf(path: Path, language: str = "nld") -> tuple[str, ...]:
    """OCR every page of a PDF with Tesseract; needs the `tesseract` and `pdftoppm` programs."""
    tesseract = shutil.which("tesseract")
    pdftoppm = shutil.which("pdftoppm")
    if tesseract is None or pdftoppm is None:
        missing = "tesseract" if tesseract is None else "pdftoppm"
        raise IngestError(f"OCR needs '{missing}', which is not installed", path=str(path), hint=OCR_HINT)
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
        prefix = Path(tmp) / "page"
        try:
            subprocess.run(
                [pdftoppm, "-r", "300", "-png", str(path), str(prefix)],
                check=True,
                capture_output=True,
                timeout=600,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise IngestError(
                "could not render PDF pages for OCR", path=str(path), hint="check that the PDF opens"
            ) from exc

        # pdftoppm zero-pads page numbers to the page count's width; sort numerically to be safe.
        def page_no(image: Path) -> int:
            match = re.search(r"(\d+)$", image.stem)
            return int(match.group(1)) if match else 0

        pages: list[str] = []
        for image in sorted(Path(tmp).glob("page*.png"), key=page_no):
            try:
                result = subprocess.run(
                    [tesseract, str(image), "stdout", "-l", language],
                    check=True,
                    capture_output=True,
                    timeout=300,
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                raise IngestError(
                    f"tesseract failed on {image.name}",
                    path=str(path),
                    hint=f"check that the language pack for '{language}' is installed; {OCR_HINT}",
                ) from exc
            pages.append(result.stdout.decode("utf-8", errors="replace"))
    return tuple(pages)
