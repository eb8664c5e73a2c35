"""Sentences that address the reader instead of reporting: calls to action, sign-up and navigation texts.

Web pages and brochures saved into an archive carry them ("Schrijf je dan nu in voor de conferentie",
"Lees meer", "Ben je werkzaam in veiligheid? Heb je interesse in …?"). They name the subject, so a briefing
would quote them as if they were facts. Two general signs, no document's wording:
- the sentence opens with an imperative call to action (`call-to-action.txt`), possibly after a linking
  word ("Schrijf je dan nu in", "Dus meld u aan");
- it is a question in the informal second person ("Ben je …?", "Heb jij …?", "Are you …?"): reports do not
  ask their reader questions; a questionnaire heading ("WIE HEB JE ONTMOET?") is a heading, not a line.
Formal "u" alone is no sign: letters to the council address it ("Hierbij bied ik u het plan aan").
"""

from __future__ import annotations

import re

from assistant.core.lexicons import phrase_pattern, words

_OPENERS = r"(?:(?:dus|dan|en|ook|so|and|now|nu)\s+)?"
_CALL = re.compile(rf"^\W*{_OPENERS}(?:{phrase_pattern(words('call-to-action'))})\b", re.IGNORECASE)
_INFORMAL_YOU = re.compile(r"\b(?:je|jij|jouw|jullie|you|your)\b", re.IGNORECASE)


def addresses_reader(sentence: str) -> bool:
    """Is `sentence` a call to action or a question to the reader rather than content?"""
    text = sentence.strip()
    if _CALL.match(text):
        return True
    return text.endswith("?") and _INFORMAL_YOU.search(text) is not None


__all__ = ["addresses_reader"]
