"""The abstention calibration's threshold comes from out-of-fold probabilities, not from the rows the weights
were fitted on."""

from __future__ import annotations

from typing import Any

from assistant.answering.abstention import FEATURES, AbstentionModel, fit_logistic
from eval.calibrate_abstention import _evidence, _out_of_fold


def _row(i: int, label: int, cosine: float) -> dict[str, Any]:
    return {"id": f"q{i}", "label": label, **dict.fromkeys(FEATURES, 0.0), "cosine": cosine}


def test_out_of_fold_probabilities_come_from_models_that_never_saw_the_row() -> None:
    rows = [_row(i, 1, 0.6 + 0.01 * (i % 10)) for i in range(6)]
    rows += [_row(100 + i, 0, 0.3 + 0.01 * (i % 10)) for i in range(6)]
    rows.append(_row(999, 1, 0.2))  # an answerable question that looks unanswerable
    oof = _out_of_fold(rows, 0.1)
    assert len(oof) == len(rows) and all(0.0 <= p <= 1.0 for p in oof)
    weights, bias = fit_logistic([[r[f] for f in FEATURES] for r in rows], [r["label"] for r in rows], l2=0.1)
    in_sample = AbstentionModel(tuple(weights), bias).probability(_evidence(rows[-1]))
    # Fitted with the odd row in, the model leans towards it; without it, it does not.
    assert oof[-1] < in_sample - 0.01
