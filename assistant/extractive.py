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

Abstention. Confidence = best unit score − W_MISSING · (share of question content words found nowhere in
the retrieved passages). A question about something specific (a budget, a named person) whose specific
word occurs in no passage loses confidence even when the passages are on topic. Below `min_score`: abstain.

Calibration (eval/calibrate_extractive.py, EmbeddingGemma-300m, bundled corpus, k=5, dev set of 20):
see `DEFAULT_MIN_SCORE` for the measured separation.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.answerer import Turn
from assistant.citations import build_citations, fold, neutralise_brackets, split_sentences
from assistant.embeddings import Embedder
from assistant.records import Answer, Hit

W_COSINE = 1.0
W_LEXICAL = 0.35
W_PRIOR = 0.08
W_MISSING = 0.15
HEADING_WEIGHT = 0.5  # a word matched only in the heading counts half
RELATIVE_CUT = 0.12  # units scoring further than this below the best one are not part of the answer
DUPLICATE_JACCARD = 0.6
DUPLICATE_COSINE = 0.93
PER_PASSAGE = 2
MAX_UNIT_CHARS = 700  # a unit longer than this is a paragraph without punctuation, not an answer
# Measured on the dev set, see eval/calibrate_extractive.py; documented there and in the report.
DEFAULT_MIN_SCORE = 0.45

NOT_FOUND = {"nl": "Dit staat niet in de documenten.", "en": "The documents do not contain this."}
CLOSEST = {"nl": "Het dichtst in de buurt komen:", "en": "Closest matches:"}
LEAD = {"nl": "Volgens de documenten:", "en": "According to the documents:"}

# Function words and question words only: what is left of a question is what it is about.
_STOP_NL = frozenset(
    """de het een en of in op aan van voor met door bij uit over naar om tot te is zijn was waren wordt
    worden werd werden heeft hebben had hadden er dat dit die deze wat wie welk welke waar wanneer hoe
    hoeveel waarom niet geen ook nog al als dan maar want dus zo ze zij hij ik je jij we wij u hun hen
    haar zijn mijn ons onze uw kan kunnen zal zullen moet moeten mag mogen wil willen the geef noem
    volgens documenten document tekst bronnen bron staat staan daar hier welke""".split()
)
_STOP_EN = frozenset(
    """the a an and or in on at of for with by from about to into is are was were be been being has have
    had do does did that this these those what who whom which where when how why not no also as than
    then but so it its they them their he she his her we our you your i my can could will would shall
    should may might must there here according documents document text sources source mentioned give
    list name tell""".split()
)
_EN_MARKERS = frozenset(
    "the a an and of is are was were what who which where when how why does did do in to for".split()
)
_NL_MARKERS = frozenset(
    "de het een en van is zijn was wat wie welk welke waar wanneer hoe hoeveel waarom in op voor".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]|[a-zA-Z][.)]|[-•*–·▪])\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s")
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
    ) -> None:
        self.embedder = embedder
        self.min_score = min_score
        self.max_sentences = max_sentences
        self.language_lead = language_lead
        self.last_confidence: float | None = None  # for calibration and explanation

    # --- scoring -----------------------------------------------------------------------------------------

    def score_units(self, question: str, hits: Sequence[Hit]) -> tuple[list[Unit], np.ndarray, float]:
        """All units of all hits, scored; their embeddings; and the share of question words found nowhere."""
        units: list[Unit] = []
        for index, hit in enumerate(hits):
            units.extend(extract_units(index, hit.chunk.text, hit.chunk.heading_path))
        q_stems = content_stems(question)
        everywhere: set[str] = set()
        for hit in hits:
            everywhere.update(content_stems(f"{hit.chunk.title} {' '.join(hit.chunk.heading_path)} {hit.chunk.text}"))
        missing = sum(1 for s in q_stems if s not in everywhere) / len(q_stems) if q_stems else 0.0
        if not units:
            return units, np.zeros((0, 1), dtype=np.float32), missing
        # One batch for all units: the embedder's fixed cost is paid once.
        vectors = self.embedder.embed_documents([f"{u.heading}\n{u.text}" if u.heading else u.text for u in units])
        query = np.asarray(self.embedder.embed_query(question), dtype=np.float32).reshape(-1)
        cosines = vectors @ query
        for unit, cosine in zip(units, cosines, strict=True):
            unit.stems = set(content_stems(unit.text))
            heading_stems = set(content_stems(unit.heading))
            if q_stems:
                found = sum(1.0 if s in unit.stems else HEADING_WEIGHT if s in heading_stems else 0.0 for s in q_stems)
                lexical = found / len(q_stems)
            else:
                lexical = 0.0
            prior = 1.0 / math.sqrt(1 + unit.hit)  # rank 1: 1.0, rank 2: 0.71, rank 5: 0.45
            unit.score = W_COSINE * float(cosine) + W_LEXICAL * lexical + W_PRIOR * prior
        return units, vectors, missing

    def _select(self, units: list[Unit], vectors: np.ndarray) -> list[int]:
        order = sorted(range(len(units)), key=lambda i: -units[i].score)
        best = units[order[0]].score
        candidates = [i for i in order if units[i].score >= best - RELATIVE_CUT]
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
        confidence = best - W_MISSING * missing
        self.last_confidence = confidence
        if confidence < self.min_score:
            reason = f"best sentence scores {confidence:.3f}, below the threshold {self.min_score:.3f}"
            return self._abstain(question, hits, lang, reason, started)

        chosen = [units[i] for i in self._select(units, vectors)]
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
