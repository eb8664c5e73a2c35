"""The passage priors `bench.ranker_features` screens as learned-ranker features (bench/results/stop39_decisions.md)."""

from __future__ import annotations

import pytest

from bench.ranker_features import heading_share, length, letter_share, stop_share


def test_running_text_has_a_higher_stop_word_share_than_a_table_of_contents() -> None:
    prose = "De gemeente heeft in het voorjaar een plan van aanpak naar de raad gestuurd."
    contents = "3.2 Aanbevelingen ........ 14\n3.3 Bijlagen ........ 17\n4 Conclusies ........ 21"
    assert stop_share(prose) > 0.4
    assert stop_share(contents) == 0.0
    assert stop_share("") == 0.0


def test_letter_share_counts_non_space_characters() -> None:
    assert letter_share("ab 12") == pytest.approx(0.5)
    assert letter_share("   ") == 0.0
    assert letter_share("tekst") == 1.0


def test_length_is_capped() -> None:
    assert length("x" * 500) == pytest.approx(0.5)
    assert length("x" * 4000) == pytest.approx(1.5)


def test_heading_share_weighs_the_query_words_a_heading_holds() -> None:
    weights = {"jailbreak": 3.0, "detectie": 1.0}
    assert heading_share(weights, {"jailbreak", "bevinding"}) == pytest.approx(0.75)
    assert heading_share(weights, set()) == 0.0
    assert heading_share({}, {"jailbreak"}) == 0.0
