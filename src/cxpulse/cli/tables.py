"""``cxpulse tables list | show NAME | presets``: the canonical tables and the presets."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import console, fail
from cxpulse.cli.i18n import cli_language, tr

app = typer.Typer(help=tr("data.cli.tables.help"), no_args_is_help=True)


@app.command("list", help=tr("data.cli.tables.list"))
def list_tables() -> None:
    from cxpulse.locale import gettext
    from cxpulse.schema.tables import TABLES

    lang = cli_language()
    grid = Table()
    grid.add_column(tr("data.cli.tables.col.table"))
    grid.add_column(tr("data.cli.tables.col.key"))
    grid.add_column(tr("data.cli.tables.col.meaning"))
    for name, spec in TABLES.items():
        grid.add_row(name, ", ".join(spec.key), gettext(f"data.table.{name}", lang))
    console.print(grid)


@app.command("show", help=tr("data.cli.tables.show"))
def show_table(
    name: Annotated[str, typer.Argument(help=tr("data.cli.tables.name"))],
) -> None:
    from cxpulse.locale import gettext
    from cxpulse.schema.reference import _rules, meaning
    from cxpulse.schema.tables import TABLES

    if name not in TABLES:
        raise fail(tr("data.cli.tables.unknown", name=name, known=", ".join(TABLES)))
    lang = cli_language()
    spec = TABLES[name]
    console.print(f"[bold]{name}[/]: {escape(gettext(f'data.table.{name}', lang))}")
    console.print(tr("data.cli.tables.key", columns=", ".join(spec.key)))
    grid = Table()
    for head in ("column", "type", "required", "allowed", "meaning"):
        grid.add_column(tr(f"data.cli.tables.col.{head}"))
    for col in spec.columns:
        grid.add_row(
            col.name,
            col.type,
            tr("data.cli.yes") if col.required else tr("data.cli.no"),
            escape(_rules(spec, col).replace("`", "")),
            escape(meaning(name, col.name, lang)),
        )
    console.print(grid)
    console.print(tr("data.cli.tables.examples", name=name), soft_wrap=True)


@app.command("presets", help=tr("data.cli.tables.presets"))
def list_presets_command() -> None:
    from cxpulse.schema.presets import list_presets

    grid = Table()
    for head in ("name", "tool", "table", "export", "documentation"):
        grid.add_column(tr(f"data.cli.tables.col.{head}"))
    for p in list_presets():
        doc = p.documentation if p.documented else tr("data.cli.tables.doc_not_found")
        grid.add_row(p.name, p.tool, p.table, escape(p.export), escape(doc))
    console.print(grid)
