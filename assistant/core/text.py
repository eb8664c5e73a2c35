"""One text toolkit for every stage (ingest, the stores, retrieval, answering, briefing): accent folding, the
language of a text, month names and stop words.

The copies these replace had drifted apart (issue #19): four folds, two language detectors, four month tables,
three stop-word lists. Ingest and the stores import this module, so it imports nothing of ours but the lexicons
(pyproject.toml, [tool.importlinter]).

`fold` is the BM25 analyser's fold and must stay so: an index holds folded tokens, and a fold that changed
would leave every existing index unreadable by the queries (tests/test_analysis.py pins the tokens).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from assistant.core import lexicons

Language = Literal["nl", "en"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ------------------------------------------------------------------------------------------ folding

# Letters NFKD does not decompose but users type without the mark ("Utoya" for "Utøya", "Lodz" for "Łódź").
_LETTERS = {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ß": "ss"}
_LETTER_TABLE = str.maketrans(_LETTERS)
# Only the marks of U+0300-U+036F, and lower() rather than casefold(): the index was built so. For Latin
# letters the result is the same as casefold() with every combining mark stripped (checked over all of
# Unicode); it differs only in other scripts (Greek final sigma, Cherokee, Hebrew and Arabic points, kana
# voicing marks), which a Dutch archive does not search by.
_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lower case without accents: "Financiën" -> "financien", "Utøya Straße Æsop" -> "utoya strasse aesop"."""
    text = text.lower()
    if text.isascii():  # most Dutch text is ASCII: skip the costly normalisation
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).translate(_LETTER_TABLE)


# One character for one: the first letter of the full fold ("æ" -> "a", "ß" -> "s"); typographic apostrophes
# become "'" so "’s-Hertogenbosch" meets "'s-Hertogenbosch" in a name.
_ONE_LETTER = {**{ch: folded[0] for ch, folded in _LETTERS.items()}, "’": "'", "‘": "'", "`": "'"}


def _fold_char(ch: str) -> str:
    low = ch.lower()
    if len(low) != 1:  # "İ".lower() has two characters: keep offsets stable instead
        low = ch
    base = [c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c)]
    first = base[0] if base else low
    return _ONE_LETTER.get(first, first)  # after NFKD too: "ǣ" is "æ" with a macron


def fold_keep_offsets(text: str) -> str:
    """Like `fold`, but one character out for each character in, so a match in the folded text is a span of
    the original ("Æsop" -> "asop", "ﬁ" -> "f")."""
    return "".join(_fold_char(c) for c in text)


def fold_name(text: str) -> str:
    """The key under which variants of a name meet: `fold_keep_offsets`, whitespace collapsed (names are
    matched in text folded with offsets kept, so their keys fold the same way)."""
    return " ".join(fold_keep_offsets(text).split())


# ----------------------------------------------------------------------------------------- language

# Function words of each language: the question detector's and the document detector's lists together.
_DUTCH = _words(
    """de het een en van in is op te dat die voor met zijn niet aan er als om ook door bij naar of maar dan nog
    wel uit over tot wordt worden kan deze dit was heeft hebben zich geen wij hun wat hoe omdat wie welk welke
    waar wanneer hoeveel waarom"""
)
_ENGLISH = _words(
    """the of and to a in is that for it as with on be by this are or not from at an which have has was were
    will can should would their its these they there been into such other also than if when what how who
    where why does did do"""
)
# A word of both ("in", "is", "was", and "of", Dutch for "or") says nothing about the language.
_DUTCH_ONLY = _DUTCH - _ENGLISH
_ENGLISH_ONLY = _ENGLISH - _DUTCH
_WORD = re.compile(r"[^\W\d_]+")
_LANGUAGE_SAMPLE = 20_000  # characters: a document's language shows long before its end


def detect_language(text: str) -> Language:
    """'en' when the text has more English than Dutch function words, else 'nl' (the archive's language, also
    for empty or undecided text). One rule for a question and a document alike: measured on the 508 questions
    of bench/data, the 18 test documents and 3,152 Dutch law passages it misjudges none."""
    words = _WORD.findall(text[:_LANGUAGE_SAMPLE].lower())
    dutch = sum(1 for w in words if w in _DUTCH_ONLY)
    english = sum(1 for w in words if w in _ENGLISH_ONLY)
    return "en" if english > dutch else "nl"


# ------------------------------------------------------------------------------------------- months

# lexicons/months.txt, a line a month in calendar order: the Dutch name, the English name, abbreviations.
_MONTH_LINES = tuple(lexicons.table("months").items())
if len(_MONTH_LINES) != 12:
    raise lexicons.LexiconError(f"months.txt: {len(_MONTH_LINES)} months, expected 12")

# The twelve full names per language, lower case, January first.
MONTHS: dict[Language, tuple[str, ...]] = {
    "nl": tuple(dutch for dutch, _ in _MONTH_LINES),
    "en": tuple(variants[0] for _, variants in _MONTH_LINES),
}
# The full names of both languages. Alone, only these mean a month: an abbreviation ("Jan", "mar", "dec") is
# as often a name or a word, so it counts only beside a day or a year.
MONTH_NAMES: tuple[str, ...] = tuple(dict.fromkeys((*MONTHS["nl"], *MONTHS["en"])))
# Every name and abbreviation, Dutch and English, to the month's number.
MONTH_NUMBER: dict[str, int] = {
    name: number for number, (dutch, variants) in enumerate(_MONTH_LINES, 1) for name in (dutch, *variants)
}

# --------------------------------------------------------------------------------------- stop words

# The Snowball stop-word list for Dutch, from lexicons/stopwords.txt (bm25s ships the same list as
# STOPWORDS_DUTCH; tests/test_text.py checks that they agree).
STOPWORDS_NL: frozenset[str] = frozenset(lexicons.sections("stopwords")["Dutch (Snowball)"])
# NLTK's English stop-word list as bm25s ships it (STOPWORDS_EN_PLUS), as words: without contractions and
# their pieces ("don't", "don", "t"; "don", "won", "haven" are Dutch words), with "could" and "would" (NLTK
# has only "couldn't"). Written out, not imported: bm25s loads scipy (0.3 s) into every stage that folds
# text, and the BM25 index must not change when bm25s edits its list (tests/test_text.py notices when it does).
STOPWORDS_EN: frozenset[str] = _words(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself
    yourselves"""
)

__all__ = [
    "MONTHS",
    "MONTH_NAMES",
    "MONTH_NUMBER",
    "STOPWORDS_EN",
    "STOPWORDS_NL",
    "Language",
    "detect_language",
    "fold",
    "fold_keep_offsets",
    "fold_name",
]
