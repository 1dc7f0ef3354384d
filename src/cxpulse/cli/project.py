"""``cxpulse init``, ``cxpulse load`` and ``cxpulse status``: set up a project and fill it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, fail, reported_errors
from cxpulse.schema import TABLES


def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create (or complete).")] = Path("."),
    language: Annotated[str, typer.Option(help="Default language: es or en.")] = "es",
    force: Annotated[bool, typer.Option(help="Overwrite an existing cxpulse.toml.")] = False,
) -> None:
    """Create a project folder with a commented cxpulse.toml."""
    from cxpulse.project import init_project

    with reported_errors():
        path = init_project(directory, language=language, force=force)
    console.print(f"[green]Created[/] {path}")
    console.print(
        f"Next: [bold]cxpulse load accounts accounts.csv -p {directory}[/] "
        "(also responses, tickets, usage_events, invoices, orders, touchpoints, outcomes)."
    )


def load(
    table: Annotated[str, typer.Argument(help="Canonical table: " + ", ".join(TABLES))],
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="CSV, Parquet or Excel files (default: [tables.X] path)."),
    ] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Validate files against a canonical table and load them (all or nothing, by key)."""
    from cxpulse.workspace import Workspace

    if table not in TABLES:
        raise fail(f"unknown table '{table}'. Canonical tables: {', '.join(TABLES)}.")
    with reported_errors(), Workspace.open(project) as ws:
        sources = list(files or [])
        if not sources:
            binding = ws.config.tables.get(table)
            if binding is None or binding.path is None:
                raise fail(
                    f"no file given and no [tables.{table}] path in cxpulse.toml. "
                    f"Usage: cxpulse load {table} FILE"
                )
            base = ws.config.project_dir or Path(".")
            sources = [base / binding.path]
        for source in sources:
            report = ws.load(table, source)
            console.print(f"[green]OK[/] {escape(str(report))}", soft_wrap=True)


def status(project: ProjectOption = Path(".")) -> None:
    """Show the workspace location and how many rows each canonical table holds."""
    from cxpulse.workspace import Workspace

    with reported_errors(), Workspace.open(project) as ws:
        console.print(f"workspace: {ws.backend_name} {ws.config.workspace_url()}", soft_wrap=True)
        grid = Table()
        grid.add_column("table")
        grid.add_column("rows", justify="right")
        for name in TABLES:
            grid.add_row(name, f"{ws.count(name):,}")
        console.print(grid)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("load")(load)
    app.command("status")(status)
