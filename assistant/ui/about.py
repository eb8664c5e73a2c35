"""The About / Settings page: which models and settings are active. Secrets are never shown."""

from __future__ import annotations

import re

import streamlit as st

from assistant.core.config import Settings, describe_settings
from assistant.core.errors import AssistantError
from assistant.ui import state
from assistant.ui.i18n import t
from assistant.ui.render import escape_markdown

MASK = "••••••"
_SECRET_NAME = re.compile(r"key|token|password|passwd|secret|credential", re.IGNORECASE)
_URL_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def is_secret(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def safe_value(name: str, value: str) -> str:
    """The value as it may be shown: masked for secret-looking names; credentials in URLs removed."""
    if is_secret(name):
        return MASK if value not in ("", "None") else value
    return _URL_USERINFO.sub(lambda m: f"{m.group('scheme')}{MASK}@", value)


def settings_rows(settings: Settings) -> list[tuple[str, str, str]]:
    return [(name, safe_value(name, value), desc) for name, value, desc in describe_settings(settings)]


def llm_backend(settings: Settings) -> str | None:
    """The configured LLM backend (else the model name, if one is set); None without a language model."""
    for value in (settings.answering.llm_backend, settings.answering.llm_model):
        if value not in (None, "", "none"):
            return str(value)
    return None


def page() -> None:
    st.title(t("nav.about"))
    from assistant.ui.auth import may_see_settings

    if not may_see_settings():  # not in the navigation for them; a stale link still shows nothing
        st.warning(t("about.admins_only"))
        return
    st.caption(t("about.caption"))
    assistant = state.assistant_or_error()
    if assistant is None:
        return
    settings = assistant.settings
    try:
        status = assistant.status()
    except AssistantError as exc:
        st.error(str(exc))
        return
    llm = llm_backend(settings)
    search = settings.search
    rows = [
        (t("about.embedding"), status.embedding),
        (t("about.store"), f"{settings.storage.store_mode} · {status.collection}"),
        (
            t("about.retrieval"),
            search.retrieval
            if search.retrieval == "dense"
            else f"hybrid ({search.fusion}, dense {search.dense_weight} / BM25 {search.lexical_weight})",
        ),
        (t("about.llm"), safe_value("llm", llm) if llm else t("about.llm.none")),
        (t("about.corpus"), t("about.corpus.value", docs=status.documents, chunks=status.chunks)),
        (t("about.access"), assistant.principal.describe()),
    ]
    with st.container(border=True):
        for label, value in rows:
            st.markdown(f"**{label}:** {escape_markdown(value)}")
    st.caption(t("about.privacy"))
    st.subheader(t("about.settings"))
    st.dataframe(
        [
            {t("about.col.name"): name, t("about.col.value"): value, t("about.col.description"): desc}
            for name, value, desc in settings_rows(settings)
        ],
        hide_index=True,
        width="stretch",
    )
