"""Structure-aware chunking with exact offsets.

A chunk is always a slice of `Document.text` (`doc.text[start:end] == text`), so a citation can be
shown in context and mapped to its page. Packing works on blocks (headings, lists, paragraphs) found in
one linear pass; long blocks are cut at sentence ends. Everything is index arithmetic on the original
string, so run time is linear in the text length.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.core import lexicons
from assistant.core.records import Chunk, Document, make_chunk_id
from ingest.pdffonts import PDF_READER

# Abbreviations whose period does not end a sentence (the lexicon sentence splitting also reads).
ABBREVIATIONS = frozenset(lexicons.words("abbreviations"))
_SENTENCE_END = re.compile(r"[.!?…]+['\"”’)\]]*\s+")
_HEADING_MD = re.compile(r"#{1,6}(?=\s)")
_LIST_LINE = re.compile(r"(?:[-•*▪◦–·]\s+|\d{1,3}[.)]\s+|[a-z][.)]\s+|\(\w{1,3}\)\s+)")
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n")
MAX_HEADING_CHARS = 200


@dataclass(slots=True)
class _Block:
    start: int
    end: int
    kind: str  # "heading", "list", "para"
    level: int = 0
    title: str = ""


def _is_caps_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters) and len(line) <= 120


def _is_title_like(line: str) -> bool:
    """A short line that reads like a heading: few words, no closing punctuation."""
    return (
        len(line) <= 100
        and len(line.split()) <= 12
        and not line.endswith((".", ",", ";", ":", "!"))
        and (line[0].isupper() or line[0].isdigit())
        and sum(c.isalpha() for c in line) >= 3
        and not _LIST_LINE.match(line)
    )


def _heading_title(line: str) -> str:
    return " ".join(re.sub(r"^#+\s*|[*_`]+", "", line).split())


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line in text[start:end], trimmed of surrounding whitespace."""
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        s, e = pos, line_end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
        pos = line_end + 1
    return out


def _segment(text: str, max_heading: int) -> list[_Block]:
    """Split text into blocks. Paragraph boundaries are blank lines; headings and list items inside a
    paragraph (common in PDF text, which has no blank lines) become blocks of their own."""
    raw: list[tuple[int, int]] = []  # blank-line separated regions
    pos = 0
    for match in _BLANK_LINES.finditer(text):
        raw.append((pos, match.start()))
        pos = match.end()
    raw.append((pos, len(text)))
    blocks: list[_Block] = []
    for region_start, region_end in raw:
        lines = _lines(text, region_start, region_end)
        para_start: int | None = None
        para_end = 0
        list_start: int | None = None
        list_end = 0

        for s, e in lines:
            line = text[s:e]
            md = _HEADING_MD.match(line)
            if (md or _is_caps_heading(line)) and e - s <= max_heading:
                if para_start is not None:
                    blocks.append(_Block(para_start, para_end, "para"))
                    para_start = None
                if list_start is not None:
                    blocks.append(_Block(list_start, list_end, "list"))
                    list_start = None
                level = len(md.group(0)) if md else 0  # 0: implicit, level assigned later
                blocks.append(_Block(s, e, "heading", level, _heading_title(line)))
            elif _LIST_LINE.match(line):
                if para_start is not None:
                    blocks.append(_Block(para_start, para_end, "para"))
                    para_start = None
                if list_start is None:
                    list_start = s
                list_end = e
            elif list_start is not None and para_start is None and text[s - 1] == "\n" and line[0].islower():
                list_end = e  # a wrapped list item continues the list
            else:
                if list_start is not None:
                    blocks.append(_Block(list_start, list_end, "list"))
                    list_start = None
                if para_start is None:
                    para_start = s
                para_end = e
        if para_start is not None:
            blocks.append(_Block(para_start, para_end, "para"))
        if list_start is not None:
            blocks.append(_Block(list_start, list_end, "list"))
    _mark_title_lines(text, blocks, max_heading)
    _merge_lists(text, blocks)
    return blocks


def _mark_title_lines(text: str, blocks: list[_Block], max_heading: int) -> None:
    """A one-line paragraph that looks like a title and is followed by body text is a heading."""
    for i, block in enumerate(blocks):
        if block.kind != "para" or block.end - block.start > max_heading:
            continue
        line = text[block.start : block.end]
        if "\n" in line or not _is_title_like(line):
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is None or nxt.kind == "heading":
            continue
        nxt_text = text[nxt.start : min(nxt.end, nxt.start + 200)]
        if nxt.kind == "para" and "\n" not in nxt_text and _is_title_like(nxt_text.strip()):
            continue  # a run of short lines (signature, address block) is not a heading
        block.kind = "heading"
        block.title = _heading_title(line)


def _merge_lists(text: str, blocks: list[_Block]) -> None:
    """Consecutive list blocks form one list, and an intro line ending in ':' belongs with its list."""
    i = 0
    while i + 1 < len(blocks):
        a, b = blocks[i], blocks[i + 1]
        if b.kind == "list" and (a.kind == "list" or (a.kind == "para" and text[a.end - 1] == ":")):
            blocks[i] = _Block(a.start, b.end, "list")
            del blocks[i + 1]
            continue
        i += 1


def _assign_levels(blocks: Sequence[_Block]) -> None:
    """Implicit headings (ALL CAPS, title lines) nest one level below the Markdown heading in force."""
    md_level = 0
    for block in blocks:
        if block.kind != "heading":
            continue
        if block.level:
            md_level = block.level
        else:
            block.level = min(md_level + 1, 7)


def _sentence_starts(text: str, start: int, end: int) -> list[int]:
    """Offsets in (start, end) where a new sentence begins."""
    out: list[int] = []
    for match in _SENTENCE_END.finditer(text, start, end):
        nxt = match.end()
        if nxt >= end:
            break
        ch = text[nxt]
        if ch.islower():
            continue  # "o.a. de": lower case after a period is not a new sentence
        # The word before the period: an abbreviation or an initial ("W. Eppinga") is not a sentence end.
        ws = text.rfind(" ", start, match.start())
        nl = text.rfind("\n", start, match.start())
        word = text[max(ws, nl) + 1 : match.start() + 1].lower().strip("([\"'“‘")
        bare = word.rstrip(".")
        if text[match.start()] == "." and (
            bare in ABBREVIATIONS or (len(bare) == 1 and bare.isalpha()) or bare.replace(".", "") == ""
        ):
            continue
        out.append(nxt)
    return out


def _split_points(text: str, start: int, end: int, kind: str) -> list[int]:
    """Candidate cut positions inside a block, best kind first: list items, sentences, lines."""
    lines = [s for s, _ in _lines(text, start, end)][1:]
    if kind == "list":
        items = [s for s in lines if _LIST_LINE.match(text, s)]
        if items:
            return items
    sentences = _sentence_starts(text, start, end)
    return sorted(set(sentences) | set(lines)) if sentences else lines


def _pieces(
    text: str, start: int, end: int, kind: str, first_room: int, size: int, *, optional_first: bool = False
) -> list[tuple[int, int]]:
    """Cut text[start:end] into pieces; the first fits in `first_room`, the others in `size`.

    With `optional_first`, a first room too small for any whole sentence yields an empty first piece
    (start, start) instead of a cut inside a sentence.
    """
    points = _split_points(text, start, end, kind)
    points.append(end)
    pieces: list[tuple[int, int]] = []
    cur = start
    room = first_room
    idx = 0
    while cur < end:
        limit = cur + room
        if end <= limit:
            pieces.append((cur, end))
            break
        # The furthest natural cut point that keeps the piece within the room.
        j = bisect.bisect_right(points, limit, lo=idx) - 1
        cut = points[j] if j >= idx and points[j] > cur else None
        if cut is None and optional_first and not pieces and room < size:
            pieces.append((cur, cur))
            room = size
            continue
        if cut is None:
            # A sentence longer than the chunk: cut at the last whitespace, else hard (rare: tables).
            ws = max(text.rfind(" ", cur + 1, limit + 1), text.rfind("\n", cur + 1, limit + 1))
            cut = ws if ws > cur else limit
        piece_end = cut
        while piece_end > cur and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > cur:
            pieces.append((cur, piece_end))
        cur = cut
        while cur < end and text[cur].isspace():
            cur += 1
        idx = bisect.bisect_right(points, cur, lo=idx)
        room = size
    return pieces


@dataclass(slots=True)
class _Open:
    """The chunk being filled."""

    start: int
    end: int
    path: tuple[str, ...] = ()
    content_end: int = -1  # end of the last non-heading piece; -1 while the chunk holds only headings
    last_piece_start: int = -1  # start of the last non-heading piece, where overlap may begin


# Each stored document records the chunk size and overlap it was cut with (`chunking_label`), so that a changed
# `ASSISTANT_CHUNK_SIZE` / `_OVERLAP` re-chunks the library on the next ingest (`Manifest.read_again`) instead
# of mixing old and new passages. Documents stored before it was recorded were cut with the only default so far.
CHUNKING = "chunking"
LEGACY_CHUNKING = "1000/150"


def chunking_label(chunk_size: int, overlap: int) -> str:
    """How a document was cut, as recorded in its metadata: "size/overlap" in characters."""
    return f"{chunk_size}/{overlap}"


def chunk_id_seed(doc: Document) -> str:
    """What a document's chunk ids derive from besides their offsets and content (`Chunk.content_key`): its
    bytes, and for a PDF the version of the reader that read it. A document read again by a newer reader
    (`Manifest.read_again`, `assistant ingest --reread`) may keep a chunk's offsets with other text; a new id
    makes every index see the change (the BM25 index compares ids only)."""
    reader = doc.metadata.get(PDF_READER)
    return doc.sha256 if reader is None else f"{doc.sha256}:{PDF_READER}={reader}"


def chunk_document(doc: Document, *, chunk_size: int = 1000, overlap: int = 150) -> list[Chunk]:
    """Cut a document into chunks of at most `chunk_size` characters along its structure.

    Headings stay with the content that follows them, lists stay whole when they fit, long blocks are
    cut at sentence ends, and a chunk that continues a section repeats the previous chunk's last
    sentence(s) (up to `overlap` characters) by starting earlier in the text. A single sentence longer
    than `chunk_size` is the one case cut elsewhere (at a line break or space).
    """
    if chunk_size < 20:
        raise ValueError("chunk_size must be at least 20 characters")
    overlap = max(0, min(overlap, chunk_size // 2))
    text = doc.text
    max_heading = min(MAX_HEADING_CHARS, chunk_size // 4)
    blocks = _segment(text, max_heading)
    if not blocks:
        return []
    _assign_levels(blocks)
    top_level = min((b.level for b in blocks if b.kind == "heading"), default=1)

    spans: list[tuple[int, int, tuple[str, ...]]] = []
    heading_stack: list[tuple[int, str]] = []
    cur: _Open | None = None

    def path() -> tuple[str, ...]:
        return tuple(title for _, title in heading_stack)

    def overlap_start(prev: _Open, new_start: int, new_end: int) -> int:
        """Earliest sentence start in the previous chunk's last piece within the overlap and size."""
        lo = max(prev.content_end - overlap, new_end - chunk_size, prev.start + 1)
        first = prev.last_piece_start
        for c in [first, *_sentence_starts(text, first, prev.content_end)]:
            if c >= lo:
                return c if c < prev.content_end else new_start
        return new_start

    def add_content(ps: int, pe: int) -> None:
        assert cur is not None
        if cur.content_end < 0:
            cur.path = path()
        cur.end = pe
        cur.content_end = pe
        cur.last_piece_start = ps

    for bi, block in enumerate(blocks):
        if block.kind == "heading":
            if cur is not None and cur.content_end == cur.end:
                nxt = blocks[bi + 1] if bi + 1 < len(blocks) else None
                need = block.end - cur.start
                if nxt is not None and nxt.kind != "heading":
                    need = min(nxt.end, nxt.start + chunk_size // 2) - cur.start
                # A new top-level section, or a heading whose first content would not fit: new chunk.
                if block.level <= top_level or need > chunk_size:
                    spans.append((cur.start, cur.end, cur.path))
                    cur = None
            elif cur is not None and cur.content_end >= 0:
                if block.level <= top_level or block.end - cur.start > chunk_size:
                    # Close before the trailing headings; they open the next chunk with this one.
                    spans.append((cur.start, cur.content_end, cur.path))
                    cur = _Open(_next_nonspace(text, cur.content_end), cur.end)
            elif cur is not None and block.end - cur.start > chunk_size:
                # Headings alone pile up beyond a chunk: unavoidable, close them.
                spans.append((cur.start, cur.end, cur.path))
                cur = None
            while heading_stack and heading_stack[-1][0] >= block.level:
                heading_stack.pop()
            heading_stack.append((block.level, block.title))
            if cur is None:
                cur = _Open(block.start, block.end)
            else:
                cur.end = block.end
            continue

        if cur is not None and block.end - cur.start <= chunk_size:
            add_content(block.start, block.end)
            continue

        # The block does not fit in the open chunk.
        block_len = block.end - block.start
        continuing = False
        prev: _Open | None = None
        fill = False
        if cur is not None and cur.content_end >= 0:
            if cur.content_end < cur.end:
                # Trailing headings belong to this block: close the chunk before them.
                spans.append((cur.start, cur.content_end, cur.path))
                cur = _Open(_next_nonspace(text, cur.content_end), cur.end)
            elif block_len > chunk_size and chunk_size - (block.start - cur.start) >= chunk_size // 4:
                fill = True  # the block must be cut anyway: let its first sentences fill this chunk
            else:
                prev, continuing = cur, True
                spans.append((cur.start, cur.end, cur.path))
                cur = None
        room = chunk_size - (block.start - cur.start) if cur is not None else chunk_size
        if cur is not None and cur.content_end < 0 and room < min(block_len, 40):
            spans.append((cur.start, cur.end, cur.path))  # headings that fill a chunk on their own
            cur, room = None, chunk_size
        # Pieces after the first leave room for the overlap that will be prepended to them.
        if cur is None and continuing and block_len > chunk_size:
            room -= overlap  # a block that fits whole is kept whole, at the cost of its overlap
        rest = chunk_size - overlap
        pieces = _pieces(text, block.start, block.end, block.kind, room, rest, optional_first=fill)
        for n, (ps, pe) in enumerate(pieces):
            if ps == pe:
                continue  # nothing of this block fits whole-sentence into the open chunk
            if cur is not None and cur.content_end >= 0 and (n > 0 or not fill):
                prev, continuing = cur, True
                spans.append((cur.start, cur.end, cur.path))
                cur = None
            if cur is None:
                start = overlap_start(prev, ps, pe) if (prev is not None and continuing and overlap) else ps
                cur = _Open(start, start)
            add_content(ps, pe)
    if cur is not None:
        spans.append((cur.start, cur.end, cur.path))
    return _to_chunks(doc, spans)


def _next_nonspace(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _to_chunks(doc: Document, spans: Sequence[tuple[int, int, tuple[str, ...]]]) -> list[Chunk]:
    page_starts = [p.start for p in doc.pages]

    def page_of(offset: int) -> int | None:
        if not doc.pages:
            return None
        i = bisect.bisect_right(page_starts, offset) - 1
        # Empty pages share a start offset with the next page; take the last page starting here.
        return doc.pages[max(i, 0)].number

    chunks: list[Chunk] = []
    for start, end, heading_path in spans:
        body = doc.text[start:end]
        if not body.strip():
            continue
        chunks.append(
            Chunk(
                chunk_id="",  # below: the id follows the content
                doc_id=doc.doc_id,
                source=doc.source,
                title=doc.title,
                text=body,
                start=start,
                end=end,
                ordinal=len(chunks),
                page=page_of(start),
                page_end=page_of(end - 1),
                heading_path=heading_path,
                doc_type=doc.doc_type,
                language=doc.language,
                date=doc.date,
            )
        )
    seed = chunk_id_seed(doc)
    return [replace(c, chunk_id=make_chunk_id(seed, c.start, c.end, c.content_key())) for c in chunks]
