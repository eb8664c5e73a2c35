"""Dutch text analysis: folding, stopwords, stemmer behaviour and compound splitting."""

from __future__ import annotations

import hashlib

import pytest

from assistant.retrieval.bm25_analysis import DEFAULT_ANALYZER, STEMMERS, STOPWORDS, Analyzer, CompoundSplitter, words


def _need(stemmer: str) -> None:
    # nltk and simplemma were measured but are not dependencies (the default uses PyStemmer).
    if stemmer in ("nltk", "simplemma"):
        pytest.importorskip(stemmer)


def test_words_fold_case_and_accents_and_split_on_punctuation() -> None:
    assert words("Financiën, Utøya en safe.brussels (2023-2026) a.") == [
        "financien",
        "utoya",
        "en",
        "safe",
        "brussels",
        "2023",
        "2026",
    ]
    assert words("Café", accents=False) == ["café"]
    assert Analyzer(stemmer="none", fold_accents=False).tokens("Financiën") == ["financiën"]


def test_stopwords_are_dropped_only_when_asked() -> None:
    assert Analyzer(stemmer="none").tokens("De burgemeester van de gemeente") == ["burgemeester", "gemeente"]
    assert Analyzer(stemmer="none", stopwords=False).tokens("de gemeente") == ["de", "gemeente"]


@pytest.mark.parametrize(
    ("stemmer", "expected"),
    [
        ("none", ["gemeenten", "vergunningen", "burgemeesters"]),
        # Snowball 3 Dutch also strips the "ge-" prefix: aggressive but measured best on laws-nl-beir.
        ("snowball3", ["meen", "vergun", "burgemee"]),
        ("nltk", ["gemeent", "vergunn", "burgemeester"]),
        ("simplemma", ["gemeente", "vergunning", "burgemeester"]),
    ],
)
def test_stemmer_behaviour(stemmer: str, expected: list[str]) -> None:
    _need(stemmer)
    analyzer = Analyzer.from_config({"stemmer": stemmer, "split_compounds": False})
    assert analyzer.tokens("gemeenten vergunningen burgemeesters") == expected


@pytest.mark.parametrize("stemmer", STEMMERS)
def test_singular_and_plural_meet(stemmer: str) -> None:
    _need(stemmer)
    analyzer = Analyzer.from_config({"stemmer": stemmer, "split_compounds": False})
    same = analyzer.tokens("vergunning") == analyzer.tokens("vergunningen")
    assert same is (stemmer != "none")  # without stemming the forms stay apart, by design


def test_unknown_stemmer_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stemmer"):
        Analyzer(stemmer="porter")  # type: ignore[arg-type]


def test_compound_split_with_linking_s() -> None:
    splitter = CompoundSplitter.learn(["veiligheid beleid", "veiligheid en beleid"])
    assert splitter.split("veiligheidsbeleid") == ("veiligheid", "beleid")
    assert splitter.split("gemeente") == ()  # too short to be split
    assert splitter.split("onbekendewoorden") == ()  # parts unknown


def test_compound_split_with_linking_en_and_frequent_whole_word_stays() -> None:
    splitter = CompoundSplitter.learn(["boeken kast boek kast boek"])
    assert splitter.split("boekenkasten") == ()  # "kasten" unknown
    splitter = CompoundSplitter.learn(["boek boek kasten kasten"])
    assert splitter.split("boekenkasten") == ("boek", "kasten")
    # The whole word is more frequent than its parts: not a compound to split.
    frequent = CompoundSplitter.learn(["boek boek kasten kasten", "boekenkasten " * 5])
    assert frequent.split("boekenkasten") == ()


def test_analyzer_emits_whole_word_and_parts_after_fit() -> None:
    analyzer = Analyzer(stemmer="none", split_compounds=True).fit(["veiligheid beleid", "veiligheid beleid"])
    assert analyzer.tokens("Het veiligheidsbeleid") == ["veiligheidsbeleid", "veiligheid", "beleid"]
    # Without fitting there is no vocabulary, so nothing is split.
    assert Analyzer(stemmer="none", split_compounds=True).tokens("veiligheidsbeleid") == ["veiligheidsbeleid"]


def test_default_is_the_measured_choice_and_consistent_in_batch() -> None:
    assert DEFAULT_ANALYZER.config == {
        "stemmer": "snowball3",
        "stopwords": True,
        "fold_accents": True,
        "split_compounds": True,
    }
    texts = ["De gemeenten en hun vergunningen", "", "Toezicht op de naleving"]
    assert DEFAULT_ANALYZER.tokens_many(texts) == [DEFAULT_ANALYZER.tokens(t) for t in texts]


# Tokens an index already holds: any change here means every user must re-index (issue #19). The strings are
# chosen where folding variants differ: letters NFKD keeps (ø, ß, æ, œ, ł, đ, ð, ħ, ı, þ), lower() against
# casefold() (Greek final sigma stays "ς"), marks outside U+0300-U+036F (Hebrew points split the word),
# compatibility forms (ligature, full-width, superscript), compounds and digits.
_PINNED = [
    (
        "Financiën, coöperatie en naïeve Ångström-metingen in Curaçao",
        ["financien", "cooperatie", "naieve", "angstrom", "metingen", "curacao"],
        ["financien", "coopereer", "naieve", "angstrom", "meet", "curacao"],
    ),
    (
        "Utøya Straße Æsop Œuvre Łódź Đakovo Ðorð Ħal Iıstanbul Þingvellir İzmir",
        ["utoya", "strasse", "aesop", "oeuvre", "lodz", "dakovo", "dord", "hal", "iistanbul", "thingvellir", "izmir"],
        ["utoya", "stras", "aesop", "oeuvr", "lodz", "dakovo", "dord", "hal", "iistanbul", "thingvellir", "izmir"],
    ),
    (
        "Λόγος ᾳ ﬁets ＡＢＣ x² ½ ① ’s-Hertogenbosch d’r l'Europe",
        ["λογος", "fiets", "abc", "x2", "1", "2", "1", "hertogenbosch", "europe"],
        ["λογος", "fiet", "abc", "x2", "1", "2", "1", "hertonbosch", "europe"],
    ),
    ("שָׁלוֹם が Hà Nội Ærø", ["לו", "ha", "noi", "aero"], ["לו", "ha", "noi", "aero"]),
    (
        "art. 3.1a lid 2, 2023-2026, 1.250.000, 12e H2O safe.brussels a. b.",
        ["art", "3", "1a", "lid", "2", "2023", "2026", "1", "250", "000", "12e", "h2o", "safe", "brussels"],
        ["art", "3", "1a", "lid", "2", "2023", "2026", "1", "250", "000", "12e", "h2o", "safe", "brus"],
    ),
    (
        "veiligheidsbeleid burgemeesters gemeenteraad wethouders van het Ministerie",
        ["veiligheidsbeleid", "burgemeesters", "gemeenteraad", "wethouders", "ministerie"],
        ["veiligheidsbeleid", "veil", "beleid", "burgemee", "meenteraad", "meen", "raad", "wethouder", "ministerie"],
    ),
]


@pytest.mark.parametrize(("text", "plain", "default"), _PINNED)
def test_index_tokens_are_pinned(text: str, plain: list[str], default: list[str]) -> None:
    assert Analyzer(stemmer="none", split_compounds=False).tokens(text) == plain
    fitted = DEFAULT_ANALYZER.fit(["veiligheid beleid veiligheid beleid gemeente raad gemeente raad"])
    assert fitted.tokens(text) == default


def test_index_tokens_without_folding_are_pinned() -> None:
    analyzer = Analyzer(stemmer="none", split_compounds=False, fold_accents=False, stopwords=False)
    assert analyzer.tokens("Utøya Straße Æsop İzmir Λόγος Financiën en") == [
        "utøya",
        "straße",
        "æsop",
        "zmir",
        "λόγος",
        "financiën",
        "en",
    ]


def test_index_stopwords_are_pinned() -> None:
    # The analyser's own list, not the question analysis's longer one: dropping more words changes the index.
    assert len(STOPWORDS) == 218
    digest = hashlib.sha256(" ".join(sorted(STOPWORDS)).encode()).hexdigest()
    assert digest == "90a767a53e5d8fdb9a095c5d46425b98ee791fd0657556a5a11763483b58e920"
