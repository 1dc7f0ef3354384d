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

from cxpulse.errors import CxpulseError

console = Console()
err_console = Console(stderr=True)

ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        "-p",
        help="Project folder (holds cxpulse.toml and the embedded stores).",
        envvar="CXPULSE_PROJECT",
        show_default=True,
    ),
]


def default_project() -> Path:
    return Path(os.environ.get("CXPULSE_PROJECT", "."))


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error the user can act on and return the exit to raise."""
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextlib.contextmanager
def reported_errors() -> Iterator[None]:
    """Turn cxpulse errors into a clear message and a non-zero exit code."""
    try:
        yield
    except CxpulseError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
