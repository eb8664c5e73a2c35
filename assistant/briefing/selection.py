"""Which passages and sentences a briefing draws on: the topic's focus, retrieval, the on-topic passages
and their candidate sentences (steps 1-3 of the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from assistant.briefing.boilerplate import addresses_reader
from assistant.briefing.records import SECTION_TITLES, Unit
from assistant.core import lexicons
from assistant.core.records import Chunk, Hit
from assistant.core.text import fold, fold_keep_offsets, fold_name
from assistant.language.entities import (
    Count,
    Entity,
    Event,
    aliases,
    canonical,
    extract_counts,
    extract_entities,
    extract_events,
)
from assistant.language.units import Unit as AnswerUnit
from assistant.language.units import extract_units
from ingest.manifest import DocumentRow

SCAN_LIMIT = 20_000  # chunks; above this, only retrieval finds passages (a full scan would cost seconds)
PER_QUERY_K = 8
MIN_UNIT_CHARS = 25  # "3 dagen" under its questionnaire heading means nothing on its own
DOC_CONTEXT_CHUNKS = 30  # a document about the topic this short is read whole
CACHE_SIZE = 50_000

SUBQUERIES = (
    "{focus} bezoek ontmoeting",
    "{focus} afspraken vervolg",
    "{focus} personen functie",
    "{focus} thema beleid prioriteiten",
    "{focus} conferentie evenement datum",
)
# The word lists are data with their provenance (assistant/data/lexicons/README.md): general language, never
# words of the documents or of the evaluation questions.
# Words of a request rather than of its subject ("Stel een briefing op voor het werkbezoek aan ..."): function
# words, the vocabulary of asking for a briefing, and the words of the briefing's own section titles.
_REQUEST_WORDS = frozenset(
    [
        *lexicons.words("stopwords"),
        *lexicons.words("request-words"),
        *(w for title in SECTION_TITLES.values() for w in re.findall(r"\w+", fold(title))),
    ]
)

Scores = dict[str, tuple[Chunk, float]]  # chunk id -> (chunk, best normalised retrieval score)


def without_title(unit: AnswerUnit, title: str) -> AnswerUnit:
    """`unit` without the document's title in front of it: a title line without a full stop can be read as
    the start of the first sentence ("Sociale cohesie versterken … verbeteren" + "Aan de vooravond …"),
    and a briefing line must open with the sentence."""
    title = " ".join(title.split())
    if not title or not unit.text.startswith(title[:20]):
        return unit
    match = re.match(r"\s*".join(re.escape(w) for w in title.split()) + r"\s*\n\s*", unit.text)
    if match is None or match.end() >= len(unit.text):
        return unit
    return replace(unit, start=unit.start + match.end(), text=unit.text[match.end() :])


# ------------------------------------------------------------------------------------- entity caching

# Chunk ids are derived from content and offsets, so a cache keyed by id can never serve stale entities.
_ENTITY_CACHE: dict[str, tuple[list[Entity], list[Event], list[Count]]] = {}


def chunk_annotations(chunk: Chunk) -> tuple[list[Entity], list[Event], list[Count]]:
    """Entities, events and counts of a chunk (computed once per chunk id per process)."""
    cached = _ENTITY_CACHE.get(chunk.chunk_id)
    if cached is None:
        cached = (extract_entities(chunk.text), extract_events(chunk.text), extract_counts(chunk.text))
        if len(_ENTITY_CACHE) >= CACHE_SIZE:
            _ENTITY_CACHE.pop(next(iter(_ENTITY_CACHE)))
        _ENTITY_CACHE[chunk.chunk_id] = cached
    return cached


# ------------------------------------------------------------------------------------------------ topic


def topic_focus(topic: str) -> tuple[list[str], list[str]]:
    """(canonical entity names, fallback content words) of the topic.

    Without a known name, the subject is what is left of the request after its function words and the words
    of asking for a briefing (`_REQUEST_WORDS`); of those, the words written with a capital (not the request's
    first word) are names, and a name is the subject when there is one: "Maak een briefing over de
    samenwerking met Ooltgensplaat" is about Ooltgensplaat."""
    names: list[str] = []
    for entity in extract_entities(topic):
        if entity.kind in ("place", "org", "person") and entity.name not in names:
            names.append(entity.name)
    # Lower-case topics ("bruxelles", "eurocities") miss the capitalised patterns: try each word and word pair.
    words = re.findall(r"[\w.'’-]+", topic)
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            found = canonical(" ".join(words[i : i + size]))
            if found and found[1] not in names and len(words[i]) > 1:
                names.append(found[1])
    content = [
        (m.group(), m.start())
        for m in re.finditer(r"\w+", topic)
        if fold(m.group()) not in _REQUEST_WORDS
        and len(m.group()) > 2
        and not any(fold_name(m.group()) in fold_name(n) for n in names)
    ]
    first = re.search(r"\w", topic)
    capitalised = [w for w, at in content if w[0].isupper() and (first is None or at > first.start())]
    leftover = list(dict.fromkeys(fold(w) for w in capitalised or [w for w, _ in content]))
    return names, leftover


def word_in(words: Sequence[str], text: str) -> bool:
    """Whether `text` (folded) has a word starting with one of `words`."""
    folded = fold_keep_offsets(text)
    return any(re.search(rf"\b{re.escape(w)}", folded) for w in words)


def mentions(chunk: Chunk, names: Sequence[str], words: Sequence[str]) -> bool:
    """Whether `chunk` names the topic: one of its entities by canonical name, else one of its words."""
    if names:
        entities = chunk_annotations(chunk)[0]
        return any(e.name in names for e in entities)
    return bool(words) and word_in(words, f"{chunk.title} {chunk.text}")


# ------------------------------------------------------------------------------------ retrieval and selection


def retrieve(
    search: Callable[[str, int], list[Hit]],
    topic: str,
    names: Sequence[str],
    words: Sequence[str],
    per_query_k: int = PER_QUERY_K,
) -> Scores:
    """Best normalised score per chunk over all sub-queries (each query's top hit scores 1.0)."""
    focus_text = " ".join(names) if names else " ".join(words) or topic
    queries = [q.format(focus=focus_text) for q in SUBQUERIES]
    queries.append(topic)
    for name in names:
        queries.extend(a for a in aliases(name)[1:3])
    best: Scores = {}
    for query in dict.fromkeys(queries):
        hits = search(query, per_query_k)
        top = max((h.score for h in hits), default=0.0) or 1.0
        for hit in hits:
            score = hit.score / top
            known = best.get(hit.chunk.chunk_id)
            if known is None or score > known[1]:
                best[hit.chunk.chunk_id] = (hit.chunk, score)
    return best


def select_chunks(
    store: Any, scores: Scores, names: Sequence[str], words: Sequence[str], scan_limit: int = SCAN_LIMIT
) -> tuple[list[Chunk], set[str]]:
    """(chunks to use, ids of those that mention the topic)."""
    pool: dict[str, Chunk] = {cid: c for cid, (c, _s) in scores.items()}
    if store.count() <= scan_limit:
        for chunk in store.all_chunks():
            pool.setdefault(chunk.chunk_id, chunk)
    on_topic = {cid for cid, c in pool.items() if mentions(c, names, words)}
    per_doc: dict[str, int] = {}
    for cid in on_topic:
        per_doc[pool[cid].doc_id] = per_doc.get(pool[cid].doc_id, 0) + 1
    # A short document that names the topic in two or more passages is *about* it (a visit report, an
    # article on a conference there): all of it is context, including the passage that names the host's
    # director without repeating the city. Longer documents only contribute what retrieval found.
    about = [d for d, n in per_doc.items() if n >= 2]
    for doc_id in about:
        ids = store.ids(doc_id)
        if len(ids) <= DOC_CONTEXT_CHUNKS:
            for chunk in store.get([i for i in ids if i not in pool]):
                pool[chunk.chunk_id] = chunk
    whole = {d for d in about if len(store.ids(d)) <= DOC_CONTEXT_CHUNKS}
    # Tier 2: retrieved passages of documents that mention the topic; never unretrieved strangers.
    keep = [
        c for cid, c in pool.items() if cid in on_topic or c.doc_id in whole or (cid in scores and c.doc_id in per_doc)
    ]
    keep.sort(key=lambda c: (c.doc_id, c.ordinal))
    return keep, on_topic


def sentence_units(
    chunks: Sequence[Chunk],
    on_topic: set[str],
    scores: Scores,
    names: Sequence[str],
    words: Sequence[str],
    documents: dict[str, DocumentRow],
) -> list[Unit]:
    """The candidate sentences (and list items) of `chunks`, each once, with its entities, events and
    whether it or a neighbour names the topic."""
    units: list[Unit] = []
    for chunk in chunks:
        entities, events, _counts = chunk_annotations(chunk)
        doc = documents.get(chunk.doc_id)
        first_unit = len(units)
        # Sentences and lists: a heading section repeats its sentences, and so does a list the sentence
        # announcing it (a briefing line is one statement).
        found = [u for u in extract_units(0, chunk.text, chunk.heading_path) if u.kind != "section"]
        lists = [(u.start, u.end) for u in found if u.kind == "list"]
        for u in found:
            if u.kind == "sentence" and any(a <= u.start and u.end <= b for a, b in lists):
                continue
            u = without_title(u, chunk.title)
            letters = [c for c in u.text if c.isalpha()]
            # Too short to stand alone, or a questionnaire heading the splitter cut off its line.
            if u.end - u.start < MIN_UNIT_CHARS or all(c.isupper() for c in letters):
                continue
            if addresses_reader(u.text):  # "Schrijf je nu in …", "Ben je …?": a call, not a fact
                continue
            inside = [e for e in entities if u.start <= e.start < u.end]
            mentioned = any(e.name in names for e in inside) if names else word_in(words, u.text) if words else False
            units.append(
                Unit(
                    chunk=chunk,
                    start=u.start,
                    end=u.end,
                    text=u.text,
                    heading=u.heading,
                    entities=inside,
                    events=[ev for ev in events if ev.start < u.end and u.start < ev.end],
                    on_topic=mentioned,
                    chunk_score=scores.get(chunk.chunk_id, (chunk, 0.0))[1]
                    + (0.5 if chunk.chunk_id in on_topic else 0.0),
                    doc_date=(doc.date if doc else None) or chunk.date,
                )
            )
        mine = units[first_unit:]
        for i, unit in enumerate(mine):
            unit.near_topic = unit.on_topic or any(m.on_topic for m in mine[max(0, i - 1) : i + 2])
    # Overlapping chunks repeat sentences: keep the first copy of each.
    seen: set[str] = set()
    unique_units = []
    for unit in units:
        text = " ".join(unit.text.split())
        if text not in seen:
            seen.add(text)
            unique_units.append(unit)
    return unique_units
