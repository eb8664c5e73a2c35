"""Recognising an explicit briefing request in a chat message, and its topic (assistant/answering/intent.py)."""

from __future__ import annotations

import pytest

from assistant.answering.intent import briefing_request

REQUESTS = [
    # Dutch: imperative, with and without adjectives, verb particles and polite words
    ("Maak een briefing over Zwolle", "Zwolle"),
    ("Maak een korte briefing over het Havenbedrijf.", "Havenbedrijf"),
    ("Stel een briefing op voor de delegatie naar Lissabon", "Lissabon"),
    ("Stel een briefing op over de samenwerking met Duitsland", "samenwerking met Duitsland"),
    ("Maak een korte briefing voor een delegatie die naar Wenen gaat: welke eerdere contacten zijn er?", "Wenen"),
    ("Geef me een beknopte briefing over 'Veilige wijken'", "Veilige wijken"),
    ("Hoi, maak een briefing over het Nachtnetwerk alsjeblieft", "Nachtnetwerk"),
    ("Maak een briefing over de Raad voor openbare orde", "Raad voor openbare orde"),
    ("Maak een briefing voor de delegatie naar 's-Hertogenbosch", "'s-Hertogenbosch"),
    ("Maak een briefing over het Platform voor de burgemeester", "Platform"),
    # Dutch: the noun first, a wish, a modal question (verb before or after the topic)
    ("Briefing over Lyon", "Lyon"),
    ("Briefing: Göteborg", "Göteborg"),
    ("briefing voor het werkbezoek aan Gent", "Gent"),
    ("Korte briefing over de Stedenalliantie graag", "Stedenalliantie"),
    ("Graag een briefing over Porto", "Porto"),
    ("Ik wil graag een briefing over Lille", "Lille"),
    ("Kun je een briefing maken over Keulen?", "Keulen"),
    ("Kun je een briefing over Keulen maken?", "Keulen"),
    ("Kunt u mij een briefing geven over het Jeugdfonds?", "Jeugdfonds"),
    ("Kun je me helpen met een briefing over Bazel?", "Bazel"),
    ("Kun je een briefing maken voor de delegatie die volgende week naar Den Bosch reist?", "Den Bosch"),
    # Dutch: preparing a visit
    ("Maak een voorbereiding voor het werkbezoek aan Antwerpen", "Antwerpen"),
    ("Bereid me voor op het bezoek aan Marseille", "Marseille"),
    # English
    ("Prepare a briefing on the Harbour Board", "Harbour Board"),
    ("Prepare a briefing for the mayor's visit to Turin", "Turin"),
    ("Write a briefing for a delegation travelling to Bilbao on youth crime", "Bilbao"),
    ("Write a short briefing about the Night Network for the delegation", "Night Network"),
    ("Could you prepare a briefing about the Youth Fund?", "Youth Fund"),
    ("Can you write me a briefing on The Bronx?", "The Bronx"),
    ("I'd like a briefing on Malmö, please", "Malmö"),
    ("I need a briefing for our trip to Aarhus next week", "Aarhus"),
    ("Brief me on the Harbour Board", "Harbour Board"),
    ("Help me prepare for the visit to Nantes", "Nantes"),
]

NOT_REQUESTS = [
    # summarising and list questions stay in the chat
    "Zet op een rij wat de documenten zeggen over Zwolle",
    "Maak een samenvatting over het Havenbedrijf",
    "Geef een overzicht van de afspraken met Lissabon",
    "Summarise what the documents say about the Harbour Board",
    "List the agreements made in Turin",
    # questions that merely mention a briefing (or a preparation)
    "Wat staat er in de briefing over Lyon?",
    "Is er een briefing gemaakt voor het bezoek aan Gent?",
    "Wie gaf de briefing tijdens de dienstreis naar Porto?",
    "Geef een overzicht van de briefings over veiligheid",
    "Briefing van de burgemeester in Lyon: wie was erbij?",
    "Hoeveel briefings zijn er over Lille gemaakt?",
    "Who gave the briefing in Turin?",
    "What did the briefing on the Harbour Board say?",
    "Wat was de voorbereiding op het bezoek aan Marseille?",
    "Welke voorbereiding was nodig voor de conferentie in Keulen?",
    # a request without a topic, a letter ("brief") and plain questions
    "Maak een briefing",
    "Schrijf een brief over Bazel",
    "In welk jaar is de stad lid geworden van het netwerk?",
    "",
    "   ",
]


@pytest.mark.parametrize(("message", "topic"), REQUESTS)
def test_explicit_briefing_requests_give_their_topic(message: str, topic: str) -> None:
    assert briefing_request(message) == topic


@pytest.mark.parametrize("message", NOT_REQUESTS)
def test_other_messages_are_not_briefing_requests(message: str) -> None:
    assert briefing_request(message) is None


def test_case_and_whitespace_do_not_matter() -> None:
    assert briefing_request("  MAAK   een\nKORTE briefing   over   Zwolle  ") == "Zwolle"
