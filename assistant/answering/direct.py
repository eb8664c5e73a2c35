"""The value a question asks for, read out of a quoted unit: the direct answer line ("**12 uur** [1]").

Pure functions over text. They never invent: the value is a span of the unit, so it is as checkable as the
quote it comes from.
"""

from __future__ import annotations

import re

from assistant.answering.question import QuestionAnalysis
from assistant.core.text import MONTH_NAMES, MONTH_NUMBER, MONTHS, fold
from assistant.language.answertype import DURATION, NUMBER_WORDS, TIME_UNIT_OF, date_precision, person_names

# English writes a month with a capital ("4 March 2021"), Dutch without ("4 maart 2021").
_SPOKEN_MONTHS = {"nl": MONTHS["nl"], "en": tuple(m.capitalize() for m in MONTHS["en"])}
_MONTHS = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
_FULL_DATE = re.compile(
    rf"\b\d{{1,2}}(?:\s*(?:-|–|t/m|tot en met)\s*\d{{1,2}})?\s+(?:{_MONTHS})\s+(?:1[89]|20)\d\d\b", re.I
)
_DAY_MONTH = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b", re.I)
# English order: "July 9th, 2020", "August 25 2020", "July 9th".
_FULL_DATE_EN = re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:1[89]|20)\d\d\b", re.I)
_MONTH_DAY = re.compile(rf"\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\d)", re.I)
_MONTH_YEAR = re.compile(rf"\b(?:{_MONTHS})\s+(?:1[89]|20)\d\d\b", re.I)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})\b")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_MONEY = re.compile(
    r"(?:€|EUR|\$|£)\s?\d[\d.,]*(?:\s?(?:miljoen|miljard|mln|mld|million|billion))?"
    r"|\b\d[\d.,]*\s?(?:miljoen|miljard|mln|mld|million|billion)?\s?(?:euro|EUR)\b",
    re.I,
)
_NUMBER_TOKEN = r"(?:\d+(?:[.,]\d+)*|" + "|".join(NUMBER_WORDS) + r")"
# A number and up to three words after it, but never the next number: "3 rapporten en 5 adviezen" holds two.
_NUMBER_PHRASE = re.compile(rf"(?<![\w.,]){_NUMBER_TOKEN}(?:\s+(?!{_NUMBER_TOKEN}\b)[\w'’-]+){{0,3}}", re.I)
# The numbers before a count that share its noun: "1 High, 1 Elevated, 11 Moderate, and " before "13 Low-severity
# findings", "3 hoge, 2 middelgrote en " before "5 lage risico's": each term a number and the word that sets it
# apart, the noun only after the last. That last number is one part, not the count. ("3 rapporten en 5 adviezen"
# is no such series: there the counted noun follows its number directly.)
_SERIES_TERM = rf"{_NUMBER_TOKEN}\s+[\w'’-]+\s*(?:,\s*(?:(?:and|en|or|of)\s+)?|\s+(?:and|en|or|of)\s+)"
_SERIES_BEFORE = re.compile(rf"(?<![\w.,])(?:{_SERIES_TERM})+$", re.I)


def _first(pattern: re.Pattern[str], text: str, exclude: set[str]) -> str | None:
    for match in pattern.finditer(text):
        if fold(match.group()) not in exclude:
            return match.group().strip()
    return None


_DATE_PATTERNS = {
    # As precise as the question asks: "op welke datum" wants a day, "in welk jaar" a year (a full date has one).
    "day": (_FULL_DATE, _FULL_DATE_EN, _NUMERIC_DATE, _DAY_MONTH, _MONTH_DAY),
    "year": (_FULL_DATE, _FULL_DATE_EN, _NUMERIC_DATE, _MONTH_YEAR, _YEAR),
    "any": (_FULL_DATE, _FULL_DATE_EN, _NUMERIC_DATE, _MONTH_YEAR, _DAY_MONTH, _MONTH_DAY, _YEAR),
}


def _date(text: str, exclude: set[str], precision: str = "any") -> str | None:
    for pattern in _DATE_PATTERNS[precision]:
        found = _first(pattern, text, exclude)
        if found:
            return found
    return None


def _number(text: str, counted: str | None, exclude: set[str]) -> str | None:
    """ "40 zetels", "8 weken", "drie varianten": a number with the noun it counts (the asked-for noun when the
    question names one); a year is not a count."""
    candidates: list[str] = []
    for match in _NUMBER_PHRASE.finditer(text):
        words = match.group().split()
        number = words[0]
        if _YEAR.fullmatch(number) or fold(number) in exclude:
            continue
        if counted:
            stem = counted[:5]
            for i, word in enumerate(words[1:], start=1):
                if fold(word).startswith(stem):
                    count = " ".join(words[: i + 1]).rstrip(".,;:")
                    series = _SERIES_BEFORE.search(text, 0, match.start()) if i > 1 else None
                    return text[series.start() : match.start()] + count if series else count
        candidates.append(" ".join(words[:2]).rstrip(".,;:)"))
    return None if counted else (candidates[0] if candidates else None)


def answer_value(text: str, analysis: QuestionAnalysis) -> str | None:
    """The span of `text` that answers the question's expected kind (date, number, money, person), or None.
    Values the question itself names ("in 2015") are not answers."""
    expectation = analysis.expectation
    if expectation is None:
        return None
    exclude = {a.key for a in analysis.anchors}
    if expectation.kind == "date":
        return _date(text, exclude, date_precision(analysis.text))
    if expectation.kind == "money":
        return _first(_MONEY, text, exclude)
    if expectation.kind == "duration":
        return _first(DURATION, text, exclude)
    if expectation.kind == "number":
        return _number(text, expectation.counted, exclude)
    if expectation.kind in ("person", "name", "who"):
        for name in person_names(text):
            if fold(name) not in exclude and not any(fold(name) in a for a in exclude):
                return " ".join(name.split())  # a name broken over two lines is shown on one
    return None


_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]+")


def value_key(value: str, kind: str) -> str:
    """What a value says, whatever its language or spelling: "3 hours" and "3 uur" are one duration, "9 June
    2020" and "9 juni 2020" one date, "12 steden" and "12 cities" one count. Sources that agree are then not
    shown as giving different values."""
    folded = " ".join(fold(value).split())
    if kind == "date":
        numbers = [int(n) for n in re.findall(r"\d+", folded)]
        month = next((MONTH_NUMBER[w] for w in _WORD.findall(folded) if w in MONTH_NUMBER), None)
        if month is not None and numbers:
            year = next((n for n in numbers if n >= 1000), None)
            day = next((n for n in numbers if n < 32), None)
            return f"{year or ''}-{month:02d}-{day or ''}"
        return folded
    number = _DIGITS.search(folded)
    if kind == "duration":
        unit = next((TIME_UNIT_OF[w] for w in _WORD.findall(folded) if w in TIME_UNIT_OF), None)
        amount = number.group().replace(",", ".") if number else " ".join(_WORD.findall(folded)[:1])
        return f"{amount} {unit}" if unit else folded
    if kind == "number" and number:
        return number.group().replace(",", ".")
    return folded


def spoken_date(iso: str, lang: str) -> str:
    """A document's (partial) ISO date as words: "4 maart 2021", "March 2021", "2021"."""
    parts = iso.split("-")
    months = _SPOKEN_MONTHS["en" if lang == "en" else "nl"]
    try:
        if len(parts) >= 3:
            return f"{int(parts[2])} {months[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 2:
            return f"{months[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        return iso
    return parts[0]
