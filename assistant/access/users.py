"""Local users for the app's password sign-in: a JSON file (mode 0600) with salted scrypt hashes only.

Managed with `assistant users add NAME --groups a,b --role editor` (prompts for the password) and
`assistant users role NAME ROLE`. Passwords are never stored or logged; a hash is `scrypt$n$r$p$salt$hash`
(base64), checked in constant time.

A user without a `role` (a file written before roles existed) is a reader. Until then every signed-in user
could upload and delete; keeping that for existing accounts would keep exactly the hole roles close, while a
reader who misses the upload button is visible at once and fixed by one command of the administrator.
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
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.access.principal import Principal, highest_role
from assistant.core.errors import ConfigurationError
from assistant.core.groups import Role, parse_groups, parse_role

# scrypt cost: about 50 ms and 16 MiB per check on a laptop core (OWASP's minimum is N=2^17 with r=8, p=1;
# 2^14 keeps sign-in quick on a 2-core server while a leaked file still costs an attacker dearly per guess).
_N, _R, _P = 2**14, 8, 1
_MIN_PASSWORD = 8
_MIN_PASSWORD_SCORE = 3
_MAX_CHECKED = 100  # zxcvbn's cost grows with length; the first 100 characters decide
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


def check_password(password: str, user_inputs: Iterable[str] = ()) -> None:
    """At least 8 characters (NIST SP 800-63B) and not guessable: zxcvbn (Dropbox's estimator, with its lists of
    leaked passwords, names and keyboard patterns) must score it 3 of 4 or better ("safely unguessable")."""
    if len(password) < _MIN_PASSWORD:
        raise ConfigurationError(f"password too short (at least {_MIN_PASSWORD} characters)")
    from zxcvbn import zxcvbn

    verdict = zxcvbn(password[:_MAX_CHECKED], user_inputs=list(user_inputs))
    if int(verdict["score"]) < _MIN_PASSWORD_SCORE:
        feedback = verdict.get("feedback") or {}
        why = feedback.get("warning") or "it is easy to guess"
        raise ConfigurationError(
            f"password too weak ({why})",
            hint="use a longer passphrase of several unrelated words, or a password manager's random password",
        )


class SignInThrottle:
    """Consecutive failed sign-ins per key (a user name, a client address): the first `free` failures cost
    nothing (a typo), after that the next attempt for that key is refused until a wait has passed that doubles
    with each failure (1 s, 2 s, 4 s … at most a minute); after `lock_after` failures in a row the key is
    locked for `lockout` seconds. A success clears the keys it came with. Refused attempts are not checked at
    all, so guessing is slow whatever the password costs.
    Kept per process (the app is one), so a restart clears it."""

    def __init__(
        self,
        *,
        free: int = 2,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        lock_after: int = 10,
        lockout: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.base_delay, self.max_delay = free, base_delay, max_delay
        self.lock_after, self.lockout = lock_after, lockout
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (consecutive failures, time of the last)

    def _until(self, key: str) -> float:
        count, last = self._failures.get(key, (0, 0.0))
        if count <= self.free and count < self.lock_after:
            return 0.0
        doubling = self.base_delay * 2 ** (count - self.free - 1)
        wait = self.lockout if count >= self.lock_after else min(self.max_delay, doubling)
        return last + wait

    def wait_s(self, *keys: str) -> float:
        """Seconds before an attempt for these keys may be checked (0: now)."""
        now = self._clock()
        with self._lock:
            return max([0.0, *(self._until(k) - now for k in keys if k)])

    def failed(self, *keys: str) -> int:
        """Record a failure; returns the highest consecutive count among the keys."""
        now = self._clock()
        with self._lock:
            counts = []
            for key in filter(None, keys):
                count = self._failures.get(key, (0, 0.0))[0] + 1
                self._failures[key] = (count, now)
                counts.append(count)
            return max(counts, default=0)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


DEFAULT_ROLE = Role.READER  # for users saved before roles existed, and new users without --role


@dataclass(frozen=True, slots=True)
class LocalUser:
    name: str
    groups: tuple[str, ...]
    password_hash: str
    role: Role = DEFAULT_ROLE
    enabled: bool = True  # a disabled account keeps its record (groups, role) but cannot sign in or act

    def principal(self) -> Principal:
        return Principal(self.name, frozenset(self.groups), role=self.role)


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
                name: LocalUser(
                    name,
                    tuple(parse_groups(row.get("groups", []))),
                    str(row["hash"]),
                    parse_role(row.get("role", DEFAULT_ROLE)),
                    row.get("enabled", True) is not False,
                )
                for name, row in rows.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigurationError(
                f"users file {self.path} cannot be read: {exc}",
                hint="recreate it with `assistant users add NAME --groups …` after moving the damaged file away",
            ) from exc

    def add(self, name: str, password: str, groups: Iterable[str] = (), role: Role | None = None) -> LocalUser:
        """Add or replace a user (a new password and groups). `role` None: an existing user keeps theirs (a new
        password never demotes or promotes anyone), a new user is a reader."""
        name = check_username(name)
        check_password(password, user_inputs=[name, *name.replace("@", ".").split(".")])
        try:
            parsed = parse_groups(list(groups))
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from exc
        password_hash = hash_password(password)
        with self._lock:
            users = self.users()
            before = users.get(name)
            kept = role or (before.role if before else DEFAULT_ROLE)
            # A new password does not re-enable a disabled account: that is `users enable`.
            user = LocalUser(name, parsed, password_hash, kept, before.enabled if before else True)
            users[name] = user
            self._write(users)
        return user

    def set_role(self, name: str, role: Role) -> LocalUser:
        """Change only the role of an existing user."""
        return self._change(name, hint="add it with `assistant users add NAME --role …`", role=role)

    def set_enabled(self, name: str, enabled: bool) -> LocalUser:
        """Disable an account (it cannot sign in; an open session ends at its next action) or enable it again."""
        return self._change(name, hint="`assistant users list` shows the users", enabled=enabled)

    def _change(self, name: str, *, hint: str, **changes: Any) -> LocalUser:
        name = check_username(name)
        with self._lock:
            users = self.users()
            if name not in users:
                raise ConfigurationError(f"no user '{name}'", hint=hint)
            user = replace(users[name], **changes)
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
        if user is None or not ok or not user.enabled:
            return None
        return user.principal()

    def _write(self, users: dict[str, LocalUser]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "users": {
                u.name: {"groups": list(u.groups), "role": u.role.value, "hash": u.password_hash}
                | ({} if u.enabled else {"enabled": False})
                for u in users.values()
            }
        }
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


def role_for_claims(claims: dict[str, Any], mapping: dict[str, str], roles_claim: str | None = None) -> Role:
    """The role of an OIDC user: the mapping's entry for the exact e-mail, else for its `@domain`; raised to
    the highest role named in the token's `roles_claim` (when configured: the identity provider's app roles).
    Unknown users and unknown names: reader."""
    email = str(claims.get("email") or "").strip().lower()
    lowered = {k.strip().lower(): v for k, v in mapping.items()}
    found: list[Role] = []
    entry = lowered.get(email) if email else None
    if entry is None and "@" in email:
        entry = lowered.get("@" + email.split("@", 1)[1])
    try:
        if entry is not None:
            found.append(parse_role(entry))
    except ValueError as exc:
        raise ConfigurationError(f"ASSISTANT_OIDC_ROLES: {exc}") from exc
    if roles_claim:
        raw = claims.get(roles_claim)
        for value in raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []:
            try:
                found.append(parse_role(str(value)))
            except ValueError:
                continue  # the identity provider's other roles are not ours
    return highest_role(found)
