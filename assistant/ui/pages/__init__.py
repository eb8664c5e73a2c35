"""Page scripts for `st.navigation`: each runs one page of `assistant.ui`. Not meant to be imported."""
