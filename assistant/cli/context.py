"""What every command of the CLI shares: the Typer app and its options, the settings, the principal the
command runs for, the assistant, the consoles and the progress display."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from assistant.access.principal import Principal
from assistant.composition import Assistant, build_assistant
from assistant.core.config import Settings, load_settings
from assistant.core.errors import ConfigurationError
from assistant.core.groups import Role

if TYPE_CHECKING:
    from rich.progress import Progress

    from assistant.access.scoped import ScopedAssistant

app = typer.Typer(
    name="assistant",
    help="Beleidsassistent: answers about policy documents, with checkable sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = Console()
err = Console(stderr=True)


class _State:
    settings: Settings | None = None
    assistant: Assistant | None = None
    user: str | None = None
    groups: str | None = None


def settings() -> Settings:
    if _State.settings is None:
        _State.settings = load_settings()
    return _State.settings


def assistant() -> Assistant:
    if _State.assistant is None:
        _State.assistant = build_assistant(settings())
    return _State.assistant


def principal() -> Principal:
    """Who the command runs for. `--groups` wins, then `--user` (groups and role from the users file), then
    ASSISTANT_USER_GROUPS; with none of them, the operator: all groups. The CLI runs on the server, where its
    user can read the data dir (Chroma files, manifest) directly, so narrowing it by default would protect
    nothing; `--groups ''` shows what a user without groups sees. The server account stays an admin with
    narrowed groups (it can write the data dir anyway); `--user` takes that user's role too."""
    import getpass

    name = _State.user or getpass.getuser()
    try:
        if _State.groups is not None:
            return Principal.with_groups(name, _State.groups, role=Role.ADMIN)
        if _State.user is not None:
            from assistant.access.users import UserStore, check_username

            user = UserStore(settings().users_path).users().get(check_username(_State.user))
            if user is None:
                raise ConfigurationError(
                    f"unknown user '{_State.user}' (not in {settings().users_path})",
                    hint="add it with `assistant users add NAME --groups …`, or pass --groups",
                )
            return user.principal()
        if settings().access.user_groups is not None:
            return Principal.with_groups(name, settings().access.user_groups or "", role=Role.ADMIN)
    except ValueError as exc:
        raise ConfigurationError(str(exc), hint="group names are a-z, 0-9, '_' or '-'") from exc
    return Principal.operator(name)


def scoped() -> ScopedAssistant:
    """The assistant as `principal()` sees it (access groups applied, use cases audited)."""
    return assistant().scoped(principal())


@app.callback()
def _options(
    user: Annotated[
        str | None, typer.Option("--user", help="Act as this user of the users file (their groups; audit name).")
    ] = None,
    groups: Annotated[
        str | None,
        typer.Option("--groups", help="Access groups, comma-separated ('*' = all, '' = public documents only)."),
    ] = None,
) -> None:
    """Default: all groups (the operator on the server); see `principal()` and the README."""
    _State.user = user
    _State.groups = groups


def _progress_bar(label: str, *, eta: bool = False) -> Progress:
    """The one progress display of long commands (on stderr, so --json output stays clean)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    if eta:
        columns += [TextColumn("eta"), TimeRemainingColumn()]
    return Progress(*columns, TextColumn("{task.description}"), console=err, transient=True)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
