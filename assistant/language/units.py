"""Answer units: the pieces of a passage that can hold an answer, in document order.

* a sentence;
* a list together with the sentence that announces it ("… de volgende fasen:" and the items after it, with or
  without bullets): a list question gets the whole list, and the announcing sentence says what the items are;
* a heading section: a heading ("WIE HEB JE ONTMOET?", "### Wonen en welzijn") with the body under it, so
  a report organised under question headings answers from the body of the matching heading;
* for the answerer (`pairs`), a pair: a sentence that points back for its reason ("Daarom …") with the sentence
  before it, and for a why-question any sentence giving a reason with the sentence before it.

Headings are not answers themselves, but their text travels with every unit below them, into the embedding
and into the word overlap: "4 dagen" is found through the heading above it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.language.citations import neutralise_brackets, split_sentences
from assistant.language.discourse import gives_reason, leans_on_previous

UnitKind = Literal["sentence", "list", "section", "pair", "signature"]

MAX_UNIT_CHARS = 700  # a longer sentence is a table or an extraction accident, not an answer
MAX_LIST_CHARS = 1400  # a list with its announcing sentence may be longer than a sentence
MAX_LIST_ITEMS = 12
MAX_ITEM_CHARS = 320  # an unbulleted line longer than this is prose, not a list item
EMBED_CHARS = 400  # the start of a long unit says what it is about; the rest only costs time

_WORD = re.compile(r"\w+", re.UNICODE)
LIST_ITEM = re.compile(r"^\s*(?:\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|[-•*–·▪●○■□➢►✓])\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}(?!#)\s*\S")  # "##Titel" without a space too (converted law texts)
_DECORATION = re.compile(r"[*_#]+")


def is_heading(line: str) -> bool:
    """Markdown headings and all-capitals lines (questionnaire headings, section titles)."""
    if _MD_HEADING.match(line):
        return True
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and len(line) <= 160


@dataclass(slots=True)
class Unit:
    """One candidate answer: `text` is `chunk.text[start:end]` of hit number `hit` (0-based)."""

    hit: int
    start: int
    end: int
    text: str
    heading: str = ""
    kind: UnitKind = "sentence"
    score: float = 0.0
    cosine: float = 0.0
    stems: set[str] = field(default_factory=set)
    item: bool = False  # an item of a list unit of the same passage (its words are counted with the list's)


def ends_in_list(text: str) -> bool:
    """Does the passage stop inside a bulleted or numbered list (its last line an item)? The list probably
    goes on in the next passage of the document."""
    lines = [line for line in text.rstrip().splitlines() if line.strip()]
    return bool(lines) and LIST_ITEM.match(lines[-1]) is not None


_SENTENCE_CLOSERS = '.!?:;"”’)]'


def ends_mid_sentence(text: str) -> bool:
    """Does the passage stop inside a sentence (its last line neither closed by punctuation nor a heading)?"""
    lines = [line.strip() for line in text.rstrip().splitlines() if line.strip()]
    return bool(lines) and lines[-1][-1] not in _SENTENCE_CLOSERS and not is_heading(lines[-1])


def continuation(text: str, skip: int, *, in_list: bool) -> tuple[int, int] | None:
    """The span of a passage that continues the one before it, which stopped at document offset `skip` of
    this passage: the rest of its list (`in_list`), else the rest of its sentence. None when there is none."""
    if in_list:
        return leading_items(text, skip)
    spans = [(a, b) for a, b in split_sentences(text) if b > skip]
    if not spans:
        return None
    start = skip
    while start < len(text) and text[start] in " \t\r\n":
        start += 1
    end = spans[0][1]
    return (start, end) if start < end and end - start <= MAX_UNIT_CHARS else None


_ITEM_NUMBER = re.compile(r"^\s*\(?(?:(\d{1,3})|([a-zA-Z]))[.)]\s")


def _item_number(line: str) -> int | None:
    """The position of a numbered or lettered item ("3.", "(c)"), or None for a bullet."""
    match = _ITEM_NUMBER.match(line)
    if not match:
        return None
    return int(match.group(1)) if match.group(1) else ord(match.group(2).lower()) - ord("a") + 1


def leading_items(text: str, skip: int = 0) -> tuple[int, int] | None:
    """The span of the list items a passage opens with, from offset `skip` (past the text it repeats of the
    passage before): item lines and the lines that wrap them, up to the first line that is neither (a heading,
    or prose after a blank line). None when the passage does not open with an item."""
    start = skip
    while start < len(text) and text[start] in " \t\r\n":
        start += 1
    # The repeated text may end inside an item: the rest of that line is the rest of the item.
    partial = start < len(text) and not _at_line_start(text, start)
    pos, end, items, blank = start, start, 0, False
    previous: int | None = None
    for line in text[start:].splitlines(keepends=True):
        stripped = line.strip()
        if partial:
            partial = False
            end = pos + len(line.rstrip())
        elif not stripped:
            blank = True
        elif LIST_ITEM.match(line):
            number = _item_number(line)
            if number is not None and previous is not None and number != previous + 1:
                break  # numbering restarts or jumps: a new list or a numbered heading, not this list
            previous = number if number is not None else previous
            items, blank = items + 1, False
            end = pos + len(line.rstrip())
        elif items and not blank and not is_heading(stripped):
            end = pos + len(line.rstrip())  # an item wrapped onto the next line
        else:
            break
        pos += len(line)
        if items >= MAX_LIST_ITEMS:
            break
    return (start, end) if items else None


def _clean_heading(text: str) -> str:
    return _DECORATION.sub("", text).strip()


def _at_line_start(text: str, start: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip()


def _ends_line(text: str, end: int) -> bool:
    return end == len(text) or text[end : end + 1] == "\n"


def extract_units(
    hit_index: int, text: str, heading_path: Sequence[str] = (), *, pairs: bool = False, reasons: bool = False
) -> list[Unit]:
    """Answer units of one passage, in document order (see the module docstring).

    `pairs`: a sentence that gives its reason by pointing at the sentence before it ("Daarom …", "Hierdoor …")
    says half of what it means alone; with the sentence before it, it is a unit too (kind "pair"). `reasons`
    (for a why-question): any sentence that gives a reason pairs with the sentence before it, which often
    states what it explains ("… worden 24 uur bewaard. Voor deze termijn is gekozen omdat …").
    """
    units: list[Unit] = []
    heading = _clean_heading(heading_path[-1]) if heading_path else ""
    spans = split_sentences(text)
    # (body start, heading) of the heading section being read: a passage that starts under a heading (its
    # heading path) starts inside that heading's section.
    section: tuple[int, str] | None = (spans[0][0], heading) if heading and spans else None
    list_end_before = 0
    i = 0

    def close_section(end: int) -> None:
        if section is None:
            return
        body_start, title = section
        body = text[body_start:end].strip()
        # A section of one sentence is that sentence: no unit of its own.
        if body and len(split_sentences(body)) > 1 and len(body) <= MAX_UNIT_CHARS:
            units.append(
                Unit(hit_index, body_start, body_start + len(text[body_start:end].rstrip()), body, title, "section")
            )

    while i < len(spans):
        start, end = spans[i]
        piece = text[start:end]
        line_start = _at_line_start(text, start)
        if line_start and is_heading(piece) and _ends_line(text, end):
            close_section(start)
            heading = _clean_heading(piece)
            section = (spans[i + 1][0], heading) if i + 1 < len(spans) else None
            i += 1
            continue
        announces = piece.rstrip().endswith(":") and i + 1 < len(spans)
        if (line_start and LIST_ITEM.match(piece)) or announces:
            # A run of items: bulleted lines, or short lines after an announcing sentence.
            j = i if not announces else i + 1
            bulleted = bool(LIST_ITEM.match(text[spans[j][0] : spans[j][1]]))
            previous = _item_number(text[spans[j][0] : spans[j][1]]) if bulleted else None
            while j + 1 < len(spans) and j - i < MAX_LIST_ITEMS:
                nxt = text[spans[j + 1][0] : spans[j + 1][1]]
                if is_heading(nxt) or not _at_line_start(text, spans[j + 1][0]):
                    break
                if bulleted and not LIST_ITEM.match(nxt):
                    break
                number = _item_number(nxt) if bulleted else None
                if number is not None and previous is not None and number != previous + 1:
                    break  # numbering restarts or jumps ("3." then "10."): a new list or a numbered heading
                previous = number if number is not None else previous
                if not bulleted and (len(nxt) > MAX_ITEM_CHARS or nxt.rstrip().endswith(":")):
                    break
                if not bulleted and j > i and "\n\n" in text[spans[j][1] : spans[j + 1][0]]:
                    break  # unbulleted items end at a paragraph break
                j += 1
            first_item = text[spans[i + 1][0] : spans[i + 1][1]] if announces else piece
            is_list = not announces or LIST_ITEM.match(first_item) or len(first_item) <= MAX_ITEM_CHARS
            if is_list and (j > i or not announces):
                list_start = start
                # The sentence right before a bulleted list introduces it ("… vijf prioriteiten:", "De raad
                # noemt drie beginselen."): it travels with the list, and stays a unit of its own unless it only
                # announces (ends in ":").
                if (
                    not announces
                    and units
                    and units[-1].kind == "sentence"
                    and units[-1].hit == hit_index
                    and units[-1].start >= list_end_before
                ):
                    intro = units[-1]
                    if not text[intro.end : start].count("\n\n") > 1:
                        list_start = intro.start
                        if intro.text.rstrip().endswith(":"):
                            units.pop()
                list_end = spans[j][1]
                while list_end - list_start > MAX_LIST_CHARS and j > i:
                    j -= 1
                    list_end = spans[j][1]
                units.append(Unit(hit_index, list_start, list_end, text[list_start:list_end], heading, "list"))
                list_end_before = list_end  # its sentences and items never introduce the next list
                # Each item is a unit too: a question about one item ("when must the plan be in?") is answered
                # by that item, not by the whole list (which then scores as its best item, see `draft`).
                if j > i or list_start < start:  # a lone item without an introduction is the list itself
                    for a, b in spans[i + 1 if announces else i : j + 1]:
                        if b - a <= MAX_UNIT_CHARS and _WORD.search(text[a:b]):
                            units.append(Unit(hit_index, a, b, text[a:b], heading, item=True))
                if announces:
                    # The announcing sentence on its own too: it may be the answer ("in drie categorieën").
                    units.append(Unit(hit_index, start, end, piece, heading))
                i = j + 1
                continue
        if end - start <= MAX_UNIT_CHARS and _WORD.search(piece):
            units.append(Unit(hit_index, start, end, piece, heading))
            # The sentence before: a plain one, or the last item of a list when this sentence goes on in its line
            # ("Reactie:\nDe app wordt gedeactiveerd als … Daarvan is sprake als …").
            span_before = spans[i - 1] if i else None
            before = next(
                (u for u in reversed(units) if u.kind == "sentence" and (u.start, u.end) == span_before), None
            )
            joined = before is not None and ("\n" if before.item else "\n\n") not in text[before.end : start]
            if (
                (pairs or reasons)
                and before is not None
                and joined
                and end - before.start <= MAX_UNIT_CHARS
                and (leans_on_previous(piece) or (reasons and gives_reason(piece)))
            ):
                units.append(Unit(hit_index, before.start, end, text[before.start : end], heading, "pair"))
        i += 1
    close_section(len(text))
    return units


# A symbol font's bullet arrives as a private-use character (U+F0B7 in Word exports): unprintable in an answer.
_SYMBOL_BULLET = re.compile(r"^[\ue000-\uf8ff](?=\s)")
_BULLET = re.compile(r"^(?:[-•*–·▪●○■□➢►✓]|[\ue000-\uf8ff])\s+")


def display(unit: Unit) -> str:
    """Unit text as shown in the answer: one line (lists and sections: one item a line), brackets neutralised.

    The first line loses the bullet its source put before it (the answer gives every unit its own "- "); the
    further items of a list keep theirs, a symbol font's bullet written as "•". Quotes in citations keep the
    source's text."""
    lines = [_SYMBOL_BULLET.sub("•", " ".join(line.split())) for line in unit.text.splitlines() if line.strip()]
    if not lines:
        return ""
    lines[0] = _BULLET.sub("", lines[0], count=1)
    if unit.kind in ("list", "section") and len(lines) > 1:
        body = lines[0] + "".join(f"\n  {line}" for line in lines[1:])
    else:
        body = " ".join(lines)
    return neutralise_brackets(body)


def unit_key(unit: Unit) -> str:
    """The text a unit is embedded as (and cached under): its heading travels with it."""
    return f"{unit.heading}\n{unit.text[:EMBED_CHARS]}" if unit.heading else unit.text[:EMBED_CHARS]
