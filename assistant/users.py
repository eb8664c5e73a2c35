"""Local users for the app's password sign-in: a JSON file (mode 0600) with salted scrypt hashes only.

Managed with `assistant users add NAME --groups a,b` (prompts for the password). Passwords are never
stored or logged; a hash is `scrypt$n$r$p$salt$hash` (base64), checked in constant time.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.access import Principal, parse_groups
from assistant.errors import ConfigurationError

# scrypt cost: about 50 ms and 16 MiB per check on a laptop core (OWASP's minimum is N=2^17 with r=8, p=1;
# 2^14 keeps sign-in quick on a 2-core server while a leaked file still costs an attacker dearly per guess).
_N, _R, _P = 2**14, 8, 1
_MIN_PASSWORD = 8
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")


def hash_password(password: str, *, n: int = _N, r: int = _R, p: int = _P) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the user does not exist, so a wrong name costs as long as a wrong password."""
    return hash_password(secrets.token_hex(8))


def check_username(name: str) -> str:
    value = name.strip().lower()
    if not value or len(value) > 64 or not set(value) <= _NAME_CHARS:
        raise ConfigurationError(
            f"invalid user name {name!r}", hint="use 1-64 characters a-z, 0-9, '.', '_', '-' or '@'"
        )
    return value


def check_password(password: str) -> None:
    if len(password) < _MIN_PASSWORD:
        raise ConfigurationError(f"password too short (at least {_MIN_PASSWORD} characters)")


@dataclass(frozen=True, slots=True)
class LocalUser:
    name: str
    groups: tuple[str, ...]
    password_hash: str


class UserStore:
    """The users file. Every write replaces it atomically and keeps mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def exists(self) -> bool:
        return self.path.is_file()

    def users(self) -> dict[str, LocalUser]:
        if not self.path.is_file():
            return {}
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
            rows = data["users"]
            return {
                name: LocalUser(name, tuple(parse_groups(row.get("groups", []))), str(row["hash"]))
                for name, row in rows.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigurationError(
                f"users file {self.path} cannot be read: {exc}",
                hint="recreate it with `assistant users add NAME --groups …` after moving the damaged file away",
            ) from exc

    def add(self, name: str, password: str, groups: Iterable[str] = ()) -> LocalUser:
        """Add or replace a user (a new password and groups)."""
        name = check_username(name)
        check_password(password)
        try:
            parsed = parse_groups(list(groups))
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from exc
        user = LocalUser(name, parsed, hash_password(password))
        with self._lock:
            users = self.users()
            users[name] = user
            self._write(users)
        return user

    def remove(self, name: str) -> bool:
        name = check_username(name)
        with self._lock:
            users = self.users()
            if users.pop(name, None) is None:
                return False
            self._write(users)
        return True

    def authenticate(self, name: str, password: str) -> Principal | None:
        """The user's principal when the password is right; None otherwise (same cost either way)."""
        try:
            key = check_username(name)
        except ConfigurationError:
            key = ""
        user = self.users().get(key)
        ok = verify_password(password, user.password_hash if user else _dummy_hash())
        if user is None or not ok:
            return None
        return Principal(user.name, frozenset(user.groups))

    def _write(self, users: dict[str, LocalUser]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"users": {u.name: {"groups": list(u.groups), "hash": u.password_hash} for u in users.values()}}
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
        os.chmod(tmp, 0o600)
        tmp.replace(self.path)


def groups_for_claims(
    claims: dict[str, Any], mapping: dict[str, list[str]], groups_claim: str | None = None
) -> frozenset[str]:
    """Groups of an OIDC user: the mapping's entry for the exact e-mail, plus the entry for its `@domain`,
    plus (when configured) valid names in the token's `groups_claim`. Unknown users: no groups (public)."""
    email = str(claims.get("email") or "").strip().lower()
    found: set[str] = set()
    lowered = {k.strip().lower(): v for k, v in mapping.items()}
    if email:
        found.update(lowered.get(email, []))
        if "@" in email:
            found.update(lowered.get("@" + email.split("@", 1)[1], []))
    if groups_claim:
        raw = claims.get(groups_claim)
        values = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []
        for value in values:
            try:
                found.update(parse_groups([str(value)]))
            except ValueError:
                continue  # an IdP group name we cannot use as a group is ignored, not fatal
    try:
        return frozenset(parse_groups(found))
    except ValueError as exc:
        raise ConfigurationError(f"ASSISTANT_OIDC_GROUPS: {exc}") from exc
