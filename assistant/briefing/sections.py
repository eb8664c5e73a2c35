"""Sections 1-6 filled by rules over the candidate sentences (dates and event words, follow-up words,
entities with roles, theme words, future phrasing), scored by topic mention and retrieval rank.

The section functions take the sentence keys earlier sections used (`used`) and add their own, so a sentence
appears under one of "Komende momenten", "Eerdere contacten", "Afspraken" and "Beleidsthema's" only."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.briefing.formatting import flat, format_date, source_kind
from assistant.briefing.records import CorpusState, Draft, Unit
from assistant.core import lexicons
from assistant.language.entities import BACKGROUND_EVENTS, Event

MAX_LINE_CHARS = 700
SUMMARY_MIN_WORDS = 6
LIMITS = {"summary": 4, "contacts": 8, "followups": 6, "people": 10, "themes": 5, "upcoming": 5}

# The word lists are data with their provenance (assistant/data/lexicons/README.md): general language, never
# words of the documents or of the evaluation questions.
# Agreements, commitments and next steps; headings of sections that report outcomes.
_FOLLOWUP_RE = re.compile(rf"\b(?:{lexicons.phrase_pattern(lexicons.words('followup-cues'))})\b", re.IGNORECASE)
_FOLLOWUP_HEADING_RE = re.compile(lexicons.phrase_pattern(lexicons.words("followup-headings")), re.IGNORECASE)
_THEME_RE = re.compile(rf"\b(?:{lexicons.phrase_pattern(lexicons.words('policy-themes'))})\b", re.IGNORECASE)
# Each theme by its readable name ("Radicalisering, extremisme en terrorisme"); the general policy words
# ("thema", "beleid") belong to none.
_THEME_NAMES = [
    (title, re.compile(rf"\b(?:{lexicons.phrase_pattern(entries)})\b", re.IGNORECASE))
    for title, entries in lexicons.sections("policy-themes").items()
    if title
]

Dated = tuple[str, Unit, Event]  # (sort date, sentence, its first event)


def theme_names(text: str) -> list[str]:
    """The themes `text` is about, by name, in the order the text first mentions them."""
    found = [(m.start(), title) for title, pattern in _THEME_NAMES if (m := pattern.search(text))]
    return [title for _start, title in sorted(found)]


def draft(section: str, unit: Unit, label: str = "") -> Draft:
    """A line quoting `unit` whole."""
    return Draft(section, label, flat(unit.text), [(unit.chunk, unit.start, unit.end)])


# ---------------------------------------------------------------------------------------------- scores


def centrality(u: Unit) -> float:
    """How well a sentence says what its document is about (the summary's ranking)."""
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


def followup_score(u: Unit) -> float:
    """How strongly a sentence states an agreement or next step; 0 when it states none."""
    strength = len(_FOLLOWUP_RE.findall(u.text)) + (1.5 if _FOLLOWUP_HEADING_RE.search(u.heading) else 0.0)
    return strength + 1.0 * u.on_topic + u.chunk_score if strength else 0.0


def theme_score(u: Unit) -> float:
    """How rich a sentence is in policy themes; 0 unless it has two theme words and names a theme."""
    hits = {m.lower() for m in _THEME_RE.findall(u.text)}
    question = 0.5 if u.text.rstrip().endswith("?") else 0.0  # a conference's questions are not themes
    named = bool(theme_names(u.text))  # "thema's en prioriteiten" alone names no theme
    return len(hits) + 0.8 * u.on_topic + u.chunk_score - question if len(hits) >= 2 and named else 0.0


# -------------------------------------------------------------------------------------------- sections


def section_drafts(units: list[Unit], corpus: CorpusState, focus: Sequence[str]) -> list[Draft]:
    """The lines of sections 1-6, each section in its own order."""
    used: set[tuple[str, int]] = set()
    short = [u for u in units if u.end - u.start <= MAX_LINE_CHARS]
    drafts = summary_drafts(short)
    # 6 before 2 and 3: a future event belongs under "Komende momenten", not in the history.
    upcoming, history = dated_events(short, corpus)
    drafts += upcoming_drafts(upcoming, used)
    drafts += contact_drafts(history, used)
    drafts += followup_drafts(short, used)
    drafts += people_drafts(short, focus)
    drafts += theme_drafts(units, used)
    return drafts


def summary_drafts(short: Sequence[Unit]) -> list[Draft]:
    """1. Summary: the most central sentence of each of the most relevant documents."""
    # A summary sentence must stand on its own: list fragments ("Medewerkers van het netwerk.") do not.
    ranked_summary = [
        u
        for u in sorted(short, key=centrality, reverse=True)
        if u.near_topic and len(u.text.split()) >= SUMMARY_MIN_WORDS
    ]
    best_per_doc: dict[str, Unit] = {}
    for u in ranked_summary:
        best_per_doc.setdefault(u.chunk.doc_id, u)
    summary = list(best_per_doc.values())[: LIMITS["summary"]]
    # At least three sentences where there are: with few documents, their next most central sentences.
    for u in ranked_summary:
        if len(summary) >= 3:
            break
        if u not in summary:
            summary.append(u)
    return [draft("summary", u, source_kind(u.chunk, u.doc_date)) for u in summary]


def dated_events(short: Sequence[Unit], corpus: CorpusState) -> tuple[list[Dated], list[Dated]]:
    """(upcoming, history): each sentence by its first event, ahead when dated after the newest document or
    announced without a date, behind when dated."""
    upcoming: list[Dated] = []
    history: list[Dated] = []
    for u in short:
        for ev in u.events[:1]:
            after_corpus = bool(ev.date and corpus.newest_date and ev.date[:10] > corpus.newest_date)
            if after_corpus or (ev.future and not ev.date):
                upcoming.append((ev.date or "9999", u, ev))
            elif ev.date:
                history.append((ev.date, u, ev))
    return upcoming, history


def upcoming_drafts(upcoming: Sequence[Dated], used: set[tuple[str, int]]) -> list[Draft]:
    """6. Upcoming moments, soonest first."""
    out: list[Draft] = []
    for _d, u, ev in sorted(upcoming, key=lambda x: (x[0], -x[1].on_topic))[: LIMITS["upcoming"]]:
        where = "document zonder datum" if not u.doc_date else f"document van {format_date(u.doc_date)}"
        label = f"{ev.when or format_date(ev.date) or 'datum niet genoemd'} ({where})"
        out.append(draft("upcoming", u, label))
        used.add(u.key)
    return out


def contact_drafts(history: Sequence[Dated], used: set[tuple[str, int]]) -> list[Draft]:
    """2. Earlier contacts and visits: dated events, oldest first."""
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
    out: list[Draft] = []
    for _date, u, ev in sorted(chosen, key=lambda x: x[0]):
        label = format_date(ev.date, ev.date_end)
        if ev.future:  # announced in the document, not reported as done
            label += f" (gepland volgens document van {format_date(u.doc_date) or 'onbekende datum'})"
        out.append(draft("contacts", u, label))
        used.add(u.key)
    return out


def followup_drafts(short: Sequence[Unit], used: set[tuple[str, int]]) -> list[Draft]:
    """3. Agreements and open follow-ups."""
    out: list[Draft] = []
    for u in sorted(short, key=followup_score, reverse=True):
        if len(out) >= LIMITS["followups"] or followup_score(u) <= 0:
            break
        if u.key not in used:
            out.append(draft("followups", u))
            used.add(u.key)
    return out


def people_drafts(short: Sequence[Unit], focus: Sequence[str]) -> list[Draft]:
    """4. People and organisations: one line per sentence, labelled with who is named in it."""
    people: dict[tuple[str, int], list[str]] = {}
    unit_of: dict[tuple[str, int], Unit] = {}
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
    return [draft("people", unit_of[key], "; ".join(people[key])) for key in list(people)[: LIMITS["people"]]]


def theme_drafts(units: Sequence[Unit], used: set[tuple[str, int]]) -> list[Draft]:
    """5. Policy themes: sentences rich in theme words, about the topic where possible."""
    out: list[Draft] = []
    for u in sorted(units, key=theme_score, reverse=True):
        if len(out) >= LIMITS["themes"] or theme_score(u) <= 0:
            break
        if u.key in used:
            continue
        out.append(draft("themes", u, " · ".join(theme_names(u.text)[:3])))
        used.add(u.key)
    return out
