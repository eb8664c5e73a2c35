"""The chat page: questions, progressively shown answers with checkable sources, filters, export, feedback."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import streamlit as st

from assistant.access.scoped import ScopedAssistant as Assistant
from assistant.answering.intent import briefing_request
from assistant.core.errors import AssistantError
from assistant.core.records import Answer
from assistant.ui import state
from assistant.ui.export import conversation_docx, conversation_markdown
from assistant.ui.feedback import FeedbackStore
from assistant.ui.i18n import current_lang, doc_type_label, t
from assistant.ui.render import escape_label, escape_markdown, render_answer_text, render_sources
from ingest.manifest import DocumentRow
from vectorstore.base import SearchFilter

EXAMPLES = {
    "nl": (
        "In welk jaar is de gemeente Den Haag lid geworden van EFUS?",
        "Wat zijn de vijf prioriteiten van de Coalitie voor veiligheid 2023-2026?",
        "Hoeveel dagen duurde de dienstreis naar Oslo?",
    ),
    "en": (
        "In which year did The Hague join EFUS?",
        "What are the five priorities of the Coalition for Safety 2023-2026?",
        "How many days did the trip to Oslo take?",
    ),
}
PENDING_KEY = "chat_pending_question"

log = logging.getLogger(__name__)


def _year(doc: DocumentRow) -> int | None:
    return int(doc.date[:4]) if doc.date and doc.date[:4].isdigit() else None


def sidebar_filters(documents: Sequence[DocumentRow]) -> SearchFilter:
    """Document / type / year filters in the sidebar, as a SearchFilter (empty when nothing is narrowed)."""
    sb = st.sidebar
    sb.subheader(t("chat.filters"))
    titles = {d.doc_id: d.title or d.source for d in documents}
    doc_ids: list[str] = sb.multiselect(
        t("chat.filter.docs"),
        options=list(titles),
        format_func=lambda i: titles.get(i, i),
        key="flt_docs",
        placeholder=t("chat.filter.all"),
    )
    types: list[str] = sb.multiselect(
        t("chat.filter.types"),
        options=sorted({d.doc_type for d in documents}),
        format_func=doc_type_label,
        key="flt_types",
        placeholder=t("chat.filter.all"),
    )
    years = sorted({y for d in documents if (y := _year(d)) is not None})
    year_from = year_to = None
    if len(years) >= 2:
        low, high = sb.slider(
            t("chat.filter.years"),
            min_value=years[0],
            max_value=years[-1],
            value=(years[0], years[-1]),
            key="flt_years",
        )
        if (low, high) != (years[0], years[-1]):
            year_from, year_to = int(low), int(high)
            sb.caption(t("chat.filter.years_note"))
    flt = SearchFilter(doc_ids=tuple(doc_ids), doc_types=tuple(types), year_from=year_from, year_to=year_to)
    return flt


def _sidebar_conversation(turns: list[state.ChatTurn], assistant: Assistant) -> None:
    sb = st.sidebar
    sb.divider()
    if sb.button(t("chat.new"), icon=":material/add_comment:", key="chat_new", width="stretch"):
        state.new_conversation()
        st.rerun()
    sb.subheader(t("chat.export"))
    if not turns:
        sb.caption(t("chat.export.empty"))
        return
    lang = current_lang()
    snapshot = list(turns)
    sb.download_button(
        t("chat.export.md"),
        data=conversation_markdown(snapshot, lang),
        file_name="gesprek-beleidsassistent.md",
        mime="text/markdown",
        key="export_md",
        on_click=_audit_export,
        args=(assistant, "markdown", snapshot),
        icon=":material/download:",
        width="stretch",
    )
    sb.download_button(
        t("chat.export.docx"),
        # Built only when clicked: a Word file per rerun would slow every question down.
        data=lambda: conversation_docx(snapshot, lang),
        file_name="gesprek-beleidsassistent.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="export_docx",
        on_click=_audit_export,
        args=(assistant, "docx", snapshot),
        icon=":material/download:",
        width="stretch",
    )


def _feedback(turn: state.ChatTurn, assistant: Assistant) -> None:
    if turn.feedback_saved:
        st.caption(t("feedback.thanks"))
        return
    rating = st.feedback("thumbs", key=f"fb-{turn.turn_id}")
    if rating is None:
        return
    comment = st.text_input(t("feedback.comment"), key=f"fb-comment-{turn.turn_id}")
    if st.button(t("feedback.send"), key=f"fb-send-{turn.turn_id}"):
        sources = [
            f"[{c.n}] {c.title} ({c.source}{f', p. {c.page}' if c.page is not None else ''})"
            for c in turn.answer.citations
        ]
        store = FeedbackStore(state.feedback_path(assistant.settings))
        store.add(turn.question, turn.answer.text, sources, 1 if rating == 1 else -1, comment)
        turn.feedback_saved = True
        st.rerun()


def _searched_as(turn: state.ChatTurn) -> None:
    if (topic := briefing_request(turn.question)) is not None:
        # A briefing request was answered by the briefing generator: say which topic it understood.
        st.caption(escape_label(t("chat.briefing", topic=turn.answer.query.strip() or topic)))
        return
    query = turn.answer.query.strip()
    if query and query != turn.question.strip():
        # A follow-up was searched as a rewritten question: show it, so a wrong reading can be spotted.
        st.caption(escape_label(t("chat.searched", query=query)))


def _render_turn(turn: state.ChatTurn, documents: dict[str, DocumentRow], assistant: Assistant, stream: bool) -> None:
    with st.chat_message("user"):
        st.markdown(escape_markdown(turn.question))
    with st.chat_message("assistant"):
        render_answer_text(turn.answer, stream=stream, key=turn.turn_id)
        render_sources(
            turn.answer, documents, turn.turn_id, on_download=assistant.audit, read_document=assistant.document_chunks
        )
        _searched_as(turn)  # with the sources: how they were found, not a preamble to the answer
        _feedback(turn, assistant)


def _audit_export(assistant: Assistant, kind: str, snapshot: list[state.ChatTurn]) -> None:
    cited = {c.doc_id: c.title for turn in snapshot for c in turn.answer.citations}
    assistant.audit(
        "export",
        kind=f"conversation-{kind}",
        questions=[turn.question for turn in snapshot],
        cited=[{"doc_id": d, "title": title} for d, title in cited.items()],
    )


def _ask_example(question: str) -> None:
    st.session_state[PENDING_KEY] = question


def _examples() -> None:
    st.caption(t("chat.examples"))
    # One under the other at full width: side by side, a narrow window cut the questions off mid-word.
    for i, question in enumerate(EXAMPLES[current_lang()]):
        st.button(question, key=f"example-{i}", width="stretch", on_click=_ask_example, args=(question,))


def page() -> None:
    st.title(t("app.title"))
    st.caption(t("chat.caption"))
    assistant = state.assistant_or_error()
    if assistant is None:
        return
    try:
        docs = assistant.manifest.documents()
    except AssistantError as exc:
        st.error(str(exc))
        return
    documents = {d.doc_id: d for d in docs}
    flt = sidebar_filters(docs)
    turns = state.turns()

    if not docs:
        st.info(t("chat.no_documents"))
    if not flt.empty:
        st.caption(t("chat.filter.active"))

    for turn in turns:
        _render_turn(turn, documents, assistant, stream=False)

    pending = st.session_state.pop(PENDING_KEY, None)
    examples = st.container()  # filled only when no question is being asked in this run
    prompt = st.chat_input(t("chat.placeholder"), key="chat_prompt")
    question = (prompt if isinstance(prompt, str) else None) or pending
    if not turns and docs and not question:
        with examples:
            _examples()
    if isinstance(question, str) and question.strip():
        _answer(question.strip(), assistant, turns, documents, flt)
    _sidebar_conversation(turns, assistant)


def _stream_llm(question: str, assistant: Assistant, turns: list[state.ChatTurn], flt: SearchFilter) -> Answer:
    """The model's tokens appear as they come; the verified answer (markers checked, unsupported sentences
    marked) then replaces the raw text."""
    with st.spinner(t("chat.thinking")):
        pieces, finish = assistant.stream(question, state.history(turns), None if flt.empty else flt)
    raw = st.empty()
    with raw.container():
        st.write_stream(pieces)
    answer = finish()
    raw.empty()
    return answer


def _answer(
    question: str,
    assistant: Assistant,
    turns: list[state.ChatTurn],
    documents: dict[str, DocumentRow],
    flt: SearchFilter,
) -> None:
    with st.chat_message("user"):
        st.markdown(escape_markdown(question))
    with st.chat_message("assistant"):
        try:
            if assistant.settings.answering.llm_backend != "none":
                answer = _stream_llm(question, assistant, turns, flt)
            else:
                with st.spinner(t("chat.thinking")):
                    answer = assistant.ask(question, state.history(turns), None if flt.empty else flt)
        except AssistantError as exc:
            st.error(str(exc))
            return
        except Exception:  # a store or model failure: the operator gets the traceback, the user a sentence
            log.exception("answering failed")
            st.error(t("chat.failed"))
            return
        turn = state.ChatTurn(question=question, answer=answer)
        turns.append(turn)
        # Streamed once; later reruns render the turn from the session's history.
        render_answer_text(turn.answer, stream=assistant.settings.answering.llm_backend == "none", key=turn.turn_id)
        render_sources(
            turn.answer, documents, turn.turn_id, on_download=assistant.audit, read_document=assistant.document_chunks
        )
        _searched_as(turn)
        _feedback(turn, assistant)
