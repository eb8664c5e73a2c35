"""Delegation briefings: what the organisation already knows about a place, network, organisation or person.

A briefing is extractive, like the default answerer: every line in sections 1-6 is a verbatim passage
sentence with its `[n]`, so nothing can be stated that the documents do not say. What this module adds is
*selection*:

1. Topic analysis. Entities in the topic ("Delegatie naar Wenen" -> Wenen) are canonicalised with the
   alias table of `assistant.entities`, so "Vienna", "Wien" and "Wenen" find the same passages. A
   topic without known entities falls back to its content words.
2. Retrieval. Several sub-queries (one per section: visits, agreements, people, themes, events) plus the
   entity's aliases go through the configured (hybrid) retriever; the union is kept. On a corpus small
   enough to scan (`SCAN_LIMIT` chunks), every chunk that mentions the topic entity is added as well: an
   entity match is exact where the embedder may be weak (the test profile's fake embedder, or a short topic).
3. Relevance. A chunk is on topic when it mentions the topic (tier 1); retrieved chunks of documents that
   mention it are kept as context (tier 2: the "Outlook" paragraph of an article about a visit to Vienna does
   not repeat "Wenen"). Anything else is dropped, so a topic absent from the corpus gives an honest
   "nothing found" instead of the nearest unrelated passages.
4. Sections are filled by rules over sentences (dates and event words, follow-up words, entities with
   roles, theme words, future phrasing) and scored by topic mention and retrieval rank.
5. Coverage: which documents were consulted and how recent they are, what is missing, and conflicting
   figures (same entity, same kind of count, different numbers in different documents), with both dates.

Citations are built with `citations.build_citations` over all lines at once, so numbering is global and
every citation quote is verbatim passage text (the span covering the sentences used from that passage).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from assistant import lexicons
from assistant.answering.direct import spoken_date
from assistant.answering.units import Unit as AnswerUnit
from assistant.answering.units import extract_units
from assistant.boilerplate import addresses_reader
from assistant.citations import build_citations, fold, neutralise_brackets, strip_markers
from assistant.entities import (
    BACKGROUND_EVENTS,
    MONTHS,
    PLACE_PARTS,
    Count,
    Entity,
    Event,
    aliases,
    canonical,
    extract_counts,
    extract_entities,
    extract_events,
    fold_keep_offsets,
    fold_name,
)
from assistant.records import Answer, Chunk, Citation, Hit
from ingest.manifest import DocumentRow
from ingest.metadata import doc_type_name, find_date_spans

if TYPE_CHECKING:
    from assistant.briefing_writer import SectionWriter, WrittenSection
    from assistant.generative import GenerativeAnswerer

Progress = Callable[[str], None]

SCAN_LIMIT = 20_000  # chunks; above this, only retrieval finds passages (a full scan would cost seconds)
PER_QUERY_K = 8
MIN_UNIT_CHARS = 25  # "3 dagen" under its questionnaire heading means nothing on its own
MAX_LINE_CHARS = 700
MAX_QUOTE_CHARS = 600
SUMMARY_MIN_WORDS = 6
# Near-duplicate lines (two documents stating the same fact) are shown once with both citations: token
# Jaccard at least DUP_JACCARD, or, with sentence vectors, cosine at least DUP_COSINE when the tokens overlap
# at least DUP_FLOOR (a vector alone calls "Het netwerk telt 12 landen" and "Het netwerk werd in 1990 opgericht" alike).
DUP_JACCARD = 0.8
DUP_COSINE = 0.92
DUP_FLOOR = 0.5
DOC_CONTEXT_CHUNKS = 30  # a document about the topic this short is read whole
CACHE_SIZE = 50_000

SECTION_TITLES: dict[str, str] = {
    "summary": "Samenvatting",
    "contacts": "Eerdere contacten en bezoeken",
    "followups": "Afspraken en open vervolgacties",
    "people": "Personen en organisaties",
    "themes": "Relevante beleidsthema's",
    "upcoming": "Komende momenten",
    "coverage": "Dekking en lacunes",
}
LIMITS = {"summary": 4, "contacts": 8, "followups": 6, "people": 10, "themes": 5, "upcoming": 5}

_SUBQUERIES = (
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
# Agreements, commitments and next steps; headings of sections that report outcomes.
_FOLLOWUP_RE = re.compile(rf"\b(?:{lexicons.phrase_pattern(lexicons.words('followup-cues'))})\b", re.IGNORECASE)
_FOLLOWUP_HEADING_RE = re.compile(lexicons.phrase_pattern(lexicons.words("followup-headings")), re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_THEME_RE = re.compile(rf"\b(?:{lexicons.phrase_pattern(lexicons.words('policy-themes'))})\b", re.IGNORECASE)
# Each theme by its readable name ("Radicalisering, extremisme en terrorisme"); the general policy words
# ("thema", "beleid") belong to none.
_THEME_NAMES = [
    (title, re.compile(rf"\b(?:{lexicons.phrase_pattern(entries)})\b", re.IGNORECASE))
    for title, entries in lexicons.sections("policy-themes").items()
    if title
]


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


def theme_names(text: str) -> list[str]:
    """The themes `text` is about, by name, in the order the text first mentions them."""
    found = [(m.start(), title) for title, pattern in _THEME_NAMES if (m := pattern.search(text))]
    return [title for _start, title in sorted(found)]


class _Assistant(Protocol):
    """What the generator needs from `assistant.factory.Assistant` (a protocol keeps tests light)."""

    def search(self, query: str, k: int | None = None, flt: Any = None) -> list[Hit]: ...

    @property
    def store(self) -> Any: ...

    @property
    def manifest(self) -> Any: ...


# --------------------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class BriefingLine:
    """One line: an optional label (a date, a name) and verbatim passage text carrying `[n]` markers."""

    text: str
    citations: tuple[int, ...] = ()
    label: str = ""


@dataclass(frozen=True, slots=True)
class BriefingSection:
    key: str
    title: str
    lines: tuple[BriefingLine, ...] = ()
    empty_note: str = ""  # shown when there are no lines, so an empty section is stated, not hidden
    # "extractive" (verbatim passage sentences), "llm" (written by the model, verified) or "fallback" (the
    # model's text failed verification: the extractive lines, with a note saying so).
    mode: str = "extractive"
    verification: dict[str, int] = field(default_factory=dict)  # the verifier's counts, LLM sections only
    caught: tuple[str, ...] = ()  # sentences verification flagged (removed or marked), with their score


@dataclass(frozen=True, slots=True)
class ConsultedDocument:
    doc_id: str
    title: str
    source: str
    date: str | None
    doc_type: str
    passages: int  # passages of this document used in the briefing


@dataclass(frozen=True, slots=True)
class CorpusState:
    documents: int
    chunks: int
    newest_date: str | None


@dataclass(frozen=True)
class Briefing:
    topic: str
    focus: tuple[str, ...]  # canonical names (or words) the briefing is about
    found: bool
    sections: tuple[BriefingSection, ...]
    citations: tuple[Citation, ...]
    documents: tuple[ConsultedDocument, ...]
    generated_at: str
    corpus: CorpusState
    timings_ms: dict[str, float] = field(default_factory=dict)
    hits: tuple[Hit, ...] = ()  # the passages the citations point into
    written_by: str = "extractive"  # or the LLM that wrote sections 1-6, with the verification mode


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


# ------------------------------------------------------------------------------------------ formatting

_MONTHS = MONTHS  # "januari" ... "december", from the lexicon


def format_date(iso: str | None, end: str | None = None) -> str:
    """Partial ISO as Dutch text: "2019", "november 2019", "3 mei 2019", "20–22 maart 2021"."""
    if not iso:
        return ""
    parts = iso.split("-")
    text = spoken_date(iso, "nl")
    if end and len(parts) == 3:
        e = end.split("-")
        if len(e) == 3 and e[:2] == parts[:2]:
            return f"{int(parts[2])}–{int(e[2])} {_MONTHS[int(parts[1]) - 1]} {parts[0]}"
        return f"{text} – {format_date(end)}"
    return text


def source_kind(chunk: Chunk, doc_date: str | None) -> str:
    """What a source is and when, for the summary: "Reisverslag, 24–27 juni 2015 (4 dagen)". The period is
    the one the title names (a trip's dates), else the document's date."""
    kind = doc_type_name(chunk.doc_type).capitalize()
    spans = find_date_spans(chunk.title)
    start, end = (spans[0].date, spans[0].date_end) if spans and spans[0].date_end else (doc_date, None)
    when = format_date(start, end)
    if start and end and len(start) == len(end) == 10:
        days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days + 1
        when += f" ({days} dagen)" if 1 < days <= 60 else ""
    return f"{kind}, {when}" if when else kind


def _flat(text: str) -> str:
    return neutralise_brackets(" ".join(text.split()))


def citation_line(c: Citation) -> str:
    """`[n] Title, file, p. N — „quote”` (page left out when unknown)."""
    parts = [c.title or c.source]
    if c.source and c.source != c.title:
        parts.append(c.source)
    if c.page is not None:
        parts.append(f"p. {c.page}")
    line = f"[{c.n}] " + ", ".join(parts)
    if c.quote.strip():
        line += f" — „{' '.join(c.quote.split())}”"
    return line


# ------------------------------------------------------------------------------------------- internals


@dataclass(slots=True)
class _Unit:
    """A candidate sentence: `chunk.text[start:end]`."""

    chunk: Chunk
    start: int
    end: int
    text: str
    heading: str
    entities: list[Entity]
    events: list[Event]
    on_topic: bool
    chunk_score: float
    doc_date: str | None
    near_topic: bool = False  # the sentence before or after names the topic ("Dat overleg ... in Gent")

    @property
    def key(self) -> tuple[str, int]:
        return self.chunk.chunk_id, self.start


@dataclass(slots=True)
class _Draft:
    """A line before numbering: label, text, and the units it cites."""

    section: str
    label: str
    text: str
    units: list[tuple[Chunk, int, int]]


def _topic_focus(topic: str) -> tuple[list[str], list[str]]:
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


def _word_in(words: Sequence[str], text: str) -> bool:
    folded = fold_keep_offsets(text)
    return any(re.search(rf"\b{re.escape(w)}", folded) for w in words)


def _tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", fold(strip_markers(text))))


def token_jaccard(a: str, b: str) -> float:
    """Share of (accent- and case-folded) word tokens two texts have in common; markers ignored."""
    ta, tb = _tokens(a), _tokens(b)
    return len(ta & tb) / len(ta | tb) if ta or tb else 1.0


def near_duplicate_groups(
    texts: Sequence[str],
    *,
    vectors: np.ndarray | None = None,
    jaccard: float = DUP_JACCARD,
    cosine: float = DUP_COSINE,
    floor: float = DUP_FLOOR,
) -> list[list[int]]:
    """Indices of `texts` grouped by "states the same fact", in order of first appearance; each text joins
    the first earlier group whose first text it duplicates.

    Duplicates: token Jaccard >= `jaccard`, or (with `vectors`, one row per text) cosine >= `cosine` and
    Jaccard >= `floor`. Never when the numbers differ: "12 landen" and "14 landen" are a conflict to
    show, not a duplicate to hide."""
    tokens = [_tokens(t) for t in texts]
    numbers = [frozenset(re.findall(r"\d+", strip_markers(t))) for t in texts]
    unit: np.ndarray | None = None
    if vectors is not None:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit = vectors / np.where(norms == 0, 1.0, norms)
    groups: list[list[int]] = []
    for i in range(len(texts)):
        for group in groups:
            j = group[0]
            if numbers[i] != numbers[j]:
                continue
            union = tokens[i] | tokens[j]
            overlap = len(tokens[i] & tokens[j]) / len(union) if union else 1.0
            if overlap >= jaccard or (unit is not None and overlap >= floor and float(unit[i] @ unit[j]) >= cosine):
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def needs_vectors(texts: Sequence[str], *, jaccard: float = DUP_JACCARD, floor: float = DUP_FLOOR) -> bool:
    """Whether some pair is borderline (Jaccard in [floor, jaccard)): only then are vectors worth computing."""
    tokens = [_tokens(t) for t in texts]
    for i in range(len(tokens)):
        for j in range(i):
            union = tokens[i] | tokens[j]
            if union and floor <= len(tokens[i] & tokens[j]) / len(union) < jaccard:
                return True
    return False


_FALLBACK_NOTE = (
    "De tekst van het taalmodel voor deze sectie is niet door de bronnen gestaafd ({reason}); hieronder de "
    "letterlijke passages."
)


class BriefingGenerator:
    """Builds a `Briefing` for a topic from what the index holds. One instance can serve many briefings.

    `writer`: "auto" (default) lets the configured LLM write sections 1-6 when `llm_backend` is set (the
    assistant's `GenerativeAnswerer`, so the chat's prompt and verification apply); None keeps the briefing
    extractive; or pass a `GenerativeAnswerer` (tests: one with a scripted fake model)."""

    def __init__(
        self,
        assistant: _Assistant,
        *,
        scan_limit: int = SCAN_LIMIT,
        per_query_k: int = PER_QUERY_K,
        writer: GenerativeAnswerer | Literal["auto"] | None = "auto",
    ):
        self.assistant = assistant
        self.scan_limit = scan_limit
        self.per_query_k = per_query_k
        self.writer = writer

    def _section_writer(self) -> SectionWriter | None:
        from assistant.briefing_writer import SectionWriter
        from assistant.generative import GenerativeAnswerer

        answerer: object = self.writer
        if self.writer == "auto":
            settings = getattr(self.assistant, "settings", None)
            if settings is None or getattr(settings, "llm_backend", "none") == "none":
                return None
            answerer = getattr(self.assistant, "answerer", None)
        return SectionWriter(answerer) if isinstance(answerer, GenerativeAnswerer) else None

    # --- public -------------------------------------------------------------------------------------------

    def generate(self, topic: str, *, progress: Progress | None = None) -> Briefing:
        say = progress or (lambda _msg: None)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        topic = " ".join(topic.split())

        say("Onderwerp analyseren")
        primary, words = _topic_focus(topic)
        focus = tuple(primary) if primary else tuple(words)
        # Matching also accepts the parts of a place ("Gelderland-Midden" for "Gelderland").
        names = [*primary, *(p for n in primary for p in PLACE_PARTS.get(n, ()) if p not in primary)]
        documents = {d.doc_id: d for d in self.assistant.manifest.documents()}
        corpus = CorpusState(
            documents=len(documents),
            chunks=sum(d.chunk_count for d in documents.values()),
            newest_date=max((d.date for d in documents.values() if d.date), default=None),
        )
        t1 = time.perf_counter()
        timings["analyse"] = (t1 - t0) * 1000

        say(f"Zoeken in de documenten ({len(_SUBQUERIES) + 1} deelvragen)")
        scores = self._retrieve(topic, names, words)
        t2 = time.perf_counter()
        timings["retrieve"] = (t2 - t1) * 1000

        say("Passages over het onderwerp verzamelen")
        chunks, on_topic = self._select(scores, names, words)
        t3 = time.perf_counter()
        timings["select"] = (t3 - t2) * 1000

        generated_at = datetime.now().isoformat(timespec="seconds")
        if not on_topic:
            say("Niets gevonden over het onderwerp")
            briefing = self._not_found(topic, focus, scores, documents, corpus, generated_at)
            timings["total"] = (time.perf_counter() - t0) * 1000
            return Briefing(**{**briefing.__dict__, "timings_ms": timings})

        say("Personen, organisaties en gebeurtenissen herkennen")
        units = self._units(chunks, on_topic, scores, names, words, documents)
        t4 = time.perf_counter()
        timings["entities"] = (t4 - t3) * 1000

        say("Secties samenstellen")
        drafts = self._merge_duplicates(self._sections(units, corpus, focus))
        timings["compose"] = (time.perf_counter() - t4) * 1000
        written: dict[str, WrittenSection] = {}
        writer = self._section_writer()
        if writer is not None:
            t5 = time.perf_counter()
            drafts, written = self._write(writer, focus or (topic,), drafts, say)
            timings["llm"] = (time.perf_counter() - t5) * 1000
            timings.update({f"llm.{key}": w.ms for key, w in written.items()})
        t6 = time.perf_counter()
        say("Dekking en tegenstrijdige cijfers controleren")
        drafts += self._coverage(topic, focus, units, drafts, documents, corpus)
        briefing = self._assemble(topic, focus, drafts, documents, corpus, generated_at, written)
        if writer is not None:
            model = writer.answerer.model
            briefing = Briefing(**{**briefing.__dict__, "written_by": f"{model!r}, verificatie: {writer.mode}"})
        timings["compose"] += (time.perf_counter() - t6) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        say("Klaar")
        return Briefing(**{**briefing.__dict__, "timings_ms": timings})

    # --- retrieval and selection --------------------------------------------------------------------------

    def _retrieve(self, topic: str, names: Sequence[str], words: Sequence[str]) -> dict[str, tuple[Chunk, float]]:
        """Best normalised score per chunk over all sub-queries (each query's top hit scores 1.0)."""
        focus_text = " ".join(names) if names else " ".join(words) or topic
        queries = [q.format(focus=focus_text) for q in _SUBQUERIES]
        queries.append(topic)
        for name in names:
            queries.extend(a for a in aliases(name)[1:3])
        best: dict[str, tuple[Chunk, float]] = {}
        for query in dict.fromkeys(queries):
            hits = self.assistant.search(query, self.per_query_k)
            top = max((h.score for h in hits), default=0.0) or 1.0
            for hit in hits:
                score = hit.score / top
                known = best.get(hit.chunk.chunk_id)
                if known is None or score > known[1]:
                    best[hit.chunk.chunk_id] = (hit.chunk, score)
        return best

    def _mentions(self, chunk: Chunk, names: Sequence[str], words: Sequence[str]) -> bool:
        if names:
            entities = chunk_annotations(chunk)[0]
            return any(e.name in names for e in entities)
        return bool(words) and _word_in(words, f"{chunk.title} {chunk.text}")

    def _select(
        self, scores: dict[str, tuple[Chunk, float]], names: Sequence[str], words: Sequence[str]
    ) -> tuple[list[Chunk], set[str]]:
        """(chunks to use, ids of those that mention the topic)."""
        pool: dict[str, Chunk] = {cid: c for cid, (c, _s) in scores.items()}
        store = self.assistant.store
        if store.count() <= self.scan_limit:
            for chunk in store.all_chunks():
                pool.setdefault(chunk.chunk_id, chunk)
        on_topic = {cid for cid, c in pool.items() if self._mentions(c, names, words)}
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
            c
            for cid, c in pool.items()
            if cid in on_topic or c.doc_id in whole or (cid in scores and c.doc_id in per_doc)
        ]
        keep.sort(key=lambda c: (c.doc_id, c.ordinal))
        return keep, on_topic

    def _units(
        self,
        chunks: Sequence[Chunk],
        on_topic: set[str],
        scores: dict[str, tuple[Chunk, float]],
        names: Sequence[str],
        words: Sequence[str],
        documents: dict[str, DocumentRow],
    ) -> list[_Unit]:
        units: list[_Unit] = []
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
                mentions = (
                    any(e.name in names for e in inside) if names else _word_in(words, u.text) if words else False
                )
                units.append(
                    _Unit(
                        chunk=chunk,
                        start=u.start,
                        end=u.end,
                        text=u.text,
                        heading=u.heading,
                        entities=inside,
                        events=[ev for ev in events if ev.start < u.end and u.start < ev.end],
                        on_topic=mentions,
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

    # --- duplicates and LLM-written sections -------------------------------------------------------------

    def _merge_duplicates(self, drafts: list[_Draft]) -> list[_Draft]:
        """Within each section, near-duplicate lines (`near_duplicate_groups`) become the first line with the
        citations of all. Sentence vectors are computed only when some pair is borderline."""
        out: list[_Draft] = []
        for key in SECTION_TITLES:
            mine = [d for d in drafts if d.section == key]
            if len(mine) < 2:
                out.extend(mine)
                continue
            texts = [d.text for d in mine]
            vectors = None
            embedder = getattr(self.assistant, "embedder", None)
            if embedder is not None and needs_vectors(texts):
                vectors = np.asarray(embedder.embed_documents(texts))
            for group in near_duplicate_groups(texts, vectors=vectors):
                first = mine[group[0]]
                units = list(first.units)
                labels = [part for part in first.label.split("; ") if part]
                for i in group[1:]:
                    units += [u for u in mine[i].units if u not in units]
                    labels += [part for part in mine[i].label.split("; ") if part and part not in labels]
                label = "; ".join(labels) if key == "people" else first.label
                out.append(_Draft(first.section, label, first.text, units))
        return out

    def _write(
        self, writer: SectionWriter, focus: Sequence[str], drafts: list[_Draft], say: Progress
    ) -> tuple[list[_Draft], dict[str, WrittenSection]]:
        """Sections 1-6 written by the LLM from the passages their rules selected, verified like chat
        answers; a section whose text fails verification keeps its extractive lines, with a note."""
        from assistant.briefing_writer import SECTION_TASKS, WrittenSection, section_passages
        from assistant.llm import LLMError

        subject = ", ".join(focus)
        written: dict[str, WrittenSection] = {}
        out: list[_Draft] = []
        todo = [k for k in SECTION_TASKS if any(d.section == k for d in drafts)]
        failure = ""
        for key in SECTION_TITLES:
            mine = [d for d in drafts if d.section == key]
            if key not in todo:
                out.extend(mine)
                continue
            if failure:
                result = WrittenSection(key, False, reason=failure)
            else:
                step = f"{todo.index(key) + 1}/{len(todo)}"
                say(f"Sectie „{SECTION_TITLES[key]}” laten schrijven door het taalmodel ({step})")
                passages = section_passages([u for d in mine for u in d.units])
                try:
                    result = writer.write(key, subject, passages, title=SECTION_TITLES[key])
                except LLMError as exc:
                    failure = f"taalmodel niet bereikbaar: {exc}"  # no use trying the next sections
                    result = WrittenSection(key, False, reason=failure)
            written[key] = result
            if result.ok:
                out.extend(_Draft(key, "", line.text, list(line.refs)) for line in result.lines)
            else:
                out.append(_Draft(key, "Let op", _FALLBACK_NOTE.format(reason=result.reason), []))
                out.extend(mine)
        return out, written

    # --- sections -----------------------------------------------------------------------------------------

    @staticmethod
    def _draft(section: str, unit: _Unit, label: str = "") -> _Draft:
        return _Draft(section, label, _flat(unit.text), [(unit.chunk, unit.start, unit.end)])

    def _sections(self, units: list[_Unit], corpus: CorpusState, focus: Sequence[str]) -> list[_Draft]:
        drafts: list[_Draft] = []
        used: set[tuple[str, int]] = set()
        short = [u for u in units if u.end - u.start <= MAX_LINE_CHARS]

        # 1. Summary: the most central sentence of each of the most relevant documents.
        def central(u: _Unit) -> float:
            # A dated occasion near the start of a document says what the document is about; a sentence
            # listing many names (a panel, a photo caption) does not.
            actors = {e.name for e in u.entities if e.kind in ("org", "person")}
            dated = any(ev.date and not ev.future for ev in u.events)
            return (
                2.0 * u.on_topic
                + 1.4 * u.near_topic
                + 0.8 * dated
                + 0.3 * min(len(actors), 3) / 3
                + 0.4 * u.chunk_score
                + 0.6 / (1 + u.chunk.ordinal)
                - (0.8 if u.text.rstrip().endswith("?") else 0.0)
            )

        # A summary sentence must stand on its own: list fragments ("Medewerkers van het netwerk.") do not.
        ranked_summary = [
            u
            for u in sorted(short, key=central, reverse=True)
            if u.near_topic and len(u.text.split()) >= SUMMARY_MIN_WORDS
        ]
        best_per_doc: dict[str, _Unit] = {}
        for u in ranked_summary:
            best_per_doc.setdefault(u.chunk.doc_id, u)
        summary = list(best_per_doc.values())[: LIMITS["summary"]]
        # At least three sentences where there are: with few documents, their next most central sentences.
        for u in ranked_summary:
            if len(summary) >= 3:
                break
            if u not in summary:
                summary.append(u)
        for u in summary:
            drafts.append(self._draft("summary", u, source_kind(u.chunk, u.doc_date)))

        # 6 before 2 and 3: a future event belongs under "Komende momenten", not in the history.
        upcoming: list[tuple[str, _Unit, Event]] = []
        history: list[tuple[str, _Unit, Event]] = []
        for u in short:
            for ev in u.events[:1]:
                after_corpus = bool(ev.date and corpus.newest_date and ev.date[:10] > corpus.newest_date)
                if after_corpus or (ev.future and not ev.date):
                    upcoming.append((ev.date or "9999", u, ev))
                elif ev.date:
                    history.append((ev.date, u, ev))
        for _d, u, ev in sorted(upcoming, key=lambda x: (x[0], -x[1].on_topic))[: LIMITS["upcoming"]]:
            where = "document zonder datum" if not u.doc_date else f"document van {format_date(u.doc_date)}"
            label = f"{ev.when or format_date(ev.date) or 'datum niet genoemd'} ({where})"
            drafts.append(self._draft("upcoming", u, label))
            used.add(u.key)

        # 2. Earlier contacts and visits: dated events, oldest first.
        seen: set[tuple[str, int]] = set()
        picked = sorted(history, key=lambda x: (-x[1].on_topic, -x[1].chunk_score))
        chosen = []
        for date, u, ev in picked:
            if u.key in seen or u.key in used:
                continue
            if ev.kind in BACKGROUND_EVENTS and not u.on_topic:
                continue  # "Het netwerk werd in 1990 opgericht" is background, a contact only in a briefing on it
            seen.add(u.key)
            chosen.append((date, u, ev))
            if len(chosen) >= LIMITS["contacts"]:
                break
        for _date, u, ev in sorted(chosen, key=lambda x: x[0]):
            label = format_date(ev.date, ev.date_end)
            if ev.future:  # announced in the document, not reported as done
                label += f" (gepland volgens document van {format_date(u.doc_date) or 'onbekende datum'})"
            drafts.append(self._draft("contacts", u, label))
            used.add(u.key)

        # 3. Agreements and open follow-ups.
        def followup(u: _Unit) -> float:
            strength = len(_FOLLOWUP_RE.findall(u.text)) + (1.5 if _FOLLOWUP_HEADING_RE.search(u.heading) else 0.0)
            return strength + 1.0 * u.on_topic + u.chunk_score if strength else 0.0

        for u in sorted(short, key=followup, reverse=True):
            if sum(d.section == "followups" for d in drafts) >= LIMITS["followups"] or followup(u) <= 0:
                break
            if u.key not in used:
                drafts.append(self._draft("followups", u))
                used.add(u.key)

        # 4. People and organisations: one line per sentence, labelled with who is named in it.
        people: dict[tuple[str, int], list[str]] = {}
        unit_of: dict[tuple[str, int], _Unit] = {}
        org_counts: dict[str, int] = {}
        for u in short:
            for e in u.entities:
                if e.kind == "org":
                    org_counts[e.name] = org_counts.get(e.name, 0) + 1
        named: set[str] = set()
        ranked = sorted(short, key=lambda u: (-u.on_topic, -u.chunk_score))
        # People with a role first, so a name that also appears without one is listed with its role.
        for kind, with_role in (("person", True), ("person", False), ("role", None), ("org", None)):
            for u in ranked:
                for e in u.entities:
                    if e.kind != kind or e.name in named or e.name in focus:
                        continue
                    if with_role is not None and bool(e.role) != with_role:
                        continue
                    if e.kind == "org" and org_counts.get(e.name, 0) < 2 and not u.on_topic:
                        continue  # an organisation named once, away from the topic, is noise
                    label = f"{e.name} ({e.role or 'rol onbekend'})" if e.kind == "person" else e.role or e.name
                    people.setdefault(u.key, []).append(label)
                    unit_of[u.key] = u
                    named.add(e.name)
        for key in list(people)[: LIMITS["people"]]:
            drafts.append(self._draft("people", unit_of[key], "; ".join(people[key])))

        # 5. Policy themes: sentences rich in theme words, about the topic where possible.
        def theme(u: _Unit) -> float:
            hits = {m.lower() for m in _THEME_RE.findall(u.text)}
            question = 0.5 if u.text.rstrip().endswith("?") else 0.0  # a conference's questions are not themes
            named = bool(theme_names(u.text))  # "thema's en prioriteiten" alone names no theme
            return len(hits) + 0.8 * u.on_topic + u.chunk_score - question if len(hits) >= 2 and named else 0.0

        count = 0
        for u in sorted(units, key=theme, reverse=True):
            if count >= LIMITS["themes"] or theme(u) <= 0:
                break
            if u.key in used:
                continue
            drafts.append(self._draft("themes", u, " · ".join(theme_names(u.text)[:3])))
            used.add(u.key)
            count += 1
        return drafts

    def _coverage(
        self,
        topic: str,
        focus: Sequence[str],
        units: list[_Unit],
        drafts: list[_Draft],
        documents: dict[str, DocumentRow],
        corpus: CorpusState,
    ) -> list[_Draft]:
        """Section 7: documents consulted (each cited by a passage it contributed), recency, gaps, conflicts."""
        out: list[_Draft] = []
        first_use: dict[str, tuple[Chunk, int, int]] = {}
        uses: dict[str, int] = {}
        for d in drafts:
            for chunk, s, e in d.units:
                first_use.setdefault(chunk.doc_id, (chunk, s, e))
                uses[chunk.doc_id] = uses.get(chunk.doc_id, 0) + 1
        relevant = sorted(first_use, key=lambda i: (documents[i].date or "") if i in documents else "")
        subject = ", ".join(focus) or topic
        for doc_id in relevant:
            doc = documents.get(doc_id)
            chunk, s, e = first_use[doc_id]
            title = doc.title if doc else chunk.title
            date = format_date(doc.date if doc else chunk.date) or "zonder datum"
            kind = doc_type_name(doc.doc_type if doc else chunk.doc_type)
            label = f"{title} ({chunk.source}, {date}, {kind})"
            used = uses[doc_id]
            out.append(
                _Draft("coverage", label, f"{used} {'zin' if used == 1 else 'zinnen'} gebruikt", [(chunk, s, e)])
            )
        dated = [day for i in relevant if i in documents and (day := documents[i].date)]
        newest = max(dated, default=None)
        if newest:
            out.append(
                _Draft(
                    "coverage",
                    "Recentheid",
                    f"Het nieuwste document over {subject} is van {format_date(newest)}; "
                    f"geen verslag over {subject} na {newest[:4]}."
                    + (
                        f" Het nieuwste document in de hele index is van {format_date(corpus.newest_date)}."
                        if corpus.newest_date and corpus.newest_date != newest
                        else ""
                    ),
                    [],
                )
            )
        undated = [documents[i].title for i in relevant if i in documents and not documents[i].date]
        for title in undated:
            out.append(
                _Draft(
                    "coverage",
                    "Zonder datum",
                    f"„{title}” heeft geen datum: maanden zonder jaartal daarin zijn niet in de tijd te plaatsen.",
                    [],
                )
            )
        if len(relevant) == 1:
            out.append(_Draft("coverage", "Eén bron", f"Alles over {subject} komt uit één document.", []))
        if not any(documents[i].doc_type == "trip report" for i in relevant if i in documents):
            out.append(_Draft("coverage", "Geen reisverslag", f"Er is geen dienstreisverslag over {subject}.", []))
        out.extend(self._conflicts(focus, units, documents))
        return out

    def _conflicts(self, focus: Sequence[str], units: list[_Unit], documents: dict[str, DocumentRow]) -> list[_Draft]:
        """Same entity, same kind of count, different numbers in different documents: show both, with dates.

        The entities checked are the topic's and the organisations the briefing names at least twice; their
        counts are looked up in every chunk that mentions them (the whole index, when it is small enough)."""
        org_counts: dict[str, int] = {}
        for u in units:
            for org in {x.name for x in u.entities if x.kind == "org"}:
                org_counts[org] = org_counts.get(org, 0) + 1
        subjects = set(focus) | {name for name, n in org_counts.items() if n >= 2}
        store = self.assistant.store
        chunks = store.all_chunks() if store.count() <= self.scan_limit else [u.chunk for u in units]
        # (entity, noun) -> number -> list of (chunk, quote start, quote end)
        table: dict[tuple[str, str], dict[int, list[tuple[Chunk, int, int]]]] = {}
        for chunk in {c.chunk_id: c for c in chunks}.values():
            entities, _events, counts = chunk_annotations(chunk)
            if not counts:
                continue
            from assistant.citations import split_sentences

            spans = split_sentences(chunk.text)
            for count in counts:
                index = next((i for i, (s, e) in enumerate(spans) if s <= count.start < e), None)
                if index is None:
                    continue
                # The subject of "De 40 leden ... uit 12 landen" is the nearest one named in the sentence or
                # before it in the same paragraph.
                for back in range(index, -1, -1):
                    s, e = spans[back]
                    owners = [x.name for x in entities if s <= x.start < e and x.name in subjects and x.kind == "org"]
                    if owners:
                        quote = (s, spans[index][1])
                        table.setdefault((owners[0], count.noun), {}).setdefault(count.number, []).append(
                            (chunk, *quote)
                        )
                        break
                    if back > 0 and _PARAGRAPH_BREAK.search(chunk.text, spans[back - 1][1], s):
                        break
        out: list[_Draft] = []
        for (entity, noun), by_number in sorted(table.items()):
            docs_per_number = {n: {c.doc_id for c, _s, _e in refs} for n, refs in by_number.items()}
            all_docs = set().union(*docs_per_number.values())
            if len(by_number) < 2 or len(all_docs) < 2:
                continue
            parts: list[str] = []
            refs_used: list[tuple[Chunk, int, int]] = []

            def oldest(refs: list[tuple[Chunk, int, int]]) -> str:
                return min(((documents[c.doc_id].date or "") if c.doc_id in documents else "") for c, _, _ in refs)

            for number, refs in sorted(by_number.items(), key=lambda kv: oldest(kv[1])):
                chunk, s, e = refs[0]
                doc = documents.get(chunk.doc_id)
                date = format_date(doc.date if doc else chunk.date) or "zonder datum"
                parts.append(f"{number} {noun} volgens „{doc.title if doc else chunk.title}” ({date})")
                refs_used.append((chunk, s, e))
            out.append(_Draft("coverage", f"Tegenstrijdige cijfers over {entity}", "; ".join(parts) + ".", refs_used))
        return out

    # --- assembly -----------------------------------------------------------------------------------------

    def _assemble(
        self,
        topic: str,
        focus: Sequence[str],
        drafts: list[_Draft],
        documents: dict[str, DocumentRow],
        corpus: CorpusState,
        generated_at: str,
        written: dict[str, WrittenSection] | None = None,
    ) -> Briefing:
        """Number the citations globally (order of first appearance) with `build_citations`."""
        order = list(SECTION_TITLES)
        drafts = sorted(drafts, key=lambda d: order.index(d.section))  # stable: keeps order within a section
        hits: list[Hit] = []
        index_of: dict[str, int] = {}
        spans: dict[str, tuple[int, int]] = {}
        first: dict[str, tuple[int, int]] = {}
        lines: list[str] = []
        for d in drafts:
            markers: list[int] = []
            for chunk, s, e in d.units:
                if chunk.chunk_id not in index_of:
                    index_of[chunk.chunk_id] = len(hits) + 1
                    hits.append(Hit(chunk=chunk, score=1.0, rank=len(hits) + 1))
                    spans[chunk.chunk_id] = (s, e)
                    first[chunk.chunk_id] = (s, e)
                else:
                    low, high = spans[chunk.chunk_id]
                    spans[chunk.chunk_id] = (min(low, s), max(high, e))
                markers.append(index_of[chunk.chunk_id])
            marker = f" [{', '.join(str(m) for m in dict.fromkeys(markers))}]" if markers else ""
            lines.append(f"{d.text}{marker}")
        # The quote is the verbatim span covering every sentence used from that passage.
        # A long covering span (sentences far apart in the passage) would bury the point: then the sentence
        # that introduced the passage into the briefing is the quote. Either way it is verbatim passage text.
        quotes = {
            index_of[cid]: hits[index_of[cid] - 1].chunk.text[s:e]
            if e - s <= MAX_QUOTE_CHARS
            else hits[index_of[cid] - 1].chunk.text[first[cid][0] : first[cid][1]]
            for cid, (s, e) in spans.items()
        }
        body, citations, _invalid = build_citations("\n".join(lines), hits, quotes)
        numbered = body.split("\n")
        sections: list[BriefingSection] = []
        for key, title in SECTION_TITLES.items():
            section_lines = []
            for d, text in zip(drafts, numbered, strict=True):
                if d.section == key:
                    nums = tuple(n for m in re.findall(r"\[([\d, ]+)\]\s*$", text) for n in map(int, m.split(",")))
                    section_lines.append(BriefingLine(text=text, citations=nums, label=d.label))
            done = (written or {}).get(key)
            sections.append(
                BriefingSection(
                    key,
                    title,
                    tuple(section_lines),
                    _EMPTY_NOTES.get(key, ""),
                    mode="extractive" if done is None else "llm" if done.ok else "fallback",
                    verification=dict(done.stats) if done else {},
                    caught=done.caught if done else (),
                )
            )
        used_docs: dict[str, int] = {}
        for c in citations:
            used_docs[c.doc_id] = used_docs.get(c.doc_id, 0) + 1
        consulted = tuple(
            ConsultedDocument(
                doc_id=i,
                title=documents[i].title if i in documents else i,
                source=documents[i].source if i in documents else "",
                date=documents[i].date if i in documents else None,
                doc_type=documents[i].doc_type if i in documents else "",
                passages=n,
            )
            for i, n in used_docs.items()
        )
        # Hits in citation order, so `Answer.hits` and the citations agree.
        by_id = {h.chunk.chunk_id: h for h in hits}
        ordered = tuple(by_id[c.chunk_id] for c in citations)
        return Briefing(
            topic=topic,
            focus=tuple(focus),
            found=True,
            sections=tuple(sections),
            citations=tuple(citations),
            documents=consulted,
            generated_at=generated_at,
            corpus=corpus,
            hits=ordered,
        )

    def _not_found(
        self,
        topic: str,
        focus: Sequence[str],
        scores: dict[str, tuple[Chunk, float]],
        documents: dict[str, DocumentRow],
        corpus: CorpusState,
        generated_at: str,
    ) -> Briefing:
        """No passage mentions the topic: say so, and name the closest documents without quoting them."""
        subject = ", ".join(focus) or topic
        lines = [BriefingLine(text=f"Over {subject} is in de documenten niets gevonden.")]
        closest: list[str] = []
        for chunk, _score in sorted(scores.values(), key=lambda cs: -cs[1]):
            doc = documents.get(chunk.doc_id)
            label = f"{doc.title if doc else chunk.title} ({chunk.source})"
            if label not in closest:
                closest.append(label)
            if len(closest) == 3:
                break
        if closest:
            lines.append(BriefingLine(text="Het dichtst in de buurt komen (zonder het onderwerp te noemen):"))
            lines.extend(BriefingLine(text=_flat(c), label="") for c in closest)
        coverage = [
            BriefingLine(
                text=f"{corpus.documents} documenten doorzocht; geen enkele passage noemt {subject}.",
                label="Dekking",
            )
        ]
        return Briefing(
            topic=topic,
            focus=tuple(focus),
            found=False,
            sections=(
                BriefingSection("summary", SECTION_TITLES["summary"], tuple(lines)),
                BriefingSection("coverage", SECTION_TITLES["coverage"], tuple(coverage)),
            ),
            citations=(),
            documents=(),
            generated_at=generated_at,
            corpus=corpus,
        )


_EMPTY_NOTES = {
    "summary": "Geen samenvatting mogelijk.",
    "contacts": "Geen gedateerde eerdere contacten of bezoeken gevonden.",
    "followups": "Geen afspraken of vervolgacties gevonden.",
    "people": "Geen personen of organisaties met een rol gevonden.",
    "themes": "Geen beleidsthema's gevonden.",
    "upcoming": "Geen komende momenten gevonden.",
    "coverage": "",
}


# ------------------------------------------------------------------------------------------ rendering


def _line_markdown(line: BriefingLine) -> str:
    return f"- **{neutralise_brackets(line.label)}** — {line.text}" if line.label else f"- {line.text}"


def corpus_line(b: Briefing) -> str:
    when = b.generated_at.replace("T", " ")[:16]
    newest = format_date(b.corpus.newest_date) or "onbekend"
    return (
        f"Gegenereerd op {when} · index: {b.corpus.documents} documenten, {b.corpus.chunks} passages · "
        f"nieuwste document: {newest}"
    )


def writer_line(b: Briefing) -> str | None:
    """Who wrote sections 1-6, when it was an LLM: the reader must know the text is generated."""
    if b.written_by == "extractive":
        return None
    modes = {s.mode for s in b.sections}
    text = (
        f"Secties geschreven door een taalmodel ({b.written_by}); elke zin is gecontroleerd tegen de passage "
        "die hij citeert (niet gestaafde zinnen: verwijderd, of gemarkeerd met ⚠). Dekking en lacunes is berekend."
    )
    if "fallback" in modes:
        text += " Waar de tekst van het taalmodel niet gestaafd werd, staan de letterlijke passages."
    return neutralise_brackets(text)


def to_markdown(b: Briefing) -> str:
    """The briefing as Markdown: sections with `[n]` per line, then the numbered sources with quotes."""
    out = [f"# Briefing: {neutralise_brackets(b.topic)}", "", f"_{corpus_line(b)}_", ""]
    if (note := writer_line(b)) is not None:
        out += [f"_{note}_", ""]
    for section in b.sections:
        out += [f"## {section.title}", ""]
        if section.lines:
            out += [_line_markdown(line) for line in section.lines]
        elif section.empty_note:
            out.append(f"_{section.empty_note}_")
        out.append("")
    if b.citations:
        out += ["## Bronnen", ""]
        # Two trailing spaces: a Markdown line break, so each footnote stays on its own line.
        out += [citation_line(c) + "  " for c in b.citations]
        out.append("")
    return "\n".join(out)


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    # XML 1.0 forbids most control characters; documents do contain them, and python-docx would refuse.
    return _XML_ILLEGAL.sub(" ", text)


def to_docx(b: Briefing) -> bytes:
    """The briefing as a Word document: title, generation time and corpus state, a heading per section,
    bulleted lines with `[n]`, and footnote-style numbered sources with their quotes."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.add_heading(_x(f"Briefing: {b.topic}"), level=0)
    meta = doc.add_paragraph()
    meta.add_run(_x(corpus_line(b))).italic = True
    if (note := writer_line(b)) is not None:
        doc.add_paragraph().add_run(_x(note)).italic = True
    for section in b.sections:
        doc.add_heading(section.title, level=1)
        if not section.lines and section.empty_note:
            doc.add_paragraph().add_run(section.empty_note).italic = True
        for line in section.lines:
            para = doc.add_paragraph(style="List Bullet")
            if line.label:
                para.add_run(_x(line.label)).bold = True
                para.add_run(" — ")
            para.add_run(_x(line.text))
    if b.citations:
        doc.add_heading("Bronnen", level=1)
        for c in b.citations:
            run = doc.add_paragraph().add_run(_x(citation_line(c)))
            run.font.size = Pt(9)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_dict(b: Briefing) -> dict[str, Any]:
    """JSON-ready form (CLI `--json`)."""
    from dataclasses import asdict

    data = asdict(b)
    data.pop("hits", None)
    return data


def briefing_answer(b: Briefing) -> Answer:
    """The briefing as an `Answer` (text = Markdown, citations = the briefing's), for evaluation."""
    return Answer(
        text=to_markdown(b),
        citations=b.citations,
        hits=b.hits,
        abstained=not b.found,
        abstain_reason=None if b.found else "topic not mentioned in any document",
        query=b.topic,
        timings_ms=dict(b.timings_ms),
    )


def all_quotes_verbatim(b: Briefing) -> bool:
    """Every citation quote occurs in its passage (a self-check the tests and the UI can use)."""
    by_id = {h.chunk.chunk_id: h.chunk.text for h in b.hits}
    return all(c.quote in by_id.get(c.chunk_id, "") for c in b.citations)


__all__ = [
    "Briefing",
    "BriefingGenerator",
    "BriefingLine",
    "BriefingSection",
    "ConsultedDocument",
    "CorpusState",
    "all_quotes_verbatim",
    "briefing_answer",
    "format_date",
    "to_dict",
    "to_docx",
    "to_markdown",
]
