"""`BriefingGenerator`: runs the steps of the package docstring against an assistant's index, and lets the
configured LLM write sections 1-6 when there is one."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from assistant.briefing.assemble import assemble, not_found
from assistant.briefing.coverage import coverage_drafts
from assistant.briefing.duplicates import merge_duplicates
from assistant.briefing.records import SECTION_TITLES, Briefing, CorpusState, Draft
from assistant.briefing.sections import section_drafts
from assistant.briefing.selection import (
    PER_QUERY_K,
    SCAN_LIMIT,
    SUBQUERIES,
    retrieve,
    select_chunks,
    sentence_units,
    topic_focus,
)
from assistant.core.records import Hit
from assistant.language.entities import PLACE_PARTS

if TYPE_CHECKING:
    from assistant.answering.generative import GenerativeAnswerer
    from assistant.briefing.writer import SectionWriter, WrittenSection

Progress = Callable[[str], None]

_FALLBACK_NOTE = (
    "De tekst van het taalmodel voor deze sectie is niet door de bronnen gestaafd ({reason}); hieronder de "
    "letterlijke passages."
)


class _Assistant(Protocol):
    """What the generator needs from `assistant.composition.Assistant` (a protocol keeps tests light)."""

    def search(self, query: str, k: int | None = None, flt: Any = None) -> list[Hit]: ...

    @property
    def store(self) -> Any: ...

    @property
    def manifest(self) -> Any: ...


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
        from assistant.answering.generative import GenerativeAnswerer
        from assistant.briefing.writer import SectionWriter

        answerer: object = self.writer
        if self.writer == "auto":
            answering = getattr(getattr(self.assistant, "settings", None), "answering", None)
            if answering is None or getattr(answering, "llm_backend", "none") == "none":
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
        primary, words = topic_focus(topic)
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

        say(f"Zoeken in de documenten ({len(SUBQUERIES) + 1} deelvragen)")
        scores = retrieve(self.assistant.search, topic, names, words, self.per_query_k)
        t2 = time.perf_counter()
        timings["retrieve"] = (t2 - t1) * 1000

        say("Passages over het onderwerp verzamelen")
        store = self.assistant.store
        chunks, on_topic = select_chunks(store, scores, names, words, self.scan_limit)
        t3 = time.perf_counter()
        timings["select"] = (t3 - t2) * 1000

        generated_at = datetime.now().isoformat(timespec="seconds")
        if not on_topic:
            say("Niets gevonden over het onderwerp")
            briefing = not_found(topic, focus, scores, documents, corpus, generated_at)
            timings["total"] = (time.perf_counter() - t0) * 1000
            return Briefing(**{**briefing.__dict__, "timings_ms": timings})

        say("Personen, organisaties en gebeurtenissen herkennen")
        units = sentence_units(chunks, on_topic, scores, names, words, documents)
        t4 = time.perf_counter()
        timings["entities"] = (t4 - t3) * 1000

        say("Secties samenstellen")
        drafts = merge_duplicates(section_drafts(units, corpus, focus), getattr(self.assistant, "embedder", None))
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
        # Conflicting figures are looked up in the whole index when it is small enough to scan.
        scanned = store.all_chunks() if store.count() <= self.scan_limit else [u.chunk for u in units]
        drafts += coverage_drafts(topic, focus, units, drafts, documents, corpus, scanned)
        briefing = assemble(topic, focus, drafts, documents, corpus, generated_at, written)
        if writer is not None:
            model = writer.answerer.model
            briefing = Briefing(**{**briefing.__dict__, "written_by": f"{model!r}, verificatie: {writer.mode}"})
        timings["compose"] += (time.perf_counter() - t6) * 1000
        timings["total"] = (time.perf_counter() - t0) * 1000
        say("Klaar")
        return Briefing(**{**briefing.__dict__, "timings_ms": timings})

    # --- LLM-written sections -----------------------------------------------------------------------------

    def _write(
        self, writer: SectionWriter, focus: Sequence[str], drafts: list[Draft], say: Progress
    ) -> tuple[list[Draft], dict[str, WrittenSection]]:
        """Sections 1-6 written by the LLM from the passages their rules selected, verified like chat
        answers; a section whose text fails verification keeps its extractive lines, with a note."""
        from assistant.answering.llm import LLMError
        from assistant.briefing.writer import SECTION_TASKS, WrittenSection, section_passages

        subject = ", ".join(focus)
        written: dict[str, WrittenSection] = {}
        out: list[Draft] = []
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
                out.extend(Draft(key, "", line.text, list(line.refs)) for line in result.lines)
            else:
                out.append(Draft(key, "Let op", _FALLBACK_NOTE.format(reason=result.reason), []))
                out.extend(mine)
        return out, written
