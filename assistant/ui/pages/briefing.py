"""Page script (run by st.navigation)."""

from assistant.ui.briefing import page

page()
