"""``cxpulse samples list | load NAME``: public sample data in a project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.cli.i18n import cli_language, tr

app = typer.Typer(help=tr("data.cli.samples.help"), no_args_is_help=True)

DataOption = Annotated[
    Path | None,
    typer.Option("--data", help=tr("data.cli.samples.data"), show_default=False),
]


@app.command("list", help=tr("data.cli.samples.list"))
def list_samples(data: DataOption = None) -> None:
    from cxpulse.datasets.samples import SAMPLES, default_data_dir, sample_available

    folder = data or default_data_dir()
    grid = Table()
    for head in ("name", "description", "files", "available"):
        grid.add_column(tr(f"data.cli.samples.col.{head}"))
    for s in SAMPLES:
        grid.add_row(
            s.name,
            s.description,
            "\n".join(s.files),
            tr("data.cli.yes") if sample_available(s, folder) else tr("data.cli.no"),
        )
    console.print(grid)
    console.print(tr("data.cli.samples.folder", folder=escape(str(folder))), soft_wrap=True)


@app.command("load", help=tr("data.cli.samples.load"))
def load_sample_command(
    name: Annotated[str, typer.Argument(help=tr("data.cli.samples.name"))],
    project: ProjectOption = Path("."),
    data: DataOption = None,
) -> None:
    from cxpulse.datasets.samples import load_sample
    from cxpulse.workspace import Workspace

    lang = cli_language()
    with reported_errors(), Workspace.open(project, require_config=True) as ws:
        for report in load_sample(ws, name, data):
            console.print(f"[green]OK[/] {escape(report.text_in(lang))}", soft_wrap=True)
