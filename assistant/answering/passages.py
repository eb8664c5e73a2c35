"""What the retrieved passages hold, apart from their scored units: whether the question's anchors occur in
them (an evidence feature of abstention), the passages that continue a quoted unit or sign a first-person
report (the chain adds them: `AnswerChain.passages`), the units taken from those, and how many quotes one passage
may give (`passage_cap`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.question import QuestionAnalysis, content_stems, stem
from assistant.answering.signatory import signature_span, speaks_first_person
from assistant.core.records import Chunk, Hit
from assistant.core.text import fold
from assistant.language.units import Unit, UnitKind, continuation, ends_in_list, ends_mid_sentence

SHORT_ACRONYM = 4  # acronyms this short are not required anchors
PER_PASSAGE = 2  # quotes of one passage per PASSAGE_CHARS of its text, when several passages take part
PASSAGE_CHARS = 1000  # the default chunk size, on which PER_PASSAGE was set


def passage_cap(chars: int) -> int:
    """How many units one passage may give an answer that quotes several passages: `PER_PASSAGE` per
    `PASSAGE_CHARS` of its text, never fewer than `PER_PASSAGE`. The limit was set on passages of up to 1,000
    characters; in a longer one (a larger chunk size) the answering sentence is more often its third candidate."""
    return max(PER_PASSAGE, round(PER_PASSAGE * chars / PASSAGE_CHARS))


def file_words(source: str) -> str:
    """A file name as words: "Bijlage_B_-_Juridische_Toets.pdf" names what the document is."""
    return re.sub(r"[_.-]+", " ", source)


def _hit_words(hit: Hit) -> set[str]:
    chunk = hit.chunk
    text = f"{chunk.title} {' '.join(chunk.heading_path)} {file_words(chunk.source)} {chunk.date or ''} {chunk.text}"
    return set(fold(text).replace("-", " ").split()) | set(fold(text).split())


def _anchor_found(key: str, words: set[str], blob: str) -> bool:
    """An anchor occurs in a passage: a year or number as a whole word, a name as a phrase (a name of several
    words also counts when its longest word occurs: "de gemeente Bergen op Zoom" / "Bergen")."""
    if key.isdigit() or key.replace(",", "").replace(".", "").isdigit():
        return key in words or any(w.strip(".,;:()") == key for w in words)
    if key in blob:
        return True
    # A place adjective names its place: "Utrechtse" is found as "Utrecht", "Belgische" as "België" (Dutch
    # -se/-sche/-ische adjectives of place names; the stem before the suffix starts the place's name).
    adjective = _PLACE_ADJECTIVE.fullmatch(key)
    if adjective and len(adjective.group(1)) >= 4:
        return re.search(rf"\b{re.escape(adjective.group(1))}", blob) is not None
    parts = [p for p in key.replace("-", " ").split() if len(p) >= 4]
    return bool(parts) and max(parts, key=len) in blob


_PLACE_ADJECTIVE = re.compile(r"(\w+?)e?(?:ische|sche|se)")


CONTINUES = "continues"  # the score a continuation passage carries (`AnswerChain.passages`)
SIGNED = "signed"  # the score of a document's last passage, fetched for its signature (`AnswerChain.passages`)


def continue_units(hits: Sequence[Hit], chosen: Sequence[Unit]) -> list[Unit]:
    """`chosen`, with the rest of a list or sentence after a quoted unit that stops where its passage stops,
    when the next passage of the document is among `hits` (the chain adds it: `AnswerChain.passages`)."""
    out: list[Unit] = []
    for unit in chosen:
        out.append(unit)
        chunk = hits[unit.hit].chunk
        if unit.end < len(chunk.text.rstrip()):
            continue
        in_list = ends_in_list(chunk.text)
        if not in_list and not ends_mid_sentence(chunk.text):
            continue
        for index, hit in enumerate(hits):
            nxt = hit.chunk
            if nxt.doc_id != chunk.doc_id or nxt.ordinal != chunk.ordinal + 1:
                continue
            span = continuation(nxt.text, max(0, chunk.end - nxt.start), in_list=in_list)
            if span is not None and not any(u.hit == index for u in chosen):
                kind: UnitKind = "list" if in_list else "sentence"
                out.append(Unit(index, span[0], span[1], nxt.text[span[0] : span[1]], kind=kind))
            break
    return out


def with_signatures(hits: Sequence[Hit], chosen: Sequence[Unit]) -> list[Unit]:
    """`chosen`, with the signature of its document after a quoted unit that speaks in the first person, when
    a passage among `hits` ends in one (the chain adds the document's last passages: `AnswerChain.passages`);
    one per document, none already quoted."""
    out: list[Unit] = []
    done: set[str] = set()
    for unit in chosen:
        out.append(unit)
        doc_id = hits[unit.hit].chunk.doc_id
        if doc_id in done or unit.kind == "signature" or not speaks_first_person(unit.text):
            continue
        done.add(doc_id)
        # the fetched last passages first; a retrieved passage of the document may be its last one itself
        candidates = sorted(
            (i for i, h in enumerate(hits) if h.chunk.doc_id == doc_id), key=lambda i: SIGNED not in hits[i].scores
        )
        for index in candidates:
            span = signature_span(hits[index].chunk.text)
            if span is None:
                continue
            start, end, _name = span
            if not any(u.hit == index and u.start <= start < u.end for u in chosen):
                out.append(Unit(index, start, end, hits[index].chunk.text[start:end], kind="signature"))
            break
    return out


def _name_stems(chunk: Chunk) -> set[str]:
    """Content stems of a document's title and file name ("Bijlage_B_-_Juridische_Toets.pdf")."""
    return set(content_stems(f"{chunk.title} {file_words(chunk.source)}"))


def named_documents(analysis: QuestionAnalysis, hits: Sequence[Hit]) -> set[str]:
    """The documents among `hits` that the question names by their title or file name: the most of the
    question's content words (two at least) or an acronym the question uses ("volgens het MJP"). Empty when
    the question names none, or names all alike."""
    if not hits:
        return set()
    question = set(analysis.content)
    acronyms = {stem(fold(a.text)) for a in analysis.anchors if a.text.isupper() and len(a.text) >= 2}
    score: dict[str, int] = {}
    for hit in hits:
        names = _name_stems(hit.chunk)
        shared = len(question & names)
        if shared >= 2 or acronyms & names:
            score[hit.chunk.doc_id] = max(score.get(hit.chunk.doc_id, 0), shared)
    if not score or len(score) == len({h.chunk.doc_id for h in hits}):
        return set()
    most = max(score.values())
    return {doc for doc, n in score.items() if n == most}


def passage_words(hits: Sequence[Hit]) -> set[str]:
    """The folded words of the passages with their titles, headings, sources and dates."""
    words: set[str] = set()
    for hit in hits:
        words |= _hit_words(hit)
    return words


def compound_name(text: str) -> str:
    """The name inside a hyphenated compound of a name and common nouns: "Android-gebruikers" is about
    Android, "EU-lidstaten" about the EU; "Noord-Holland" (every part capitalised) stays whole."""
    parts = [p for p in text.split("-") if p]
    named = [p for p in parts if p[:1].isupper()]
    return " ".join(named) if named and len(named) < len(parts) else text


def anchor_evidence(
    analysis: QuestionAnalysis, hits: Sequence[Hit], words: set[str] | None = None
) -> tuple[float, tuple[str, ...]]:
    """Share of the question's anchors that no passage (text, title, heading, date) holds, and those anchors.
    Names count only when most passages are in the question's language or the name cannot be translated
    (an acronym, a word with an inner capital or digit): "Dutch Data Protection Authority" is not absent
    from Dutch text that says "Autoriteit Persoonsgegevens", even when one English passage is among them (the
    same rule as for the question's other words)."""
    if not analysis.anchors or not hits:
        return 0.0, ()
    words = passage_words(hits) if words is None else words
    blob = " ".join(fold(f"{h.chunk.title} {h.chunk.source} {h.chunk.text}").replace("-", " ") for h in hits)
    same_language = sum(1 for h in hits if h.chunk.language == analysis.language) >= len(hits) / 2
    considered = 0
    absent: list[str] = []
    for anchor in analysis.anchors:
        name = compound_name(anchor.text) if anchor.kind == "name" else anchor.text
        if anchor.kind == "name" and name.isupper() and len(name) <= SHORT_ACRONYM:
            continue  # passages often spell a short acronym out ("BCO": "bron- en contactonderzoek")
        if anchor.kind == "name" and not same_language:
            untranslatable = any(ch.isdigit() for ch in name) or sum(ch.isupper() for ch in name) >= 2
            if not untranslatable or " " in name:
                continue
        considered += 1
        if not _anchor_found(fold(name).replace("-", " ") if anchor.kind == "name" else anchor.key, words, blob):
            absent.append(anchor.text)
    return (len(absent) / considered if considered else 0.0), tuple(absent)
