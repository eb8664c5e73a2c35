"""The documents page: what is in the index, adding and deleting documents, re-indexing, a search preview."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import streamlit as st

from assistant.access.principal import Principal
from assistant.access.scoped import ScopedAssistant as Assistant
from assistant.core.errors import AccessDeniedError, AssistantError
from assistant.core.groups import parse_groups
from assistant.ui import state
from assistant.ui.i18n import doc_type_label, t
from assistant.ui.render import PASSAGE_STYLE, escape_label, escape_markdown, highlight_terms_html, strip_markdown
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.pipeline import FileResult, IngestMeter, discover
from ingest.uploads import remove_upload, store_upload

UPLOAD_KEY = "docs_upload_round"  # bumping it gives a fresh, empty file uploader after an upload
CONFIRM_KEY = "docs_confirm_delete"
PROBLEMS_KEY = "docs_upload_problems"
PENDING_KEY = "docs_upload_pending"
NOTICES_KEY = "docs_upload_notices"
GROUP_KEY = "docs_upload_group"  # the access group chosen for the next upload; "" = public
FLASH_KEY = "docs_flash"  # a message that survives the rerun after a deletion
OK_STATUSES = ("ingested", "updated", "unchanged", "duplicate")


def check_upload(name: str, size: int, max_mb: int) -> tuple[str, dict[str, object]] | None:
    """Why an uploaded file is refused, as (i18n key, values); None when it is acceptable."""
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED_SUFFIXES:
        allowed = ", ".join(sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES))
        return "docs.upload.bad_type", {"name": name, "ext": ext or "(geen)", "allowed": allowed}
    if size == 0:
        return "docs.upload.empty", {"name": name}
    if size > max_mb * 1024 * 1024:
        return "docs.upload.too_big", {"name": name, "size": size / (1024 * 1024), "mb": max_mb}
    return None


def safe_filename(name: str) -> str:
    """A plain file name: no folders, no odd characters, never hidden."""
    base = Path(name.replace("\\", "/")).name
    stem, ext = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^\w.\- ]+", "_", stem, flags=re.UNICODE).strip(" .") or "document"
    return f"{stem[:120]}{ext}"


def _ingest_with_progress(
    assistant: Assistant, paths: list[Path], label: str, *, uploads: Path | None = None, reread: bool = False
) -> None:
    """`uploads`: the folder the files were just uploaded to; a file ingest refuses is removed from it (it would
    fail again on every re-index), and the page says so. `reread`: unchanged files are read again too."""
    try:
        total = max(1, len(discover(paths)[0]))
    except AssistantError:
        total = 1
    bar = st.progress(0.0, text=t("docs.progress", done=0, total=total))
    meter = IngestMeter(planned=total)
    with st.status(label, expanded=True) as box:

        def progress(result: FileResult) -> None:
            meter.add(result)
            eta = meter.eta_s
            text = t("docs.progress", done=meter.done, total=total)
            if meter.chunks:
                text += " · " + t("docs.rate", chunks=meter.chunks, rate=meter.chunks_per_s)
            if eta is not None:
                text += " · " + t("docs.eta", minutes=int(eta // 60), seconds=int(eta % 60))
            bar.progress(min(1.0, meter.done / total), text=text)
            icon = "✅" if result.status in OK_STATUSES else "⚠️" if result.status == "skipped" else "❌"
            status = t(f"status.{result.status}")
            line = f"{icon} {escape_markdown(t('docs.result', source=result.source, status=status))}"
            if result.error:
                line += f" — {escape_markdown(result.error)}"
            box.markdown(line)

        try:
            report = assistant.ingest(paths, sync=False, reread=reread, progress=progress)
        except AssistantError as exc:
            box.update(state="error")
            st.error(str(exc))
            return
        state.get_assistant().warm_in_background()
        if uploads is not None:
            for r in report.results:
                if r.status in ("failed", "skipped") and Path(r.path).resolve().is_relative_to(uploads.resolve()):
                    remove_upload(Path(r.path))
                    # Nor listed as a failed file that no longer exists.
                    state.get_assistant().manifest.remove_file(r.path)
                    assistant.audit("upload_refused", file=r.source, reason=r.error or r.status)
                    st.warning(escape_markdown(t("docs.upload.removed", name=r.source)))
        failed = sum(1 for r in report.results if r.status == "failed")
        new = sum(1 for r in report.results if r.status in ("ingested", "updated"))
        unchanged = len(report.results) - new - failed
        label = t("docs.done", new=new, unchanged=unchanged, failed=failed)
        # Why stored documents were read again unasked (a newer reader, a changed chunk size): said once each.
        for reason, n in report.read_again().items():
            st.info(escape_markdown(t("docs.read_again", n=n, reason=reason)))
        box.update(label=label, state="error" if failed else "complete", expanded=bool(failed))


def _table(assistant: Assistant) -> None:
    docs = assistant.manifest.documents()
    chunks = sum(d.chunk_count for d in docs)
    st.caption(t("docs.count", docs=len(docs), chunks=chunks))
    # Said before anyone re-indexes: reading a large library again takes as long as its first ingest.
    for reason, n in (assistant.out_of_date() if assistant.principal.may_change_library else {}).items():
        st.warning(escape_markdown(t("docs.out_of_date", n=n, reason=reason)))
    if not docs:
        st.info(t("docs.none"))
    else:
        st.dataframe(
            [
                {
                    t("docs.col.title"): d.title,
                    t("docs.col.file"): d.source,
                    t("docs.col.type"): doc_type_label(d.doc_type),
                    t("docs.col.date"): d.date or "",
                    t("docs.col.pages"): d.pages,
                    t("docs.col.chunks"): d.chunk_count,
                    t("docs.col.status"): d.status,
                    t("docs.col.warnings"): "; ".join(d.warnings),
                }
                for d in docs
            ],
            hide_index=True,
            width="stretch",
        )
    failed = [f for f in assistant.manifest.files() if f.status == "failed"]
    if failed:
        st.subheader(t("docs.failed"))
        st.dataframe(
            [{t("docs.col.file"): f.source, t("docs.col.error"): f.error or ""} for f in failed],
            hide_index=True,
            width="stretch",
        )


def _uploader() -> Principal | None:
    """The session's user as the users file says now, when allowed to upload: a callback runs before the
    page's sign-in check, so a user demoted a moment ago would otherwise still upload once."""
    from assistant.ui.auth import recheck

    assistant = state.assistant_or_error()
    if assistant is None:
        return None
    who = recheck(assistant.settings, state.principal())
    return who if who is not None and who.may_change_library else None


def _chosen_groups(who: Principal) -> tuple[str, ...] | None:
    """The access groups picked for this upload; None when the user may not upload there."""
    try:
        groups = parse_groups(str(st.session_state.get(GROUP_KEY) or ""))
    except ValueError:
        return None
    return groups if who.may_upload_to(groups) else None


Message = tuple[str, dict[str, object]]  # an i18n key and its values


def _accept_uploads(key: str, folder: Path, max_mb: int) -> None:
    """Button callback: check and save the chosen files, then give the page a fresh, empty uploader.

    Runs before the page script, so the ingest below shows its progress in the same run. Refuses on its own
    (not only by not drawing the button) when the user may not upload, or not into the chosen group."""
    files = st.session_state.get(key) or []
    who = _uploader()
    groups = _chosen_groups(who) if who is not None else None
    problems: list[Message] = []
    notices: list[Message] = []
    saved: list[str] = []
    if not files:
        problems = [("docs.upload.none", {})]
    elif who is None or groups is None:
        problems = _refuse_all(files, "docs.denied" if who is None else "docs.upload.bad_group")
    else:
        problems, notices, saved = _save(files, who, groups, folder, max_mb)
    st.session_state[PROBLEMS_KEY] = problems
    st.session_state[NOTICES_KEY] = notices
    st.session_state[PENDING_KEY] = saved
    st.session_state[UPLOAD_KEY] = int(st.session_state.get(UPLOAD_KEY, 0)) + 1


def _refuse_all(files: list[Any], reason: str) -> list[Message]:
    for f in files:
        _audit_refused(f.name, reason, f.size)
    return [(reason, {})]


def _save(
    files: list[Any], who: Principal, groups: tuple[str, ...], folder: Path, max_mb: int
) -> tuple[list[Message], list[Message], list[str]]:
    """Checked files stored as `who`'s uploads with `groups`: (problems, notices, saved paths)."""
    problems: list[Message] = []
    notices: list[Message] = []
    saved: list[str] = []
    for f in files:
        problem = check_upload(f.name, f.size, max_mb)
        if problem:
            problems.append(problem)
            _audit_refused(f.name, problem[0], f.size)
            continue
        try:
            stored = store_upload(folder, safe_filename(f.name), f.getvalue(), groups, who.name)
        except AssistantError as exc:
            problems.append(("docs.upload.failed", {"name": f.name, "error": str(exc)}))
            continue
        _audit_upload(stored.path, f.name, groups, f.size, stored.renamed)
        if stored.renamed:
            notices.append(("docs.upload.renamed", {"name": stored.requested, "stored": stored.path.name}))
        saved.append(str(stored.path))
    return problems, notices, saved


def _audit_upload(path: Path, name: str, groups: tuple[str, ...], size: int, renamed: bool) -> None:
    assistant = state.assistant_or_error()
    if assistant is not None:
        assistant.audit("upload", file=name, stored_as=path.name, groups=list(groups), bytes=size, new_version=renamed)


def _audit_refused(name: str, reason: str, size: int) -> None:
    assistant = state.assistant_or_error()
    if assistant is not None:
        assistant.audit("upload_refused", file=name, reason=reason, bytes=size)


def _group_label(value: str) -> str:
    return t("docs.upload.public") if not value else t("docs.upload.group_name", group=value)


def _upload(assistant: Assistant) -> None:
    st.subheader(t("docs.upload"))
    settings = assistant.settings
    key = f"docs_upload_{int(st.session_state.get(UPLOAD_KEY, 0))}"
    # No `type=` filter on purpose: a refused file gets a message saying why, not a silent browser filter.
    # The same limit in the browser (a larger file is never sent) and at ingest.
    st.file_uploader(
        t("docs.upload.label", mb=settings.ingest.max_file_mb),
        accept_multiple_files=True,
        key=key,
        max_upload_size=settings.ingest.max_file_mb,
    )
    choices = [",".join(groups) for groups in assistant.principal.upload_choices()]
    st.selectbox(
        t("docs.upload.group"), options=choices, format_func=_group_label, key=GROUP_KEY, placeholder=t("ui.choose")
    )
    st.button(
        t("docs.upload.go"),
        key="docs_upload_go",
        type="primary",
        on_click=_accept_uploads,
        args=(key, state.uploads_dir(settings), settings.ingest.max_file_mb),
    )
    for problem_key, values in st.session_state.pop(PROBLEMS_KEY, []):
        st.error(t(problem_key, **values))
    for notice_key, values in st.session_state.pop(NOTICES_KEY, []):
        st.info(escape_markdown(t(notice_key, **values)))
    pending = [Path(p) for p in st.session_state.pop(PENDING_KEY, [])]
    if pending:
        _ingest_with_progress(assistant, pending, t("docs.upload.go"), uploads=state.uploads_dir(settings))


def _delete(assistant: Assistant) -> None:
    """Only documents this user may edit are offered; `delete_document` checks again."""
    docs = assistant.editable_documents()
    if not docs:
        return
    st.subheader(t("docs.delete"))
    titles = {d.doc_id: d.title or d.source for d in docs}
    cols = st.columns([4, 1], vertical_alignment="bottom")
    doc_id = cols[0].selectbox(
        t("docs.delete.pick"),
        options=list(titles),
        format_func=lambda i: titles.get(i, i),
        index=None,  # nothing chosen until the user chooses: deleting is not a default
        placeholder=t("docs.delete.placeholder"),
        key="docs_delete_pick",
    )
    if cols[1].button(t("docs.delete.go"), key="docs_delete_go", width="stretch", disabled=doc_id is None):
        st.session_state[CONFIRM_KEY] = doc_id
    pending = st.session_state.get(CONFIRM_KEY)
    if not pending or pending not in titles:
        return
    doc = next(d for d in docs if d.doc_id == pending)
    st.warning(escape_markdown(t("docs.delete.confirm", title=titles[pending])))
    uploads = state.uploads_dir(assistant.settings).resolve()
    in_uploads = Path(doc.path).resolve().is_relative_to(uploads)
    if not in_uploads:
        st.caption(t("docs.delete.corpus_note"))
    yes, no = st.columns(2)
    if yes.button(t("docs.delete.yes"), key="docs_delete_yes", type="primary", width="stretch"):
        st.session_state.pop(CONFIRM_KEY, None)
        try:
            removed = assistant.delete_document(pending)
        except AccessDeniedError:
            st.error(t("docs.denied"))
            return
        except AssistantError as exc:
            st.error(str(exc))
            return
        if in_uploads:
            # An uploaded copy would otherwise come back on the next re-index.
            remove_upload(Path(doc.path))
        st.session_state[FLASH_KEY] = t(
            "docs.delete.done",
            title=titles[pending],
            chunks=removed,
            passages=t("word.passage" if removed == 1 else "word.passages"),
        )
        st.rerun()
    if no.button(t("docs.delete.no"), key="docs_delete_no", width="stretch"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()


def _reindex(assistant: Assistant) -> None:
    settings = assistant.settings
    st.subheader(t("docs.reindex"))
    st.caption(escape_markdown(t("docs.reindex.caption", corpus=settings.ingest.corpus_dir)))
    reread = st.checkbox(t("docs.reread"), key="docs_reread", help=t("docs.reread.help"))
    if st.button(t("docs.reindex"), key="docs_reindex", icon=":material/refresh:"):
        paths = [p for p in (settings.ingest.corpus_dir, state.uploads_dir(settings)) if p.exists()]
        _ingest_with_progress(assistant, paths, t("docs.reindex"), reread=reread)


def _search(assistant: Assistant) -> None:
    st.subheader(t("docs.search"))
    query = st.text_input(t("docs.search.label"), key="docs_search")
    if not query.strip():
        return
    try:
        hits = assistant.search(query.strip(), k=5)
    except AssistantError as exc:
        st.error(str(exc))
        return
    if not hits:
        st.info(t("docs.search.none"))
    for hit in hits:
        c = hit.chunk
        page = f" · {t('chat.page', page=c.page)}" if c.page else ""
        with st.container(border=True):
            st.markdown(f"**{hit.rank}. {escape_label(c.title)}** · {escape_label(c.source)}{page}")
            if c.heading_path:
                st.caption(escape_label(" › ".join(c.heading_path)))
            st.html(f'<div style="{PASSAGE_STYLE}">{highlight_terms_html(strip_markdown(c.text), query)}</div>')


def page() -> None:
    st.title(t("nav.documents"))
    st.caption(t("docs.caption"))
    assistant = state.assistant_or_error()
    if assistant is None:
        return
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(escape_markdown(str(flash)))
    try:
        # The table is drawn last (after an upload or re-index in this run) but shown first.
        table = st.container()
        if assistant.principal.may_change_library:
            _upload(assistant)
            _delete(assistant)
            _reindex(assistant)
        else:
            st.info(t("docs.reader_note"))
        _search(assistant)
        with table:
            _table(assistant)
    except AssistantError as exc:
        st.error(str(exc))
