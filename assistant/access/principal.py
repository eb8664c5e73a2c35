"""Who may see what: access groups on documents and the principal (user) a request runs for.

Rule (the same everywhere: Chroma `where`, BM25 filter, manifest views): a document without groups is
public; a document with groups is visible to a principal who is in *at least one* of them. The operator
principal (`all_groups`) sees everything. Group names are lowercase `[a-z0-9_-]` so that they can be
metadata keys (`grp_<name>`) in any Chroma version.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.core.groups import Role, parse_groups

# New files only for the owner (0600, folders 0700): the manifest, Chroma's files, evaluation results and
# uploads hold restricted text, and other accounts on the server must not read them.
PRIVATE_UMASK = 0o077


def protect_files_at_rest() -> None:
    """Make every file this process creates from now on private to its user (see PRIVATE_UMASK)."""
    os.umask(os.umask(PRIVATE_UMASK) | PRIVATE_UMASK)


ALL = "*"


_RANK = {Role.READER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


def highest_role(roles: Iterable[Role]) -> Role:
    return max(roles, key=_RANK.__getitem__, default=Role.READER)


@dataclass(frozen=True, slots=True)
class Principal:
    """The user a request runs for. `all_groups` is the operator (CLI on the server by default), an admin.
    The role defaults to reader: whoever builds a principal must grant changing the library explicitly."""

    name: str
    groups: frozenset[str] = field(default_factory=frozenset)
    all_groups: bool = False
    role: Role = Role.READER

    @classmethod
    def public(cls, name: str = "anonymous") -> Principal:
        return cls(name)

    @classmethod
    def operator(cls, name: str = "operator") -> Principal:
        return cls(name, all_groups=True, role=Role.ADMIN)

    @classmethod
    def with_groups(cls, name: str, groups: str | Iterable[str], role: Role = Role.READER) -> Principal:
        """`*` among the groups means all groups (the operator)."""
        items = [g.strip() for g in (groups.split(",") if isinstance(groups, str) else groups)]
        if ALL in items:
            return cls.operator(name)
        return cls(name, frozenset(parse_groups(items)), role=role)

    def can_see(self, doc_groups: Iterable[str]) -> bool:
        wanted = tuple(doc_groups)
        return self.all_groups or not wanted or any(g in self.groups for g in wanted)

    @property
    def may_change_library(self) -> bool:
        """Upload, delete and re-index: editors and admins."""
        return self.role in (Role.EDITOR, Role.ADMIN)

    def upload_choices(self) -> tuple[tuple[str, ...], ...]:
        """The groups an upload may get: one of the user's own groups, or () for public. Own groups come first,
        so the preselected choice never publishes a document by accident."""
        if not self.may_change_library:
            return ()
        return (*((g,) for g in sorted(self.groups)), ())

    def may_upload_to(self, groups: Iterable[str]) -> bool:
        return tuple(groups) in self.upload_choices() or (self.may_change_library and self.all_groups)

    def may_edit(self, doc_groups: Iterable[str], owner: str | None) -> bool:
        """Whether this user may delete or replace a document. Admin: any document they can see. Editor: a
        restricted document whose groups are all their own (they could have uploaded it there), or a public
        document they uploaded themselves (`owner`): a public document is everyone's, so another editor's
        or the corpus's is an admin's to remove. Reader: none."""
        groups = tuple(doc_groups)
        if not self.can_see(groups) or not self.may_change_library:
            return False
        if self.role is Role.ADMIN or self.all_groups:
            return True
        if groups:
            return set(groups) <= self.groups
        return owner is not None and owner == self.name

    @property
    def access(self) -> tuple[str, ...] | None:
        """For `SearchFilter.groups`: None = no restriction; a tuple = public plus these groups."""
        return None if self.all_groups else tuple(sorted(self.groups))

    def describe(self) -> str:
        if self.all_groups:
            return f"{self.name} (alle groepen)"
        return f"{self.name} ({', '.join(sorted(self.groups))})" if self.groups else f"{self.name} (openbaar)"
