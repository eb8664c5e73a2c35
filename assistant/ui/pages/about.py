"""Page script (run by st.navigation)."""

from assistant.ui.about import page

page()
