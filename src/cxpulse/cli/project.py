"""``cxpulse init``, ``cxpulse load`` and ``cxpulse status``: set up a project and fill it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, fail, reported_errors
from cxpulse.cli.i18n import Speaker, speaker, tr
from cxpulse.schema import TABLES

if TYPE_CHECKING:
    from cxpulse.schema.loading import LoadReport


def init(
    directory: Annotated[Path, typer.Argument(help=tr("cli.init.directory"))] = Path("."),
    language: Annotated[str, typer.Option(help=tr("cli.init.language"))] = "es",
    force: Annotated[bool, typer.Option(help=tr("cli.init.force"))] = False,
) -> None:
    """Create a project folder with a commented cxpulse.toml."""
    from cxpulse.project import init_project

    with reported_errors(directory, language):
        path = init_project(directory, language=language, force=force)
    say = speaker(directory, language)
    console.print(f"[green]{escape(say('cli.init.created'))}[/] {escape(str(path))}")
    console.print(say("cli.init.next", project=escape(str(directory))))


def load(
    table: Annotated[str, typer.Argument(help=tr("cli.load.table", tables=", ".join(TABLES)))],
    files: Annotated[list[Path] | None, typer.Argument(help=tr("cli.load.files"))] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Validate files against a canonical table and load them (all or nothing, by key)."""
    from cxpulse.workspace import Workspace

    say = speaker(project)
    if table not in TABLES:
        raise fail(
            say("cli.load.unknown_table", table=table, tables=", ".join(TABLES)), lang=say.lang
        )
    with reported_errors(project), Workspace.open(project) as ws:
        sources = list(files or [])
        if not sources:
            binding = ws.config.tables.get(table)
            if binding is None or binding.path is None:
                raise fail(say("cli.load.no_file", table=table), lang=say.lang)
            base = ws.config.project_dir or Path(".")
            sources = [base / binding.path]
        for source in sources:
            report = ws.load(table, source)
            console.print(f"[green]OK[/] {escape(_loaded(report, say))}", soft_wrap=True)


def _loaded(report: LoadReport, say: Speaker) -> str:
    text = say(
        "cli.load.done",
        source=report.source,
        table=report.table,
        rows=say.count(report.rows),
        new=say.count(report.inserted),
        changed=say.count(report.updated - report.unchanged),
        unchanged=say.count(report.unchanged),
        seconds=say.num(report.seconds, 2),
    )
    if report.ignored_columns:
        text += " " + say("cli.load.ignored", columns=", ".join(report.ignored_columns))
    return text


def status(project: ProjectOption = Path(".")) -> None:
    """Show the workspace location and how many rows each canonical table holds."""
    from cxpulse.workspace import Workspace

    say = speaker(project)
    with reported_errors(project), Workspace.open(project) as ws:
        where = f"{ws.backend_name} {ws.config.workspace_url()}"
        console.print(escape(say("cli.status.workspace", where=where)), soft_wrap=True)
        grid = Table()
        grid.add_column(say("cli.status.table"))
        grid.add_column(say("cli.status.name"))
        grid.add_column(say("cli.status.rows"), justify="right")
        for name in TABLES:
            grid.add_row(name, say.term("table", name), say.count(ws.count(name)))
        console.print(grid)


def register(app: typer.Typer) -> None:
    app.command("init", help=tr("cli.init.help"))(init)
    app.command("load", help=tr("cli.load.help"))(load)
    app.command("status", help=tr("cli.status.help"))(status)
