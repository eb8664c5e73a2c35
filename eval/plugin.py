"""eval/ as a plugin of the assistant's edges: the `assistant eval` command and the app's evaluation page.

Declared in pyproject.toml ([project.entry-points."beleidsassistent.plugins"]) and found by
assistant.plugins.discover(); nothing in `assistant` imports eval.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.plugins import AppPage, CliCommand, CliServices, Plugin

if TYPE_CHECKING:
    import typer


def _eval_command(cli: CliServices) -> typer.Typer:
    # Imported here: the app loads this plugin too, and needs its page, not typer.
    from eval.cli import eval_app

    return eval_app(cli)


def plugin() -> Plugin:
    return Plugin(
        name="eval",
        commands=(CliCommand("eval", _eval_command),),
        pages=(
            AppPage(
                title="nav.eval",
                script=Path(__file__).resolve().parent / "pages" / "evaluation.py",
                icon=":material/analytics:",
                url_path="evaluatie",
            ),
        ),
    )
