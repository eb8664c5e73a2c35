"""When to say "Dit staat niet in de documenten": a decision from evidence, not from one similarity threshold.

Features of a question and its retrieved passages (`Evidence`):

* `cosine`: the best answer unit's cosine similarity to the question (topic match);
* `lexical`: the best unit's weighted share of the question's content words;
* `missing_words`: the weighted share of the question's content words found in no retrieved passage
  when most passages are in another language than the question, weighted by the share in its language (0
  when none is: its words cannot be expected there);
* `missing_anchors`: the share of the question's anchors (years, numbers, names) that occur in no retrieved
  passage, title or document date. An answer about "2019" cannot come from text that never mentions 2019;
* `missing_type`: when the question asks for a kind of answer (date, number, amount, person), how far below the
  best unit the best unit holding one lies (0: the best unit holds it; 1: none within reach).

A logistic model over these gives the probability that the passages answer the question; below 0.5 the
answerer declines and says which piece of evidence was missing. The weights are fitted by
`bench/abstention_fit.py` on the choosing part of the question sets and stored with their provenance in
`assistant/data/abstention.json` (docs/answers.md says which part chose them and what they score on the rest).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "abstention.json"
FEATURES: tuple[str, ...] = ("cosine", "lexical", "missing_words", "missing_anchors", "missing_type")


@dataclass(frozen=True, slots=True)
class Evidence:
    cosine: float
    lexical: float
    missing_words: float
    missing_anchors: float
    missing_type: float
    absent: tuple[str, ...] = ()  # the anchors found nowhere, for the reason shown to the user

    def vector(self) -> list[float]:
        return [float(getattr(self, name)) for name in FEATURES]

    def to_record(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class AbstentionModel:
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    provenance: str = ""

    def probability(self, evidence: Evidence) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, evidence.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def reason(self, evidence: Evidence, probability: float) -> str:
        """The feature that pulled the decision down most, in words."""
        pulls = {name: w * x for name, w, x in zip(FEATURES, self.weights, evidence.vector(), strict=True)}
        worst = min(pulls, key=lambda k: pulls[k])
        words = {
            "cosine": f"no passage is close to the question (best similarity {evidence.cosine:.2f})",
            "lexical": "the best passages share few words with the question",
            "missing_words": f"{evidence.missing_words:.0%} of the question's words occur in no passage",
            "missing_anchors": "the passages never mention "
            + ", ".join(evidence.absent or ("what the question names",)),
            "missing_type": "the passages are on topic but none gives the kind of answer asked for",
        }
        return f"{words[worst]} (p(answered) = {probability:.2f})"

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> AbstentionModel:
        weights = data["weights"]
        if not isinstance(weights, Mapping) or set(weights) != set(FEATURES):
            raise ValueError(f"abstention model needs weights for exactly {FEATURES}")
        bias = data["bias"]
        threshold = data.get("threshold", 0.5)
        if not isinstance(bias, int | float) or not isinstance(threshold, int | float):
            raise ValueError("abstention model: bias and threshold must be numbers")
        return cls(
            weights=tuple(float(weights[name]) for name in FEATURES),
            bias=float(bias),
            threshold=float(threshold),
            provenance=str(data.get("provenance", "")),
        )

    def to_mapping(self) -> dict[str, object]:
        return {
            "weights": dict(zip(FEATURES, self.weights, strict=True)),
            "bias": self.bias,
            "threshold": self.threshold,
            "provenance": self.provenance,
        }


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> AbstentionModel:
    return AbstentionModel.from_mapping(json.loads(path.read_text(encoding="utf-8")))


def fit_logistic(
    rows: Sequence[Sequence[float]], labels: Sequence[int], *, l2: float = 0.1, steps: int = 50
) -> tuple[list[float], float]:
    """L2-regularised logistic regression by Newton's method (a handful of features, a few hundred rows at
    most). `labels`: 1 = the passages answer the question. Classes are weighted to equal total weight, since
    unanswerable questions are few. Returns (weights, bias)."""
    import numpy as np

    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if x.ndim != 2 or len(x) != len(y) or len(set(labels)) < 2:
        raise ValueError("fit_logistic needs a row per label and both classes")
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    positives = max(float(y.sum()), 1.0)
    negatives = max(float(n - y.sum()), 1.0)
    sample = np.where(y == 1, n / (2 * positives), n / (2 * negatives))
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    beta = np.zeros(d + 1)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (sample * (p - y)) + penalty * beta
        hessian = (design * (sample * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return [float(v) for v in beta[:-1]], float(beta[-1])
