"""The one text toolkit (issue #19): folding, language, months and stop words, and the choices made where the
copies it replaced disagreed."""

from __future__ import annotations

from pathlib import Path

import pytest
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN_PLUS

from assistant.answering.direct import spoken_date
from assistant.briefing.formatting import format_date
from assistant.core.text import (
    MONTH_NAMES,
    MONTH_NUMBER,
    MONTHS,
    STOPWORDS_EN,
    STOPWORDS_NL,
    detect_language,
    fold,
    fold_keep_offsets,
    fold_name,
)

ROOT = Path(__file__).resolve().parents[1]
# Pieces of "aren't", "don't", "ain't", "ma'am", "I'm", "o'clock", "y'all", "you'd", "we'll", ...
_CONTRACTION_PIECES = """ain aren couldn didn doesn don hadn hasn haven isn ma mightn mustn needn shan shouldn wasn
weren won wouldn d ll m o re s t ve y"""


def test_fold_strips_accents_and_the_letters_nfkd_keeps() -> None:
    # The BM25 analyser's fold, now everyone's: citations' fold left "ø", "ß", "æ" as they were.
    assert fold("Utøya Straße Æsop") == "utoya strasse aesop"
    assert fold("Financiën, geïntroduceerd, Łódź, Œuvre, Ðakovo, Þingvellir") == (
        "financien, geintroduceerd, lodz, oeuvre, dakovo, thingvellir"
    )
    assert fold("ﬁets ＡＢＣ") == "fiets abc"  # compatibility forms, as NFKD gives them


def test_fold_keeps_what_the_index_was_built_with() -> None:
    # lower(), not casefold(): the two differ only outside the Latin script, and the index holds "ς".
    assert fold("Λόγος") == "λογος"
    # Only the marks of U+0300-U+036F go: a Hebrew point stays (the index splits the word there).
    assert fold("שָׁלוֹם") == "שָׁלוֹם"


def test_fold_keep_offsets_gives_one_character_for_one() -> None:
    text = "Utøya Straße Æsop Þór Ǣ ’s-Hertogenbosch ﬁets"
    folded = fold_keep_offsets(text)
    assert len(folded) == len(text)
    # The first letter of the full fold where that has more than one ("ß" -> "s", "Æ" -> "a", "Þ" -> "t").
    assert folded == "utoya strase asop tor a 's-hertogenbosch fets"
    assert fold_name("  Æsop \n van   Utøya ") == "asop van utoya"


def test_every_latin_letter_folds_the_same_with_and_without_offsets() -> None:
    # The two folds may differ in length only: where `fold` gives one letter, the offset fold gives the same.
    for cp in range(0x00C0, 0x0250):
        ch = chr(cp)
        full = fold(ch)
        if full and ch != "İ":  # its lower case has two characters: the offset fold keeps the letter
            assert fold_keep_offsets(ch) == full[0], ch


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Who is the director of the forum?", "en"),
        ("When did the city join the network?", "en"),
        ("Wie is de directeur van het forum?", "nl"),
        # "of" is Dutch for "or": a word of both languages counts for neither (the question detector took
        # this law query for English).
        ("voorkomen of beperken geluidhinder", "nl"),
        ("De gemeente heeft een plan voor de veiligheid van het centrum.", "nl"),
        ("The findings of the review are that the app is secure and it has no issues.", "en"),
        # A short English question is English (the document detector wanted five English words).
        ("Who chairs it?", "en"),
        ("", "nl"),
        ("Utrecht 2024", "nl"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_one_month_table() -> None:
    assert MONTHS["nl"][2] == "maart" and MONTHS["en"][2] == "march"
    assert len(MONTHS["nl"]) == len(MONTHS["en"]) == 12
    assert [MONTH_NUMBER[m] for m in ("januari", "jan", "january", "mrt", "mar", "mei", "may", "sept", "okt")] == [
        1,
        1,
        1,
        3,
        3,
        5,
        5,
        9,
        10,
    ]
    assert set(MONTH_NUMBER) >= set(MONTH_NAMES) == {*MONTHS["nl"], *MONTHS["en"]}
    assert "jan" not in MONTH_NAMES  # alone, "Jan" is a given name


def test_dates_are_spoken_from_the_one_table() -> None:
    # English names used to come from `calendar.month_name`, which follows the process's locale.
    assert spoken_date("2021-03-04", "en") == "4 March 2021"
    assert spoken_date("2021-03", "nl") == "maart 2021"
    assert format_date("2021-03-20", "2021-03-22") == "20–22 maart 2021"


def test_stop_words_are_the_lists_bm25s_ships() -> None:
    assert frozenset(STOPWORDS_DUTCH) == STOPWORDS_NL
    # NLTK's list without contractions and their pieces ("don't", "don", "t"), with "could" and "would".
    words = {w for w in STOPWORDS_EN_PLUS if "'" not in w} - set(_CONTRACTION_PIECES.split())
    assert words | {"could", "would"} == STOPWORDS_EN


def test_no_second_fold_grows_back() -> None:
    # Accent folding lives in assistant/core/text.py; eval/metrics.py keeps its own on purpose (the scoring must
    # not move when the product's folding does).
    allowed = {ROOT / "assistant" / "core" / "text.py", ROOT / "eval" / "metrics.py"}
    for path in [*ROOT.glob("assistant/**/*.py"), *ROOT.glob("ingest/**/*.py"), *ROOT.glob("vectorstore/**/*.py")]:
        if path not in allowed:
            assert "NFKD" not in path.read_text(encoding="utf-8"), path
