"""How sentences and questions hang together: a question that asks why, a sentence that gives a reason, a
sentence that leans on the one before it ("Daarom …", "Daarvan is sprake als …"). Pure functions over text;
the lexicon of causal connectives (`causal-connectives.txt`) carries its provenance."""

from __future__ import annotations

import re

from assistant.core.lexicons import phrase_pattern, sections
from assistant.core.text import fold

# "Waarom …", "Why …", "Om welke reden …", "Wat is de reden …", "Hoe komt het dat …": the answer is a reason,
# not a value. A sentence that gives one says so with a causal connective (the general lexicon
# `causal-connectives.txt`, with its provenance).
_ASKS_REASON = re.compile(
    r"\b(?:waarom|why|how come|hoe komt het)\b|^\s*(?:en\s+|and\s+)?waardoor\b"
    r"|\b(?:om|for) (?:welke|what) (?:reden|redenen|reasons?)\b"
    r"|\b(?:wat|what) (?:is|was|zijn|waren|are|were) (?:de|the) (?:reden|redenen|reasons?|oorzaak|oorzaken|causes?)\b"
)
_CAUSAL = sections("causal-connectives")
_GIVES_REASON = re.compile(r"\b(?:" + phrase_pattern([*_CAUSAL["forward"], *_CAUSAL["back"]]) + r")\b")
# A connective that opens the sentence, then a space or a comma ("Zo kan het …", "Therefore, …"; not "Zo'n …").
_REASON_BEFORE = re.compile(
    r"^\W*(?:" + phrase_pattern([*_CAUSAL["back"], *_CAUSAL["back, at the start only"]]) + r")(?=[\s,])"
)


def asks_reason(question: str) -> bool:
    """Does the question ask why (see `_ASKS_REASON`)?"""
    return _ASKS_REASON.search(fold(question)) is not None


def gives_reason(text: str) -> bool:
    """Does `text` state a cause, reason or purpose (a causal connective anywhere in it)?"""
    return _GIVES_REASON.search(fold(text)) is not None


def reason_before(sentence: str) -> bool:
    """Does `sentence` open with a connective that points at the sentence before it for its reason
    ("Daarom …", "Hierdoor …", "For this reason …")? Alone it says only half of what it means."""
    return _REASON_BEFORE.search(fold(sentence)) is not None


# Dutch pronominal adverbs (ANS 8.6: daar/er/hier + preposition, "daarvan", "eraan", "hierover") stand for
# something said before.
_PRONOMINAL_PREPOSITIONS = (
    r"(?:aan|achter|bij|binnen|boven|buiten|door|in|langs|mee|na|naar|naast|om|onder|op|over|tegen|toe|tussen"
    r"|uit|van|voor|zonder)"
)
PRONOMINAL_ADVERB = r"(?:daar|er|hier)" + _PRONOMINAL_PREPOSITIONS
# Opening a sentence, the demonstrative ones ("Daarvan is sprake als …", "Hierbij gaat het om …") point at the
# sentence before it ("er" opening a sentence is mostly the existential "Er is …").
_POINTS_BACK = re.compile(r"^\W*(?:daar|hier)" + _PRONOMINAL_PREPOSITIONS + r"\b")


def leans_on_previous(sentence: str) -> bool:
    """Does `sentence` say only half of what it means without the one before it: a connective of reason
    ("Daarom …") or a demonstrative pronominal adverb ("Daarvan is in ieder geval sprake als …") opening it?"""
    return reason_before(sentence) or _POINTS_BACK.search(fold(sentence)) is not None
