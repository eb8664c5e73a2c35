"""BM25 lexical index: ranking, filtering, persistence, signature and rebuild-style updates."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.core.records import Chunk
from assistant.retrieval.bm25_analysis import Analyzer
from assistant.retrieval.lexical import FORMAT_VERSION, LexicalIndex, abbreviation_glosses, chunks_signature
from vectorstore.base import SearchFilter

PLAIN = Analyzer(stemmer="none", split_compounds=False)


def _chunk(cid: str, doc: str, text: str, *, year: int = 2023, doc_type: str = "letter") -> Chunk:
    return Chunk(
        chunk_id=cid,
        doc_id=doc,
        source=f"{doc}.txt",
        title="",
        text=text,
        start=0,
        end=len(text),
        ordinal=0,
        heading_path=("Hoofdstuk 1",),
        doc_type=doc_type,
        date=f"{year}-05-01",
    )


CHUNKS = [
    _chunk("c1", "d1", "De burgemeester houdt toezicht op de openbare orde.", year=2015),
    _chunk("c2", "d1", "Het veiligheidsbeleid van de gemeente.", year=2015),
    _chunk("c3", "d2", "Vergunningen voor evenementen in de gemeente.", year=2023, doc_type="report"),
    _chunk("c4", "d2", "De gemeente verleent subsidie aan verenigingen.", year=2023, doc_type="report"),
    _chunk("c5", "d3", "Toezicht en handhaving: de burgemeester en de politie.", year=2024),
]


def test_search_ranks_matching_chunks_and_reports_bm25() -> None:
    index = LexicalIndex.build(CHUNKS, PLAIN)
    hits = index.search("burgemeester toezicht", k=5)
    assert {h.chunk.chunk_id for h in hits} == {"c1", "c5"}  # only chunks that share a term
    assert [h.rank for h in hits] == [1, 2]
    assert all(h.scores == {"bm25": h.score} and h.score > 0 for h in hits)
    assert hits[0].score >= hits[1].score
    # Stopwords only and unknown words find nothing; an empty query too.
    assert index.search("de het een", k=5) == []
    assert index.search("onbekendwoord", k=5) == []
    assert index.search("   ", k=5) == []


def test_filter_is_applied_and_k_is_filled_from_beyond_the_top() -> None:
    index = LexicalIndex.build(CHUNKS, PLAIN)
    unfiltered = [h.chunk.chunk_id for h in index.search("gemeente", k=1)]
    hits = index.search("gemeente", k=5, flt=SearchFilter(doc_types=("report",)))
    assert {h.chunk.chunk_id for h in hits} == {"c3", "c4"}
    hits = index.search("gemeente", k=1, flt=SearchFilter(year_to=2015))
    assert [h.chunk.chunk_id for h in hits] == ["c2"]
    assert unfiltered  # sanity: the unfiltered top-1 exists
    assert index.search("gemeente", k=3, flt=SearchFilter(doc_ids=("nope",))) == []


def test_empty_index_returns_nothing(tmp_path: Path) -> None:
    index = LexicalIndex.build([], PLAIN)
    assert len(index) == 0
    assert index.search("gemeente", k=3) == []
    index.save(tmp_path / "empty")
    assert LexicalIndex.load(tmp_path / "empty").search("gemeente", k=3) == []


def test_compounds_make_parts_findable() -> None:
    analyzer = Analyzer(stemmer="none", split_compounds=True)
    chunks = [*CHUNKS, _chunk("c6", "d4", "Het beleid inzake veiligheid."), _chunk("c7", "d4", "Beleid en veiligheid.")]
    index = LexicalIndex.build(chunks, analyzer)
    assert "c2" in {h.chunk.chunk_id for h in index.search("beleid", k=10)}
    assert "c2" not in {h.chunk.chunk_id for h in LexicalIndex.build(chunks, PLAIN).search("beleid", k=10)}


def test_save_load_round_trip(tmp_path: Path) -> None:
    analyzer = Analyzer(stemmer="snowball3", split_compounds=True)
    index = LexicalIndex.build(CHUNKS, analyzer)
    index.save(tmp_path / "lex")
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded.signature == index.signature
    assert loaded.chunks == index.chunks  # every Chunk field survives JSON lines
    assert loaded.analyzer == index.analyzer
    for query in ("burgemeester toezicht", "vergunning gemeente", "veiligheid"):
        assert [(h.chunk.chunk_id, round(h.score, 5)) for h in loaded.search(query, 5)] == [
            (h.chunk.chunk_id, round(h.score, 5)) for h in index.search(query, 5)
        ]
    (tmp_path / "lex" / "lexical.json").unlink()
    with pytest.raises(FileNotFoundError):
        LexicalIndex.load(tmp_path / "lex")


def test_signature_changes_on_update_and_ignores_order() -> None:
    index = LexicalIndex.build(CHUNKS, PLAIN)
    assert index.signature == chunks_signature(["c5", "c4", "c3", "c2", "c1"])
    new = _chunk("c9", "d9", "Nieuwe regels voor parkeervergunningen.")
    updated = index.updated([new], removed_ids=["c1"])
    assert updated.signature != index.signature
    assert {c.chunk_id for c in updated.chunks} == {"c2", "c3", "c4", "c5", "c9"}
    assert [h.chunk.chunk_id for h in updated.search("parkeervergunningen", 3)] == ["c9"]
    assert updated.search("openbare orde", 3) == []  # c1 is gone
    assert index.search("openbare orde", 3)[0].chunk.chunk_id == "c1"  # the old index is untouched
    # Replacing a chunk under the same id keeps the signature but changes what is found.
    replaced = index.updated([_chunk("c1", "d1", "Kermis op het plein.")])
    assert replaced.signature == index.signature
    assert replaced.search("kermis", 1)[0].chunk.chunk_id == "c1"


def test_concurrent_reads_agree() -> None:
    index = LexicalIndex.build(CHUNKS * 1, Analyzer())
    expected = [h.chunk.chunk_id for h in index.search("burgemeester toezicht gemeente", 5)]
    results: list[list[str]] = []

    def worker() -> None:
        for _ in range(50):
            results.append([h.chunk.chunk_id for h in index.search("burgemeester toezicht gemeente", 5)])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 200 and all(r == expected for r in results)


def test_words_borrowed_from_the_conversation_count_less() -> None:
    """A follow-up's own words decide; borrowed words from earlier turns only steer (ExpandedQuery)."""
    from assistant.core.records import ExpandedQuery

    chunks = [
        _chunk("own", "d1", "Welke burgemeesters waren aanwezig bij de conferentie?"),
        _chunk("borrowed", "d2", "De reis naar Oslo en de reis naar Bergen: een reis door Noorwegen."),
        _chunk("neither", "d3", "Subsidie voor verenigingen."),
    ]
    index = LexicalIndex.build(chunks, PLAIN)
    plain = "burgemeesters aanwezig (reis oslo reis)"
    weighted = ExpandedQuery("burgemeesters aanwezig", "reis oslo reis", 0.5)
    assert str(weighted) == plain  # what the dense side embeds is unchanged
    assert [h.chunk.chunk_id for h in index.search(plain, 2)] == ["borrowed", "own"]
    assert [h.chunk.chunk_id for h in index.search(weighted, 2)] == ["own", "borrowed"]
    own = index.scores("burgemeesters aanwezig")
    borrowed = index.scores("reis oslo reis")
    assert index.scores(weighted) == pytest.approx(own + 0.5 * borrowed)
    # Weight 1 is the plain expansion.
    assert index.scores(ExpandedQuery("burgemeesters aanwezig", "reis oslo reis", 1.0)) == pytest.approx(
        index.scores(plain)
    )


def test_a_passage_using_an_abbreviation_is_found_by_the_long_form_its_document_defines() -> None:
    defining = _chunk("g1", "plan", "Het Regionaal Kustwachtoverleg Noord (RKN) komt elk kwartaal bijeen.")
    using = _chunk("g2", "plan", "Het RKN besloot tot extra oefeningen op zee.")
    other = _chunk("g3", "memo", "Het RKN van een andere organisatie oefende ook.")
    unrelated = _chunk("g4", "memo", "Overleg over de begroting van de haven.")
    glosses = abbreviation_glosses([defining, using, other, unrelated])
    # Only the passage that uses the abbreviation without spelling it out, and only within its own document.
    assert glosses == {"g2": "Regionaal Kustwachtoverleg Noord"}
    index = LexicalIndex.build([defining, using, other, unrelated], PLAIN)
    found = [h.chunk.chunk_id for h in index.search("Kustwachtoverleg oefeningen", 4)]
    assert found[0] == "g2"
    assert "g3" not in found
    # The stored chunk is what the user sees: the gloss lives in the index only.
    assert index.chunks[1].text == using.text
    # A document added to an existing index is glossed as well.
    grown = LexicalIndex.build([other, unrelated], PLAIN).updated([defining, using])
    assert grown.search("Kustwachtoverleg oefeningen", 1)[0].chunk.chunk_id == "g2"


def test_an_abbreviation_defined_twice_takes_its_most_frequent_long_form() -> None:
    chunks = [
        _chunk("h1", "d", "De Stichting Veilig Wonen (SVW) en de gemeente."),
        _chunk("h2", "d", "Namens de Stichting Veilig Wonen (SVW) sprak de voorzitter."),
        _chunk("h3", "d", "De Samenwerking Veilige Wijken (SVW) is opgeheven."),
        _chunk("h4", "d", "De SVW tekende het convenant."),
    ]
    assert abbreviation_glosses(chunks)["h4"] == "Stichting Veilig Wonen"


def test_an_index_saved_in_an_older_format_is_refused(tmp_path: Path) -> None:
    index = LexicalIndex.build(CHUNKS, PLAIN)
    index.save(tmp_path / "lex")
    meta = tmp_path / "lex" / "lexical.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace(f'"format": {FORMAT_VERSION}', '"format": 1'))
    with pytest.raises(ValueError, match="format 1"):
        LexicalIndex.load(tmp_path / "lex")


@pytest.mark.parametrize(
    ("definitions", "using", "gloss"),
    [
        # Both are definitions to the pattern; a web address is no long form, a quoted one is, without its quotes.
        (
            [
                "Het portaal Hub (https:// theportalhub.com) werkt.",
                "Het RKN (“Regionaal Kustwachtoverleg Noord”) vergaderde.",
            ],
            "De Hub van het RKN is bijgewerkt.",
            "Regionaal Kustwachtoverleg Noord",
        ),
        # The drafting formula introduces one, and the comma belongs to the ministry's name; a long form that
        # opens with a function word is a clause.
        (
            [
                "De Minister van Haven, Kust en Zee (hierna: HKZ) stelt de regels vast.",
                "Zie artikel 4, en onder c, Kustregeling (EG) hierover.",
            ],
            "De HKZ en de EG overleggen.",
            "Haven, Kust en Zee",
        ),
    ],
)
def test_only_a_long_form_made_of_words_glosses(definitions: list[str], using: str, gloss: str) -> None:
    chunks = [_chunk(f"k{i}", "d", text) for i, text in enumerate(definitions)]
    assert abbreviation_glosses([*chunks, _chunk("use", "d", using)]) == {"use": gloss}
