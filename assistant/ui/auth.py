"""Sign-in for the app, decided once per run in app.py before any page is drawn.

1. OIDC (Streamlit's `st.login`) when `.streamlit/secrets.toml` has an `[auth]` section; groups come from
   ASSISTANT_OIDC_GROUPS (per e-mail or @domain) and optionally a token claim, the role likewise from
   ASSISTANT_OIDC_ROLES and ASSISTANT_OIDC_ROLES_CLAIM.
2. Otherwise local users with passwords (`assistant users add`), when the users file has any; their groups
   and role come from it.
3. Otherwise nobody signs in: the app serves this computer only and shows public documents only; bound to
   any other address it refuses to start. Its one user is an admin (the person at this computer, who owns
   the data dir anyway), so uploads and deletions work as before roles existed.
The signed-in principal lives in the session; pages get it through `state.principal()`, which falls back to
public (least privilege) when nothing was decided.
"""

from __future__ import annotations

import importlib.util
import math
from typing import Any, Literal

import streamlit as st

from assistant.access.principal import Principal
from assistant.access.users import SignInThrottle
from assistant.core.config import Settings
from assistant.core.errors import AssistantError
from assistant.core.groups import Role
from assistant.ui import state
from assistant.ui.i18n import t
from assistant.ui.render import escape_markdown

LOGIN_LOGGED_KEY = "auth_login_logged"
REVOKED_KEY = "auth_revoked"
Mode = Literal["oidc", "password", "none"]
_LOOPBACK = ("localhost", "::1", "[::1]")
# Without sign-in: public documents only (the server is shared with nobody), may change the library as before.
_LOCAL = Principal("lokaal", role=Role.ADMIN)


def is_local_address(address: str | None) -> bool:
    """Whether Streamlit serves this computer only. Unset means all interfaces (Streamlit's default)."""
    if not address:
        return False
    value = address.strip().lower()
    return value in _LOOPBACK or value.startswith("127.")


def _oidc_section() -> Any:
    try:
        return st.secrets.get("auth") if "auth" in st.secrets else None
    except Exception:  # no secrets.toml at all: Streamlit raises on access
        return None


def auth_mode(settings: Settings) -> Mode:
    if _oidc_section():
        return "oidc"
    from assistant.access.users import UserStore

    return "password" if UserStore(settings.users_path).users() else "none"


def _audit(action: str, user: str, **details: Any) -> None:
    state.get_assistant().audit.record(action, user, session=state.session_id(), **details)


def _sidebar(principal: Principal, mode: Mode) -> None:
    sb = st.sidebar
    groups = ", ".join(sorted(principal.groups)) or t("auth.groups.none")
    if mode == "none":
        sb.caption(t("auth.local_only"))
        return
    role = t(f"role.{principal.role.value}")
    sb.markdown(t("auth.signed_in", name=escape_markdown(principal.name), groups=escape_markdown(groups), role=role))
    if sb.button(t("auth.logout"), key="auth_logout", icon=":material/logout:"):
        _audit("logout", principal.name)
        st.session_state.pop(state.PRINCIPAL_KEY, None)
        st.session_state.pop(LOGIN_LOGGED_KEY, None)
        st.session_state.clear()  # the conversation belongs to the user who signed out
        if mode == "oidc":
            st.logout()
        st.rerun()


def _password_form(settings: Settings) -> Principal | None:
    from assistant.access.users import UserStore

    st.title(t("auth.title"))
    st.caption(t("auth.caption"))
    with st.form("login_form"):
        name = st.text_input(t("auth.user"), key="login_user")
        password = st.text_input(t("auth.password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("auth.go"), type="primary")
    if not submitted:
        return None
    throttle = _throttle()
    keys = (f"user:{name.strip().lower()[:64]}", f"address:{st.context.ip_address or 'unknown'}")
    wait = throttle.wait_s(*keys)
    if wait > 0:
        _audit("login_refused", name.strip()[:64], method="password", wait_s=math.ceil(wait))
        st.error(t("auth.wait", seconds=math.ceil(wait)))
        return None
    principal = UserStore(settings.users_path).authenticate(name, password)
    if principal is None:
        failures = throttle.failed(*keys)
        _audit("login_failed", name.strip()[:64], method="password", consecutive=failures)
        st.error(t("auth.wrong"))
        return None
    throttle.succeeded(*keys)
    _audit("login", principal.name, method="password", groups=sorted(principal.groups), role=principal.role.value)
    return principal


@st.cache_resource(show_spinner=False)
def _throttle() -> SignInThrottle:
    """One per app process: every session's failed sign-ins count together, per user name and per address."""
    return SignInThrottle()


def _still_valid(settings: Settings, known: Principal) -> Principal | None:
    """The session's user as the users file says now, read on every request (a small JSON file): None when the
    account was removed, the current groups and role when they changed. So a removed or demoted user loses
    access at the next action, not at the next sign-in."""
    current = recheck(settings, known)
    if current is not None and current != known:
        _audit(
            "session_groups_changed",
            known.name,
            before=sorted(known.groups),
            after=sorted(current.groups),
            role_before=known.role.value,
            role_after=current.role.value,
        )
    return current


def recheck(settings: Settings, known: Principal) -> Principal | None:
    """`known` as the users file says now with password sign-in (None: removed, disabled, or the sign-in mode
    changed);
    with OIDC or no sign-in the session's principal is already this run's. Also for button callbacks, which
    run before `require_principal` checks the session again."""
    from assistant.access.users import UserStore

    if _oidc_section():
        return known
    users = UserStore(settings.users_path).users()
    if not users:
        return known if known == _LOCAL else None
    user = users.get(known.name)
    return user.principal() if user is not None and user.enabled else None


def _oidc(settings: Settings) -> Principal | None:
    from assistant.access.users import groups_for_claims, role_for_claims

    if not st.user.is_logged_in:
        st.title(t("auth.title"))
        if importlib.util.find_spec("authlib") is None:
            st.error(t("auth.oidc.missing"))
            return None
        if st.button(t("auth.oidc"), key="auth_oidc", type="primary"):
            st.login()
        return None
    claims = {k: v for k, v in dict(st.user).items() if k != "tokens"}
    name = str(claims.get("email") or claims.get("name") or claims.get("sub") or "oidc-user")
    groups = groups_for_claims(claims, settings.access.oidc_groups, settings.access.oidc_groups_claim)
    role = role_for_claims(claims, settings.access.oidc_roles, settings.access.oidc_roles_claim)
    principal = Principal(name, groups, role=role)
    if not st.session_state.get(LOGIN_LOGGED_KEY):
        _audit("login", name, method="oidc", groups=sorted(groups), role=role.value)
        st.session_state[LOGIN_LOGGED_KEY] = True
    return principal


def require_principal(settings: Settings) -> Principal:
    """The signed-in principal; otherwise draws the sign-in (or the refusal) and stops the run."""
    try:
        mode = auth_mode(settings)
    except AssistantError as exc:  # e.g. a damaged users file: say so, serve nothing
        st.error(str(exc))
        st.stop()
    principal: Principal | None
    if mode == "none":
        address = st.get_option("server.address")
        if not is_local_address(address):
            st.error(t("auth.remote_refused", address=address or "0.0.0.0"))
            st.stop()
        principal = _LOCAL
    elif mode == "oidc":
        principal = _oidc(settings)
    else:
        known = st.session_state.get(state.PRINCIPAL_KEY)
        principal = _still_valid(settings, known) if isinstance(known, Principal) else None
        if isinstance(known, Principal) and principal != known:
            # Earlier answers may quote what the new groups may not see; a removed account keeps nothing.
            if principal is None:
                _audit("session_revoked", known.name, method="password")
            st.session_state.clear()
            st.session_state[state.PRINCIPAL_KEY if principal else REVOKED_KEY] = principal or True
            st.rerun()  # widgets start over with the cleared state
        if st.session_state.pop(REVOKED_KEY, False):
            st.warning(t("auth.revoked"))
        if principal is None:
            principal = _password_form(settings)
            if principal is not None:
                st.session_state[state.PRINCIPAL_KEY] = principal
                st.rerun()  # draw the app without the sign-in form
    if principal is None:
        st.session_state.pop(state.PRINCIPAL_KEY, None)
        st.stop()
    st.session_state[state.PRINCIPAL_KEY] = principal
    _sidebar(principal, mode)
    return principal


def gate() -> Principal:
    """app.py's entry: settings, then `require_principal`. Stops the run on invalid settings."""
    from assistant.core.config import load_settings

    try:
        settings = load_settings()
    except AssistantError as exc:
        st.error(str(exc))
        st.stop()
    return require_principal(settings)


def may_see_settings() -> bool:
    """The settings and diagnostics page (server paths, models) is for administrators: the operator, the one
    local user without sign-in, users with the admin role."""
    return state.principal().role is Role.ADMIN
