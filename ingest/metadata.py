"""Document-level metadata guessed from the text: date, type and title (its language: `assistant.core.text`).

Everything here is heuristic and cheap. The heuristics favour the first lines of a document, because
Dutch municipal documents state their subject and date up front and mention other dates later.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.core.text import MONTH_NUMBER

_MONTH = "(?:" + "|".join(sorted(MONTH_NUMBER, key=len, reverse=True)) + r")\.?"
_RANGE_SEP = r"\s*(?:-|–|—|t/m|tot(?:\s+en\s+met)?|to|until|and|en)\s*"
_DAY = r"(\d{1,2})(?:e|ste|de|st|nd|rd|th)?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "24 juni-27 juni 2015", "20 tot 22 maart 2024", "30 juni - 2 juli 2015"
    (
        "range",
        re.compile(rf"\b{_DAY}(?:\s+({_MONTH}))?{_RANGE_SEP}{_DAY}\s+({_MONTH})\s+(\d{{4}})\b", re.IGNORECASE),
    ),
    ("dmy", re.compile(rf"\b{_DAY}\s+({_MONTH})\s+(\d{{4}})\b", re.IGNORECASE)),
    ("mdy", re.compile(rf"\b({_MONTH})\s+{_DAY},?\s+(\d{{4}})\b", re.IGNORECASE)),
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("numeric", re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")),
    ("my", re.compile(rf"\b({_MONTH})\s+(\d{{4}})\b", re.IGNORECASE)),
)
_FULL_KINDS = frozenset({"range", "dmy", "mdy", "iso", "numeric"})


def _month(token: str) -> int:
    return MONTH_NUMBER[token.lower().rstrip(".")]


def _iso(year: int, month: int, day: int) -> str | None:
    if not 1800 <= year <= 2200:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _convert(kind: str, groups: tuple[str | None, ...]) -> tuple[str | None, str | None]:
    g = [x or "" for x in groups]
    if kind == "range":
        d1, m1, d2, m2, year = g
        month2 = _month(m2)
        end = _iso(int(year), month2, int(d2))
        month1 = _month(m1) if m1 else month2
        # "28 december - 3 januari 2016": the start lies in the previous year.
        start_year = int(year) - 1 if month1 > month2 else int(year)
        start = _iso(start_year, month1, int(d1))
        return (start, end) if start and end else (None, None)
    if kind == "dmy":
        return _iso(int(g[2]), _month(g[1]), int(g[0])), None
    if kind == "mdy":
        return _iso(int(g[2]), _month(g[0]), int(g[1])), None
    if kind == "iso":
        return _iso(int(g[0]), int(g[1]), int(g[2])), None
    if kind == "numeric":  # Dutch order: day-month-year
        return _iso(int(g[2]), int(g[1]), int(g[0])), None
    return _iso(int(g[1]), _month(g[0]), 1), None  # "juni 2024" → the first of the month


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date written in a text: `text[start:end]`, as ISO `date` (and `date_end` for a range).

    `precision` is "day", or "month" for "juni 2024": then `date` is the first of the month, and callers
    that must not claim a day the text never gave cut it to "2024-06"."""

    start: int
    end: int
    date: str
    date_end: str | None
    precision: Literal["day", "month"]


def find_date_spans(text: str, *, full_only: bool = False) -> list[DateSpan]:
    """Every date in `text`, leftmost first, overlapping matches removed (the longest wins at each place:
    "24 juni-27 juni 2015" over "27 juni 2015"). `full_only`: only dates with a day."""
    found: list[DateSpan] = []
    for kind, pattern in _PATTERNS:
        if full_only and kind not in _FULL_KINDS:
            continue
        for match in pattern.finditer(text):
            start, end = _convert(kind, match.groups())
            if start:
                found.append(DateSpan(match.start(), match.end(), start, end, "month" if kind == "my" else "day"))
    found.sort(key=lambda d: (d.start, -(d.end - d.start)))
    result: list[DateSpan] = []
    covered_to = -1
    for span in found:
        if span.start >= covered_to:
            result.append(span)
            covered_to = span.end
    return result


def parse_dutch_date(text: str) -> tuple[str | None, str | None]:
    """First date in `text` as ISO (start, end); `end` is only set for ranges.

    Handles "28 september 2022", "24 juni-27 juni 2015", "20 tot 22 maart 2024", "15-06-2023",
    "2023-06-15", "juni 2024" (the first of the month), abbreviations and English month names.
    """
    dates = find_date_spans(text)
    return (dates[0].date, dates[0].date_end) if dates else (None, None)


def find_document_date(text: str, letter_meta: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The date a document is about.

    Order: the letter's "Datum" field; a date in the first ~500 characters (title line, opening
    sentence: where reports and articles state when things happened); otherwise the first full date
    in the first 5,000 characters. We take the first rather than the chronologically earliest,
    because later and older dates in a text are usually references (laws, earlier meetings).
    """
    if letter_meta.get("datum"):
        start, end = parse_dutch_date(letter_meta["datum"])
        if start:
            return start, end
    head = find_date_spans(text[:500])
    if head:
        return head[0].date, head[0].date_end
    body = find_date_spans(text[:5000], full_only=True)
    if body:
        return body[0].date, body[0].date_end
    return None, None


# --- document type -------------------------------------------------------------------------------------


# The types `guess_doc_type` returns, as a Dutch reader calls them (the stored value stays the English key).
DOC_TYPE_NL = {
    "letter": "brief",
    "trip report": "reisverslag",
    "conference report": "conferentieverslag",
    "policy plan": "beleidsplan",
    "law": "wet",
    "report": "rapport",
    "article": "artikel",
    "document": "document",
}


def doc_type_name(doc_type: str, lang: str = "nl") -> str:
    """A document type for people: Dutch by default, the key itself in English or when unknown."""
    return DOC_TYPE_NL.get(doc_type, doc_type) if lang == "nl" else doc_type


def guess_doc_type(text: str, source: str, letter_meta: Mapping[str, str]) -> str:
    """One of: letter, trip report, conference report, policy plan, law, report, article, document."""
    opening = text[:800].lower()
    head = text[:300].lower()
    if len(set(letter_meta) & {"aan", "van", "datum", "onderwerp"}) >= 2 or re.search(
        r"^\s*geachte\b", text[:2000], re.IGNORECASE | re.MULTILINE
    ):
        return "letter"
    if re.search(r"verslag\b.{0,60}\bdienstreis|dienstreis\b.{0,20}\bverslag", head, re.DOTALL):
        return "trip report"
    if re.search(r"conferentie|conference", opening):
        return "conference report"
    if "beleidsplan" in head or "beleidsnota" in head:
        return "policy plan"
    name = Path(source).stem.lower()
    if re.search(r"\bbwbr\d+", name) or re.search(r"^\s*(#+\s*)?artikel 1\b", text[:5000], re.I | re.M):
        return "law"
    if re.search(
        r"\b(rapport|rapportage|report|dpia|analyse|advies|evaluatie|onderzoek|inhoudsopgave|"
        r"management summary|samenvatting|besluitenlijst)\b",
        opening,
    ):
        return "report"
    paragraphs = [p for p in re.split(r"\n\s*\n", text[:6000]) if len(p) > 200]
    if len(text) < 20000 and len(paragraphs) >= 3:
        return "article"  # a headline followed by a few prose paragraphs: a news item or web article
    return "document"


# --- title ---------------------------------------------------------------------------------------------

# Lines that open many documents without being their title.
_BOILERPLATE = re.compile(
    r"^(aan|van|datum|onderwerp|to|from|cc|subject|sent|received)\s*:|^(confidential|vertrouwelijk|"
    r"versie|version|concept|draft|pagina|page|inhoud|inhoudsopgave|contents|bijlage|kenmerk|"
    r"[’']s-gravenhage|den haag,)\b|^[\d\W]",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"^[#\s]+|[*_`]+")


def _strip_markup(line: str) -> str:
    return " ".join(_MARKUP.sub("", line).split())


def _caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def _sentence_case(line: str) -> str:
    letters = [c for c in line if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return line[:1] + line[1:].lower()
    return line


def _trip_destination(text: str) -> str | None:
    """The destination of a trip report: the last place named in the 'which locations' answer."""
    match = re.search(
        r"^[^\n]*(?:LOCATIE|BESTEMMING|WAARHEEN|WAAR NAARTOE)[^\n]*\n+([^\n]+)", text, re.IGNORECASE | re.M
    )
    if not match:
        return None
    places = re.findall(r"\b(?:in|naar|te)\s+([A-Z][a-zà-ÿ]+(?:\s+[A-Z][a-zà-ÿ]+)?)", match.group(1))
    return places[-1] if places else None


def guess_title(text: str, source: str, title_hint: str | None, letter_meta: Mapping[str, str]) -> str:
    """A human title. Letters use "Onderwerp"; otherwise a Markdown heading, the format's own title
    (docx/html/pdf metadata), or the first title-like line; the file stem as last resort.

    A title-like line is short (≤ 200 characters, ≤ 25 words), does not end with a period, and is
    followed by a blank line. That rejects photo captions ("Mensen verzamelden zich in een grote hal.")
    and kicker lines glued to a caption ("In Europa"), which web pages put above the real headline.
    """
    if letter_meta.get("onderwerp"):
        return letter_meta["onderwerp"]
    lines = text.split("\n")
    opening = lines[:60]
    for line in opening:
        if re.match(r"^#\s+\S", line):
            return _strip_markup(line)
    if title_hint and title_hint.strip():
        return " ".join(title_hint.split())
    for line in opening[:30]:
        # E-mails (common in Woo releases) name themselves in their subject line.
        subject = re.match(r"^\s*(?:subject|onderwerp)\s*:\s*(.{3,})$", line, re.IGNORECASE)
        if subject:
            return " ".join(subject.group(1).split())
    candidate: str | None = None
    for i, raw in enumerate(opening):
        line = _strip_markup(raw)
        if not line:
            continue
        followed_by_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
        words = line.split()
        if (
            followed_by_blank
            and 2 <= len(line) <= 200
            and len(words) <= 25
            and not line.endswith((".", ",", ";", ":"))
            and sum(c.isalpha() for c in line) >= 3
            and (len(words) >= 2 or _caps(line))
            and not _BOILERPLATE.match(line)
        ):
            candidate = line
            break
    if candidate is None:
        return Path(source).stem
    title = _sentence_case(candidate)
    if re.search(r"dienstreis$", title, re.IGNORECASE):
        destination = _trip_destination(text)
        if destination:
            title = f"{title} {destination}"
    return title
