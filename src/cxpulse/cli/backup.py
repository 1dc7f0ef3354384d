"""``cxpulse backup`` and ``cxpulse restore``: the project folder and both stores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.cli.i18n import cli_language, tr
from cxpulse.locale import format_number

ArchiveArg = Annotated[Path, typer.Argument(help=tr("ops.cli.archive"))]


def backup(archive: ArchiveArg, project: ProjectOption = Path(".")) -> None:
    """Back up the project: its folder, the operational store and the analytics workspace."""
    from cxpulse.backup import backup_project, read_manifest

    with reported_errors():
        path = backup_project(project, archive)
        manifest = read_manifest(path)
    console.print(
        escape(
            tr(
                "ops.cli.backup_done",
                path=path,
                store=format_number(sum(manifest["store"].values()), cli_language(), 0),
                tables=len(manifest["store"]),
                ws=format_number(sum(manifest["workspace"].values()), cli_language(), 0),
                files=len(manifest["files"]),
            )
        ),
        soft_wrap=True,
    )


def restore(
    archive: ArchiveArg,
    project: ProjectOption = Path("."),
    force: Annotated[bool, typer.Option(help=tr("ops.cli.force"))] = False,
) -> None:
    """Restore a backup into a project folder."""
    from cxpulse.backup import restore_project

    with reported_errors():
        summary = restore_project(archive, project, force=force)
    console.print(
        escape(
            tr(
                "ops.cli.restore_done",
                path=project,
                store=format_number(sum(summary.store_rows.values()), cli_language(), 0),
                ws=format_number(sum(summary.workspace_rows.values()), cli_language(), 0),
                files=len(summary.files),
            )
        ),
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("backup", help=tr("ops.cli.backup"))(backup)
    app.command("restore", help=tr("ops.cli.restore"))(restore)
