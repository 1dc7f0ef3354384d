"""Write docs/cli.md from the command tree, so every command and option is documented.

Run ``python scripts/cli_docs.py`` after changing a command; tests/api/test_cli_docs.py fails
when the file is out of date.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer.main

# The reference is written in English (the CLI itself speaks CXPULSE_LANG, the project's
# language or LANG; its Spanish texts are in the same catalogue).
os.environ["CXPULSE_LANG"] = "en"

DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"

HEADER = """# Command line

`cxpulse <noun> <verb>`. Every command takes `--help`. Commands that work on a project take
`--project/-p FOLDER` (default: the current folder, or `CXPULSE_PROJECT`).

This page is generated from the commands themselves by `python scripts/cli_docs.py`.
"""


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            found += _walk(command.commands[name], [*path, name])
    return found


def render() -> str:
    from cxpulse.cli.app import app
    from cxpulse.cli.i18n import cli_language

    assert cli_language() == "en", "import the CLI with CXPULSE_LANG=en to write its reference"
    root = typer.main.get_command(app)
    parts = [HEADER]
    for path, command in _walk(root, ["cxpulse"])[1:]:
        ctx = command.context_class(command, info_name=" ".join(path))
        parts.append(f"\n## `{' '.join(path)}`\n")
        help_text = (command.help or "").strip()
        if help_text:
            parts.append(help_text.split("\f")[0].strip() + "\n")
        usage = command.get_usage(ctx).replace("Usage: ", "")
        parts.append(f"\n```\n{usage}\n```\n")
        rows = []
        for param in command.get_params(ctx):
            record = param.get_help_record(ctx)
            if record and not getattr(param, "hidden", False):
                rows.append(f"| `{record[0]}` | {record[1].replace('|', '/')} |")
        if rows:
            parts.append("\n| option | meaning |\n|---|---|\n" + "\n".join(rows) + "\n")
    return "".join(parts)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if DOCS.exists() and DOCS.read_text() == text else 1)
    DOCS.write_text(text)
    print(f"wrote {DOCS}")
