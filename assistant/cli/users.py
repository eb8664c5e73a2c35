"""`assistant users`: local users of the app's password sign-in, their groups and roles."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from assistant.cli.context import (
    _print_json,
    assistant,
    err,
    out,
    settings,
)
from assistant.core.errors import ConfigurationError
from assistant.core.groups import Role

if TYPE_CHECKING:
    from assistant.access.users import LocalUser


users_app = typer.Typer(help="Local users of the app's password sign-in, their groups and roles.", no_args_is_help=True)

# --- users -----------------------------------------------------------------------------------------------


def _audit_admin(action: str, **details: Any) -> None:
    """A change to who may see what, by the account that ran the command on the server."""
    import getpass

    assistant().audit.record(action, f"os:{getpass.getuser()}", via="cli", **details)


def _parse_role(value: str) -> Role:
    from assistant.core.groups import parse_role

    try:
        return parse_role(value)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (sign-in name).")],
    groups: Annotated[str, typer.Option("--groups", help="Access groups, comma-separated ('' = none).")] = "",
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            help="reader (ask, search, briefings), editor (also upload and delete documents of their groups) or "
            "admin (everything). Default: an existing user keeps theirs, a new user is a reader.",
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
) -> None:
    """Add a user, or replace an existing user's password and groups. Prompts for the password."""
    from assistant.access.users import UserStore, check_username
    from assistant.core.groups import parse_groups

    try:
        group_list = parse_groups(groups)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    chosen = None if role is None else _parse_role(role)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = UserStore(settings().users_path)
    before = store.users().get(check_username(name))
    user = store.add(name, password, group_list, chosen)
    _audit_user_saved(user, before)
    err.print(
        f"user {escape(user.name)} saved in {escape(str(store.path))} "
        f"(groups: {', '.join(user.groups) or '-'}; role: {user.role.value})"
    )


def _audit_user_saved(user: LocalUser, before: LocalUser | None) -> None:
    _audit_admin(
        "user_saved",
        account=user.name,
        groups=list(user.groups),
        before=list(before.groups) if before else None,
        role=user.role.value,
        role_before=before.role.value if before else None,
        new=before is None,
    )


@users_app.command("role")
def users_role(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Argument(help="reader, editor or admin.")],
) -> None:
    """Change a user's role (password and groups stay). Takes effect at the user's next action in the app."""
    from assistant.access.users import UserStore, check_username

    chosen = _parse_role(role)
    store = UserStore(settings().users_path)
    before = store.users().get(check_username(name))
    user = store.set_role(name, chosen)
    _audit_user_saved(user, before)
    err.print(f"user {escape(user.name)}: role {user.role.value}")


def _set_enabled(name: str, enabled: bool) -> None:
    from assistant.access.users import UserStore

    user = UserStore(settings().users_path).set_enabled(name, enabled)
    _audit_admin("user_enabled" if enabled else "user_disabled", account=user.name)
    err.print(f"user {escape(user.name)} {'enabled' if enabled else 'disabled'}")


@users_app.command("disable")
def users_disable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable an account without removing it: it cannot sign in, and an open session ends at its next action."""
    _set_enabled(name, False)


@users_app.command("enable")
def users_enable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Enable a disabled account again (its groups and role are as they were)."""
    _set_enabled(name, True)


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Remove a user."""
    from assistant.access.users import UserStore, check_username

    if not UserStore(settings().users_path).remove(name):
        raise ConfigurationError(f"no user '{name}'")
    _audit_admin("user_removed", account=check_username(name))
    err.print(f"user {escape(name)} removed")


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Users, their groups and roles (never passwords or hashes)."""
    from assistant.access.users import UserStore

    users = list(UserStore(settings().users_path).users().values())
    if as_json:
        _print_json(
            [{"name": u.name, "groups": list(u.groups), "role": u.role.value, "enabled": u.enabled} for u in users]
        )
        return
    for u in users:
        state = "" if u.enabled else ", disabled"
        out.print(f"{escape(u.name)}: {escape(', '.join(u.groups) or '-')} ({u.role.value}{state})")
