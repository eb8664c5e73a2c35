"""Near-duplicate lines within a section, by token overlap, with sentence vectors for the borderline pairs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from assistant.briefing.records import SECTION_TITLES, Draft
from assistant.core.text import fold
from assistant.language.citations import strip_markers

# Near-duplicate lines (two documents stating the same fact) are shown once with both citations: token
# Jaccard at least DUP_JACCARD, or, with sentence vectors, cosine at least DUP_COSINE when the tokens overlap
# at least DUP_FLOOR (a vector alone calls "Het netwerk telt 12 landen" and "Het netwerk werd in 1990 opgericht" alike).
DUP_JACCARD = 0.8
DUP_COSINE = 0.92
DUP_FLOOR = 0.5


def _tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", fold(strip_markers(text))))


def token_jaccard(a: str, b: str) -> float:
    """Share of (accent- and case-folded) word tokens two texts have in common; markers ignored."""
    ta, tb = _tokens(a), _tokens(b)
    return len(ta & tb) / len(ta | tb) if ta or tb else 1.0


def near_duplicate_groups(
    texts: Sequence[str],
    *,
    vectors: np.ndarray | None = None,
    jaccard: float = DUP_JACCARD,
    cosine: float = DUP_COSINE,
    floor: float = DUP_FLOOR,
) -> list[list[int]]:
    """Indices of `texts` grouped by "states the same fact", in order of first appearance; each text joins
    the first earlier group whose first text it duplicates.

    Duplicates: token Jaccard >= `jaccard`, or (with `vectors`, one row per text) cosine >= `cosine` and
    Jaccard >= `floor`. Never when the numbers differ: "12 landen" and "14 landen" are a conflict to
    show, not a duplicate to hide."""
    tokens = [_tokens(t) for t in texts]
    numbers = [frozenset(re.findall(r"\d+", strip_markers(t))) for t in texts]
    unit: np.ndarray | None = None
    if vectors is not None:
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit = vectors / np.where(norms == 0, 1.0, norms)
    groups: list[list[int]] = []
    for i in range(len(texts)):
        for group in groups:
            j = group[0]
            if numbers[i] != numbers[j]:
                continue
            union = tokens[i] | tokens[j]
            overlap = len(tokens[i] & tokens[j]) / len(union) if union else 1.0
            if overlap >= jaccard or (unit is not None and overlap >= floor and float(unit[i] @ unit[j]) >= cosine):
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def needs_vectors(texts: Sequence[str], *, jaccard: float = DUP_JACCARD, floor: float = DUP_FLOOR) -> bool:
    """Whether some pair is borderline (Jaccard in [floor, jaccard)): only then are vectors worth computing."""
    tokens = [_tokens(t) for t in texts]
    for i in range(len(tokens)):
        for j in range(i):
            union = tokens[i] | tokens[j]
            if union and floor <= len(tokens[i] & tokens[j]) / len(union) < jaccard:
                return True
    return False


def merge_duplicates(drafts: list[Draft], embedder: Any = None) -> list[Draft]:
    """Within each section, near-duplicate lines (`near_duplicate_groups`) become the first line with the
    citations of all. Sentence vectors (from `embedder`, when given) are computed only when some pair is
    borderline."""
    out: list[Draft] = []
    for key in SECTION_TITLES:
        mine = [d for d in drafts if d.section == key]
        if len(mine) < 2:
            out.extend(mine)
            continue
        texts = [d.text for d in mine]
        vectors = None
        if embedder is not None and needs_vectors(texts):
            vectors = np.asarray(embedder.embed_documents(texts))
        for group in near_duplicate_groups(texts, vectors=vectors):
            first = mine[group[0]]
            units = list(first.units)
            labels = [part for part in first.label.split("; ") if part]
            for i in group[1:]:
                units += [u for u in mine[i].units if u not in units]
                labels += [part for part in mine[i].label.split("; ") if part and part not in labels]
            label = "; ".join(labels) if key == "people" else first.label
            out.append(Draft(first.section, label, first.text, units))
    return out
