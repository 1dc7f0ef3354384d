"""``cxpulse init``, ``cxpulse load`` and ``cxpulse status``: set up a project and fill it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, err_console, fail, reported_errors
from cxpulse.cli.i18n import speaker, tr
from cxpulse.project import init_project
from cxpulse.schema.tables import TABLES

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace


def init(
    directory: Annotated[Path, typer.Argument(help=tr("cli.init.directory"))] = Path("."),
    language: Annotated[str, typer.Option(help=tr("cli.init.language"))] = "es",
    force: Annotated[bool, typer.Option(help=tr("cli.init.force"))] = False,
) -> None:
    """Create a project folder with a commented cxpulse.toml."""
    with reported_errors(directory):
        path = init_project(directory, language=language, force=force)
    say = speaker(directory)
    console.print(f"[green]{escape(say('cli.init.created'))}[/] {escape(str(path))}")
    console.print(say("cli.init.next", project=escape(str(directory))))


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        left, sep, right = item.partition("=")
        if not sep or not left.strip():
            raise fail(tr("data.cli.bad_pair", option=option, value=item))
        out[left.strip()] = right.strip()
    return out


def cli_read_options(
    *,
    map_: list[str] | None = None,
    constant: list[str] | None = None,
    value: list[str] | None = None,
    attribute: list[str] | None = None,
    keep_extra: bool = False,
    exclude: list[str] | None = None,
    snapshot_date: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    date_format: list[str] | None = None,
    timezone: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    skip_rows: int | None = None,
    na: list[str] | None = None,
) -> dict[str, Any]:
    """The ``load`` options as a ReadOptions dict (only what was given)."""
    given: dict[str, Any] = {}
    if map_:
        given["columns"] = _pairs(map_, "--map")
    if constant:
        given["constants"] = _pairs(constant, "--constant")
    if value:
        maps: dict[str, dict[str, str]] = {}
        for item in value:
            column, sep, rest = item.partition(":")
            if not sep:
                raise fail(tr("data.cli.bad_pair", option="--value", value=item))
            maps.setdefault(column.strip(), {}).update(_pairs([rest], "--value"))
        given["values"] = maps
    if attribute:
        given["attributes"] = _pairs(attribute, "--attribute")
    if keep_extra:
        given["keep_extra"] = True
    if exclude:
        given["exclude"] = exclude
    for name, field in (
        ("snapshot_date", snapshot_date),
        ("encoding", encoding),
        ("delimiter", delimiter),
        ("decimal", decimal),
        ("thousands", thousands),
        ("timezone", timezone),
        ("header_row", header_row),
        ("skip_rows", skip_rows),
    ):
        if field is not None:
            given[name] = field
    if date_format:
        given["date_format"] = date_format
    if sheet is not None:
        given["sheet"] = int(sheet) if sheet.isdigit() else sheet
    if na:
        codes: dict[str, list[str]] = {}
        for item in na:
            column, sep, code = item.rpartition("=")
            codes.setdefault(column.strip() if sep else "*", []).append(code)
        given["na_values"] = codes
    return given


def _suggest(ws: Workspace, table: str, source: Path) -> None:
    from cxpulse.schema.presets import suggest_preset
    from cxpulse.schema.sources import read_header

    header = read_header(source)
    preset = suggest_preset(table, header) if header else None
    if preset is not None:
        err_console.print(
            tr("data.cli.preset_hint", tool=preset.tool, name=preset.name, table=table),
            highlight=False,
            soft_wrap=True,
        )


def load(
    table: Annotated[str, typer.Argument(help=tr("cli.load.table", tables=", ".join(TABLES)))],
    files: Annotated[list[Path] | None, typer.Argument(help=tr("cli.load.files"))] = None,
    project: ProjectOption = Path("."),
    preset: Annotated[
        str | None, typer.Option(help=tr("data.cli.help.preset"), show_default=False)
    ] = None,
    map_: Annotated[
        list[str] | None, typer.Option("--map", help=tr("data.cli.help.map"), show_default=False)
    ] = None,
    constant: Annotated[
        list[str] | None, typer.Option(help=tr("data.cli.help.constant"), show_default=False)
    ] = None,
    value: Annotated[
        list[str] | None, typer.Option(help=tr("data.cli.help.value"), show_default=False)
    ] = None,
    attribute: Annotated[
        list[str] | None, typer.Option(help=tr("data.cli.help.attribute"), show_default=False)
    ] = None,
    keep_extra: Annotated[bool, typer.Option(help=tr("data.cli.help.keep_extra"))] = False,
    exclude: Annotated[
        list[str] | None, typer.Option(help=tr("data.cli.help.exclude"), show_default=False)
    ] = None,
    snapshot_date: Annotated[
        str | None, typer.Option(help=tr("data.cli.help.snapshot_date"), show_default=False)
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help=tr("data.cli.help.encoding"), show_default=False)
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help=tr("data.cli.help.delimiter"), show_default=False)
    ] = None,
    decimal: Annotated[
        str | None, typer.Option(help=tr("data.cli.help.decimal"), show_default=False)
    ] = None,
    thousands: Annotated[
        str | None, typer.Option(help=tr("data.cli.help.thousands"), show_default=False)
    ] = None,
    date_format: Annotated[
        list[str] | None, typer.Option(help=tr("data.cli.help.date_format"), show_default=False)
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help=tr("data.cli.help.timezone"), show_default=False)
    ] = None,
    sheet: Annotated[
        str | None, typer.Option(help=tr("data.cli.help.sheet"), show_default=False)
    ] = None,
    header_row: Annotated[
        int | None, typer.Option(help=tr("data.cli.help.header_row"), show_default=False)
    ] = None,
    skip_rows: Annotated[
        int | None, typer.Option(help=tr("data.cli.help.skip_rows"), show_default=False)
    ] = None,
    na: Annotated[
        list[str] | None, typer.Option(help=tr("data.cli.help.na"), show_default=False)
    ] = None,
) -> None:
    """Validate files against a canonical table and load them (all or nothing, by key)."""
    from cxpulse.errors import ValidationError
    from cxpulse.workspace import Workspace

    say = speaker(project)
    if table not in TABLES:
        raise fail(
            say("cli.load.unknown_table", table=table, tables=", ".join(TABLES)), lang=say.lang
        )
    given = cli_read_options(
        map_=map_,
        constant=constant,
        value=value,
        attribute=attribute,
        keep_extra=keep_extra,
        exclude=exclude,
        snapshot_date=snapshot_date,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        date_format=date_format,
        timezone=timezone,
        sheet=sheet,
        header_row=header_row,
        skip_rows=skip_rows,
        na=na,
    )
    lang = say.lang
    with reported_errors(project), Workspace.open(project, require_config=True) as ws:
        sources = list(files or [])
        if not sources:
            binding = ws.config.tables.get(table)
            if binding is None or binding.path is None:
                raise fail(say("cli.load.no_file", table=table), lang=say.lang)
            base = ws.config.project_dir or Path(".")
            sources = [base / binding.path]
        options = ws.read_options(table, given or None, preset=preset)
        for source in sources:
            try:
                report = ws.load(table, source, options=options)
            except ValidationError as exc:
                binding = ws.config.tables.get(table)
                if preset is None and (binding is None or binding.preset is None):
                    _suggest(ws, table, Path(source))
                raise fail(exc.message_in(lang), lang=lang) from None
            console.print(f"[green]OK[/] {escape(report.text_in(lang))}", soft_wrap=True)


def status(project: ProjectOption = Path(".")) -> None:
    """Show the workspace location and how many rows each canonical table holds."""
    from cxpulse.workspace import Workspace

    say = speaker(project)
    with reported_errors(project), Workspace.open(project, require_config=True) as ws:
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
