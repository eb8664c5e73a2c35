"""Words run together: put the spaces back, where a word list can say where they go.

Some PDFs place their words by position and store no space characters; text extraction then returns
"Thereportwillbesent,eachweek." `ingest.quality` flags such a document
("words run together"). Sentence splitting, BM25 and the quotes users read all need the spaces, so for a flagged
document in a language we have a word list for, each run of letters that is not itself a word is split into
its most probable sequence of words under a unigram model (dynamic programming over word costs: the `wordninja`
package, MIT licence, whose English model is word frequencies of English Wikipedia, a general source, nothing of
ours). Runs that are words, or CamelCase names whose every part is a word ("UserAccountService"), stay as they
are; so does a run whose split would leave a rare short piece (a name taken apart): some run-on text remains.
Only English has a word list here: a Dutch document with words run together keeps its text, and ingest says so.

Measured on the one such PDF of the test set (docs/retrieval.md, stop 34).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.core.errors import ConfigurationError

LANGUAGES = ("en",)  # word lists available
# Metadata key of a document whose words ran together: how many runs were split. A document flagged without it
# was read before spaces were restored, and the next ingest reads it again (`Manifest.read_again`).
SPACES_RESTORED = "spaces_restored"
MIN_RUN = 6  # shorter letter runs are left alone: too little text to tell a glued pair from a name
MIN_MEAN_PIECE = 3.0  # a split whose pieces average fewer letters than this is noise
# Short pieces must be common words ("of", "a", "the"): a split that leaves a rare one (a name cut into a rare
# syllable and a word, or another language's word cut up) is not trusted, and the run stays as it was. Chosen by
# reading the splits of the one such PDF of the test set (docs/retrieval.md, stop 34); measured nowhere else.
TOP_FOR_TWO_LETTERS = 100  # pieces of one or two letters: among the 100 most frequent words
TOP_FOR_THREE_LETTERS = 1000  # pieces of three letters: among the 1,000 most frequent

_RUN = re.compile(rf"[A-Za-z]{{{MIN_RUN},}}")
_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")  # camelCase boundaries
# Punctuation glued to the next word ("week.The report,each"): a space after it, but not inside a file name,
# domain or abbreviation (the next letter after a full stop must start a capitalised word).
_AFTER_COMMA = re.compile(r"(?<=[a-z]{2})([,;:])(?=[A-Za-z])")
_AFTER_STOP = re.compile(r"(?<=[a-z]{2})\.(?=[A-Z][a-z])")


@dataclass(frozen=True, slots=True)
class WordModel:
    """A language's word list: `rank(word)` is a lower-case word's place by frequency (0: the most frequent;
    None: not in the list); `split(run)` the run's most probable reading as words (letters and case kept)."""

    rank: Callable[[str], int | None]
    split: Callable[[str], list[str]]

    def known(self, word: str) -> bool:
        return self.rank(word.lower()) is not None

    def common(self, piece: str) -> bool:
        """May this piece stand as a word of a split (see TOP_FOR_TWO_LETTERS)?"""
        rank = self.rank(piece.lower())
        if rank is None or len(piece) > 3:
            return rank is not None
        return rank < (TOP_FOR_TWO_LETTERS if len(piece) <= 2 else TOP_FOR_THREE_LETTERS)


def respace_run(run: str, model: WordModel) -> str:
    """One run of letters with spaces put back, or unchanged."""
    if model.known(run):
        return run
    parts = _CASE.split(run)
    if len(parts) > 1 and all(model.known(p) for p in parts):
        return run  # a CamelCase name made of words: an identifier, not glued prose
    out: list[str] = []
    changed = False
    for part in parts:
        words = [] if len(part) < MIN_RUN or model.known(part) else model.split(part)
        if (
            len(words) < 2
            or "".join(words) != part
            or len(part) / len(words) < MIN_MEAN_PIECE
            or not all(model.common(w) for w in words)
        ):
            out.append(part)
            continue
        out.append(" ".join(words))
        changed = True
    return " ".join(out) if changed else run


def respace(text: str, model: WordModel) -> tuple[str, int]:
    """`text` with spaces put back in its runs of letters and after glued punctuation; the number of runs split."""
    count = 0

    def one(match: re.Match[str]) -> str:
        nonlocal count
        new = respace_run(match.group(0), model)
        count += new != match.group(0)
        return new

    text = _RUN.sub(one, text)
    text = _AFTER_COMMA.sub(r"\1 ", text)
    return _AFTER_STOP.sub(". ", text), count


def respace_pages(pages: Sequence[str], model: WordModel) -> tuple[tuple[str, ...], int]:
    """Each page re-spaced on its own (page boundaries, and so page numbers of quotes, stay where they were)."""
    done = [respace(page, model) for page in pages]
    return tuple(text for text, _ in done), sum(n for _, n in done)


@lru_cache(maxsize=4)
def word_model(language: str) -> WordModel | None:
    """The word model for `language`, or None when there is none. Loaded once (about 0.3 s, 126,000 words)."""
    if language not in LANGUAGES:
        return None
    try:
        import wordninja
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ConfigurationError(
            "restoring spaces in PDFs whose words run together needs the 'wordninja' package",
            hint="pip install wordninja (it is in the project's dependencies: run make setup)",
        ) from exc
    model = wordninja.DEFAULT_LANGUAGE_MODEL
    # The package keeps its word list only as costs, log((rank + 1) * log(n)) (Zipf's law): the rank comes back.
    costs: dict[str, float] = model._wordcost
    scale = math.log(len(costs))
    ranks = {word: max(0, round(math.exp(cost) / scale) - 1) for word, cost in costs.items()}
    return WordModel(rank=ranks.get, split=model.split)
