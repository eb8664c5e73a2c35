"""Sentence splitting, `[n]` parsing and the marker-to-passage mapping (pure functions, no model)."""

from __future__ import annotations

import pytest

from assistant.core.records import Chunk, Hit
from assistant.language.citations import (
    build_citations,
    format_context,
    neutralise_brackets,
    parse_citations,
    split_sentences,
    strip_markers,
)


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def _hit(text: str, cid: str, source: str = "a.txt", score: float = 0.5) -> Hit:
    chunk = Chunk(
        chunk_id=cid,
        doc_id=f"d-{cid}",
        source=source,
        title=f"T {cid}",
        text=text,
        start=0,
        end=len(text),
        ordinal=0,
        page=2,
    )
    return Hit(chunk=chunk, score=score)


def test_abbreviations_initials_and_decimals_do_not_end_sentences() -> None:
    text = "Op 23 juni jl. waren o.a. mw. Johnston en dhr. A.B. de Vries er. Zie art. 5 en nr. 3. Het kost 1.5 mln!"
    assert _sentences(text) == [
        "Op 23 juni jl. waren o.a. mw. Johnston en dhr. A.B. de Vries er.",
        "Zie art. 5 en nr. 3.",
        "Het kost 1.5 mln!",
    ]


def test_list_items_and_headings_are_own_units_and_wrapped_lines_join() -> None:
    text = (
        "Prioriteiten:\n\n1. Maatschappelijk ongenoegen\n2. Cybercrime\n\n"
        "WELKE LOCATIES?\nDit loopt door en\nhier verder."
    )
    assert _sentences(text) == [
        "Prioriteiten:",
        "1. Maatschappelijk ongenoegen",
        "2. Cybercrime",
        "WELKE LOCATIES?",
        "Dit loopt door en\nhier verder.",
    ]


def test_spans_are_offsets_into_the_text() -> None:
    text = "  Eerste zin. Tweede zin?  "
    for start, end in split_sentences(text):
        assert text[start:end].strip() == text[start:end]


def test_parse_citations_forms() -> None:
    assert parse_citations("a [1] b [1, 3][2] c [2-4] [x] [ 5 ]") == [
        (2, 5, [1]),
        (8, 14, [1, 3]),
        (14, 17, [2]),
        (20, 25, [2, 3, 4]),
        (30, 35, [5]),
    ]
    assert strip_markers("Dit klopt [1]. En dat [2][3].") == "Dit klopt. En dat."


def test_invalid_numbers_dropped_and_counted_and_renumbered() -> None:
    hits = [_hit("Alpha zin over EFUS.", "c1"), _hit("Beta zin over Oslo.", "c2"), _hit("Gamma.", "c3")]
    text, citations, invalid = build_citations("Oslo ligt daar [2]. EFUS ook [1, 7]. Niets [9].", hits)
    assert invalid == 2
    assert text == "Oslo ligt daar [1]. EFUS ook [2]. Niets."
    assert [(c.n, c.chunk_id) for c in citations] == [(1, "c2"), (2, "c1")]
    assert citations[0].quote == "Beta zin over Oslo."
    assert citations[0].page == 2 and citations[0].title == "T c2"


def test_citations_deduplicated_by_chunk_and_given_quotes_used() -> None:
    hits = [_hit("Zelfde tekst.", "c1"), _hit("Zelfde tekst.", "c1"), _hit("Ander.", "c2")]
    text, citations, invalid = build_citations("A [2]. B [1]. C [3].", hits, {2: "Zelfde tekst."})
    assert invalid == 0
    assert text == "A [1]. B [1]. C [2]."
    assert [c.chunk_id for c in citations] == ["c1", "c2"]
    assert citations[0].quote == "Zelfde tekst."


def test_quote_is_best_overlapping_passage_sentence() -> None:
    hit = _hit("Den Haag is lid van EFUS. Het weer was goed. Oslo is mooi.", "c1")
    _, citations, _ = build_citations("Den Haag werd lid van EFUS [1].", [hit])
    assert citations[0].quote == "Den Haag is lid van EFUS."
    assert citations[0].quote in hit.chunk.text


def test_no_hits_means_every_number_is_invalid() -> None:
    text, citations, invalid = build_citations("Iets [1].", [])
    assert (text, citations, invalid) == ("Iets.", [], 1)


def test_format_context_numbers_sources_and_neutralises_brackets() -> None:
    out = format_context([_hit("Tekst met [9] erin.", "c1", "map/a.txt")])
    assert out.startswith("[1] T c1 (map/a.txt, p. 2)\n")
    assert "[9]" not in out and "(9)" in out
    assert neutralise_brackets("[1]") == "(1)"


@pytest.mark.parametrize(
    ("text", "opens", "closes"),
    [
        # PDF extraction put a blank line inside the sentence; the next line opens with a name.
        (
            "De provincie meldt in haar brief van 3 maart dat zij een vrijstelling "
            "voorbereidt voor alle scholen die de\n"
            "\n"
            "Nationale Leerplatform standaard volgen, zonder extra kosten. Dat geldt pas vanaf volgend jaar.\n"
            "\n",
            "De provincie",
            "zonder extra kosten.",
        ),
        # A wrapped sentence goes on with a bracket or a quotation.
        (
            "Bijgaand treft u aan de antwoorden op de vragen die het raadslid van Dam\n"
            "(GroenLinks) heeft gesteld aan de wethouder en aan u over het bericht\n"
            "‘Kermis in het centrum gaat niet door’. Dat is besproken.\n"
            "Korte kop zonder punt\n(bijlage) volgt hieronder.\n",
            "Bijgaand",
            "gaat niet door’.",
        ),
        # A line ending in a word that cannot end a sentence goes on, whatever the next line's case or length.
        (
            "Eerste versie, gebaseerd op “VEILIGHEID &\nLEEFBAARHEID” (2019) en\n"
            "“Wijkaanpak 2.0” van de\nGemeente Zwolle.\n",
            "Eerste versie",
            "Gemeente Zwolle.",
        ),
    ],
)
def test_a_sentence_broken_over_lines_is_one_sentence(text: str, opens: str, closes: str) -> None:
    text += "Korte kop zonder punt\nBijlage A volgt hieronder."
    sentences = [text[a:b] for a, b in split_sentences(text)]
    assert sentences[0].startswith(opens) and sentences[0].endswith(closes), sentences[0]
    assert "Korte kop zonder punt" in sentences  # a short line ending in a content word still stands alone


def test_sentence_splitting_and_chunking_share_one_list_of_abbreviations() -> None:
    from assistant.language import citations
    from ingest import chunking

    assert citations._ABBREVIATIONS == chunking.ABBREVIATIONS
    text = "De termijn staat in par. 4 van het plan en geldt zes weken. Daarna volgt een besluit."
    assert next(text[a:b] for a, b in split_sentences(text)).endswith("zes weken.")
