"""Streamlit entry point. Thin on purpose: page setup and navigation; everything else lives in assistant.ui, and
in the plugins' pages (eval's evaluation page, found through assistant.plugins).

Run with `streamlit run app.py`. The Assistant (models, index) is built once per process and shared by all
sessions (assistant.ui.state.get_assistant, st.cache_resource); conversations live in each session's state.
"""

from __future__ import annotations

from assistant.core.offline import quiet_offline_environment

quiet_offline_environment()

import streamlit as st  # noqa: E402

from assistant.ui.i18n import SESSION_KEY, t  # noqa: E402

st.set_page_config(page_title="Beleidsassistent", page_icon="📑", layout="wide")
st.sidebar.toggle(t("lang.toggle"), key=SESSION_KEY, help="Nederlands / English")

from assistant.ui import state  # noqa: E402
from assistant.ui.auth import gate, may_see_settings  # noqa: E402
from assistant.ui.render import escape_markdown  # noqa: E402

gate()  # sign-in (or the localhost-only notice) before any page is drawn; stops the run when signed out
pages = [
    st.Page("assistant/ui/pages/chat.py", title=t("nav.chat"), icon=":material/chat:", default=True),
    st.Page(
        "assistant/ui/pages/library.py",
        title=t("nav.documents"),
        icon=":material/library_books:",
        url_path="documenten",
    ),
    st.Page(
        "assistant/ui/pages/briefing.py",
        title=t("nav.briefing"),
        icon=":material/description:",
        url_path="briefing",
    ),
]
plugins = state.plugins()  # the evaluation page is eval's (a plugin): nothing in assistant/ imports eval
pages += [st.Page(p.script, title=t(p.title), icon=p.icon, url_path=p.url_path) for p in plugins.pages()]
for broken in plugins.broken:  # the rest of the app works without it; administrators also see why
    detail = f" ({escape_markdown(broken.reason)})" if may_see_settings() else ""
    st.sidebar.warning(t("plugin.broken", name=broken.name) + detail)
if may_see_settings():  # models, paths and settings are for whoever runs the installation
    pages.append(
        st.Page("assistant/ui/pages/about.py", title=t("nav.about"), icon=":material/settings:", url_path="over")
    )
st.navigation(pages).run()
