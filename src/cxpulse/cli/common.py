"""What every command shares: the project option, opening the workspace, reporting errors."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cxpulse.cli.i18n import cli_language, tr
from cxpulse.errors import CxpulseError

console = Console()
err_console = Console(stderr=True)

ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        help=tr("cli.option.project"),
        envvar="CXPULSE_PROJECT",
        show_default=True,
    ),
]


def default_project() -> Path:
    return Path(os.environ.get("CXPULSE_PROJECT", "."))


def fail(message: str, code: int = 2, lang: str | None = None) -> typer.Exit:
    """Print an error the user can act on and return the exit to raise."""
    prefix = escape(tr("cli.error.prefix") if lang is None else _prefix(lang))
    err_console.print(f"[bold red]{prefix}[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _prefix(lang: str) -> str:
    from cxpulse.locale import gettext

    return gettext("cli.error.prefix", lang)


@contextlib.contextmanager
def reported_errors(project: Path | None = None, lang: str | None = None) -> Iterator[None]:
    """Turn cxpulse errors into a clear message in the CLI's language and a non-zero exit."""
    try:
        yield
    except CxpulseError as exc:
        language = cli_language(project, lang)
        raise fail(exc.message_in(language), lang=language) from None
    except KeyboardInterrupt:
        err_console.print(tr("cli.interrupted"))
        sys.exit(130)
