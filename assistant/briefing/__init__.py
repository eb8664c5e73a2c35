"""Delegation briefings: what the organisation already knows about a place, network, organisation or person.

A briefing is extractive, like the default answerer: every line in sections 1-6 is a verbatim passage
sentence with its `[n]`, so nothing can be stated that the documents do not say. What this package adds is
*selection*:

1. Topic analysis. Entities in the topic ("Delegatie naar Wenen" -> Wenen) are canonicalised with the
   alias table of `assistant.language.entities`, so "Vienna", "Wien" and "Wenen" find the same passages. A
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

Where each step lives: `selection` (1-3: topic, retrieval, on-topic passages, candidate sentences), `sections`
(4: the rules and their scores), `duplicates` (one line per fact), `coverage` (5), `assemble` (numbering,
sections in order), `generator` (`BriefingGenerator`, running the steps), `writer` (sections written by an
LLM, verified), `render` (Markdown, Word, JSON, `Answer`); `records` and `formatting` are shared by them.
`writer` is imported on use, not here: it brings in the generative answerer and the LLM client.
"""

from __future__ import annotations

from assistant.briefing.duplicates import near_duplicate_groups, token_jaccard
from assistant.briefing.formatting import format_date, source_kind
from assistant.briefing.generator import BriefingGenerator
from assistant.briefing.records import (
    SECTION_TITLES,
    Briefing,
    BriefingLine,
    BriefingSection,
    ConsultedDocument,
    CorpusState,
)
from assistant.briefing.render import (
    all_quotes_verbatim,
    briefing_answer,
    citation_line,
    corpus_line,
    to_dict,
    to_docx,
    to_markdown,
    writer_line,
)
from assistant.briefing.selection import without_title

__all__ = [
    "SECTION_TITLES",
    "Briefing",
    "BriefingGenerator",
    "BriefingLine",
    "BriefingSection",
    "ConsultedDocument",
    "CorpusState",
    "all_quotes_verbatim",
    "briefing_answer",
    "citation_line",
    "corpus_line",
    "format_date",
    "near_duplicate_groups",
    "source_kind",
    "to_dict",
    "to_docx",
    "to_markdown",
    "token_jaccard",
    "without_title",
    "writer_line",
]
