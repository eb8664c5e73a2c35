"""What a chat message asks for, beyond a question: an explicit request for a briefing.

`briefing_request` is pure (text in, topic or None out) and deliberately narrow: only a message that asks
the assistant to *make* a briefing (or to prepare a visit) is one. "Stel een briefing op over de Benelux",
"Stel een briefing op voor de delegatie naar Oslo", "Briefing over Brussel", "Prepare a briefing on EFUS",
"Kun je een briefing maken over ...?", "Brief me on ..." are requests; a question that mentions a briefing
("Wat stond er in de briefing over Oslo?") or asks for a summary ("Zet op een rij wat de documenten zeggen
over X") stays a chat question.

The topic comes from a general rule, never from known names: the text after the subject preposition
(over/about/on/...) or else the audience preposition (voor/for), up to a ':', '?', '!' or ';'. When that
text is a trip ("een werkbezoek dat naar Gent gaat", "the mayor's visit to Lyon"), the topic is the
destination: the words after naar/to/aan/bij up to a verb or function word.
"""

from __future__ import annotations

import re

# Opening words of a request addressed to the assistant: an imperative, a modal question ("kun je", "could
# you"), a wish ("ik wil", "I need") or a plain "graag"/"please". A greeting may come first.
_GREETING = r"(?:(?:hoi|hallo|hi|hello|hey|goedemorgen|goedemiddag|beste|dear)\b[\s,!]*)?"
_VERB_EN = (
    r"(?:prepare|write|draft|create|make|give|generate|produce|compile|send|get|put\s+together|draw\s+up|do|"
    r"have|receive|see)"
)
_IMPERATIVE = (
    rf"(?:maak|schrijf|stel|geef|genereer|lever|bezorg|stuur|{_VERB_EN}|"
    r"help\s+(?:me|mij|ons|us)(?:\s+(?:met|with|aan))?)"
)
_MODAL = (
    r"(?:(?:kun|kan|kunt|wil|wilt|zou|zoudt)\s+(?:je|jij|u|jullie)|(?:can|could|would|will)\s+you)"
    r"(?:\s+(?:misschien|even|alsjeblieft|alstublieft|please|ook|nog|eens))*"
    rf"(?:\s+(?:help\s+(?:me|us)\s+(?:with\s+)?)?{_VERB_EN})?"
)
_WISH = (
    r"(?:(?:ik\s+(?:wil|wou|zou|heb|had)(?:\s+(?:graag|nog|even|eens))*|ik\s+ontvang\s+graag)|"
    rf"(?:i(?:\s+(?:need|want|would\s+like)|[’']d\s+like)(?:\s+(?:you\s+)?to\s+{_VERB_EN})?)|graag|please)"
)
_LEAD = rf"{_GREETING}(?:(?:graag|please|alsjeblieft|alstublieft)[\s,]+)?(?:{_IMPERATIVE}|{_MODAL}|{_WISH})\s+"
# Words that may stand between the request verb and the noun ("maak *me een korte* briefing").
_FILLER = (
    r"(?:(?:me|mij|ons|us|een|a|an|korte|kort|beknopte|bondige|kleine|nieuwe|short|brief|quick|concise|new|"
    r"graag|please|even|nog|snel|eens|for\s+me|voor\s+mij|helpen\s+met|help\s+with)\s+){0,4}"
)
_NOUN = r"(?:briefing(?:s?notitie|s?document)?|briefing\s+(?:note|paper|document|memo))"
# Visit preparation counts as a briefing ("maak een voorbereiding voor het bezoek aan X").
_PREP_NOUN = r"(?:bezoekvoorbereiding|reisvoorbereiding|voorbereiding)"
# Verbs and particles after the noun ("stel een briefing *op* voor", "kun je een briefing *maken* over").
_AFTER = (
    r"(?:(?:op|maken|opstellen|schrijven|geven|samenstellen|voorbereiden|klaarmaken|sturen|leveren|ontvangen|"
    r"hebben|krijgen|up|ready|"
    r"please|graag|alsjeblieft|alstublieft)\s+)*"
)
_SUBJECT = (
    r"(?:over|omtrent|inzake|betreffende|aangaande|met\s+betrekking\s+tot|m\.b\.t\.|rond|rondom|"
    r"about|on|regarding|concerning)"
)
_AUDIENCE = r"(?:voor|for|ahead\s+of|ter\s+voorbereiding\s+(?:op|van)|in\s+preparation\s+for)"
_END = r"[:?!;\n]"

_REQUEST = re.compile(rf"^{_LEAD}{_FILLER}(?P<noun>{_NOUN}|{_PREP_NOUN})\b\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
# "Briefing over X", "Briefing: X", "Korte briefing voor X" (the noun opens the message).
_NOUN_FIRST = re.compile(
    rf"^{_GREETING}(?:(?:een|a|an|korte|short|beknopte|quick)\s+){{0,2}}(?P<noun>{_NOUN})\s*"
    rf"(?P<rest>(?:[:\-–—]|{_SUBJECT}\b|{_AUDIENCE}\b).*)$",
    re.IGNORECASE | re.DOTALL,
)
# "Brief me on X", "Bereid me voor op het bezoek aan X", "Prepare me for the visit to X", "Help me prepare
# for the trip to X".
_VERB_FORM = re.compile(
    rf"^{_GREETING}(?:(?:graag|please)\s+)?(?:{_MODAL}\s+)?"
    r"(?:brief\s+(?:me|us|mij|ons)\s+(?P<brief>(?:on|about|regarding|over)\b.*)|"
    r"(?:(?:bereid|prepare)\s+(?:me|mij|ons|us)\s+(?:voor\s+)?|help\s+(?:me|us)\s+(?:to\s+)?prepare\s+)"
    r"(?P<prepare>(?:op|for|voor)\b.*))$",
    re.IGNORECASE | re.DOTALL,
)

_TRAVEL = (
    r"(?:delegatie|delegaties|delegation|delegations|bezoek|werkbezoek|bezoeken|visit|visits|reis|dienstreis|"
    r"werkreis|trip|missie|handelsmissie|mission|journey|afvaardiging)"
)
_DESTINATION = re.compile(rf"\b{_TRAVEL}\b.*?\b(?:naar|to|aan|bij)\s+(?P<place>.+)$", re.IGNORECASE | re.DOTALL)
# A destination ends at the verb or function word after it ("naar Brussel *gaat*", "to Oslo *in* May").
_PLACE_STOP = re.compile(
    r"\s+(?:gaat|gaan|reist|reizen|vertrekt|vertrekken|afreist|afreizen|komt|goes|go|going|travels|travel|"
    r"travelling|traveling|leaves|leaving|heads|is|are|zal|zullen|on|about|over|voor|for|met|with|om|op|"
    r"die|dat|that|which|who|en|and|in|during|tijdens|volgende|komende|next|this|deze|morgen|tomorrow|"
    r"vandaag|today|maken|opstellen|schrijven|geven)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
# An audience after the subject ("over EFUS *voor de delegatie*"): the subject ends there. Other uses of
# "voor" stay ("de Raad voor cultuur").
_AUDIENCE_TAIL = re.compile(
    rf"\s+(?:voor|for|ahead\s+of)\s+(?:(?:de|het|een|onze|mijn|the|a|an|our|my)\s+)?"
    rf"(?:\w+\s+)?(?:{_TRAVEL}|burgemeester|wethouder|directeur|minister|mayor|director|meeting|vergadering|"
    r"overleg|gesprek|bijeenkomst|conferentie|conference)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
_LEADING_ARTICLE = re.compile(r"^(?:(?:de|het|een|the|a|an)\s+)+")  # lower case only: "The Hague" stays
_TRAILING = re.compile(
    r"(?:[\s,]+(?:maken|opstellen|schrijven|geven|samenstellen|voorbereiden|klaarmaken|sturen|leveren|"
    r"alsjeblieft|alstublieft|a\.u\.b\.?|graag|please|for\s+me|voor\s+mij|aub))+$",
    re.IGNORECASE,
)
_QUOTES = "\"'“”„‘’«»`"


def _clean(topic: str) -> str:
    """Without surrounding punctuation, a trailing request word ("maken", "please") or a leading article."""
    topic = " ".join(topic.split()).strip(" ,.-–—")
    topic = _TRAILING.sub("", topic).strip(" ,.-–—")
    if len(topic) > 1 and topic[0] in _QUOTES and topic[-1] in _QUOTES:
        topic = topic[1:-1].strip()  # a quoted topic; "'s-Hertogenbosch" keeps its apostrophe
    return _LEADING_ARTICLE.sub("", topic).strip(" ,.-–—")


def _destination(phrase: str) -> str | None:
    """The place of a trip phrase ("een werkbezoek dat naar Gent gaat" -> "Gent"), else None."""
    match = _DESTINATION.search(phrase)
    if match is None:
        return None
    place = _clean(_PLACE_STOP.sub("", match.group("place")))
    return place or None


def _topic(rest: str, *, audience_ok: bool = True) -> str | None:
    """The topic in what follows the request's noun: a trip's destination ("voor een delegatie die naar
    Brussel gaat"), else the text after a subject preposition (over/about/on), else after an audience
    preposition (voor/for), else after a colon."""
    rest = rest.strip()
    if rest[:1] in ":-–—":  # "Briefing: EFUS" — the topic is what follows the colon
        head = re.split(_END, rest[1:].strip(), maxsplit=1)[0]
        return _clean(_destination(head) or head) or None
    head = re.split(_END, rest, maxsplit=1)[0]
    subject = re.search(rf"(?:^|\s){_SUBJECT}\s+(?P<t>.+)$", head, re.IGNORECASE | re.DOTALL)
    audience = re.match(rf"{_AUDIENCE}\s+(?P<t>.+)$", head, re.IGNORECASE | re.DOTALL) if audience_ok else None
    if audience is not None and (place := _destination(audience.group("t"))) is not None:
        return place  # "for the delegation to Brussels on security": the briefing is about Brussels
    if subject is not None:
        text = _AUDIENCE_TAIL.sub("", subject.group("t"))
        return _clean(_destination(text) or text) or None
    if audience is None:
        return None
    return _clean(audience.group("t")) or None


def briefing_request(question: str) -> str | None:
    """The topic when `question` explicitly asks for a briefing (Dutch or English), else None.

    None also for a request without a topic ("Maak een briefing"): there is nothing to brief on."""
    text = " ".join(question.split())
    if not text:
        return None
    if (m := _REQUEST.match(text)) is not None:
        rest = re.sub(rf"^{_AFTER}", "", m.group("rest"), flags=re.IGNORECASE)
        if m.group("noun").lower().endswith("voorbereiding"):
            # Only the preparation of a trip is a briefing: "voorbereiding op het bezoek aan X" -> X.
            head = re.split(_END, rest, maxsplit=1)[0]
            return _destination(head)
        return _topic(rest)
    if (m := _NOUN_FIRST.match(text)) is not None:
        return _topic(m.group("rest"))
    if (m := _VERB_FORM.match(text)) is not None:
        if m.group("brief") is not None:
            return _topic(m.group("brief"), audience_ok=False)
        return _destination(re.split(_END, m.group("prepare"), maxsplit=1)[0])
    return None


__all__ = ["briefing_request"]
