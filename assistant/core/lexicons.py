"""Word lists the rule-based parts of the assistant use, read from `assistant/data/lexicons/`.

Each list is a plain UTF-8 text file: a header of `#` lines that says where the list comes from (its
provenance; required), then one entry per line. Blank lines and lines starting with `#` are skipped, so a
list can be divided into commented sections. Tables give one thing per line with its variants after it:
`Canonical | variant | variant`.

The lists come from general sources (reference lists, grammar, general knowledge of the domain), never
from the documents the assistant is evaluated on nor from its question sets: a rule that only knows the
words of its test documents cannot hold on unseen ones. `assistant/data/lexicons/README.md` describes
every list.

Files are read once per process (`functools.cache`); the callers build their patterns at import.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parents[1] / "data" / "lexicons"


class LexiconError(ValueError):
    """A lexicon file is missing its provenance header or has a malformed line."""


@cache
def _lines(name: str) -> tuple[str, ...]:
    path = LEXICON_DIR / f"{name}.txt"
    text = path.read_text(encoding="utf-8")
    header = [line for line in text.splitlines()[:3] if line.startswith("#")]
    if not header:
        raise LexiconError(f"{path.name}: the file must start with '#' lines stating its provenance")
    return tuple(s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#"))


def words(name: str) -> tuple[str, ...]:
    """The entries of list `name` in file order, duplicates removed."""
    return tuple(dict.fromkeys(_lines(name)))


def sections(name: str) -> dict[str, tuple[str, ...]]:
    """The entries of list `name` by section: a line `## Title` starts section "Title" (for the reader of the
    file it is a comment like any other); entries before the first one are under ""."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in (LEXICON_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s.startswith("## "):
            current = s[3:].strip()
        elif s and not s.startswith("#"):
            out.setdefault(current, []).append(s)
    return {title: tuple(dict.fromkeys(entries)) for title, entries in out.items()}


def table(name: str) -> dict[str, tuple[str, ...]]:
    """`Canonical | variant | ...` lines as {canonical: variants}; a canonical name listed twice (the same
    place in two sections) gets the variants of both."""
    out: dict[str, tuple[str, ...]] = {}
    for line in _lines(name):
        parts = [p.strip() for p in line.split("|")]
        if not parts[0] or any(not p for p in parts[1:]):
            raise LexiconError(f"{name}.txt: empty field in {line!r}")
        known = out.get(parts[0], ())
        out[parts[0]] = tuple(dict.fromkeys([*known, *parts[1:]]))
    return out


def phrase_pattern(entries: tuple[str, ...] | list[str]) -> str:
    """A regex alternation for word-list entries, longest first: a space matches any whitespace, and a
    trailing `*` means "and any word continuing it" (`vervolg*` matches "vervolgafspraken")."""
    parts = []
    for entry in sorted(entries, key=len, reverse=True):
        stem = entry.endswith("*")
        body = re.escape(entry.rstrip("*")).replace(r"\ ", r"\s+")
        parts.append(body + (r"\w*" if stem else ""))
    return "|".join(parts)


__all__ = ["LEXICON_DIR", "LexiconError", "phrase_pattern", "sections", "table", "words"]
