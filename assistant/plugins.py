"""Plugins: CLI commands and app pages that packages above `assistant` add to its edges (issue #19).

`eval/` is one. It imports `assistant`, so nothing in `assistant` may import it back (an import contract in
pyproject.toml). It declares itself under the entry-point group `beleidsassistent.plugins`; the CLI and the
app get its command and page from `discover()` and never name it in an import.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import typer
    from rich.console import Console
    from rich.progress import Progress

    from assistant.access.principal import Principal
    from assistant.composition import Assistant
    from assistant.core.config import Settings

GROUP = "beleidsassistent.plugins"
# Used when no installed distribution declares GROUP: an install made before the entry point existed has none
# until it is reinstalled, and eval's command and page must not vanish meanwhile. Same targets as pyproject.toml.
DEFAULT_PLUGINS: tuple[str, ...] = ("eval.plugin",)
REINSTALL_HINT = "reinstall the project (`make setup`, or `pip install -e .`) so the plugin's package imports"


class CliServices(Protocol):
    """What the CLI lends a plugin's commands: its settings, user (--user/--groups), assistant, progress bar
    and consoles, so a plugin's command behaves like the CLI's own without importing `assistant.cli`."""

    @property
    def out(self) -> Console: ...

    @property
    def err(self) -> Console: ...

    def settings(self) -> Settings: ...

    def principal(self) -> Principal: ...

    def assistant(self) -> Assistant: ...

    def progress_bar(self, label: str) -> Progress: ...


@dataclass(frozen=True)
class CliCommand:
    """`assistant NAME …`: `build` returns the command's Typer app, given the CLI's services."""

    name: str
    build: Callable[[CliServices], typer.Typer]


@dataclass(frozen=True)
class AppPage:
    """A page of the Streamlit app. `script` is a page script like those in assistant/ui/pages: st.navigation
    runs files, and AppTest switches only to files. `title` goes through the app's translator
    (assistant.ui.i18n), so it is a key there or plain text."""

    title: str
    script: Path
    icon: str
    url_path: str


@dataclass(frozen=True)
class Plugin:
    name: str
    commands: tuple[CliCommand, ...] = ()
    pages: tuple[AppPage, ...] = ()


@dataclass(frozen=True)
class BrokenPlugin:
    """A declared plugin that did not load. The edges show `message` and go on without it."""

    name: str
    target: str
    reason: str

    @property
    def message(self) -> str:
        return f"plugin '{self.name}' ({self.target}) could not be loaded: {self.reason}"


@dataclass(frozen=True)
class Plugins:
    loaded: tuple[Plugin, ...] = ()
    broken: tuple[BrokenPlugin, ...] = ()

    def commands(self) -> list[CliCommand]:
        return [command for plugin in self.loaded for command in plugin.commands]

    def pages(self) -> list[AppPage]:
        return [page for plugin in self.loaded for page in plugin.pages]


def declared(group: str = GROUP, default: tuple[str, ...] = DEFAULT_PLUGINS) -> list[tuple[str, str]]:
    """(name, target) of each plugin: the entry points of `group`, else `default`, each named by its package
    ("eval.plugin" is "eval", as its entry point is). A target is "module" or "module:function"."""
    found: dict[str, str] = {}
    for point in entry_points(group=group):
        found.setdefault(point.name, point.value)  # a name declared twice (two installs): the first wins
    if found:
        return sorted(found.items())
    return [(target.partition(":")[0].split(".")[0], target) for target in default]


def load(name: str, target: str) -> Plugin | BrokenPlugin:
    """The plugin `target` returns: the module's `plugin()`, or the function the target names."""
    module_name, _, function = target.partition(":")
    try:
        module = importlib.import_module(module_name.strip())
        plugin = getattr(module, function.strip() or "plugin")()
    except Exception as exc:  # a plugin is other code: whatever it raises, the edges go on without it
        return BrokenPlugin(name, target, f"{type(exc).__name__}: {exc}")
    if not isinstance(plugin, Plugin):
        return BrokenPlugin(name, target, f"it returned {type(plugin).__name__}, not a Plugin")
    return plugin


def discover(group: str = GROUP, default: tuple[str, ...] = DEFAULT_PLUGINS) -> Plugins:
    """Every declared plugin, loaded; those that fail are reported in `broken`, never raised."""
    results = [load(name, target) for name, target in declared(group, default)]
    return Plugins(
        loaded=tuple(r for r in results if isinstance(r, Plugin)),
        broken=tuple(r for r in results if isinstance(r, BrokenPlugin)),
    )
