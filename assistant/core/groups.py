"""Access group names and user roles as values: parsing and validation, no policy. Who may see and change
what is `assistant.access`; ingest reads a document's groups with `parse_groups`, the settings check roles with
`parse_role`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

_GROUP_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


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


class Role(StrEnum):
    """What a user may change (groups decide what they may see).

    reader: ask, search, briefings, own evaluations. editor: also upload (into one of their own groups, or
    public) and delete or replace documents they may edit (`Principal.may_edit`). admin: everything,
    including every document they can see, users and settings."""

    READER = "reader"
    EDITOR = "editor"
    ADMIN = "admin"


def parse_role(value: str) -> Role:
    """A valid role from its name (any case); ValueError says which names exist."""
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ValueError(f"invalid role {value!r}: use one of {names}") from None
