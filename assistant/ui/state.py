"""Per-session state (the conversation) and the one per-process Assistant.

`st.session_state` belongs to one browser session, so two users never see each other's conversations. The
Assistant (models, store, manifest) is shared by all sessions through `st.cache_resource`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import streamlit as st

from assistant.access.principal import Principal
from assistant.access.scoped import ScopedAssistant
from assistant.answering.answerer import Turn
from assistant.composition import Assistant, build_assistant
from assistant.core.config import Settings, load_settings
from assistant.core.errors import AssistantError
from assistant.core.records import Answer
from assistant.plugins import Plugins, discover
from assistant.ui.i18n import t

TURNS_KEY = "chat_turns"
SESSION_ID_KEY = "audit_session_id"
PRINCIPAL_KEY = "auth_principal"  # the signed-in Principal, set by assistant.ui.auth


@dataclass
class ChatTurn:
    """One question and its answer, as shown in the chat and exported."""

    question: str
    answer: Answer
    asked_at: str = field(default_factory=lambda: datetime.now().isoformat(timespec="seconds"))
    turn_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    feedback_saved: bool = False


@st.cache_resource(show_spinner=False)
def _assistant_for(fingerprint: str) -> Assistant:
    # Keyed on the settings so a test (or an edited .env) gets its own; in normal use this runs once per process.
    assistant = build_assistant(load_settings())
    assistant.warm_in_background()  # a server lives long: its idle time embeds the answer sentences
    return assistant


@st.cache_resource(show_spinner=False)
def plugins() -> Plugins:
    """The plugins' pages, found once per process (reading every installed package's entry points on each
    rerun would cost every click); a plugin that did not load is logged once, in the server's log."""
    found = discover()
    for broken in found.broken:
        logging.getLogger(__name__).warning("%s", broken.message)
    return found


def get_assistant() -> Assistant:
    """The shared Assistant. Raises AssistantError (e.g. invalid settings); pages show it with st.error."""
    settings = load_settings()
    with st.spinner(t("loading")):
        return _assistant_for(settings.model_dump_json())


def session_id() -> str:
    """A random id for this browser session, on every audit entry it causes (which entries belong together)."""
    if SESSION_ID_KEY not in st.session_state:
        st.session_state[SESSION_ID_KEY] = uuid.uuid4().hex[:16]
    return str(st.session_state[SESSION_ID_KEY])


def principal() -> Principal:
    """This session's signed-in principal (set by assistant.ui.auth); public only when none was decided."""
    value = st.session_state.get(PRINCIPAL_KEY)
    return value if isinstance(value, Principal) else Principal.public()


def assistant_or_error() -> ScopedAssistant | None:
    """The Assistant as this session's user may see it (access groups, audit), or None after showing the
    domain error to the user (never a traceback). Pages use only this, so none filters on its own."""
    try:
        return get_assistant().scoped(principal(), session=session_id())
    except AssistantError as exc:
        st.error(str(exc))
        return None


def turns() -> list[ChatTurn]:
    """This session's conversation (created on first use)."""
    if TURNS_KEY not in st.session_state:
        st.session_state[TURNS_KEY] = []
    value: list[ChatTurn] = st.session_state[TURNS_KEY]
    return value


def new_conversation() -> None:
    st.session_state[TURNS_KEY] = []


def history(conversation: list[ChatTurn]) -> list[Turn]:
    """The conversation as answerer turns, so follow-up questions can be resolved."""
    out: list[Turn] = []
    for turn in conversation:
        out.append(Turn("user", turn.question))
        out.append(Turn("assistant", turn.answer.text, tuple(dict.fromkeys(c.doc_id for c in turn.answer.citations))))
    return out


def uploads_dir(settings: Settings) -> Path:
    return settings.storage.data_dir / "uploads"


def runs_dir(settings: Settings) -> Path:
    return settings.storage.data_dir / "runs"


def feedback_path(settings: Settings) -> Path:
    return settings.storage.data_dir / "feedback.sqlite3"
