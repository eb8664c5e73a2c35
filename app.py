"""Streamlit entry point. Thin on purpose: session state and rendering; logic lives in the packages."""

from __future__ import annotations

from assistant.offline import quiet_offline_environment

quiet_offline_environment()

import streamlit as st  # noqa: E402

from assistant.config import load_settings  # noqa: E402
from assistant.errors import AssistantError  # noqa: E402
from assistant.factory import Assistant, build_assistant  # noqa: E402


@st.cache_resource(show_spinner="Modellen laden…")
def get_assistant() -> Assistant:
    # One per process, shared by all sessions: the model and store load once.
    return build_assistant(load_settings())


def search_page() -> None:
    st.title("Beleidsassistent")
    st.caption("Zoek in de beleidsdocumenten. Elke passage toont document, pagina en kop, zodat u alles kunt nagaan.")
    query = st.text_input("Zoekvraag", placeholder="Bijv. In welk jaar is Den Haag lid geworden van EFUS?")
    if not query:
        return
    try:
        hits = get_assistant().search(query)
    except AssistantError as exc:
        st.error(str(exc))
        return
    if not hits:
        st.info("Geen passages gevonden. Zijn er documenten ingelezen?")
    for hit in hits:
        c = hit.chunk
        page = f", p. {c.page}" if c.page else ""
        with st.container(border=True):
            st.markdown(f"**{hit.rank}. {c.title}** · `{c.source}`{page} · score {hit.score:.2f}")
            if c.heading_path:
                st.caption(" › ".join(c.heading_path))
            st.text(c.text)


def library_page() -> None:
    st.title("Documenten")
    try:
        a = get_assistant()
        docs = a.manifest.documents()
    except AssistantError as exc:
        st.error(str(exc))
        return
    st.dataframe(
        [
            {
                "titel": d.title,
                "bestand": d.source,
                "type": d.doc_type,
                "datum": d.date or "",
                "pagina's": d.pages,
                "passages": d.chunk_count,
                "waarschuwingen": "; ".join(d.warnings),
            }
            for d in docs
        ],
        use_container_width=True,
    )


st.set_page_config(page_title="Beleidsassistent", page_icon="📑", layout="wide")
st.navigation([st.Page(search_page, title="Zoeken", default=True), st.Page(library_page, title="Documenten")]).run()
