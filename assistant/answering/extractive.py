"""The default answerer: no LLM, only units copied from the retrieved passages, each with its `[n]`.

An extractive answer cannot state anything the documents do not say, and every quote is verbatim passage
text the UI can highlight. The work is choosing the right units and knowing when to say "not in the
documents".

1. Analyse the question once (`assistant.answering.question`): language, content words, anchors, expected
   answer type, list or not.
2. Units (`assistant.language.units`): sentences, lists with their announcing sentence, heading sections.
   Score = W_COSINE · cosine(question, unit) + W_LEXICAL · overlap + W_PRIOR · passage prior + W_TYPE when
   the unit holds the expected kind of answer. Overlap is the IDF-weighted share of the question's content
   words in the unit (half weight for a word only in its heading). Only the best `embed_top` units by the
   cheap part are embedded (vectors come from the ingest-time cache when present).
3. Abstention from evidence (`assistant.answering.abstention`): a calibrated logistic model over the best
   cosine, overlap, the share of question words and anchors found in no passage, and whether any unit holds
   the expected kind of answer.
4. Selection: the best unit first, then units close to it, preferring the document of the best unit (a unit
   from another document must be closer: off-topic sentences of other documents are what made citations
   imprecise), few unless the question asks for a list.
5. Composition: a direct answer line first when the question asks for a date, number, amount or person
   ("**12 uur** [1]"); when sources disagree on that value, each with its source and date. Then the quotes.
   English questions get an English frame that says the quotes are Dutch.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answering.abstention import AbstentionModel, Evidence, load_model
from assistant.answering.answerer import Turn
from assistant.answering.direct import answer_value, spoken_date, value_key
from assistant.answering.passages import (
    CONTINUES,
    SHORT_ACRONYM,
    SIGNED,
    anchor_evidence,
    continue_units,
    named_documents,
    passage_cap,
    passage_words,
    with_signatures,
)
from assistant.answering.question import (
    QuestionAnalysis,
    analyse,
    asks_document_date,
    asks_who,
    content_stems,
    question_parts,
    stem,
)
from assistant.core.embedder import Embedder
from assistant.core.records import Answer, Chunk, Hit
from assistant.core.text import fold
from assistant.embedding.cache import VectorCache
from assistant.language.answertype import (
    asks_organisation,
    company_names,
    contradicts_date,
    direct_answer,
    holds_answer,
)
from assistant.language.citations import build_citations, looks_like_instruction, neutralise_brackets
from assistant.language.discourse import gives_reason
from assistant.language.units import (
    Unit,
    display,
    extract_units,
    unit_key,
)

W_COSINE = 1.0
W_LEXICAL = 0.35
W_PRIOR = 0.08
W_TYPE = 0.08  # bonus for a unit that holds the kind of answer asked for (a number, a name)
HEADING_WEIGHT = 0.5  # a word matched only in the heading counts half
RELATIVE_CUT = 0.35  # units scoring further than this below the best one are not part of the answer
NAMED_LEAD_CUT = 0.25  # a document the question names leads when its best unit is this close (not the cut's)
OTHER_DOC_CUT = 0.05  # ... and units from another document than the best unit's must be this close
DIRECT_CUT = 0.4  # a unit stating the asked-for figure outright ("16 landen") may be this far below
DIRECT_LINE_CUT = 0.1  # the direct answer line takes values from units this close to the best one
TYPE_WINDOW = 0.3  # the kind of answer asked for must be in a unit this close to the best one
DUPLICATE_JACCARD = 0.6
DUPLICATE_COSINE = 0.93
HEADING_RESTATES = 0.5  # share of a heading's content words that the question uses
LIST_TIE = 0.01  # breaks the tie between a list and its announcing sentence by the question's form
NO_VALUE_QUOTED = "the passages are on topic but none of the quotes gives the kind of answer asked for"
MAX_QUOTES = 5  # quotes in an answer to a question that asks for one thing
MAX_LIST_QUOTES = 5  # ... and to a question that asks for several
CACHE_SIZE = 4096  # unit vectors kept in memory; the persistent cache holds the rest
QUOTE_SPAN_CHARS = 1400  # one citation per passage covers its quoted units when they lie this close

NOT_FOUND = {"nl": "Dit staat niet in de documenten.", "en": "The documents do not contain this."}
CLOSEST = {"nl": "Het dichtst in de buurt komen:", "en": "Closest matches:"}
LEAD = {"nl": "Volgens de documenten:", "en": "According to the documents:"}
# The frame follows the question's language; quotes stay in the documents' language, and the frame says so.
LEAD_OTHER_LANGUAGE = {
    "nl": "Volgens de documenten (citaten in het Engels, de taal van de documenten):",
    "en": "According to the documents (quoted in Dutch, their language):",
}
PART_NOT_FOUND = {"nl": "Niet in de documenten gevonden:", "en": "Not found in the documents:"}
DOCUMENT_DATE = {"nl": "datum van het document", "en": "date of the document"}
DIFFER = {"nl": "De bronnen noemen verschillende waarden:", "en": "The sources give different values:"}
# Before a quoted signature: who "ik" in the quote above is (`assistant.answering.signatory`).
SIGNED_BY = {
    "nl": "Ondertekend door (de \u201cik\u201d van het stuk):",
    "en": "Signed by (the \u201cI\u201d of the document):",
}


@dataclass(slots=True)
class Draft:
    """Everything the answerer knows about one question before it decides: scored units, their vectors and
    the evidence features. A value per call, never state on the (shared) answerer."""

    analysis: QuestionAnalysis
    hits: list[Hit]
    units: list[Unit]
    vectors: np.ndarray
    evidence: Evidence


_WORDS = re.compile(r"\w+")


def _unit_vector(vector: object) -> np.ndarray:
    v = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(v))
    return v / norm if norm > 0 else v


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class ExtractiveAnswerer:
    """Answers with verbatim units from the hits; declines when the evidence says the passages do not answer."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        model: AbstentionModel | None = None,
        max_quotes: int = MAX_QUOTES,
        max_list_quotes: int = MAX_LIST_QUOTES,
        language_lead: bool = True,
        direct_line: bool = True,
        embed_top: int = 12,
        relative_cut: float = RELATIVE_CUT,
        other_doc_cut: float = OTHER_DOC_CUT,
        vector_cache: VectorCache | None = None,
    ) -> None:
        self.relative_cut = relative_cut
        self.other_doc_cut = other_doc_cut
        self.embedder = embedder
        self.vector_cache = vector_cache
        self.model = model or load_model()
        self.max_quotes = max_quotes
        self.max_list_quotes = max_list_quotes
        self.language_lead = language_lead
        self.direct_line = direct_line
        self.embed_top = embed_top
        # Unit vectors by text: follow-up questions and repeated searches see the same passages again.
        self._cache: dict[str, np.ndarray] = {}
        self._cache_lock = threading.Lock()

    # --- vectors -----------------------------------------------------------------------------------------

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

    def warm(self, chunks: Sequence[Chunk]) -> int:
        """Embed the answer units of `chunks` ahead of questions (called after ingest). Returns units embedded."""
        if self.vector_cache is None:
            return 0
        keys = list(dict.fromkeys(unit_key(u) for c in chunks for u in extract_units(0, c.text, c.heading_path)))
        have = self.vector_cache.get_many(keys)
        missing = [k for k in keys if k not in have]
        # One call: the embedder sorts its input by length before batching, and units range from a few words
        # to whole sections, so slices of 64 padded short units to long ones (1.57x slower, measured on 506 units
        # of 40 laws; docs/scaling.md "Ingest speed"). The caller bounds the number of chunks per call.
        if missing:
            vectors = self.embedder.embed_documents(missing)
            fresh = {k: np.asarray(v, dtype=np.float32) for k, v in zip(missing, vectors, strict=True)}
            self.vector_cache.put_many(fresh)
        return len(missing)

    # --- scoring -----------------------------------------------------------------------------------------

    @staticmethod
    def _missing_share(analysis: QuestionAnalysis, words: set[str], weights: dict[str, float]) -> float:
        """Weighted share of the question's content words that no passage holds. Dutch compounds count as
        present when a passage word of 5+ letters is part of them ("stedennetwerken" has "netwerk")."""
        total = sum(weights.values())
        if not total:
            return 0.0
        stems = {stem(w) for w in words}
        long_words = [w for w in words if len(w) >= 5]
        absent = 0.0
        remaining = dict(weights)
        # Passages often spell a short acronym out ("BCO": "bron- en contactonderzoek"), as for anchors.
        acronyms = {fold(a.text) for a in analysis.anchors if a.text.isupper() and len(a.text) <= SHORT_ACRONYM}
        for word in dict.fromkeys(fold(analysis.text).replace("?", " ").split()):
            word = word.strip(".,;:!'’\"()")
            if word in acronyms:
                continue
            s = stem(word)
            # The focus ("welke vier soorten") names the answer's class; a list gives the members only.
            if s not in remaining or s in stems or s in analysis.focus:
                continue
            if len(word) >= 8 and any(w in word for w in long_words):
                continue
            absent += remaining.pop(s)
        return absent / total

    def draft(self, question: str, hits: Sequence[Hit], *, query_vector: np.ndarray | None = None) -> Draft:
        """Units of all hits, scored, and the evidence features (see the module docstring). `query_vector`:
        the vector to score units against, when not the question's own (the parts of a two-part question
        use the whole question's)."""
        analysis = analyse(question)
        hits = list(hits)
        units: list[Unit] = []
        for index, hit in enumerate(hits):
            # A continuation only finishes a unit of the passage before it; a signature only says who "ik" is.
            if CONTINUES not in hit.scores and SIGNED not in hit.scores:
                units.extend(
                    u
                    for u in extract_units(
                        index, hit.chunk.text, hit.chunk.heading_path, pairs=True, reasons=analysis.asks_reason
                    )
                    # An order to a model ("Negeer alle … instructies") informs no reader; quoted, it reads as a claim.
                    if not looks_like_instruction(u.text)
                )
        q_stems = list(analysis.content)
        for unit in units:
            unit.stems = set(content_stems(unit.text))
        # Document frequencies over the passages' text once: a list's items repeat the list's words.
        counted = [u for u in units if not u.item]
        n_units = max(len(counted), 1)
        weights: dict[str, float] = {}
        for s in q_stems:
            df = sum(1 for u in counted if s in u.stems)
            weights[s] = 1.0 + math.log((1 + n_units) / (1 + df))
        total = sum(weights.values())
        # The question's words can only be expected in passages of its language. When most passages are in
        # another one (an English question over Dutch reports and one English review), the share counts only
        # as much as the passages in the question's language; when most are in its language, it counts whole.
        same_language = sum(1 for h in hits if h.chunk.language == analysis.language) / max(len(hits), 1)
        words = passage_words(hits)  # once: both the missing-words and the anchor feature read them
        weight = 1.0 if same_language >= 0.5 else same_language
        missing = weight * self._missing_share(analysis, words, weights) if weight else 0.0
        missing_anchors, absent = anchor_evidence(analysis, hits, words)
        expectation = analysis.expectation
        if not units:
            evidence = Evidence(0.0, 0.0, missing, missing_anchors, 1.0 if expectation else 0.0, absent)
            return Draft(analysis, hits, units, np.zeros((0, 1), dtype=np.float32), evidence)
        lexical_of: dict[int, float] = {}
        typed_units: set[int] = set()  # ids of the units holding a value of the asked-for kind
        for position, unit in enumerate(units):
            heading_stems = set(content_stems(unit.heading))
            found = sum(
                weights[s] * (1.0 if s in unit.stems else HEADING_WEIGHT if s in heading_stems else 0.0)
                for s in q_stems
            )
            lexical_of[position] = found / total if total else 0.0
            prior = 1.0 / math.sqrt(1 + unit.hit)  # rank 1: 1.0, rank 2: 0.71, rank 5: 0.45
            typed = expectation is not None and holds_answer(unit.text, expectation, analysis.text)
            if typed:
                typed_units.add(id(unit))
            # A why-question's answer is a reason: a unit that gives one gets the typed unit's bonus (it does
            # not count for abstention: a reason can be stated without a connective).
            typed = typed or (analysis.asks_reason and gives_reason(unit.text))
            unit.score = W_LEXICAL * lexical_of[position] + W_PRIOR * prior + (W_TYPE if typed else 0.0)
        order = sorted(range(len(units)), key=lambda i: -units[i].score)
        if self.embed_top > 0:
            # Items compete with the other units only through their list (a list holds every word of its
            # items, so it ranks above them); the items of the lists that made it are scored as well.
            top = [i for i in order if not units[i].item][: self.embed_top]
            lists = [units[i] for i in top if units[i].kind == "list"]
            listed = [
                i
                for i in order
                if units[i].item and any(u.hit == units[i].hit and u.start <= units[i].start < u.end for u in lists)
            ]
            order = sorted(top + listed[: self.embed_top], key=lambda i: -units[i].score)
        kept = [units[i] for i in order]
        lexical = [lexical_of[i] for i in order]
        keys = [unit_key(u) for u in kept]
        vectors_by_key = self._embed_keys(keys)
        vectors = np.stack([vectors_by_key[k] for k in keys])
        if query_vector is None:
            query_vector = self.embedder.embed_query(question)
        query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        for unit, cosine in zip(kept, vectors @ query, strict=True):
            unit.cosine = float(cosine)
            unit.score += W_COSINE * unit.cosine
        # A list is as good an answer as the sentence announcing it; better for a question asking for several
        # things, worse for one asking for one.
        # A heading section is the answer when its heading restates the question ("WIE HEB JE ONTMOET?").
        question_stems = set(analysis.content)
        for unit in kept:
            if unit.kind == "sentence":
                continue
            inside = [u.score for u in kept if u is not unit and u.hit == unit.hit and unit.start <= u.start < unit.end]
            if unit.kind == "pair":
                favoured = True  # the reason with what it explains: more of the answer than either sentence
            elif unit.kind == "list":
                favoured = analysis.wants_list
            else:
                heading = set(content_stems(unit.heading))
                favoured = bool(heading) and len(heading & question_stems) / len(heading) >= HEADING_RESTATES
            if inside and favoured:
                unit.score = max(unit.score, max(inside)) + LIST_TIE
            elif inside:
                unit.score = min(unit.score, max(inside) - LIST_TIE)
        best = max(u.score for u in kept)
        # How far below the best unit the best one holding the asked-for kind of answer lies, as a share of
        # TYPE_WINDOW (0: the best unit holds it; 1: none within the window).
        missing_type = 0.0
        if expectation is not None:
            typed_scores = [u.score for u in kept if id(u) in typed_units]
            missing_type = min(1.0, (best - max(typed_scores)) / TYPE_WINDOW) if typed_scores else 1.0
        best_unit = max(range(len(kept)), key=lambda i: kept[i].score)
        evidence = Evidence(
            cosine=max(u.cosine for u in kept),
            lexical=lexical[best_unit],
            missing_words=missing,
            missing_anchors=missing_anchors,
            missing_type=missing_type,
            absent=absent,
        )
        return Draft(analysis, hits, kept, vectors, evidence)

    # --- selection ---------------------------------------------------------------------------------------

    def select(self, draft: Draft) -> list[Unit]:
        """The units to quote, in answer order (see the module docstring, step 4)."""
        units, vectors, analysis = draft.units, draft.vectors, draft.analysis
        expectation = analysis.expectation
        order = sorted(range(len(units)), key=lambda i: -units[i].score)
        # A question naming its source ("volgens de juridische toets") is answered from it when one of its units is
        # within NAMED_LEAD_CUT of the best (the looser relative cut let a planted note titled with its words lead).
        named = named_documents(analysis, draft.hits)
        if named:
            top = units[order[0]].score
            lead = next((i for i in order if draft.hits[units[i].hit].chunk.doc_id in named), None)
            if lead is not None and units[lead].score >= top - NAMED_LEAD_CUT:
                order = [lead, *(i for i in order if i != lead)]
        best = units[order[0]].score
        best_doc = draft.hits[units[order[0]].hit].chunk.doc_id

        def close_enough(i: int) -> bool:
            unit = units[i]
            # A question asking for several things may find them in several documents.
            same_doc = analysis.wants_list or draft.hits[unit.hit].chunk.doc_id == best_doc
            return unit.score >= best - (self.relative_cut if same_doc else min(self.other_doc_cut, self.relative_cut))

        # "16 landen" answers "hoeveel landen" outright, even from a less similar passage: such units go first,
        # so sources that disagree on a figure are both shown.
        direct = {
            i
            for i in order
            if expectation is not None
            and units[i].score >= best - DIRECT_CUT
            and direct_answer(units[i].text, expectation)
        }
        close = [i for i in order if i not in direct and close_enough(i)]
        if expectation is not None and expectation.kind == "condition":
            # A condition is answered by a conditional clause: those within the cut go before sentences that only
            # repeat the subject ("… bepalen wanneer de app buiten gebruik wordt gesteld").
            conditional = [i for i in close if holds_answer(units[i].text, expectation, analysis.text)]
            close = conditional + [i for i in close if i not in conditional]
        candidates = [i for i in order if i in direct] + close
        # A unit dated in another month than the one asked about is about another event.
        kept = [
            i
            for i in candidates
            if not contradicts_date(analysis.text, units[i].text, draft.hits[units[i].hit].chunk.date)
        ]
        candidates = kept or candidates
        limit = self.max_list_quotes if analysis.wants_list else self.max_quotes
        passages = {units[i].hit for i in candidates}
        caps = {hit: passage_cap(len(draft.hits[hit].chunk.text)) if len(passages) > 1 else limit for hit in passages}
        chosen: list[int] = []
        per_hit: dict[int, int] = {}

        def typed(i: int) -> bool:
            return expectation is not None and holds_answer(units[i].text, expectation, analysis.text)

        for i in candidates:
            if len(chosen) >= limit:
                break
            unit = units[i]
            # The cap keeps one passage from filling the answer, but not at the price of the answer itself:
            # the first unit holding the asked-for kind of value ("na zeven dagen") passes it.
            if per_hit.get(unit.hit, 0) >= caps[unit.hit] and not (typed(i) and not any(typed(j) for j in chosen)):
                continue
            # A unit inside a chosen one (a sentence of a chosen list) or repeating it adds nothing.
            if any(
                (units[j].hit == unit.hit and units[j].start <= unit.start and unit.end <= units[j].end)
                or (units[j].hit == unit.hit and unit.start <= units[j].start and units[j].end <= unit.end)
                or _jaccard(unit.stems, units[j].stems) >= DUPLICATE_JACCARD
                or float(vectors[i] @ vectors[j]) >= DUPLICATE_COSINE
                for j in chosen
            ):
                continue
            chosen.append(i)
            per_hit[unit.hit] = per_hit.get(unit.hit, 0) + 1
        # The most answer-bearing unit first; after it, its passage's other units in document order, then the
        # next passage's.
        rank_of_hit: dict[int, int] = {}
        for i in chosen:
            rank_of_hit.setdefault(units[i].hit, len(rank_of_hit))
        first = chosen[0]
        rest = sorted(chosen[1:], key=lambda i: (rank_of_hit[units[i].hit], units[i].start))
        return [units[first], *(units[i] for i in rest)]

    # --- answering ---------------------------------------------------------------------------------------

    def answer(self, question: str, hits: Sequence[Hit], *, history: Sequence[Turn] = ()) -> Answer:
        started = time.perf_counter()
        hits = list(hits)
        analysis = analyse(question)
        lang = analysis.language
        if not hits:
            return self._abstain(question, hits, lang, "no passages retrieved", started)
        parts = question_parts(question)
        if len(parts) > 1:
            return self._answer_parts(question, parts, hits, started)
        draft = self.draft(question, hits)
        if not draft.units:
            return self._abstain(question, hits, lang, "no answer sentences in the passages", started)
        dated = self._document_date(draft, lang) if asks_document_date(question) else None
        if dated is not None:
            return self._compose(question, hits, lang, [dated[0]], [dated[1]], [], started)
        probability = self.model.probability(draft.evidence)
        if probability < self.model.threshold:
            return self._abstain(question, hits, lang, self.model.reason(draft.evidence, probability), started)
        chosen = continue_units(draft.hits, self.select(draft))
        direct = self._direct_line(draft, chosen) if self.direct_line else None
        chosen, direct = self._with_firm(draft, chosen, direct)
        chosen = self._signed(draft, chosen)
        if not self.gives_kind(draft, chosen, direct):
            return self._abstain(question, hits, lang, NO_VALUE_QUOTED, started)
        return self._compose(question, hits, lang, [direct] if direct else [], chosen, [], started)

    def quoted(self, draft: Draft, selected: Sequence[Unit] | None = None) -> list[Unit]:
        """The units an answer to `draft` quotes: the selection (`selected` when the caller has it), wrapped
        lines finished, and for a who-question the signature that says who "ik" is."""
        return self._signed(draft, continue_units(draft.hits, self.select(draft) if selected is None else selected))

    @staticmethod
    def _signed(draft: Draft, units: list[Unit]) -> list[Unit]:
        """`units`, and for a who-question the signature that says who "ik" is."""
        return with_signatures(draft.hits, units) if asks_who(draft.analysis.text) else units

    def _with_firm(self, draft: Draft, chosen: list[Unit], direct: str | None) -> tuple[list[Unit], str | None]:
        """For "welk advocatenkantoor / bureau / bedrijf …" (a kind of organisation): when no quote names a
        company with its legal form, the one company the best unit's document names so in the passages
        ("… op grond van een overeenkomst van opdracht met Jansen & De Wit Advocaten N.V.") is quoted first and
        given as the direct answer. Reports and letters name the firm that wrote them in a letterhead, footer or
        disclaimer, sentences that share few words with the question. Nothing changes when that document
        names no company the question does not name, or several, or one a quote already names."""
        analysis = draft.analysis
        if not chosen or not asks_organisation(analysis.text) or any(company_names(u.text) for u in chosen):
            return chosen, direct
        doc = draft.hits[chosen[0].hit].chunk.doc_id
        asked = set(_WORDS.findall(fold(analysis.text)))
        found: dict[str, tuple[str, Unit]] = {}
        for index, hit in enumerate(draft.hits):
            if hit.chunk.doc_id != doc:
                continue
            for unit in extract_units(index, hit.chunk.text, hit.chunk.heading_path):
                if unit.kind != "sentence":
                    continue
                for name in company_names(unit.text):
                    key = fold(name.split()[-1])
                    if key not in asked:
                        found.setdefault(key, (name, unit))
        quoted = set(_WORDS.findall(fold(" ".join(u.text for u in chosen))))
        if len(found) != 1 or next(iter(found)) in quoted:  # one company, and not one a quote already names
            return chosen, direct
        name, unit = next(iter(found.values()))
        line = f"**{neutralise_brackets(name)}** [{unit.hit + 1}]" if self.direct_line else None
        return [unit, *chosen][: self.max_quotes], line

    @staticmethod
    def gives_kind(draft: Draft, chosen: Sequence[Unit], direct: str | None = None) -> bool:
        """Does the answer give the kind of value the question asks for (a year for "in welk jaar", a name for
        "wie")? The evidence model weighs how far the best such unit lies below the best unit, but a close
        topic match can outweigh that: then the quotes are about the subject and hold no value of the kind
        asked for, so the documents do not answer (the issue's "no unit holds the expected kind")."""
        expectation = draft.analysis.expectation
        if expectation is None or direct:
            return True
        return any(holds_answer(u.text, expectation, draft.analysis.text) for u in chosen)

    def _answer_parts(self, question: str, parts: Sequence[str], hits: list[Hit], started: float) -> Answer:
        """A question that asks two things: each part is drafted, decided and selected on its own over the same
        passages; the answer gives each part's direct line and quotes, and says which part the documents do
        not answer. Declined only when no part is answered."""
        lang = analyse(question).language
        directs: list[str] = []
        chosen: list[Unit] = []
        unanswered: list[str] = []
        first_reason = ""
        # A two-part answer quotes at most one more unit than a one-part answer, shared by the parts (each keeps
        # room for one unit of every part after it).
        total = self.max_quotes + len(parts) - 1
        per_part = math.ceil(total / len(parts))
        # Each part's units are scored against the mean of the whole question's direction and the part's own:
        # the whole question carries the subject a short part leaves out ("… en wat gebeurde daar later mee?"),
        # the part what it asks. On the 33 two-part questions of the choosing sets this found 48 of 77 facts,
        # against 45 with the whole question's vector alone and 44 with the part's alone (docs/answers.md); one
        # query embedding per part (about 45 ms on one thread).
        whole = _unit_vector(self.embedder.embed_query(question))
        for k, part in enumerate(parts):
            draft = self.draft(
                part, hits, query_vector=_unit_vector(whole + _unit_vector(self.embedder.embed_query(part)))
            )
            if not draft.units:
                unanswered.append(part)
                first_reason = first_reason or "no answer sentences in the passages"
                continue
            dated = (
                self._document_date(draft, lang, chosen[0] if chosen else None) if asks_document_date(part) else None
            )
            if dated is not None:
                directs.append(dated[0])
                if not any(u.hit == dated[1].hit for u in chosen):
                    chosen.append(dated[1])
                continue
            probability = self.model.probability(draft.evidence)
            if probability < self.model.threshold:
                unanswered.append(part)
                first_reason = first_reason or self.model.reason(draft.evidence, probability)
                continue
            picked = continue_units(hits, self.select(draft))
            direct = self._direct_line(draft, picked) if self.direct_line else None
            picked, direct = self._with_firm(draft, picked, direct)
            if not self.gives_kind(draft, self._signed(draft, picked), direct):
                unanswered.append(part)
                first_reason = first_reason or NO_VALUE_QUOTED
                continue
            if direct and direct not in directs:
                directs.append(direct)
            added = 0
            limit = min(per_part, total - len(chosen) - (len(parts) - 1 - k))
            for unit in picked:
                if added >= limit:
                    break
                if any(u.hit == unit.hit and u.start == unit.start and u.end == unit.end for u in chosen):
                    continue
                chosen.append(unit)
                added += 1
        if not chosen:
            return self._abstain(question, hits, lang, first_reason, started)
        if asks_who(question):
            chosen = with_signatures(hits, chosen)
        return self._compose(question, hits, lang, directs, chosen, unanswered, started)

    def _compose(
        self,
        question: str,
        hits: list[Hit],
        lang: str,
        directs: Sequence[str],
        chosen: Sequence[Unit],
        unanswered: Sequence[str],
        started: float,
    ) -> Answer:
        lines: list[str] = list(directs)
        if self.language_lead:
            quoted_languages = {hits[u.hit].chunk.language for u in chosen}
            other = lang not in quoted_languages and quoted_languages <= {"nl", "en"}
            lines.append((LEAD_OTHER_LANGUAGE if other else LEAD)[lang])
        for unit in chosen:
            if unit.kind == "signature":  # "Karin de Vries (Beleidsadviseur, Afdeling Veiligheid)"
                name, *rest = [line.strip() for line in unit.text.splitlines() if line.strip()]
                shown = f"{name} ({', '.join(rest)})" if rest else name
                lines.append(f"- {SIGNED_BY[lang]} {neutralise_brackets(shown)} [{unit.hit + 1}]")
                continue
            lines.append(f"- {display(unit)} [{unit.hit + 1}]")
        for part in unanswered:
            lines.append(f"{PART_NOT_FOUND[lang]} {neutralise_brackets(part.split(' (')[0])}")
        quotes: dict[int, str] = {}
        by_hit: dict[int, list[Unit]] = {}
        for unit in chosen:
            by_hit.setdefault(unit.hit, []).append(unit)
        for index, group in by_hit.items():
            text = hits[index].chunk.text
            low, high = min(u.start for u in group), max(u.end for u in group)
            # One citation per passage: the covering span stays verbatim when the units are close together.
            quotes[index + 1] = text[low:high] if high - low <= QUOTE_SPAN_CHARS else group[0].text
        body, citations, _invalid = build_citations("\n".join(lines), hits, quotes)
        return Answer(
            text=body,
            citations=tuple(citations),
            hits=tuple(hits),
            query=question,
            timings_ms={"answer": (time.perf_counter() - started) * 1000.0},
        )

    @staticmethod
    def _document_date(draft: Draft, lang: str, pointed: Unit | None = None) -> tuple[str, Unit] | None:
        """ "**4 maart 2021** (datum van het document) [1]" for a question about the date of the document
        it points at: the one quoted for the other part of the question (`pointed`), else the one holding the
        best unit. None when that document has no date."""
        if pointed is None and not draft.units:
            return None
        unit = pointed or max(draft.units, key=lambda u: u.score)
        date = draft.hits[unit.hit].chunk.date
        if not date:
            return None
        return f"**{spoken_date(date, lang)}** ({DOCUMENT_DATE[lang]}) [{unit.hit + 1}]", unit

    def _direct_line(self, draft: Draft, chosen: Sequence[Unit]) -> str | None:
        """ "**12 uur** [1]" from the quoted units; when they give different values, each with its source."""
        analysis = draft.analysis
        if analysis.expectation is None:
            return None
        values: list[tuple[str, Unit]] = []
        top = chosen[0].score
        for unit in chosen:
            if unit.score < top - DIRECT_LINE_CUT and not direct_answer(unit.text, analysis.expectation):
                continue  # a value from a much weaker unit is a guess, not the answer
            if not holds_answer(unit.text, analysis.expectation, analysis.text):
                continue  # the value check decides, as for abstention: no year for "welke datum", no asked-for name
            value = answer_value(unit.text, analysis)
            kind = analysis.expectation.kind
            if value and all(value_key(value, kind) != value_key(v, kind) for v, _ in values):
                values.append((value, unit))
        if not values:
            return None
        if len(values) == 1 or len({draft.hits[u.hit].chunk.doc_id for _, u in values}) == 1:
            value, unit = values[0]
            return f"**{neutralise_brackets(value)}** [{unit.hit + 1}]"
        parts = []
        for value, unit in values[:3]:
            chunk = draft.hits[unit.hit].chunk
            label = chunk.title or chunk.source
            when = f", {chunk.date}" if chunk.date else ""
            parts.append(f"**{neutralise_brackets(value)}** [{unit.hit + 1}] ({neutralise_brackets(label)}{when})")
        return f"{DIFFER[analysis.language]} " + "; ".join(parts)

    def decline(self, question: str, hits: Sequence[Hit], lang: str, reason: str, started: float) -> Answer:
        """The "not in the documents" answer, naming the closest documents (the generative answerer's too)."""
        return self._abstain(question, hits, lang, reason, started)

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
