"""Page scripts for `st.navigation` (registered through eval.plugin). Not meant to be imported."""
