"""Root Typer app. Each noun lives in its own module exposing ``app``; they are added here."""

from __future__ import annotations

import importlib
from typing import Any

import typer
import typer.main

from cxpulse.cli.i18n import cli_language, tr
from cxpulse.cli.toolkit_language import install_toolkit_language, localize_command, run

# Typer's own words (usage line, panel titles, usage errors) in the CLI's language.
install_toolkit_language(cli_language())

app = typer.Typer(
    name="cxpulse",
    help=tr("cli.app.help"),
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


def _localize(command: Any) -> None:
    """Typer's own option texts (--help, completion) in the CLI's language, and every help
    text shown as written: Typer reads help as Rich markup, which would swallow a setting's
    name such as ``[metrics]`` or ``[[health.signals]]``."""
    from rich.markup import escape

    texts = {
        "install_completion": tr("cli.help.install_completion"),
        "show_completion": tr("cli.help.show_completion"),
    }
    if getattr(command, "help", None):
        command.help = escape(command.help)
    for param in command.params:
        if param.name in texts:
            param.help = texts[param.name]
        elif getattr(param, "help", None):
            param.help = escape(param.help)
    help_option = command.get_help_option(command.context_class(command))
    if help_option is not None:
        help_option.help = tr("cli.help.help")
    for sub in getattr(command, "commands", {}).values():
        _localize(sub)


def main() -> None:
    import os

    os.umask(0o077)  # what the CLI writes (stores, models, exports) is its owner's only
    lang = cli_language()
    install_toolkit_language(lang)
    command = typer.main.get_command(app)
    _localize(command)
    localize_command(command, lang)
    run(command, lang, prog_name="cxpulse")
