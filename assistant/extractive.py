"""The default answerer: no LLM, only sentences copied from the retrieved passages, each with its `[n]`.

An extractive answer cannot state anything the documents do not say, and every quote is verbatim passage
text the UI can highlight. The work is choosing the right sentences and knowing when to say "not in the
documents".

Units. Each hit's text is split into answer units: sentences; a run of list items (with the sentence that
introduces it, when that ends in ":") forms one unit so a list question gets the whole list. Headings
("### Zorg en veiligheid", "WELKE LOCATIES ZIJN BEZOCHT?") are not answers themselves, but their text
travels with the units below them, both into the embedding and into the word overlap: a questionnaire
answer such as "4 dagen" is found through its heading.

Score of a unit = W_COSINE · cosine(question, unit) + W_LEXICAL · overlap + W_PRIOR · passage prior, where
overlap is the share of the question's content words (accent-folded, stopwords removed, crudely stemmed to
a 6-letter prefix, which also bridges Dutch/English cognates such as conferentie/conference) found in the
unit or its heading, and the prior prefers passages the retriever ranked higher.

Abstention, in two steps.
1. Confidence = best unit score − W_MISSING · (share of question content words found nowhere in the
   retrieved passages). Below `min_score`: abstain. This catches off-topic questions.
2. Expected answer type (assistant/answertype.py): "wat is het budget" wants an amount of money, "hoeveel"
   a number, "wanneer" a date, "wie is de burgemeester van X" a person's name said together with X. When
   no unit close to the best one (TYPE_WINDOW) holds that kind of answer, the passages are on topic but do
   not answer: abstain. This catches what no similarity threshold can (dev set: the budget of the Coalitie,
   the current mayor of Rotterdam), without touching questions whose form asks for no particular type.
The same types steer selection: a unit that states the figure next to the counted noun ("16 landen")
is quoted even from a less similar passage, so sources that disagree are both shown, and a sentence dated
in another month than the question names ("30 mei 2024" for "in maart 2024") is left out.

Calibration (eval/calibrate_extractive.py, EmbeddingGemma-300m, bundled corpus, k=5, dev set of 20):
see `DEFAULT_MIN_SCORE` for the measured separation.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.answerer import Turn
from assistant.answertype import Expectation, contradicts_date, direct_answer, expected_answer, satisfies
from assistant.citations import build_citations, fold, neutralise_brackets, split_sentences
from assistant.embeddings import Embedder
from assistant.records import Answer, Chunk, Hit
from assistant.vectorcache import VectorCache

W_COSINE = 1.0
W_LEXICAL = 0.35
W_PRIOR = 0.08
W_MISSING = 0.3
W_TYPE = 0.08  # bonus for a unit that holds the kind of answer asked for (a number, a name)
HEADING_WEIGHT = 0.5  # a word matched only in the heading counts half
RELATIVE_CUT = 0.25  # units scoring further than this below the best one are not part of the answer
DIRECT_CUT = 0.4  # ... unless they state the asked-for figure outright ("16 landen")
TYPE_WINDOW = 0.3  # the kind of answer asked for must be in a unit this close to the best one
DUPLICATE_JACCARD = 0.6
DUPLICATE_COSINE = 0.93
PER_PASSAGE = 2
MAX_UNIT_CHARS = 700
EMBED_CHARS = 400  # the start of a long unit says what it is about; the rest only costs time
CACHE_SIZE = 4096  # unit vectors kept in memory; the persistent cache holds the rest
# Measured with eval/calibrate_extractive.py (EmbeddingGemma-300m, bundled corpus, dev set, k=5).
# Dense retrieval: lowest answerable confidence 0.577 (a briefing request), unanswerables 0.561 and 0.700.
# Hybrid retrieval (factory as of this writing): lowest answerable 0.596, unanswerables 0.684 and 0.715.
# The unanswerables are on topic (only "budget"/"huidige" missing), so no threshold separates them from
# every answerable question; 0.565 sits below all answerables (no false abstention) and catches only
# clearly off-topic questions. The on-topic ones are caught by the expected-answer-type check (step 2).
DEFAULT_MIN_SCORE = 0.565

NOT_FOUND = {"nl": "Dit staat niet in de documenten.", "en": "The documents do not contain this."}
CLOSEST = {"nl": "Het dichtst in de buurt komen:", "en": "Closest matches:"}
LEAD = {"nl": "Volgens de documenten:", "en": "According to the documents:"}


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words and question words only: what is left of a question is what it is about.
_STOP_NL = _wordset(
    """de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om hem dan zou
    of wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar naar heb hoe heeft hebben
    deze u want nog zal me zij nu ge geen omdat iets worden toch al waren veel meer doen toen moet ben
    zonder kan hun dus alles onder ja eens hier wie werd altijd doch wordt wezen kunnen ons zelf tegen na
    reeds wil kon niets uw iemand geweest andere welk welke waar wanneer hoeveel waarom wij we jij onze
    zijn tijdens sinds tussen via per zoals volgens geef noem graag documenten document bronnen bron
    tekst staat staan jaar datum"""
)
_STOP_EN = _wordset(
    """the a an and or in on at of for with by from about to into is are was were be been being has have
    had do does did that this these those what who whom which where when how why not no also as than
    then but so it its they them their he she his her we our you your i my can could will would shall
    should may might must there here during between according documents document text sources source
    mentioned give list name tell year date"""
)
_EN_MARKERS = _wordset("the a an and of is are was were what who which where when how why does did do in to for")
_NL_MARKERS = _wordset("de het een en van is zijn was wat wie welk welke waar wanneer hoe hoeveel waarom in op voor")
_WORD = re.compile(r"\w+", re.UNICODE)
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]|[a-zA-Z][.)]|[-•*–·▪])\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}(?!#)\s*\S")  # "##Titel" without a space too (converted law texts)
_DECORATION = re.compile(r"[*_#]+")


def detect_language(text: str) -> str:
    """'en' when the text has more English than Dutch function words, else 'nl' (the documents' language)."""
    words = _WORD.findall(text.lower())
    en = sum(1 for w in words if w in _EN_MARKERS)
    nl = sum(1 for w in words if w in _NL_MARKERS)
    return "en" if en > nl else "nl"


def _stem(word: str) -> str:
    # Dutch past participles ("georganiseerd") meet their verb ("organiseerden") without the "ge-".
    if word.startswith("ge") and len(word) > 7:
        word = word[2:]
    return word[:6]


def content_stems(text: str) -> list[str]:
    """Content words of `text`, folded and stemmed, in order, without repeats."""
    out: list[str] = []
    for word in _WORD.findall(fold(text)):
        if word in _STOP_NL or word in _STOP_EN or (len(word) < 3 and not word.isdigit()):
            continue
        stem = _stem(word)
        if stem not in out:
            out.append(stem)
    return out


def _is_heading(line: str) -> bool:
    """Markdown headings and all-capitals lines (questionnaire headings, section titles)."""
    if _MD_HEADING.match(line):
        return True
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters) and len(line) <= 160


@dataclass(slots=True)
class Unit:
    """One candidate answer: `chunk.text[start:end]` of hit number `hit` (0-based)."""

    hit: int
    start: int
    end: int
    text: str
    heading: str = ""
    is_list: bool = False
    score: float = 0.0
    stems: set[str] = field(default_factory=set)


def extract_units(hit_index: int, text: str, heading_path: Sequence[str] = ()) -> list[Unit]:
    """Answer units of one passage, in document order (see the module docstring)."""
    units: list[Unit] = []
    heading = _DECORATION.sub("", heading_path[-1]).strip() if heading_path else ""
    spans = split_sentences(text)
    i = 0
    while i < len(spans):
        start, end = spans[i]
        piece = text[start:end]
        line_start = text.rfind("\n", 0, start) + 1
        at_line_start = not text[line_start:start].strip()
        if at_line_start and _is_heading(piece) and (end == len(text) or text[end : end + 1] == "\n"):
            heading = _DECORATION.sub("", piece).strip()
            i += 1
            continue
        if at_line_start and _LIST_ITEM.match(piece):
            j = i
            while j + 1 < len(spans) and _LIST_ITEM.match(text[spans[j + 1][0] : spans[j + 1][1]]):
                j += 1
            list_start = start
            # The sentence introducing the list ("... vijf prioriteiten:") belongs with it.
            if units and units[-1].text.rstrip().endswith(":") and units[-1].hit == hit_index:
                list_start = units.pop().start
            units.append(Unit(hit_index, list_start, spans[j][1], text[list_start : spans[j][1]], heading, True))
            i = j + 1
            continue
        if end - start <= MAX_UNIT_CHARS and _WORD.search(piece):
            units.append(Unit(hit_index, start, end, piece, heading))
        i += 1
    return units


def _display(unit: Unit) -> str:
    """Unit text as shown in the answer: one line (lists: one item a line), brackets neutralised."""
    lines = [" ".join(line.split()) for line in unit.text.splitlines() if line.strip()]
    if unit.is_list and len(lines) > 1:
        body = lines[0] + "".join(f"\n  {line}" for line in lines[1:])
    else:
        body = " ".join(lines)
    return neutralise_brackets(body)


def unit_key(unit: Unit) -> str:
    """The text a unit is embedded as (and cached under): its heading travels with it."""
    return f"{unit.heading}\n{unit.text[:EMBED_CHARS]}" if unit.heading else unit.text[:EMBED_CHARS]


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class ExtractiveAnswerer:
    """Answers with verbatim sentences from the hits; abstains when none is close enough to the question."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        max_sentences: int = 4,
        language_lead: bool = True,
        embed_top: int = 12,
        vector_cache: VectorCache | None = None,
    ) -> None:
        self.embedder = embedder
        self.vector_cache = vector_cache
        self.min_score = min_score
        self.max_sentences = max_sentences
        self.language_lead = language_lead
        self.embed_top = embed_top
        self.last_confidence: float | None = None  # for calibration and explanation
        # Unit vectors by text: follow-up questions and repeated searches see the same passages again.
        self._cache: dict[str, np.ndarray] = {}
        self._cache_lock = threading.Lock()

    # --- scoring -----------------------------------------------------------------------------------------

    @staticmethod
    def _unit_key(unit: Unit) -> str:
        return unit_key(unit)

    def _embed_keys(self, keys: Sequence[str], *, batch: int = 64) -> dict[str, np.ndarray]:
        """Vectors for `keys`: memory, then the persistent cache, then the embedder. Returned, not re-read from
        the memory cache: sessions answer in parallel threads, and another thread's insertions may evict a key
        before this one reads it back."""
        wanted = list(dict.fromkeys(keys))
        with self._cache_lock:
            out = {k: self._cache[k] for k in wanted if k in self._cache}
        todo = [k for k in wanted if k not in out]
        if todo and self.vector_cache is not None:
            found = self.vector_cache.get_many(todo)
            out.update(found)
            todo = [k for k in todo if k not in found]
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            fresh = {
                k: np.asarray(v, dtype=np.float32)
                for k, v in zip(part, self.embedder.embed_documents(part), strict=True)
            }
            out.update(fresh)
            if self.vector_cache is not None:
                self.vector_cache.put_many(fresh)
        with self._cache_lock:
            self._cache.update(out)
            while len(self._cache) > CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
        return out

    def _embed_units(self, units: Sequence[Unit]) -> np.ndarray:
        """Unit vectors, from the caches where possible; the rest in ONE batch (the fixed cost is paid once)."""
        keys = [self._unit_key(u) for u in units]
        vectors = self._embed_keys(keys)
        return np.stack([vectors[k] for k in keys])

    def warm(self, chunks: Sequence[Chunk]) -> int:
        """Embed the answer units of `chunks` ahead of questions (called after ingest). Returns units embedded."""
        if self.vector_cache is None:
            return 0
        keys = list(dict.fromkeys(self._unit_key(u) for c in chunks for u in extract_units(0, c.text, c.heading_path)))
        have = self.vector_cache.get_many(keys)
        missing = [k for k in keys if k not in have]
        for start in range(0, len(missing), 64):
            part = missing[start : start + 64]
            vectors = self.embedder.embed_documents(part)
            self.vector_cache.put_many({k: np.asarray(v, dtype=np.float32) for k, v in zip(part, vectors, strict=True)})
        return len(missing)

    @staticmethod
    def _missing_share(question: str, hits: Sequence[Hit], weights: dict[str, float]) -> float:
        """Weighted share of the question's content words that no passage holds. Dutch compounds count as
        present when a passage word of 5+ letters is part of them ("stedennetwerken" has "netwerk")."""
        total = sum(weights.values())
        if not total:
            return 0.0
        words: set[str] = set()
        for hit in hits:
            words.update(_WORD.findall(fold(f"{hit.chunk.title} {' '.join(hit.chunk.heading_path)} {hit.chunk.text}")))
        stems = {_stem(w) for w in words}
        long_words = [w for w in words if len(w) >= 5]
        absent = 0.0
        for word in dict.fromkeys(_WORD.findall(fold(question))):
            stem = _stem(word)
            if stem not in weights or stem in stems:
                continue
            if len(word) >= 8 and any(w in word for w in long_words):
                continue
            absent += weights.pop(stem)  # count each stem once
        return absent / total

    def score_units(self, question: str, hits: Sequence[Hit]) -> tuple[list[Unit], np.ndarray, float]:
        """Candidate units of all hits, scored; their embeddings; and the (weighted) share of question words
        found nowhere in the passages.

        Embedding every sentence of five passages costs seconds on a laptop CPU, so units are first scored
        by words and passage rank, and only the best `embed_top` are embedded and rescored.
        """
        units: list[Unit] = []
        for index, hit in enumerate(hits):
            units.extend(extract_units(index, hit.chunk.text, hit.chunk.heading_path))
        q_stems = content_stems(question)
        for unit in units:
            unit.stems = set(content_stems(unit.text))
        # Specific words weigh more: inverse document frequency over the units at hand.
        n_units = max(len(units), 1)
        weights: dict[str, float] = {}
        for stem in q_stems:
            df = sum(1 for u in units if stem in u.stems)
            weights[stem] = 1.0 + math.log((1 + n_units) / (1 + df))
        total = sum(weights.values())
        missing = self._missing_share(question, hits, dict(weights))
        expectation = expected_answer(question)

        def typed(text: str) -> bool:
            return expectation is not None and satisfies(text, expectation)

        if not units:
            return units, np.zeros((0, 1), dtype=np.float32), missing
        for unit in units:
            heading_stems = set(content_stems(unit.heading))
            found = sum(
                weights[s] * (1.0 if s in unit.stems else HEADING_WEIGHT if s in heading_stems else 0.0)
                for s in q_stems
            )
            lexical = found / total if total else 0.0
            prior = 1.0 / math.sqrt(1 + unit.hit)  # rank 1: 1.0, rank 2: 0.71, rank 5: 0.45
            unit.score = W_LEXICAL * lexical + W_PRIOR * prior + (W_TYPE if typed(unit.text) else 0.0)
        units.sort(key=lambda u: -u.score)
        units = units[: self.embed_top] if self.embed_top > 0 else units
        vectors = self._embed_units(units)
        query = np.asarray(self.embedder.embed_query(question), dtype=np.float32).reshape(-1)
        for unit, cosine in zip(units, vectors @ query, strict=True):
            unit.score += W_COSINE * float(cosine)
        return units, vectors, missing

    def _select(
        self, units: list[Unit], vectors: np.ndarray, expectation: Expectation | None = None, question: str = ""
    ) -> list[int]:
        order = sorted(range(len(units)), key=lambda i: -units[i].score)
        best = units[order[0]].score
        # "16 landen" answers "hoeveel landen" outright, even from a less similar passage: such units go first,
        # so sources that disagree on a figure are both shown.
        direct = {
            i
            for i in order
            if expectation is not None
            and units[i].score >= best - DIRECT_CUT
            and direct_answer(units[i].text, expectation)
        }
        candidates = [i for i in order if i in direct] + [
            i for i in order if i not in direct and units[i].score >= best - RELATIVE_CUT
        ]
        # A sentence dated in another month than the one asked about is about another event.
        if question:
            kept = [i for i in candidates if not contradicts_date(question, units[i].text)]
            candidates = kept or candidates
        passages = {units[i].hit for i in candidates}
        cap = PER_PASSAGE if len(passages) > 1 else self.max_sentences
        chosen: list[int] = []
        per_hit: dict[int, int] = {}
        for i in candidates:
            if len(chosen) >= self.max_sentences:
                break
            unit = units[i]
            if per_hit.get(unit.hit, 0) >= cap:
                continue
            if any(
                _jaccard(unit.stems, units[j].stems) >= DUPLICATE_JACCARD
                or float(vectors[i] @ vectors[j]) >= DUPLICATE_COSINE
                for j in chosen
            ):
                continue
            chosen.append(i)
            per_hit[unit.hit] = per_hit.get(unit.hit, 0) + 1
        # Passages in order of their best unit; within a passage, document order.
        rank_of_hit: dict[int, int] = {}
        for i in chosen:
            rank_of_hit.setdefault(units[i].hit, len(rank_of_hit))
        return sorted(chosen, key=lambda i: (rank_of_hit[units[i].hit], units[i].start))

    # --- answering ---------------------------------------------------------------------------------------

    def answer(self, question: str, hits: Sequence[Hit], *, history: Sequence[Turn] = ()) -> Answer:
        started = time.perf_counter()
        lang = detect_language(question)
        hits = list(hits)
        if not hits:
            self.last_confidence = None
            return self._abstain(question, hits, lang, "no passages retrieved", started)
        units, vectors, missing = self.score_units(question, hits)
        if not units:
            self.last_confidence = None
            return self._abstain(question, hits, lang, "no answer sentences in the passages", started)
        best = max(u.score for u in units)
        # Dutch documents do not hold the words of an English question; a missing word says little there.
        cross_lingual = all(h.chunk.language != lang for h in hits)
        confidence = best - W_MISSING * missing * (0.3 if cross_lingual else 1.0)
        self.last_confidence = confidence
        if confidence < self.min_score:
            reason = f"best sentence scores {confidence:.3f}, below the threshold {self.min_score:.3f}"
            return self._abstain(question, hits, lang, reason, started)
        expectation = expected_answer(question)
        if expectation is not None and not any(
            satisfies(u.text, expectation) for u in units if u.score >= best - TYPE_WINDOW
        ):
            reason = f"the passages are on topic but none of the best sentences gives the {expectation.kind} asked for"
            return self._abstain(question, hits, lang, reason, started)

        chosen = [units[i] for i in self._select(units, vectors, expectation, question)]
        lines = [LEAD[lang]] if self.language_lead else []
        quotes: dict[int, str] = {}
        for unit in chosen:
            lines.append(f"- {_display(unit)} [{unit.hit + 1}]")
        by_hit: dict[int, list[Unit]] = {}
        for unit in chosen:
            by_hit.setdefault(unit.hit, []).append(unit)
        for index, group in by_hit.items():
            text = hits[index].chunk.text
            low, high = min(u.start for u in group), max(u.end for u in group)
            # One citation per passage: the covering span stays verbatim when the units are close together.
            quotes[index + 1] = text[low:high] if high - low <= 2 * MAX_UNIT_CHARS else group[0].text
        body, citations, _invalid = build_citations("\n".join(lines), hits, quotes)
        return Answer(
            text=body,
            citations=tuple(citations),
            hits=tuple(hits),
            query=question,
            timings_ms={"answer": (time.perf_counter() - started) * 1000.0},
        )

    def _abstain(self, question: str, hits: Sequence[Hit], lang: str, reason: str, started: float) -> Answer:
        lines = [NOT_FOUND[lang]]
        titles: list[str] = []
        for hit in hits:
            label = hit.chunk.title or hit.chunk.source
            if label and label not in titles:
                titles.append(label)
            if len(titles) == 3:
                break
        if titles:
            lines.append(CLOSEST[lang])
            lines.extend(f"- {neutralise_brackets(t)}" for t in titles)
        return Answer(
            text="\n".join(lines),
            hits=tuple(hits),
            abstained=True,
            abstain_reason=reason,
            query=question,
            timings_ms={"answer": (time.perf_counter() - started) * 1000.0},
        )
