"""Dutch text analysis for lexical retrieval: tokenise, fold, drop stopwords, split compounds, stem.

Everything here is a pure function of the text and a frozen configuration, so the same `Analyzer`
produces the same tokens at index time and at query time, in any thread.

Default configuration, chosen by `bench/lexical_choices.py` on bench/data/laws-nl-beir (3,152 article
passages of 420 Dutch laws, 319 queries; BM25 via bm25s; full table in bench/results/lexical_choices.md):

    config (stemmer/stopwords/compounds)   nDCG@10  Recall@10  MRR@10
    none/stop/whole                        0.4302   0.3996     0.6413
    snowball3/stop/whole                   0.4671   0.4451     0.6678
    nltk/stop/whole                        0.4670   0.4408     0.6703
    simplemma/stop/whole                   0.4605   0.4372     0.6575
    none/stop/split                        0.4439   0.4074     0.6531
    snowball3/stop/split   <- default      0.4807   0.4535     0.6821
    nltk/stop/split                        0.4747   0.4458     0.6757
    simplemma/stop/split                   0.4757   0.4466     0.6763
    snowball3/nostop/whole                 0.4633   0.4344     0.6691

Stemming is worth +0.03-0.04 nDCG, compound splitting another +0.01, stopwords +0.004. The three
stemmers are within 0.007 of each other (noise on 319 queries); Snowball 3 wins on both query families
and is the fastest (C, PyStemmer). On the dev questions over the bundled corpus every stemmed config finds
the evidence of all 18 questions in the top 5; without stemming one is missed. (Dev MRR, 18 questions,
prefers simplemma/whole 0.863 over the default 0.829: too few questions to overrule 319 queries.)
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import chain
from typing import Literal, get_args

from assistant.core.text import STOPWORDS_EN, STOPWORDS_NL, fold

StemmerName = Literal["none", "snowball3", "nltk", "simplemma"]
STEMMERS: tuple[StemmerName, ...] = get_args(StemmerName)

# ------------------------------------------------------------------------------------------- tokens

# Letters and digits; everything else (punctuation, "_", "-", ".") separates tokens, so "safe.brussels"
# gives "safe" and "brussels" and "2023-2026" gives "2023" and "2026".
# Single letters are dropped (list markers "a.", "b.") but single digits kept: article numbers and years
# are what people search for.
_WORD = re.compile(r"[^\W_]{2,}|\d")


def words(text: str, *, accents: bool = True) -> list[str]:
    """Folded word tokens of letters and digits (see `_WORD`); without `accents` only lower-cased."""
    return _WORD.findall(fold(text) if accents else text.lower())


# ---------------------------------------------------------------------------------------- stopwords

# The index's stop words: Dutch (Snowball) and English function words (assistant/core/text.py) and a few Dutch
# relative and pronominal adverbs. Frozen with the index format: a word added here or there would vanish
# from every new index but not from the old ones, so the English reflexives and possessives and "now", which
# the shared English list has and the index never dropped, stay in the index (tests/test_analysis.py pins
# the set).
_INDEX_DUTCH = frozenset({"welke", "waarin", "waarop", "hierin", "hiervan", "daarvan", "daarbij", "ten", "ter"})
_INDEX_KEEPS = frozenset(
    "herself himself myself now ours ourselves theirs themselves yours yourself yourselves".split()  # noqa: SIM905
)
STOPWORDS: frozenset[str] = STOPWORDS_NL | _INDEX_DUTCH | (STOPWORDS_EN - _INDEX_KEEPS)

# ------------------------------------------------------------------------------------------ stemmers

_local = threading.local()  # PyStemmer objects are not thread-safe: one per thread


def _stem_function(name: StemmerName) -> Callable[[str], str]:
    cached: dict[str, Callable[[str], str]] | None = getattr(_local, "stemmers", None)
    if cached is None:
        cached = _local.stemmers = {}
    fn = cached.get(name)
    if fn is None:
        fn = cached[name] = _make_stemmer(name)
    return fn


def _make_stemmer(name: StemmerName) -> Callable[[str], str]:
    if name == "none":
        return lambda w: w
    if name == "snowball3":
        # Snowball 3's new Dutch algorithm (PyStemmer "dutch"): aggressive, it also strips the "ge-"
        # prefix ("gemeenten" -> "meen", "burgemeester" -> "burgemee").
        import Stemmer

        return Stemmer.Stemmer("dutch").stemWord  # type: ignore[no-any-return]
    if name == "nltk":
        # The classic Snowball Dutch (Porter-style) in pure Python: "gemeenten" -> "gemeent".
        from nltk.stem.snowball import SnowballStemmer

        return SnowballStemmer("dutch").stem  # type: ignore[no-any-return]
    if name == "simplemma":
        # Dictionary lemmatiser: "vergunningen" -> "vergunning"; unknown words stay as they are.
        import simplemma

        return lambda w: str(simplemma.lemmatize(w, lang="nl"))
    raise ValueError(f"unknown stemmer {name!r}; choose one of {', '.join(STEMMERS)}")


@lru_cache(maxsize=8)
def _word_cache(name: StemmerName) -> dict[str, str]:
    # Stems are a pure function of the word; a shared dict is safe under the GIL (worst case a word is
    # stemmed twice). Bounded below so a long-running process does not grow without limit.
    return {}


_CACHE_LIMIT = 2_000_000


def stem_words(unique: Iterable[str], name: StemmerName) -> dict[str, str]:
    """Stem each distinct word once (text has far fewer distinct words than tokens)."""
    if name == "none":
        return {w: w for w in unique}
    cache = _word_cache(name)
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    fn = _stem_function(name)
    out: dict[str, str] = {}
    for w in unique:
        s = cache.get(w)
        if s is None:
            s = cache[w] = fn(w) or w
        out[w] = s
    return out


# ---------------------------------------------------------------------------------------- compounds

_LINKS = ("s", "en", "e", "")  # Dutch linking morphemes: veiligheid-s-beleid, boek-en-kast, hond-e-hok


@dataclass(frozen=True, slots=True)
class CompoundSplitter:
    """Splits a long word into two known words, the vocabulary and its counts learned from the corpus.

    A word of at least `min_word` characters is split into head + link + tail when head and tail are
    vocabulary words of at least `min_part` characters and the link is "", "s", "en" or "e". Among the
    candidates the split with the highest geometric mean of part frequencies wins, and only when it beats
    the frequency of the whole word (Koehn & Knight 2003): frequent words stay whole. O(len(word))
    dictionary look-ups per distinct word.
    """

    counts: Mapping[str, int] = field(default_factory=dict)
    min_word: int = 10
    min_part: int = 4
    min_count: int = 2  # a part seen once is as likely a typo as a word

    @classmethod
    def learn(cls, texts: Iterable[str], *, accents: bool = True, min_count: int = 2) -> CompoundSplitter:
        counter: Counter[str] = Counter()
        for text in texts:
            counter.update(words(text, accents=accents))
        return cls.from_counter(counter, min_count=min_count)

    @classmethod
    def from_counter(cls, counter: Mapping[str, int], *, min_count: int = 2) -> CompoundSplitter:
        counts = {w: c for w, c in counter.items() if c >= min_count and len(w) >= 4 and not w.isdigit()}
        return cls(counts=counts, min_count=min_count)

    def split(self, word: str) -> tuple[str, ...]:
        """The parts of `word` (without the link), or () when it is not a compound."""
        n = len(word)
        if n < self.min_word or not self.counts:
            return ()
        counts = self.counts
        best: tuple[str, str] | None = None
        best_score = float(counts.get(word, 0))
        for i in range(self.min_part, n - self.min_part + 1):
            tail = word[i:]
            tail_count = counts.get(tail, 0)
            if not tail_count:
                continue
            for link in _LINKS:
                if link and not word[:i].endswith(link):
                    continue
                head = word[: i - len(link)] if link else word[:i]
                if len(head) < self.min_part:
                    continue
                head_count = counts.get(head, 0)
                if head_count:
                    score = math.sqrt(head_count * tail_count)
                    if score > best_score:
                        best, best_score = (head, tail), score
        return best if best is not None else ()


# ------------------------------------------------------------------------------------------ analyzer


@dataclass(frozen=True)
class Analyzer:
    """Text -> index terms. Configuration is frozen; `fit` returns a copy that knows the corpus's compounds.

    Order: tokenise and fold -> split compounds (whole word kept, parts added) -> drop stopwords -> stem.
    Splitting happens before stemming because the vocabulary of parts is of surface words.
    """

    stemmer: StemmerName = "snowball3"
    stopwords: bool = True
    fold_accents: bool = True
    split_compounds: bool = True
    splitter: CompoundSplitter | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.stemmer not in STEMMERS:
            raise ValueError(f"unknown stemmer {self.stemmer!r}; choose one of {', '.join(STEMMERS)}")

    @property
    def config(self) -> dict[str, str | bool]:
        return {
            "stemmer": self.stemmer,
            "stopwords": self.stopwords,
            "fold_accents": self.fold_accents,
            "split_compounds": self.split_compounds,
        }

    @classmethod
    def from_config(cls, config: Mapping[str, object], splitter: CompoundSplitter | None = None) -> Analyzer:
        stemmer = str(config.get("stemmer", "none"))
        if stemmer not in STEMMERS:
            raise ValueError(f"unknown stemmer {stemmer!r}")
        return cls(
            stemmer=stemmer,  # checked above
            stopwords=bool(config.get("stopwords", True)),
            fold_accents=bool(config.get("fold_accents", True)),
            split_compounds=bool(config.get("split_compounds", False)),
            splitter=splitter,
        )

    def fit(self, texts: Iterable[str]) -> Analyzer:
        """Learn the compound vocabulary from the corpus (a no-op when compounds are not split)."""
        if not self.split_compounds:
            return self
        return replace(self, splitter=CompoundSplitter.learn(texts, accents=self.fold_accents))

    def fit_tokens(self, texts: Iterable[str]) -> tuple[Analyzer, list[list[str]]]:
        """`fit` and `tokens_many` in one pass over the texts (index builds tokenise only once)."""
        raw = [words(t, accents=self.fold_accents) for t in texts]
        fitted = self
        if self.split_compounds:
            counter: Counter[str] = Counter()
            for ws in raw:
                counter.update(ws)
            fitted = replace(self, splitter=CompoundSplitter.from_counter(counter))
        return fitted, fitted._analyse(raw)

    def tokens(self, text: str) -> list[str]:
        return self.tokens_many([text])[0]

    def tokens_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Analyse many texts, splitting and stemming each distinct word only once."""
        return self._analyse([words(t, accents=self.fold_accents) for t in texts])

    def _analyse(self, raw: Sequence[Sequence[str]]) -> list[list[str]]:
        # Everything after tokenising is a function of the word alone: compute it once per distinct
        # word, then map the texts through it with C-level loops (chain/map), which keeps 100k chunks fast.
        unique = set(chain.from_iterable(raw))
        splitter = self.splitter if self.split_compounds else None
        expanded: dict[str, tuple[str, ...]] = {}
        for w in unique:
            parts = (w, *splitter.split(w)) if splitter is not None else (w,)
            expanded[w] = tuple(p for p in parts if p not in STOPWORDS) if self.stopwords else parts
        if self.stemmer != "none":
            stems = stem_words(set(chain.from_iterable(expanded.values())), self.stemmer)
            expanded = {w: tuple(stems[p] for p in parts) for w, parts in expanded.items()}
        lookup = expanded.__getitem__
        return [list(chain.from_iterable(map(lookup, ws))) for ws in raw]


# Chosen by bench/lexical_choices.py; the numbers are in the module docstring.
DEFAULT_ANALYZER = Analyzer()
