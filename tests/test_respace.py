"""Restoring the spaces of text whose words run together (`ingest.respace`): the rule with a small fake word
list and the real English word list on sentences written here (a whole PDF: tests/test_pdffonts.py)."""

from __future__ import annotations

from ingest.respace import WordModel, respace, respace_pages, respace_run, word_model

# A fake word list: rank = place in this list (frequent first). Enough to spell the sentences below.
WORDS = ["the", "of", "a", "to", "in", "is", "and", "report", "will", "be", "sent", "each", "week", "review"]
WORDS += ["messages", "service", "code", "auth", "minister", "table", "results"]
RANK = {w: i for i, w in enumerate(WORDS)}


def _split(run: str) -> list[str]:
    """Greedy longest-known-prefix split (the real model uses word costs; the rule around it is what is tested)."""
    out, i = [], 0
    lower = run.lower()
    while i < len(run):
        j = next((j for j in range(len(run), i, -1) if lower[i:j] in RANK), i + 1)
        out.append(run[i:j])
        i = j
    return out


FAKE = WordModel(rank=RANK.get, split=_split)


def test_a_glued_run_is_split_into_words() -> None:
    assert respace_run("Thereportwillbesenteachweek", FAKE) == "The report will be sent each week"


def test_words_and_camelcase_names_stay() -> None:
    assert respace_run("messages", FAKE) == "messages"
    assert respace_run("AuthCodeService", FAKE) == "AuthCodeService"  # every part a word: an identifier


def test_a_split_leaving_rare_short_pieces_is_not_trusted() -> None:
    # Pieces that are no (common) words: the run is a name or another language's word.
    assert respace_run("Zorgverzekeraar", FAKE) == "Zorgverzekeraar"
    assert respace_run("Tableaux", FAKE) == "Tableaux"  # "table" + "a" + "u" + "x": one-letter pieces


def test_glued_punctuation_gets_its_space_but_names_and_domains_do_not() -> None:
    text, count = respace("Theresultsofthereview.Thereportwillbesent,eachweek. See portal.nl or a.b", FAKE)
    assert text == "The results of the review. The report will be sent, each week. See portal.nl or a.b"
    assert count == 3


def test_pages_are_respaced_one_by_one() -> None:
    pages, count = respace_pages(("Thereportwillbesent", "plain text"), FAKE)
    assert pages == ("The report will be sent", "plain text") and count == 1


def test_only_languages_with_a_word_list() -> None:
    assert word_model("nl") is None
    assert word_model("en") is not None


def test_the_english_word_list_restores_sentences_written_here() -> None:
    model = word_model("en")
    assert model is not None
    text, count = respace("Thecouncilwillreceiveanupdatebeforethesummer,andthemayorwillattend.", model)
    assert text == "The council will receive an update before the summer, and the mayor will attend."
    assert count == 2
    assert respace("Rotterdam Haaglanden", model) == ("Rotterdam Haaglanden", 0)  # names are not taken apart
