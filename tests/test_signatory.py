"""The signatory of a first-person report (pure functions)."""

from __future__ import annotations

import pytest

from assistant.answering.signatory import signature_span, speaks_first_person


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Bel mij gerust.\n\nMarieke Dekker\n\nBeleidsadviseur\n\nAfdeling Veiligheid\n", "Marieke Dekker"),
        ("Met vriendelijke groet,\n\nJan van den Berg\nProgrammamanager\n", "Jan van den Berg"),
        ("Kind regards,\n\nSarah Jones\nPolicy officer\n", "Sarah Jones"),
    ],
)
def test_a_name_on_its_own_line_among_the_last_lines_signs_the_text(text: str, name: str) -> None:
    span = signature_span(text)
    assert span is not None and span[2] == name
    assert text[span[0] : span[1]].startswith(name)


@pytest.mark.parametrize(
    "text",
    [
        "Marieke Dekker opende de vergadering.\n\nDaarna volgde de begroting.",  # a name in prose
        # prose after the name
        "Marieke Dekker\n\nDe vergadering begon om tien uur en duurde tot de middag, met een lunch erna.",
        "Het overleg ging over overlast.",
        # a list of names ends the text: participants, not a signature
        "Deelnemers:\nJan de Boer\nKarin de Vries\nPieter Bakker",
    ],
)
def test_no_signature_where_prose_follows_or_no_name_stands_alone(text: str) -> None:
    assert signature_span(text) is None


def test_the_signature_block_stops_at_a_telephone_number() -> None:
    text = "Marieke Dekker\nBeleidsadviseur\n010 123 4567\nAfdeling Veiligheid"
    span = signature_span(text)
    assert span is not None and text[span[0] : span[1]] == "Marieke Dekker\nBeleidsadviseur"


def test_first_person_singular_in_dutch_and_english() -> None:
    assert speaks_first_person("Op 3 mei waren Pieter Bakker en ik aanwezig.")
    assert speaks_first_person("Voor vragen kunt u bij mij terecht.")
    assert speaks_first_person("I attended the meeting in Ghent.")
    assert not speaks_first_person("Het overleg ging over overlast in Gent.")
    assert not speaks_first_person("Zie bijlage i en ii.")  # a lower-case roman numeral is no pronoun
