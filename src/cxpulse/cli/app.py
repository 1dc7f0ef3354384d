"""Root Typer app. Each noun lives in its own module exposing ``app``; they are added here."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="cxpulse",
    help="Customer experience analytics: indicators, health scores, surveys and cases.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# (module, command name, help). A module either exposes `app` (a group) or `register(app)`.
SUBCOMMANDS: list[tuple[str, str]] = [
    ("cxpulse.cli.project", "project"),
    ("cxpulse.cli.metrics", "metrics"),
    ("cxpulse.cli.health", "health"),
    ("cxpulse.cli.surveys", "surveys"),
    ("cxpulse.cli.responses", "responses"),
    ("cxpulse.cli.cases", "cases"),
    ("cxpulse.cli.users", "users"),
    ("cxpulse.cli.serve", "serve"),
    ("cxpulse.cli.demo", "demo"),
    ("cxpulse.cli.text", "comments"),
    ("cxpulse.cli.samples", "samples"),
    ("cxpulse.cli.tables", "tables"),
    ("cxpulse.cli.jobs", "jobs"),
    ("cxpulse.cli.backup", "backup"),
]


def _install() -> None:
    for module_name, command in SUBCOMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # that part of the CLI is not built yet
                continue
            raise
        register = getattr(module, "register", None)
        if register is not None:
            register(app)
        else:
            app.add_typer(module.app, name=command)


_install()


def main() -> None:
    import os

    os.umask(0o077)  # what the CLI writes (stores, models, exports) is its owner's only
    app()
