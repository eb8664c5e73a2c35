"""Verification of generated answers: hand-made answers against hand-made passages, no model."""

from __future__ import annotations

from assistant.answering.verify import (
    DEFAULT_THRESHOLD,
    answer_sentences,
    classify,
    drop_invalid_markers,
    support_score,
    verify_answer,
)
from assistant.embedding.embedders import FakeEmbedder

PASSAGES = [
    "In 2015 is de gemeente Den Haag officieel lid geworden van EFUS. Het netwerk telt 250 steden.",
    "De Coalitie voor veiligheid kent vijf prioriteiten: maatschappelijk ongenoegen, cybercrime, jeugd en "
    "veiligheid, zorg en veiligheid, en ondermijning.",
    "De conferentie in Brussel trok 700 deelnemers uit 140 steden en regio's.",
]


def test_classify_lead_ins_and_abstention() -> None:
    assert classify("Volgens de documenten:") == "lead"
    assert classify("De prioriteiten zijn:") == "lead"
    assert classify("## Antwoord") == "lead"
    assert classify("Dit staat niet in de documenten.") == "abstention"
    assert classify("**The documents do not contain this.**") == "abstention"
    assert classify("Den Haag werd lid van EFUS [1].") == "factual"
    assert classify("Den Haag werd lid van EFUS.") == "factual"


def test_drop_invalid_markers_counts_and_keeps_valid_numbers() -> None:
    text, dropped = drop_invalid_markers("A [1][7]. B [2, 9]. C [0].", 3)
    assert dropped == 3
    assert text == "A [1]. B [2]. C."


def test_marker_after_the_period_belongs_to_the_sentence_before() -> None:
    text = "Den Haag werd lid in 2015. [1] Het netwerk telt 250 steden [1]."
    spans = [text[s:e] for s, e in answer_sentences(text)]
    assert spans == ["Den Haag werd lid in 2015. [1]", "Het netwerk telt 250 steden [1]."]


def test_support_score_paraphrase_high_topic_only_low() -> None:
    paraphrase = "Den Haag is in 2015 lid geworden van EFUS [1]."
    topic_only = "Den Haag organiseerde een EFUS-conferentie over toerisme en veiligheid [1]."
    assert support_score(paraphrase, [PASSAGES[0]]) >= 0.8
    assert support_score(topic_only, [PASSAGES[0]]) < DEFAULT_THRESHOLD


def test_invented_number_caps_the_score() -> None:
    assert support_score("Den Haag werd in 2012 lid van EFUS [1].", [PASSAGES[0]]) < DEFAULT_THRESHOLD
    assert support_score("De conferentie trok 900 deelnemers [3].", [PASSAGES[2]]) < DEFAULT_THRESHOLD
    assert support_score("De conferentie trok 700 deelnemers [3].", [PASSAGES[2]]) >= DEFAULT_THRESHOLD


def test_several_citations_support_together() -> None:
    claim = "Den Haag werd in 2015 lid van EFUS en de conferentie trok 700 deelnemers [1][3]."
    assert support_score(claim, [PASSAGES[0], PASSAGES[2]]) >= DEFAULT_THRESHOLD
    assert support_score(claim, [PASSAGES[0]]) < DEFAULT_THRESHOLD


def test_embedder_is_combined_with_lexical_overlap() -> None:
    claim = "Den Haag is in 2015 lid geworden van EFUS [1]."
    with_cosine = support_score(claim, [PASSAGES[0]], FakeEmbedder())
    assert 0.5 < with_cosine <= 1.0


ANSWER = """Volgens de documenten:
- Den Haag werd in 2015 lid van EFUS [1].
- De burgemeester van Den Haag heet Jan Jansen.
- De prioriteiten zijn cybercrime en ondermijning [2][7].
- Het netwerk telt 250 steden [2]."""


def test_mark_mode_keeps_and_marks_flagged_sentences() -> None:
    result = verify_answer(ANSWER, PASSAGES, mode="mark")
    assert result.stats == {
        "sentences": 5,
        "factual": 4,
        "cited": 3,
        "supported": 2,
        "unsupported": 1,  # 250 steden is in [1], not in [2]
        "uncited": 1,  # the invented mayor
        "invalid_citations_dropped": 1,  # [7]
        "removed": 0,
        "flagged": 2,
    }
    assert [result.checks[i].text for i in result.flagged] == [
        "- De burgemeester van Den Haag heet Jan Jansen.",
        "- Het netwerk telt 250 steden [2].",
    ]
    assert "- ⚠ De burgemeester van Den Haag heet Jan Jansen." in result.text
    assert "- ⚠ Het netwerk telt 250 steden [2]." in result.text
    assert "[7]" not in result.text
    assert not result.said_abstention and not result.nothing_verified


def test_remove_mode_cuts_flagged_sentences_and_their_lines() -> None:
    result = verify_answer(ANSWER, PASSAGES, mode="remove")
    assert result.text == (
        "Volgens de documenten:\n- Den Haag werd in 2015 lid van EFUS [1].\n- De prioriteiten zijn cybercrime en "
        "ondermijning [2]."
    )
    assert result.stats["removed"] == 2


def test_off_mode_leaves_text_but_counts() -> None:
    result = verify_answer(ANSWER, PASSAGES, mode="off")
    assert "Jan Jansen" in result.text and "⚠" not in result.text
    assert result.stats["uncited"] == 1 and result.stats["invalid_citations_dropped"] == 1


def test_abstention_sentence_is_recognised() -> None:
    result = verify_answer("Dit staat niet in de documenten.", PASSAGES)
    assert result.said_abstention and result.nothing_verified
    assert result.stats["factual"] == 0 and not result.flagged


def test_nothing_verified_when_every_claim_fails() -> None:
    result = verify_answer("Het budget voor 2026 is 3 miljoen euro [1].", PASSAGES, mode="remove")
    assert result.nothing_verified and not result.said_abstention
    assert result.text == ""


def test_restating_the_question_is_not_support() -> None:
    question = "Wat is het totale budget van de Coalitie voor veiligheid?"
    echo = "Het totale budget van de Coalitie voor veiligheid is [2]."
    assert support_score(echo, [PASSAGES[1]]) >= DEFAULT_THRESHOLD  # without the question it looks supported
    assert support_score(echo, [PASSAGES[1]], question=question) == 0.0
    answer = "De conferentie trok 700 deelnemers [3]."
    assert support_score(answer, [PASSAGES[2]], question="Hoeveel deelnemers trok de conferentie?") >= 0.9
    result = verify_answer(echo, PASSAGES, question=question, mode="remove")
    assert result.stats["unsupported"] == 1 and result.nothing_verified
