"""Second stage (the default, `ASSISTANT_RANKER=learned`): a linear ranker over four signals of each fused candidate,
learned from our own question sets.

The fused order (0.7 · dense + 0.3 · BM25, both min-max normalised per query) is a hand-set mix, and the
answer-type preference a second hand-set mix on top of it. This stage re-scores the candidates the fusion
ranks highest by `w · x` instead, where x holds, per passage:

- ``dense``: its cosine to the query (a passage the dense run did not return: just below the run's last);
- ``bm25``: its BM25 score over the query's best BM25 score (0 when BM25 did not return it);
- ``answer_type``: 1 when a sentence of it holds the kind of answer the question's form asks for (a date for
  "wanneer", a number for "hoeveel", …; `assistant.retrieval.rerank.answer_type_support`), else 0;
- ``coverage``: the share of the query's words (weighted by inverse document frequency) it contains
  (`LexicalIndex.term_presence`): a passage about one of the question's words loses to one holding all of them.

w is fitted by pairwise logistic regression (per question, a passage holding an evidence quote should score
above one that does not; L2-regularised, `fit_pairwise`) on the question sets we wrote ourselves and shipped
with its provenance in `assistant/data/ranker.json`; `python -m bench.learn_ranker` refits it and scores every
set with a model that did not see it. Raw cosines rather than per-query min-max: min-max makes the best
passage of an off-topic run look as good as the best of an on-topic one.

The default since stop 33: it ranks the evidence passage higher on seven of eight benchmarks (level on the
eighth), and on three blind question sets written for the decision its answers held more facts than the fixed
order's (0.600 → 0.644 of 205). The own sets had said otherwise, but the extractive answerer's rules were
developed on them under the fixed order (docs/retrieval.md, stop 33). The model records the languages of most of
its training questions; a question in another language keeps the fixed order, since the word signals cannot
match most passages for it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.core.errors import ConfigurationError
from assistant.core.records import Chunk, Hit
from assistant.core.text import detect_language
from assistant.language.answertype import retrieval_expectation
from assistant.retrieval.fusion import minmax
from assistant.retrieval.lexical import TermPresence
from assistant.retrieval.rerank import Reranker, answer_type_support, with_tail

FEATURES = ("dense", "bm25", "answer_type", "coverage")
BUNDLED_MODEL = Path(__file__).resolve().parent.parent / "data" / "ranker.json"
# A passage only BM25 returned scores this far below the dense run's last cosine: its real cosine is lower than
# every returned one, and a small step keeps it from tying with them.
_BELOW_DENSE_RUN = 0.02

Terms = Callable[[str, Sequence[Chunk]], TermPresence]  # `LexicalIndex.term_presence`
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RankerModel:
    """Weights over `features` (names from `FEATURES`), applied to the first `head` fused candidates. With
    `novelty` > 0 the order is built greedily, each place going to the passage whose score plus `novelty` × the
    weighted share of query words it adds to those of the passages before it is highest (`cover_greedily`)."""

    weights: tuple[float, ...]
    features: tuple[str, ...] = FEATURES
    head: int = 30
    novelty: float = 0.0
    provenance: dict[str, Any] = field(default_factory=dict)
    # The query languages the weights were fitted for (empty: all). A question in another language gets the
    # fixed order: the word signals weigh differently when the question's words cannot occur in most passages.
    languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [f for f in self.features if f not in FEATURES]
        if unknown or len(self.weights) != len(self.features) or not self.features:
            raise ValueError(
                f"a ranker needs one weight per feature, features from {FEATURES}; got features "
                f"{list(self.features)} and {len(self.weights)} weights"
            )
        if not all(math.isfinite(w) for w in (*self.weights, self.novelty)) or self.head < 2 or self.novelty < 0:
            raise ValueError(
                f"ranker weights must be finite, novelty at least 0 and head at least 2; got {self.weights}, "
                f"{self.novelty}, {self.head}"
            )

    @classmethod
    def load(cls, path: Path) -> RankerModel:
        """Read a model written by `save` (e.g. `python -m bench.learn_ranker`), with a clear error otherwise."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(
                weights=tuple(float(w) for w in raw["weights"]),
                features=tuple(str(f) for f in raw["features"]),
                head=int(raw.get("head", 30)),
                novelty=float(raw.get("novelty", 0.0)),
                provenance=dict(raw.get("provenance", {})),
                languages=tuple(str(lang) for lang in raw.get("languages", ())),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigurationError(
                f"cannot read the ranker model {path}: {exc}",
                hint="point ASSISTANT_RANKER_MODEL at a file written by `python -m bench.learn_ranker`, unset it "
                "to use the bundled model, or set ASSISTANT_RANKER=fixed",
            ) from exc

    def save(self, path: Path) -> None:
        body = {
            "features": list(self.features),
            "weights": list(self.weights),
            "head": self.head,
            "novelty": self.novelty,
            **({"languages": list(self.languages)} if self.languages else {}),
        }
        Path(path).write_text(json.dumps({**body, "provenance": self.provenance}, indent=1) + "\n", encoding="utf-8")


def feature_matrix(
    query: str, hits: Sequence[Hit], terms: TermPresence | None, context: Sequence[Hit] | None = None
) -> Matrix:
    """One row per hit, columns in `FEATURES` order; `terms`: the query words each hit holds (None: no coverage
    signal). `context` (default: `hits`) is the whole fused candidate list: the dense run's last cosine and
    BM25's best score are taken over it."""
    pool = hits if context is None else context
    dense = [h.scores["dense"] for h in pool if "dense" in h.scores]
    lexical = [h.scores["bm25"] for h in pool if "bm25" in h.scores]
    floor = (min(dense) if dense else 0.0) - _BELOW_DENSE_RUN
    best = max(lexical) if lexical else 0.0
    expectation = retrieval_expectation(query)
    covered = terms.coverage() if terms is not None else np.zeros(len(hits))
    rows = [
        [
            h.scores.get("dense", floor),
            h.scores.get("bm25", 0.0) / best if best > 0 else 0.0,
            answer_type_support(h.chunk.text, h.chunk.heading_path, expectation) if expectation is not None else 0.0,
            float(c),
        ]
        for h, c in zip(hits, covered, strict=True)
    ]
    return np.asarray(rows, dtype=np.float64).reshape(len(hits), len(FEATURES))


def cover_greedily(scores: Sequence[float], terms: TermPresence, novelty: float) -> list[tuple[int, float]]:
    """(index, value) per place: each place goes to the remaining item with the highest score + `novelty` × the
    weighted share of query words it holds that no item placed before it holds; ties to the earlier item. The
    passages an answer reads then cover the question's parts, not only its best-matched one."""
    total = float(terms.weights.sum())
    covered = np.zeros(terms.present.shape[1], dtype=bool)
    left = list(range(len(scores)))
    placed: list[tuple[int, float]] = []
    while left:
        gains = (terms.present[left] & ~covered) @ terms.weights / total if total > 0 else np.zeros(len(left))
        values = [scores[i] + novelty * float(g) for i, g in zip(left, gains, strict=True)]
        j = int(np.argmax(values))
        placed.append((left[j], values[j]))
        covered |= terms.present[left.pop(j)]
    return placed


class LearnedReranker:
    """Re-orders the first `model.head` fused candidates by the model's score; the rest keep their order below.
    Each hit keeps its fused score under its fusion's name and gets the model's under "learned"."""

    def __init__(
        self,
        model: RankerModel,
        terms: Terms | None = None,
        *,
        then: Reranker | None = None,
        other_languages: Reranker | None = None,
    ) -> None:
        """`other_languages`: the order for a question in a language the model was not fitted for (`None`: the
        fused order, then `then`)."""
        self.model = model
        self.terms = terms
        self.then = then
        self.other_languages = other_languages
        self._columns = [FEATURES.index(f) for f in model.features]
        self._weights = np.asarray(model.weights, dtype=np.float64)

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]:
        out = list(hits)
        if self.model.languages and detect_language(query) not in self.model.languages:
            if self.other_languages is not None:
                return self.other_languages.rerank(query, out)
            return self.then.rerank(query, out) if self.then is not None else out
        if len(out) >= 2:
            head, tail = out[: self.model.head], out[self.model.head :]
            terms = self.terms(query, [h.chunk for h in head]) if self.terms is not None else None
            x = feature_matrix(query, head, terms, out)
            scores = [float(v) for v in x[:, self._columns] @ self._weights]
            if self.model.novelty > 0 and terms is not None:
                placed = cover_greedily(scores, terms, self.model.novelty)
            else:
                placed = [(i, scores[i]) for i in sorted(range(len(head)), key=lambda i: (-scores[i], i))]
            # Consumers read Hit.score on the fused scale (0..1, best first; the briefing adds a bonus to it):
            # the placement values, made non-increasing, are min-max scaled like the fixed preference's mix.
            shown = minmax(list(np.minimum.accumulate([value for _, value in placed])))
            ranked = [
                replace(head[i], score=shown[r - 1], rank=r, scores={**head[i].scores, "learned": scores[i]})
                for r, (i, _value) in enumerate(placed, start=1)
            ]
            out = with_tail(ranked, tail) if tail else ranked
        return self.then.rerank(query, out) if self.then is not None else out


def fit_pairwise(groups: Sequence[tuple[Matrix, Sequence[bool]]], c: float = 3.0, iterations: int = 100) -> Matrix:
    """Weights w minimising Σ log(1 + exp(−w · (x⁺ − x⁻))) over every (relevant, not relevant) pair within each
    group, plus ‖w‖² / (2c) (Newton's method; the loss is convex, so the answer does not depend on a start or a
    learning rate). A group is one question's candidates (rows) and which of them hold its evidence; groups with
    no relevant or no irrelevant row carry no pair and are skipped."""
    diffs: list[Matrix] = []
    for x, labels in groups:
        y = np.asarray(labels, dtype=bool)
        if y.any() and not y.all():
            diffs.extend(p - x[~y] for p in x[y])
    if not diffs:
        raise ValueError("no question has both a relevant and an irrelevant candidate: nothing to learn from")
    z = np.vstack(diffs)
    w = np.zeros(z.shape[1])
    ridge = np.eye(len(w)) / c
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        gradient = -z.T @ (1.0 - p) + ridge @ w
        hessian = (z * (p * (1.0 - p))[:, None]).T @ z + ridge
        step = np.linalg.solve(hessian, gradient)
        w = w - step
        if float(np.abs(step).max()) < 1e-10:
            break
    return w
