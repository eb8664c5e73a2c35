"""The briefing page: a topic in, a cited briefing out (sections, sources with quotes, DOCX and Markdown).

Document text is data, never markup: every line is escaped before it reaches st.markdown. The briefing of
the last run is kept in the session, so downloads and reruns do not generate it again."""

from __future__ import annotations

import re
import time

import streamlit as st

from assistant.access.scoped import ScopedAssistant as Assistant
from assistant.briefing import (
    Briefing,
    BriefingLine,
    citation_line,
    corpus_line,
    to_docx,
    to_markdown,
    writer_line,
)
from assistant.core.errors import AssistantError
from assistant.language.citations import markdown_file_safe
from assistant.ui import state
from assistant.ui.i18n import t
from assistant.ui.render import escape_label, escape_markdown, passage_block, shorten

EXAMPLES = ("Brussel", "Strong Cities Network", "EFUS")
RESULT_KEY = "briefing_result"
TOPIC_KEY = "briefing_topic"
PENDING_KEY = "briefing_pending"
LABEL_CHARS = 160  # a source's label; the passage under it has the rest


def _slug(topic: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:60] or "briefing"


def line_markdown(line: BriefingLine) -> str:
    """One briefing line as safe Markdown: escaped text, label in bold, `[n]` markers kept readable."""
    body = escape_label(line.text)
    return f"- **{escape_label(line.label)}** — {body}" if line.label else f"- {body}"


def _pick(topic: str) -> None:
    st.session_state[TOPIC_KEY] = topic
    st.session_state[PENDING_KEY] = topic


def _generate(assistant: Assistant, topic: str) -> Briefing | None:
    started = time.perf_counter()
    try:
        with st.status(t("briefing.working"), expanded=False) as status:
            result = assistant.briefing(topic, progress=lambda msg: status.write(escape_markdown(msg)))
            status.update(label=t("briefing.done", seconds=time.perf_counter() - started), state="complete")
    except AssistantError as exc:
        st.error(str(exc))
        return None
    return result


def _audit_export(assistant: Assistant | None, kind: str, b: Briefing) -> None:
    if assistant is not None:
        cited = {c.doc_id: c.title for c in b.citations}
        documents = [{"doc_id": d, "title": x} for d, x in cited.items()]
        assistant.audit("export", kind=f"briefing-{kind}", topic=b.topic, cited=documents)


def render_briefing(b: Briefing, assistant: Assistant | None = None) -> None:
    st.subheader(escape_label(f"Briefing: {b.topic}"))
    st.caption(escape_label(corpus_line(b)))
    if (note := writer_line(b)) is not None:
        st.caption(escape_label(note))
    if not b.found:
        st.info(t("briefing.not_found"), icon=":material/search_off:")
    for section in b.sections:
        st.markdown(f"#### {escape_markdown(section.title)}")
        if section.lines:
            st.markdown("\n".join(line_markdown(line) for line in section.lines))
        elif section.empty_note:
            st.caption(escape_label(section.empty_note))
    if b.citations:
        st.markdown(f"#### {t('briefing.sources')}")
        chunks = {h.chunk.chunk_id: h.chunk for h in b.hits}
        for c in b.citations:
            with st.expander(escape_label(shorten(citation_line(c), LABEL_CHARS)), expanded=False):
                chunk = chunks.get(c.chunk_id)
                st.html(passage_block(chunk.text if chunk else c.quote, c.quote))
    slug = _slug(b.topic)
    left, right = st.columns(2)
    left.download_button(
        t("briefing.download.docx"),
        data=lambda: to_docx(b),  # built only when clicked
        file_name=f"briefing-{slug}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="briefing_docx",
        on_click=_audit_export,
        args=(assistant, "docx", b),
        icon=":material/download:",
        width="stretch",
    )
    right.download_button(
        t("briefing.download.md"),
        data=markdown_file_safe(to_markdown(b)),
        file_name=f"briefing-{slug}.md",
        mime="text/markdown",
        key="briefing_md",
        on_click=_audit_export,
        args=(assistant, "markdown", b),
        icon=":material/download:",
        width="stretch",
    )


def page() -> None:
    st.title(t("briefing.title"))
    st.caption(t("briefing.caption"))
    assistant = state.assistant_or_error()
    if assistant is None:
        return
    st.caption(t("briefing.examples"))
    cols = st.columns(len(EXAMPLES))
    for i, (col, example) in enumerate(zip(cols, EXAMPLES, strict=True)):
        col.button(example, key=f"briefing-example-{i}", width="stretch", on_click=_pick, args=(example,))
    with st.form("briefing_form", border=False):
        topic = st.text_input(t("briefing.topic"), key=TOPIC_KEY, placeholder=t("briefing.placeholder"))
        submitted = st.form_submit_button(t("briefing.go"), icon=":material/description:")
    pending = st.session_state.pop(PENDING_KEY, None)
    wanted = pending if isinstance(pending, str) else (topic if submitted else None)
    if wanted is not None and not wanted.strip():
        st.warning(t("briefing.empty"), icon=":material/edit:")
    elif wanted:
        result = _generate(assistant, wanted.strip())
        if result is not None:
            st.session_state[RESULT_KEY] = result
    current = st.session_state.get(RESULT_KEY)
    if isinstance(current, Briefing):
        render_briefing(current, assistant)
