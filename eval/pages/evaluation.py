"""Page script (run by st.navigation)."""

from eval.page import page

page()
