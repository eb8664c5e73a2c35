"""Who may see what: access groups on documents and the principal (user) a request runs for.

Rule (the same everywhere: Chroma `where`, BM25 filter, manifest views): a document without groups is
public; a document with groups is visible to a principal who is in *at least one* of them. The operator
principal (`all_groups`) sees everything. Group names are lowercase `[a-z0-9_-]` so that they can be
metadata keys (`grp_<name>`) in any Chroma version.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_GROUP_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
# New files only for the owner (0600, folders 0700): the manifest, Chroma's files, evaluation results and
# uploads hold restricted text, and other accounts on the server must not read them.
PRIVATE_UMASK = 0o077


def protect_files_at_rest() -> None:
    """Make every file this process creates from now on private to its user (see PRIVATE_UMASK)."""
    os.umask(os.umask(PRIVATE_UMASK) | PRIVATE_UMASK)


ALL = "*"


def normalise_group(name: str) -> str:
    """A valid group name, lowercased; ValueError says what is wrong with it."""
    value = str(name).strip().lower()
    if not _GROUP_RE.match(value):
        raise ValueError(
            f"invalid group name {name!r}: use 1-63 characters a-z, 0-9, '_' or '-', starting with a letter or digit"
        )
    return value


def parse_groups(value: str | Iterable[str]) -> tuple[str, ...]:
    """Sorted, unique, valid group names from "a, b" or an iterable. Empty input: no groups."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(sorted({normalise_group(v) for v in items if str(v).strip()}))


def groups_text(groups: Iterable[str]) -> str:
    return ",".join(groups)


@dataclass(frozen=True, slots=True)
class Principal:
    """The user a request runs for. `all_groups` is the operator (CLI on the server by default)."""

    name: str
    groups: frozenset[str] = field(default_factory=frozenset)
    all_groups: bool = False

    @classmethod
    def public(cls, name: str = "anonymous") -> Principal:
        return cls(name)

    @classmethod
    def operator(cls, name: str = "operator") -> Principal:
        return cls(name, all_groups=True)

    @classmethod
    def with_groups(cls, name: str, groups: str | Iterable[str]) -> Principal:
        """`*` among the groups means all groups (the operator)."""
        items = [g.strip() for g in (groups.split(",") if isinstance(groups, str) else groups)]
        if ALL in items:
            return cls.operator(name)
        return cls(name, frozenset(parse_groups(items)))

    def can_see(self, doc_groups: Iterable[str]) -> bool:
        wanted = tuple(doc_groups)
        return self.all_groups or not wanted or any(g in self.groups for g in wanted)

    @property
    def access(self) -> tuple[str, ...] | None:
        """For `SearchFilter.groups`: None = no restriction; a tuple = public plus these groups."""
        return None if self.all_groups else tuple(sorted(self.groups))

    def describe(self) -> str:
        if self.all_groups:
            return f"{self.name} (alle groepen)"
        return f"{self.name} ({', '.join(sorted(self.groups))})" if self.groups else f"{self.name} (openbaar)"
