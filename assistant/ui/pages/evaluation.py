"""Page script (run by st.navigation)."""

from assistant.ui.evaluation import page

page()
