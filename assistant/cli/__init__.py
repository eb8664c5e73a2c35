"""`assistant` command line. Domain errors become one-line messages with exit codes, never tracebacks.

The commands live by group: `library` (ingest, status), `questions` (search, ask, briefing, chat), `users`,
`models`; `context` holds what they share. Importing a group's module registers its commands on `app`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from assistant.access.principal import Principal
from assistant.cli import library, models, questions, users
from assistant.cli.context import _progress_bar, app, assistant, err, out, principal, settings
from assistant.composition import Assistant
from assistant.core.config import Settings
from assistant.core.errors import AssistantError, ConfigurationError
from assistant.core.offline import quiet_offline_environment
from assistant.plugins import REINSTALL_HINT, BrokenPlugin, Plugins, discover

if TYPE_CHECKING:
    from rich.progress import Progress

__all__ = ["add_plugin_commands", "app", "library", "main", "models", "questions", "users"]

app.add_typer(models.models_app, name="models")
app.add_typer(users.users_app, name="users")

# --- plugins (eval) --------------------------------------------------------------------------------------


class _PluginServices:
    """This CLI's settings, user, assistant and output, lent to the commands plugins add (CliServices)."""

    @property
    def out(self) -> Console:
        return out

    @property
    def err(self) -> Console:
        return err

    def settings(self) -> Settings:
        return settings()

    def principal(self) -> Principal:
        return principal()

    def assistant(self) -> Assistant:
        return assistant()

    def progress_bar(self, label: str) -> Progress:
        return _progress_bar(label)


def add_plugin_commands(cli: typer.Typer, plugins: Plugins) -> None:
    """The plugins' commands (`assistant eval`). A plugin that did not load keeps its command name, and the
    command says why (exit 2) instead of "No such command"; every other command works as before."""
    services = _PluginServices()
    for command in plugins.commands():
        cli.add_typer(command.build(services), name=command.name)
    for broken in plugins.broken:
        _add_unavailable(cli, broken)


def _add_unavailable(cli: typer.Typer, broken: BrokenPlugin) -> None:
    def unavailable() -> None:
        raise ConfigurationError(broken.message, hint=REINSTALL_HINT)

    # Any options and arguments are accepted, so `assistant eval --questions …` reaches the message.
    accept_anything = {"allow_extra_args": True, "ignore_unknown_options": True}
    cli.command(broken.name, help=f"Unavailable: {broken.message}.", context_settings=accept_anything)(unavailable)


add_plugin_commands(app, discover())


def main() -> None:
    quiet_offline_environment()
    try:
        app()
    except AssistantError as exc:
        err.print(f"[red]error:[/] {escape(exc.message)}")
        if exc.hint:
            err.print(f"[yellow]what to do:[/] {escape(exc.hint)}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
