"""Page script (run by st.navigation)."""

from assistant.ui.chat import page

page()
