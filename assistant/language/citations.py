"""Citations: sentence spans, `[n]` markers, and the mapping from markers to retrieved passages.

Modelled on haystack's AnswerBuilder with references: the answer text carries `[n]`, where n is the
1-based position of a passage in the numbered context (the hits). `build_citations` turns those markers
into `Citation` records, drops numbers that point at nothing (counting them, because an invalid number
is a bug upstream), and renumbers the rest 1, 2, 3... in order of first appearance.

All functions are pure: no models, no I/O.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from assistant.core import lexicons
from assistant.core.records import Citation, Hit
from assistant.core.text import fold

# ------------------------------------------------------------------------------------------ sentences

# Lower-cased tokens that end with a period but do not end a sentence (Dutch first, a few English).
_ABBREVIATIONS = frozenset(lexicons.words("abbreviations"))  # shared with ingest/chunking.py

# Candidate sentence ends: terminal punctuation, optional closing quotes/brackets, then whitespace.
_END = re.compile(r"[.!?]+[\"'”’»)\]]*(?=\s)")
# What may start a new sentence: an upper-case letter, a digit, an opening quote or bracket.
_STARTER = re.compile(r"\s+[\"'“‘„«(\[*]*[A-Z0-9À-ÖØ-Þ]")
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]|[a-zA-Z][.)]|[-•*–·▪])\s+")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def _line_spans(text: str) -> list[tuple[int, int]]:
    """Non-blank lines as (start, end) without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        spans.append((start, start + len(stripped)))
    return spans


def _is_abbreviation(segment: str) -> bool:
    """Whether the period at the end of `segment` belongs to an abbreviation, an initial or a list number."""
    match = _WORD_BEFORE.search(segment[:-1]) if segment.endswith(".") else None
    if match is None:
        return False
    token = match.group(1).lower().strip(".")
    if token in _ABBREVIATIONS:
        return True
    # Initials ("A.B.", "J.") and single letters: a capital followed by a period is rarely a sentence end.
    if re.fullmatch(r"(?:[a-z]\.)*[a-z]", token) and len(token.replace(".", "")) <= 3:
        return match.group(1)[0].isupper() or "." in token
    return False


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    line = text[start:end]
    list_marker = _LIST_ITEM.match(line)
    for match in _END.finditer(text, start, end):
        stop = match.end()
        if list_marker and stop - start <= list_marker.end():
            continue  # "1." opening a list item is not a sentence
        if not _STARTER.match(text, stop, end):
            continue
        if match.group().startswith(".") and len(match.group()) == 1 and _is_abbreviation(text[cursor:stop]):
            continue
        spans.append((cursor, stop))
        cursor = stop
        while cursor < end and text[cursor].isspace():
            cursor += 1
    if cursor < end:
        spans.append((cursor, end))
    return spans


_FULL_LINE_CHARS = 60


_CONTINUING = frozenset(lexicons.words("line-continuing-words"))

# A wrapped sentence may go on with a bracket or a quotation ("… die het lid Jansen" / "(D66) heeft gesteld …").
_OPENERS = "(\"'‘“"


def _joins_previous(text: str, previous: tuple[int, int], current: tuple[int, int]) -> bool:
    """A hard-wrapped line (PDF, e-mail): the previous line stops mid-sentence and this one goes on in
    lower case. List items and headings never continue a line."""
    prev_text = text[previous[0] : previous[1]]
    cur_text = text[current[0] : current[1]]
    if _LIST_ITEM.match(cur_text) or _LIST_ITEM.match(prev_text) or prev_text.lstrip().startswith("#"):
        return False
    if prev_text[-1:] in ".!?:;\"'”’)":
        return False
    if cur_text[:1].islower():
        return True
    # A line that ends in "&" or a word that cannot end a sentence ("… gebaseerd op de" / "VEILIGHEID &")
    # goes on in the next line, whatever its case or length.
    tail = prev_text.rstrip().rsplit(None, 1)[-1] if prev_text.strip() else ""
    if tail.endswith("&") or tail.lower() in _CONTINUING:
        return True
    # A full-width line of prose that stops without punctuation goes on in the next line even when that one
    # opens with a name ("… scholen die de" / "Nationale Leerplatform standaard volgen …"); PDF
    # extraction often puts a paragraph break inside such a sentence. Titles and table rows are shorter.
    last = prev_text.splitlines()[-1].strip()
    letters = [c for c in last if c.isalpha()]
    return (
        len(last) >= _FULL_LINE_CHARS
        and len(last.split()) >= 8
        and (last[-1:].isalnum() or last.endswith(","))
        and not all(c.isupper() for c in letters)
        and (cur_text[:1].isupper() or cur_text[:1] in _OPENERS)
    )


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, trimmed of whitespace.

    Lines are units of their own (list items, headings, table rows) unless a line was only wrapped: it
    then continues the previous one. Within a line, a sentence ends at `.`, `!` or `?` followed by a
    capital, digit or opening quote, except after abbreviations ("bijv.", "o.a.", "nr."), initials
    ("A.B.") and the number opening a list item ("1. ...").
    """
    lines = _line_spans(text)
    merged: list[tuple[int, int]] = []
    for span in lines:
        if merged and _joins_previous(text, merged[-1], span):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    spans: list[tuple[int, int]] = []
    for start, end in merged:
        spans.extend(_split_line(text, start, end))
    return spans


# ------------------------------------------------------------------------------------------ markers

_MARKER = re.compile(r"\[\s*(\d+(?:\s*[-–]\s*\d+)?(?:\s*[,;]\s*\d+(?:\s*[-–]\s*\d+)?)*)\s*\]")
_MAX_RANGE = 50  # "[1-100000]" must not become a hundred thousand citations


def parse_citations(text: str) -> list[tuple[int, int, list[int]]]:
    """Markers `[1]`, `[1, 3]`, `[1-3]` as (start, end, numbers); `[1][2]` gives two markers."""
    out: list[tuple[int, int, list[int]]] = []
    for match in _MARKER.finditer(text):
        numbers: list[int] = []
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            if re.search(r"[-–]", part):
                low_s, high_s = re.split(r"\s*[-–]\s*", part)
                low, high = int(low_s), int(high_s)
                if high < low or high - low > _MAX_RANGE:
                    numbers.extend((low, high))
                else:
                    numbers.extend(range(low, high + 1))
            else:
                numbers.append(int(part))
        out.append((match.start(), match.end(), numbers))
    return out


def _remove_spans(text: str, spans: Sequence[tuple[int, int]], replacements: Sequence[str]) -> str:
    """Replace spans (sorted, not overlapping); an empty replacement also eats the space before it."""
    pieces: list[str] = []
    cursor = 0
    for (start, end), new in zip(spans, replacements, strict=True):
        before = text[cursor:start]
        pieces.append(before.rstrip(" \t") if not new else before)
        pieces.append(new)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def strip_markers(text: str) -> str:
    """The text without `[n]` markers (and without the space in front of each)."""
    markers = parse_citations(text)
    return _remove_spans(text, [(s, e) for s, e, _ in markers], [""] * len(markers))


_LINK_TARGET = re.compile(r"\]\s*\(")


def markdown_file_safe(text: str) -> str:
    """Markdown for a file that a colleague opens in some viewer: documents can carry HTML (`<script>`,
    `<img onerror=…>`) and link syntax to `javascript:` targets. As entities and with the link syntax broken,
    they show as the text they are and do nothing; our own Markdown (headings, emphasis, `[n]`) is untouched."""
    return _LINK_TARGET.sub("]\\(", html.escape(text, quote=False))


def neutralise_brackets(text: str) -> str:
    """Passage text shown inside an answer must not contain something that reads as a marker: `[9]` in a
    document would otherwise become a citation. Square brackets become round ones."""
    return text.replace("[", "(").replace("]", ")")


# ------------------------------------------------------------------------------------------- quotes

_WORD = re.compile(r"\w+", re.UNICODE)


def _content_tokens(text: str) -> set[str]:
    return {t[:6] for t in _WORD.findall(fold(text)) if len(t) > 2 or t.isdigit()}


def best_supporting_sentence(claim: str, passage: str) -> str:
    """The passage sentence sharing the most words with `claim` (verbatim from the passage)."""
    claim_tokens = _content_tokens(strip_markers(claim))
    best = ""
    best_score = -1.0
    for start, end in split_sentences(passage):
        sentence = passage[start:end]
        tokens = _content_tokens(sentence)
        if not tokens:
            continue
        overlap = len(claim_tokens & tokens)
        # Ties go to the shorter sentence: it is the more precise quote.
        score = overlap - len(tokens) * 1e-4
        if score > best_score:
            best, best_score = sentence, score
    return best or passage.strip()


def _sentence_around(text: str, offset: int) -> str:
    spans = split_sentences(text)
    for start, end in spans:
        if start <= offset <= end:
            return text[start:end]
    # A marker after the sentence's end (space, then "[1]"): the last sentence before it.
    before = [text[s:e] for s, e in spans if e <= offset]
    return before[-1] if before else text


def build_citations(
    answer_text: str, hits: Sequence[Hit], quotes: Mapping[int, str] | None = None
) -> tuple[str, list[Citation], int]:
    """Map `[n]` markers (1-based into `hits`) to citations.

    Returns (rewritten text, citations, number of invalid numbers). Numbers outside 1..len(hits) are
    removed from the text and counted. Valid ones are renumbered 1, 2, 3... in order of first appearance;
    two hits with the same chunk share one citation. `quotes` maps an original hit number to the quote to
    show (it should be verbatim passage text); without it the quote is the passage sentence that best
    matches the answer sentence carrying the marker.
    """
    markers = parse_citations(answer_text)
    invalid = 0
    new_number: dict[str, int] = {}  # chunk_id -> new n
    first_hit: dict[str, int] = {}  # chunk_id -> original hit index (0-based) that introduced it
    claims: dict[str, list[str]] = {}
    replacements: list[str] = []
    for start, _end, numbers in markers:
        assigned: list[int] = []
        for n in numbers:
            if not 1 <= n <= len(hits):
                invalid += 1
                continue
            chunk_id = hits[n - 1].chunk.chunk_id
            if chunk_id not in new_number:
                new_number[chunk_id] = len(new_number) + 1
                first_hit[chunk_id] = n - 1
            claims.setdefault(chunk_id, []).append(_sentence_around(answer_text, start))
            if new_number[chunk_id] not in assigned:
                assigned.append(new_number[chunk_id])
        replacements.append("[" + ", ".join(str(n) for n in sorted(assigned)) + "]" if assigned else "")
    text = _remove_spans(answer_text, [(s, e) for s, e, _ in markers], replacements)

    citations: list[Citation] = []
    for chunk_id, n in new_number.items():
        index = first_hit[chunk_id]
        hit = hits[index]
        quote: str | None = None
        if quotes is not None:
            # Any original number pointing at this chunk may carry the quote.
            for i, other in enumerate(hits):
                if other.chunk.chunk_id == chunk_id and (i + 1) in quotes:
                    quote = quotes[i + 1]
                    break
        if quote is None:
            found: list[str] = []
            for claim in claims[chunk_id]:
                sentence = best_supporting_sentence(claim, hit.chunk.text)
                if sentence not in found:
                    found.append(sentence)
            quote = " … ".join(found)
        chunk = hit.chunk
        citations.append(
            Citation(
                n=n,
                chunk_id=chunk.chunk_id,
                doc_id=chunk.doc_id,
                title=chunk.title,
                source=chunk.source,
                page=chunk.page,
                quote=quote,
                score=float(hit.score),
            )
        )
    return text, citations, invalid


# Prompt injection in a document: orders to the reader-model, role lines, chat-template tokens. Policy text
# does not talk like this (none of the bundled corpus or the test PDFs matches: tests/test_injection.py).
_INSTRUCTION = re.compile(
    r"\b(?:negeer|vergeet|ignore|disregard|forget)\b[^.!?\n]{0,60}"
    r"\b(?:instructies?|opdrachten|regels|prompt|instructions?|rules|bovenstaande|voorgaande|previous|above)\b"
    r"|^\W*(?:system|systeem|assistant|assistent)\s*:"
    r"|<\|?\s*(?:im_start|im_end|system|assistant|user|endoftext|eot_id|start_header_id)\s*\|?>"
    r"|\b(?:je bent nu|jij bent nu|you are now|from now on you|vanaf nu ben je)\b"
    r"|\b(?:antwoord|answer|respond|reply)\b[^.!?\n]{0,20}\b(?:alleen|uitsluitend|only)\s+(?:met|with)\b"
    r"|\b(?:citeer|vermeld|cite)\b[^.!?\n]{0,30}\b(?:bron|source)\s*[\[(]\s*\d+",
    re.IGNORECASE | re.MULTILINE,
)


def looks_like_instruction(sentence: str) -> bool:
    """True for a sentence that addresses the model rather than informs the reader (see `_INSTRUCTION`)."""
    return bool(_INSTRUCTION.search(sentence))


def strip_instructions(text: str) -> str:
    """`text` with every instruction-like sentence replaced by "…": what the model reads of a passage. The
    passage itself (shown to the user, quoted) keeps them."""
    pieces: list[str] = []
    cursor = 0
    for start, end in split_sentences(text):
        if looks_like_instruction(text[start:end]):
            pieces.append(text[cursor:start] + "…")
            cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


# ------------------------------------------------------------------------------------------ context


def format_context(hits: Sequence[Hit]) -> str:
    """Numbered sources for an LLM prompt: "[1] Title (file, p. N)" then the passage text.

    Passages are data, not instructions; bracketed numbers inside them are neutralised so a document
    cannot smuggle in a source number of its own. Sentences that address the model ("Negeer alle voorgaande
    instructies…", "System: …") are left out (`strip_instructions`): measured on the real Qwen2.5-1.5B, such a
    sentence in a retrieved passage was obeyed (docs/reliability.md). Chat-template tokens that remain are broken
    up so a server that parses special tokens in the prompt cannot read a role switch out of a document.
    """
    blocks: list[str] = []
    for n, hit in enumerate(hits, start=1):
        chunk = hit.chunk
        where = chunk.source or chunk.doc_id
        if chunk.page is not None:
            pages = f"p. {chunk.page}" if not chunk.page_end or chunk.page_end == chunk.page else None
            where += f", {pages or f'p. {chunk.page}-{chunk.page_end}'}"
        title = chunk.title or chunk.source or chunk.doc_id
        text = neutralise_brackets(strip_instructions(chunk.text.strip()))
        text = text.replace("<|", "<\u2009|").replace("|>", "|\u2009>")
        blocks.append(f"[{n}] {title} ({where})\n{text}")
    return "\n\n".join(blocks)
