"""Verification of a generated answer against the passages it cites. Pure functions: no model calls except
the optional embedder passed in.

Rules, per sentence of the answer (`citations.split_sentences`; a marker that the model put after the
period, "... waren. [2] Daarna ...", is moved back to the sentence it closes):

- A lead-in ("Volgens de documenten:", any short sentence ending in ":" without a marker, a Markdown
  heading), the abstention sentence ("Dit staat niet in de documenten." / "The documents do not contain
  this.") and a sentence without content words are not factual and need nothing.
- A factual sentence must carry at least one valid `[n]`; otherwise it is *uncited*.
- Markers with a number outside 1..len(passages) are dropped before anything else and counted
  (`invalid_citations_dropped`); a sentence left without a marker is then uncited.
- A cited sentence is *supported* when `support_score` against its cited passages reaches the threshold,
  otherwise *unsupported*.

Support score (0..1): the best window of one or two consecutive passage sentences, scored by
    lexical = share of the sentence's content words (accent/case folded, stopwords removed, 6-letter stem
              prefix; `assistant.answering.question.content_stems`) found in the window;
    score   = lexical                                   without an embedder,
              W_LEXICAL · lexical + (1 − W_LEXICAL) · max(0, cosine(sentence, window))   with one.
With the question given, only the sentence's words that are not in the question count (a sentence that
restates the question adds nothing and scores 0). When a sentence cites several passages the lexical part is
taken against the union of each cited passage's best window, so "A en B [1][2]" is supported by A in [1] and
B in [2]. A number in the sentence (a year, an amount) that occurs in none of the cited passages caps the
score at NUMBER_CAP: invented figures are the hallucination that matters most in policy answers.

Passage sentences that read as instructions to the assistant ("Negeer alle voorgaande instructies…", "System:"
lines, chat-template tokens; `looks_like_instruction`) never count as support: a model that obeys an injected
instruction and cites the passage that gave it gets an unsupported sentence, not a verified one.

Calibration of DEFAULT_THRESHOLD: see docs/llm.md (dev-set run with Qwen2.5-1.5B; hand-made pairs in
tests/test_llm_verify.py). Paraphrases of a passage sentence keep most content words (recall ≥ 0.6);
sentences that only share the topic keep few (≤ 0.35); 0.5 sits between.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from assistant.answering.question import content_stems
from assistant.core.embedder import Embedder
from assistant.core.text import fold
from assistant.language.citations import looks_like_instruction, parse_citations, split_sentences, strip_markers

DEFAULT_THRESHOLD = 0.5
W_LEXICAL = 0.7
NUMBER_CAP = 0.25
ABSTENTION = {"nl": "Dit staat niet in de documenten.", "en": "The documents do not contain this."}
_ABSTENTION_FOLDED = tuple(fold(s).rstrip(".") for s in ABSTENTION.values())
_LEADS = ("volgens de documenten", "according to the documents", "volgens de bronnen", "according to the sources")
_LEADING_MARKERS = re.compile(r"(?:\s*\[\s*\d+(?:\s*[-–,;]\s*\d+)*\s*\])+[.,;:]?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LIST_PREFIX = re.compile(r"^\s*(?:\d{1,3}[.)]|[-•*–·▪])\s+")
_BULLET = re.compile(r"^\s*(?:\d{1,3}[.)]|[-•*–·▪])\s*$")

Kind = Literal["factual", "lead", "abstention", "empty"]
VerifyMode = Literal["remove", "mark", "off"]


@dataclass(frozen=True, slots=True)
class SentenceCheck:
    """One sentence of the answer: `text[start:end]` of the (invalid-marker-free) answer."""

    start: int
    end: int
    text: str
    kind: Kind
    cited: tuple[int, ...] = ()  # valid 1-based passage numbers
    score: float | None = None  # support score (None: not factual or uncited)
    supported: bool = True  # non-factual sentences count as fine

    @property
    def flagged(self) -> bool:
        return self.kind == "factual" and not self.supported


@dataclass(frozen=True, slots=True)
class Verification:
    text: str  # the answer after verification ('remove': flagged sentences gone; 'mark': "⚠ " in front)
    checks: tuple[SentenceCheck, ...]
    flagged: tuple[int, ...]  # indices into `checks` of uncited/unsupported factual sentences
    stats: dict[str, int] = field(default_factory=dict)
    said_abstention: bool = False  # the model's answer opens with (or only is) the abstention sentence
    nothing_verified: bool = False  # no supported factual sentence left


def is_abstention(sentence: str) -> bool:
    folded = fold(strip_markers(sentence)).strip().strip("*_\"' ").rstrip(".")
    return any(folded.startswith(a) for a in _ABSTENTION_FOLDED)


def classify(sentence: str) -> Kind:
    """'abstention', 'lead' (introduces what follows), 'empty' (no content words) or 'factual'."""
    if is_abstention(sentence):
        return "abstention"
    bare = strip_markers(sentence).strip().strip("*_ ")
    has_marker = bool(parse_citations(sentence))
    if bare.startswith("#"):
        return "lead"
    if not has_marker and bare.endswith(":") and len(bare.split()) <= 12:
        return "lead"
    if not has_marker and fold(bare).rstrip(":,. ") in _LEADS:
        return "lead"
    return "factual" if content_stems(bare) else "empty"


def drop_invalid_markers(text: str, n_passages: int) -> tuple[str, int]:
    """Remove numbers outside 1..n_passages from every `[..]` marker (a marker left empty disappears, with the
    space before it). Returns (text, number of dropped references)."""
    pieces: list[str] = []
    cursor = 0
    dropped = 0
    for start, end, numbers in parse_citations(text):
        valid = [n for n in numbers if 1 <= n <= n_passages]
        dropped += len(numbers) - len(valid)
        if len(valid) == len(numbers):
            continue
        before = text[cursor:start]
        if valid:
            pieces.append(before + "[" + ", ".join(str(n) for n in dict.fromkeys(valid)) + "]")
        else:
            pieces.append(before.rstrip(" \t"))
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), dropped


def answer_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans; markers opening a sentence ("... waren. [2] Daarna") belong to the previous one."""
    spans: list[tuple[int, int]] = []
    for start, end in split_sentences(text):
        match = _LEADING_MARKERS.match(text, start, end)
        if match and spans and text.count("\n", spans[-1][1], start) == 0:
            prev_start, _ = spans[-1]
            moved = match.end()
            spans[-1] = (prev_start, moved)
            while moved < end and text[moved].isspace():
                moved += 1
            if moved >= end:
                continue
            start = moved
        spans.append((start, end))
    return spans


def _windows(passage: str) -> list[str]:
    spans = split_sentences(passage)
    sentences = [passage[s:e] for s, e in spans] if spans else [passage]
    sentences = [s for s in sentences if not looks_like_instruction(s)]
    windows = list(sentences)
    windows.extend(f"{a} {b}" for a, b in itertools.pairwise(sentences))
    return windows


def _numbers(text: str) -> set[str]:
    return {n.replace(",", ".") for n in _NUMBER.findall(text)}


def support_score(
    sentence: str,
    passages: Sequence[str],
    embedder: Embedder | None = None,
    *,
    question: str = "",
    w_lexical: float = W_LEXICAL,
) -> float:
    """How well `passages` (the ones the sentence cites) support `sentence`, 0..1. See the module docstring.

    With `question`, only the words the sentence adds to the question count for the lexical part: a sentence
    that merely restates the question ("Het budget is [1].") scores 0, however well the passage matches it.
    """
    claim = strip_markers(sentence)
    stems = set(content_stems(claim))
    if question and stems:
        stems -= set(content_stems(question))
    if not stems or not passages:
        return 0.0
    best_windows: list[tuple[float, str, set[str]]] = []  # per passage: (lexical, window, window stems)
    for passage in passages:
        best: tuple[float, str, set[str]] = (-1.0, "", set())
        for window in _windows(passage):
            window_stems = set(content_stems(window))
            lexical = len(stems & window_stems) / len(stems)
            if lexical > best[0] or (lexical == best[0] and len(window) < len(best[1])):
                best = (lexical, window, window_stems)
        best_windows.append(best)
    union: set[str] = set().union(*(w[2] for w in best_windows))
    lexical = max(max(w[0] for w in best_windows), len(stems & union) / len(stems))
    score = lexical
    if embedder is not None:
        vectors = np.asarray(embedder.embed_documents([claim, *(w[1] for w in best_windows)]), dtype=np.float32)
        cosine = float(np.max(vectors[1:] @ vectors[0])) if len(vectors) > 1 else 0.0
        score = w_lexical * lexical + (1.0 - w_lexical) * max(0.0, cosine)
    claim_numbers = _numbers(claim)
    if claim_numbers:
        present = _numbers(" ".join(w for p in passages for w in _windows(p)))
        if not claim_numbers <= present:
            score = min(score, NUMBER_CAP)
    return max(0.0, min(1.0, score))


def _clean_removed(text: str) -> str:
    """Tidy up after sentences were cut out: no double spaces, no empty bullets, no runs of blank lines."""
    lines: list[str] = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t]{2,}", " ", line).rstrip()
        if _BULLET.match(line):
            continue
        if not line.strip() and (not lines or not lines[-1].strip()):
            continue
        lines.append(line)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines).strip()


def verify_answer(
    text: str,
    passages: Sequence[str],
    *,
    embedder: Embedder | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    mode: VerifyMode = "mark",
    question: str = "",
) -> Verification:
    """Check every sentence of a generated answer against the numbered `passages` (1-based, as in the prompt).

    mode 'remove' cuts flagged sentences out; 'mark' keeps them with "⚠ " in front; 'off' leaves the text as
    generated (invalid markers are still dropped) but computes the same statistics.
    """
    clean, invalid = drop_invalid_markers(text, len(passages))
    checks: list[SentenceCheck] = []
    for start, end in answer_sentences(clean):
        sentence = clean[start:end]
        kind = classify(sentence)
        if kind != "factual":
            checks.append(SentenceCheck(start, end, sentence, kind))
            continue
        cited = tuple(dict.fromkeys(n for _s, _e, numbers in parse_citations(sentence) for n in numbers))
        if not cited:
            checks.append(SentenceCheck(start, end, sentence, kind, (), None, False))
            continue
        score = support_score(sentence, [passages[n - 1] for n in cited], embedder, question=question)
        checks.append(SentenceCheck(start, end, sentence, kind, cited, round(score, 4), score >= threshold))

    flagged = tuple(i for i, c in enumerate(checks) if c.flagged)
    factual = [c for c in checks if c.kind == "factual"]
    stats = {
        "sentences": len(checks),
        "factual": len(factual),
        "cited": sum(1 for c in factual if c.cited),
        "supported": sum(1 for c in factual if c.cited and c.supported),
        "unsupported": sum(1 for c in factual if c.cited and not c.supported),
        "uncited": sum(1 for c in factual if not c.cited),
        "invalid_citations_dropped": invalid,
        "removed": len(flagged) if mode == "remove" else 0,
        "flagged": len(flagged) if mode == "mark" else 0,
    }
    pieces: list[str] = []
    cursor = 0
    if mode != "off":
        for i in flagged:
            check = checks[i]
            pieces.append(clean[cursor : check.start])
            cursor = check.end
            if mode == "mark":
                bullet = _LIST_PREFIX.match(check.text)
                cut = bullet.end() if bullet else 0
                pieces.append(check.text[:cut] + "⚠ " + check.text[cut:])
            elif not clean[clean.rfind("\n", 0, check.start) + 1 : check.start].strip():
                # A sentence that was a whole line goes with its line break.
                rest = len(clean) - len(clean[cursor:].lstrip(" \t"))
                if clean[rest : rest + 1] == "\n":
                    cursor = rest + 1
    pieces.append(clean[cursor:])
    out = "".join(pieces)
    if mode == "remove" and flagged:
        out = _clean_removed(out)
    first = next((c for c in checks if c.kind in ("factual", "abstention")), None)
    said = first is not None and first.kind == "abstention"
    return Verification(
        text=out.strip(),
        checks=tuple(checks),
        flagged=flagged,
        stats=stats,
        said_abstention=said,
        nothing_verified=stats["supported"] == 0,
    )
