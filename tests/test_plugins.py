"""The plugin registry (assistant/plugins.py): eval's command and page are found without `assistant` importing
eval, and a plugin that does not load is a one-line message, never a traceback or a CLI that stops working."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest
import typer

from assistant import plugins
from assistant.core.errors import ConfigurationError
from assistant.plugins import BrokenPlugin, Plugins, discover

ROOT = Path(__file__).resolve().parent.parent
NO_GROUP = "beleidsassistent.tests-no-such-group"  # no distribution declares it: discover() falls back


def test_the_eval_plugin_is_found_through_the_fallback() -> None:
    found = discover(group=NO_GROUP)
    assert found.broken == ()
    assert [p.name for p in found.loaded] == ["eval"]
    assert [c.name for c in found.commands()] == ["eval"]
    [page] = found.pages()
    assert page.url_path == "evaluatie" and page.title == "nav.eval"
    assert page.script == ROOT / "eval" / "pages" / "evaluation.py" and page.script.is_file()


def test_the_installed_group_finds_eval_too() -> None:
    """From the entry point on a fresh install (CI), from the fallback on an install made before it existed."""
    assert [c.name for c in discover().commands()] == ["eval"]


def test_the_entry_points_and_the_fallback_name_the_same_plugins() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["entry-points"][plugins.GROUP]
    assert declared == dict(plugins.declared(NO_GROUP)) == {"eval": "eval.plugin"}


def test_a_plugin_that_cannot_be_imported_gives_a_clear_error() -> None:
    found = discover(group=NO_GROUP, default=("no_such_plugin.plugin",))
    assert found.loaded == () and found.commands() == [] and found.pages() == []
    [broken] = found.broken
    assert broken.message == (
        "plugin 'no_such_plugin' (no_such_plugin.plugin) could not be loaded: "
        "ModuleNotFoundError: No module named 'no_such_plugin'"
    )


def test_a_plugin_that_fails_or_returns_no_plugin_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "failing_plugin.py").write_text("raise RuntimeError('half installed')\n", encoding="utf-8")
    (tmp_path / "odd_plugin.py").write_text("def plugin():\n    return 'eval'\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = discover(group=NO_GROUP, default=("failing_plugin", "odd_plugin", "odd_plugin:missing", "eval.plugin"))
    assert [p.name for p in found.loaded] == ["eval"]  # the others do not stop it
    assert [b.reason for b in found.broken] == [
        "RuntimeError: half installed",
        "it returned str, not a Plugin",
        "AttributeError: module 'odd_plugin' has no attribute 'missing'",
    ]


def test_the_cli_says_why_a_plugin_command_is_missing_and_keeps_working(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant import cli

    app = typer.Typer()

    @app.command()
    def hello() -> None:
        cli.out.print("hello")

    broken = BrokenPlugin("eval", "eval.plugin", "ModuleNotFoundError: No module named 'eval'")
    cli.add_plugin_commands(app, Plugins(broken=(broken,)))
    monkeypatch.setattr(cli, "app", app)

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["assistant", *args])
        code = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return code, " ".join(captured.out.split()), " ".join(captured.err.split())

    code, out, err = run("eval", "--questions", "vragen.jsonl")
    assert code == ConfigurationError.exit_code == 2
    assert f"error: {broken.message}" in err and "what to do: reinstall the project" in err
    assert "Traceback" not in out + err
    assert run("hello") == (0, "hello", "")


def test_the_cli_adds_the_eval_command_from_the_registry() -> None:
    from typer.main import get_command

    from assistant import cli

    group = get_command(cli.app)
    assert isinstance(group, typer.core.TyperGroup) and "eval" in group.commands
    assert "compare" in group.commands["eval"].commands  # type: ignore[attr-defined]
