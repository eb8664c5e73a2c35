"""Reading a whole document from its stored passages (`assistant.ui.reading`)."""

from __future__ import annotations

from assistant.core.records import Chunk
from assistant.ui.reading import document_parts, part_with, stitch

TEXT = (
    "Eerste alinea over de aanpak van woninginbraken.\n\n"
    "Tweede alinea: het college trekt extra geld uit voor buurtpreventie.\n\n"
    "Derde alinea over de evaluatie in het najaar."
)


def _chunks(text: str, bounds: list[tuple[int, int]], pages: list[int | None]) -> list[Chunk]:
    return [
        Chunk(f"c{i}", "d", "a.pdf", "Titel", text[s:e], s, e, i, page=p)
        for i, ((s, e), p) in enumerate(zip(bounds, pages, strict=True))
    ]


def test_overlapping_passages_give_the_text_back_once() -> None:
    cut = TEXT.index("Tweede")
    bounds = [(0, cut + 20), (cut, len(TEXT))]  # the second passage repeats the first's last 20 characters
    chunks = _chunks(TEXT, bounds, [None, None])
    assert stitch(list(reversed(chunks))) == TEXT  # order of the store does not matter


def test_passages_that_do_not_touch_are_a_paragraph_apart() -> None:
    first_end = TEXT.index("\n\n")
    second = TEXT.index("Tweede")
    chunks = _chunks(TEXT, [(0, first_end), (second, len(TEXT))], [None, None])
    assert stitch(chunks) == TEXT


def test_a_paged_document_is_read_by_page_and_opens_at_the_cited_passage() -> None:
    a, b = TEXT.index("Tweede"), TEXT.index("Derde")
    chunks = _chunks(TEXT, [(0, a), (a, b), (b, len(TEXT))], [1, 1, 3])
    parts = document_parts(chunks)
    assert [p.page for p in parts] == [1, 3]
    assert parts[0].text.startswith("Eerste") and "buurtpreventie" in parts[0].text
    assert part_with(parts, "c2") == 1 and part_with(parts, "c0") == 0
    assert part_with(parts, "gone") == 0  # a passage no longer stored: the start


def test_a_document_without_pages_is_read_in_parts_of_about_the_given_length() -> None:
    a, b = TEXT.index("Tweede"), TEXT.index("Derde")
    chunks = _chunks(TEXT, [(0, a), (a, b), (b, len(TEXT))], [None, None, None])
    parts = document_parts(chunks, part_chars=120)
    assert [p.page for p in parts] == [None, None]
    assert [p.chunk_ids for p in parts] == [("c0", "c1"), ("c2",)]
    assert document_parts([]) == []
