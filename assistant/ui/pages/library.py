"""Page script (run by st.navigation)."""

from assistant.ui.library import page

page()
