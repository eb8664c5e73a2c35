"""The Streamlit interface. `app.py` only wires pages; everything the user sees is built here.

Pure helpers (i18n, export, feedback store, HTML escaping/highlighting) have no Streamlit state and are unit
tested directly; the page modules render with Streamlit and are tested through `AppTest`.
"""
