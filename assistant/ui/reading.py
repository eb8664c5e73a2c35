"""A whole document to read, rebuilt from its stored passages.

A citation points at one passage; a reader checking it wants the text around it: the page before and after,
the section it sits in. The store already holds every passage of a document with its exact offsets into the
cleaned text (`Chunk.start`/`end`, overlapping by the chunk overlap), so the cleaned text is rebuilt from the
passages without reading the original file again (a scanned PDF would need OCR; a deleted upload would be
gone) and without a second copy of every document on disk.

Pure functions over `Chunk` records; the app shows the result part by part (`DocumentPart`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.core.records import Chunk

PART_CHARS = 4000  # a part of a document without pages: about a printed page and a half


@dataclass(frozen=True, slots=True)
class DocumentPart:
    """A page (`page` set) or, for a document without pages, a run of passages about `PART_CHARS` long."""

    number: int  # 1-based position among the document's parts
    page: int | None
    text: str
    chunk_ids: tuple[str, ...]


def stitch(chunks: Sequence[Chunk]) -> str:
    """The text the passages were cut from: overlaps taken once, a paragraph break where passages do not
    touch (the whitespace between them was not stored)."""
    out: list[str] = []
    end = None
    for chunk in sorted(chunks, key=lambda c: (c.start, c.end)):
        if end is None:
            out.append(chunk.text)
        elif chunk.start >= end:
            out.append("\n\n" + chunk.text)
        elif chunk.end > end:
            out.append(chunk.text[end - chunk.start :])
        else:
            continue  # inside the text already
        end = chunk.end if end is None else max(end, chunk.end)
    return "".join(out)


def document_parts(chunks: Sequence[Chunk], part_chars: int = PART_CHARS) -> list[DocumentPart]:
    """The document in parts to read one at a time: by the page each passage starts on when the document
    has pages, else by runs of passages of about `part_chars` characters."""
    ordered = sorted(chunks, key=lambda c: (c.start, c.end))
    groups: list[list[Chunk]] = []
    paged = any(c.page is not None for c in ordered)
    for chunk in ordered:
        if (
            not groups
            or (paged and chunk.page is not None and chunk.page != groups[-1][0].page)
            or (not paged and sum(len(c.text) for c in groups[-1]) + len(chunk.text) > part_chars)
        ):
            groups.append([chunk])
        else:
            groups[-1].append(chunk)
    return [
        DocumentPart(
            number=i,
            page=group[0].page if paged else None,
            text=stitch(group),
            chunk_ids=tuple(c.chunk_id for c in group),
        )
        for i, group in enumerate(groups, start=1)
    ]


def part_with(parts: Sequence[DocumentPart], chunk_id: str) -> int:
    """The index of the part holding passage `chunk_id` (0 when none does: the document changed since)."""
    return next((i for i, part in enumerate(parts) if chunk_id in part.chunk_ids), 0)


__all__ = ["PART_CHARS", "DocumentPart", "document_parts", "part_with", "stitch"]
