"""Turn raw page texts into one clean text with exact page offsets.

Cleaning runs per page so that a page's text never moves into another page's range: citations name
pages, and a page number is only trustworthy if the offsets never straddle a page boundary.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.core.records import PageSpan

EDGE_LINES = 3  # running headers/footers live in the first/last few non-blank lines of a page
MIN_REPEAT_PAGES = 3
REPEAT_SHARE = 0.5

_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?"
    r"(?:\s*(?:/|\||van|of|de|-)\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^\s*(?:[-•*▪◦–·]\s+|\d{1,3}[.)]\s+|[a-z][.)]\s+|\(\w{1,3}\)\s+)")
_NUMBERED = re.compile(r"^\s*\d{1,3}(?:\.\d{1,3})*\.?\s+\S")
_SENTENCE_END = re.compile(r"[.!?:;…]['\"”’)\]]*$")
_LETTER_KEYS = {
    "aan": "aan",
    "van": "van",
    "datum": "datum",
    "onderwerp": "onderwerp",
    "betreft": "onderwerp",
    "steller": "steller",
    "telefoon": "telefoon",
    "tel": "telefoon",
    "telefoonnummer": "telefoon",
    "doorkiesnummer": "telefoon",
    "email": "email",
    "e-mail": "email",
    "kenmerk": "kenmerk",
    "ons kenmerk": "kenmerk",
    "uw kenmerk": "uw kenmerk",
    "bijlage": "bijlagen",
    "bijlagen": "bijlagen",
    "bijlage(n)": "bijlagen",
    "afdeling": "afdeling",
    "cc": "cc",
    "registratienummer": "kenmerk",
    "zaaknummer": "zaaknummer",
}
_LIGATURES = str.maketrans(
    {"ﬁ": "fi", "ﬂ": "fl", "ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "\u00a0": " ", "\u2007": " ", "\u202f": " "}
)
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff\x0c\x0b]")


@dataclass(frozen=True, slots=True)
class CleanedText:
    text: str
    pages: tuple[PageSpan, ...]
    removed_lines: int


def _norm_repeat(line: str) -> str:
    # Running headers differ only in their page numbers ("11 | 75"), so compare them digit-blind.
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def _edge_indexes(lines: Sequence[str]) -> list[int]:
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(nonblank[:EDGE_LINES] + nonblank[-EDGE_LINES:]))


def _is_letter_header_line(line: str) -> bool:
    if "\t" not in line:
        return False
    first = next((c.strip() for c in line.split("\t") if c.strip()), "")
    return first.rstrip(":").lower() in _LETTER_KEYS


def _is_structural(line: str) -> bool:
    """Lines that must stay on their own line: headings, list items, table-ish rows."""
    stripped = line.strip()
    if stripped.startswith("#") or _LIST_ITEM.match(stripped) or _NUMBERED.match(stripped):
        return True
    letters = [c for c in stripped if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _normalise_line(line: str) -> str:
    line = _INVISIBLE.sub("", line.translate(_LIGATURES))
    if _is_letter_header_line(line):
        return line.rstrip()  # tabs separate the header's fields; extract_letter_header needs them
    return re.sub(r"[ \t]+", " ", line).strip()


def _join_lines(lines: list[str]) -> str:
    """Repair hyphenation and rejoin hard-wrapped lines; keep structure lines apart."""
    out: list[str] = []
    for line in lines:
        if out and line and out[-1]:
            prev = out[-1]
            first = line[0]
            if re.search(r"[^\W\d_]-$", prev) and first.isalpha() and not prev.lstrip().startswith("#"):
                # "veiligheids-\nbeleid": a split word; "Noord-\nHolland": a real hyphen stays.
                out[-1] = prev[:-1] + line if first.islower() else prev + line
                continue
            if (
                first.islower()
                and not _SENTENCE_END.search(prev)
                and not prev.lstrip().startswith("#")
                and not _is_structural(line)
                and not _is_letter_header_line(prev)
                and not _all_caps(prev)
            ):
                out[-1] = prev + " " + line
                continue
        out.append(line)
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _all_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _repeated_edge_lines(page_lines: Sequence[Sequence[str]]) -> set[str]:
    counts: Counter[str] = Counter()
    for lines in page_lines:
        counts.update({_norm_repeat(lines[i]) for i in _edge_indexes(lines)})
    threshold = max(MIN_REPEAT_PAGES, REPEAT_SHARE * len(page_lines))
    return {key for key, n in counts.items() if n >= threshold and any(c.isalnum() for c in key)}


def clean_pages(pages: Sequence[str]) -> CleanedText:
    """Clean each page, drop running headers/footers and page numbers, join pages with a blank line."""
    page_lines = [
        [_normalise_line(line) for line in unicodedata.normalize("NFC", page).replace("\r", "").split("\n")]
        for page in pages
    ]
    repeated = _repeated_edge_lines(page_lines) if len(page_lines) >= MIN_REPEAT_PAGES else set()
    removed = 0
    parts: list[str] = []
    spans: list[PageSpan] = []
    length = 0
    for number, lines in enumerate(page_lines, start=1):
        drop: set[int] = set()
        for i in _edge_indexes(lines):
            if _norm_repeat(lines[i]) in repeated or _PAGE_NUMBER.match(lines[i]):
                drop.add(i)
        removed += len(drop)
        page_text = _join_lines([line for i, line in enumerate(lines) if i not in drop])
        if page_text and parts:
            parts.append("\n\n")
            length += 2
        start = length
        if page_text:
            parts.append(page_text)
            length += len(page_text)
        spans.append(PageSpan(number=number, start=start, end=length))
    return CleanedText(text="".join(parts), pages=tuple(spans), removed_lines=removed)


# --- letter headers ------------------------------------------------------------------------------------


def _parse_header_line(line: str) -> list[tuple[str, str]] | None:
    """'Aan\\tX\\t\\tSteller\\tY' → [('aan','X'), ('steller','Y')]; None if not a header line."""
    if "\t" in line:
        cells = [c.strip() for c in line.split("\t") if c.strip()]
    else:
        match = re.match(r"^\s*([A-Za-z][A-Za-z() -]{1,20}?)\s*:\s*(.+)$", line)
        if not match:
            return None
        cells = [match.group(1), match.group(2)]
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(cells):
        key = _LETTER_KEYS.get(cells[i].rstrip(":").strip().lower())
        if key is None:
            if not pairs:
                return None
            # A value that wrapped into a stray cell belongs to the previous field.
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]} {cells[i]}".strip())
            i += 1
            continue
        value = ""
        if i + 1 < len(cells) and _LETTER_KEYS.get(cells[i + 1].rstrip(":").strip().lower()) is None:
            value = cells[i + 1]
            i += 1
        pairs.append((key, value))
        i += 1
    return pairs or None


def extract_letter_header(text: str) -> tuple[dict[str, str], str]:
    """Find a Dutch letter header ('Aan/Van/Datum/Onderwerp' fields) near the top of `text`.

    Returns the fields (lowercase keys) and the text with the header rewritten as readable
    "Aan: …" lines. Text without such a header is returned unchanged with empty metadata.
    """
    lines = text.split("\n")
    first_nonblank = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_nonblank is None:
        return {}, text
    # The header must open the document (allowing a few lines such as a logo caption or address).
    start: int | None = None
    for i in range(first_nonblank, min(len(lines), first_nonblank + 8)):
        parsed = _parse_header_line(lines[i])
        if parsed and parsed[0][0] in ("aan", "van", "datum", "onderwerp"):
            start = i
            break
    if start is None:
        return {}, text
    meta: dict[str, str] = {}
    order: list[str] = []
    end = start
    i = start
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            # A single blank line may sit inside the header block; two end it.
            if i + 1 < len(lines) and lines[i + 1].strip() and _parse_header_line(lines[i + 1]):
                i += 1
                continue
            break
        parsed = _parse_header_line(line)
        if not parsed:
            break
        for key, value in parsed:
            if key not in meta:
                order.append(key)
                meta[key] = value
            elif value:
                meta[key] = f"{meta[key]} {value}".strip()
        i += 1
        end = i
    keys = set(meta)
    if len(keys & {"aan", "van", "datum", "onderwerp"}) < 2:
        return {}, text
    meta = {k: " ".join(v.split()) for k, v in meta.items() if v.strip()}
    rendered = [f"{key.capitalize()}: {meta[key]}" for key in order if key in meta]
    new_lines = [*lines[:start], *rendered, *lines[end:]]
    return meta, "\n".join(new_lines)
