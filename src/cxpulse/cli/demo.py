"""``cxpulse demo``: build a complete demo project and (optionally) serve it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cxpulse.cli.common import console, reported_errors
from cxpulse.cli.i18n import cli_language, speaker, tr


def demo(
    directory: Annotated[Path, typer.Option("--dir", help=tr("cli.demo.dir"))] = Path("demo"),
    size: Annotated[str, typer.Option(help=tr("cli.demo.size"))] = "small",
    seed: Annotated[int, typer.Option(help=tr("cli.demo.seed"))] = 7,
    serve: Annotated[bool, typer.Option(help=tr("cli.demo.serve"))] = False,
    port: Annotated[int, typer.Option(help=tr("cli.demo.port"))] = 8000,
) -> None:
    """Generate a demo company, load it, compute indicators and health scores, then serve."""
    from cxpulse.demo import build_demo

    with reported_errors(directory):
        report = build_demo(directory, size=size, seed=seed, lang=cli_language(directory))
        say = speaker(directory)
        for step in report.steps:
            console.print(f"[green]✓[/] {escape(step.text_in(say.lang))}")
        from cxpulse.workspace import Workspace

        with Workspace.open(directory) as ws:
            table = ws.metrics(["nps", "csat", "ces"])
            for row in table.rows:
                console.print(
                    f"  {row.metric}: {say.num(row.value)} "
                    f"\\[{say.num(row.ci_low)}; {say.num(row.ci_high)}] n={say.count(row.n)}"
                )
        console.print("\n" + say("cli.demo.project", path=report.project_dir))
        console.print(say("cli.demo.sign_in", password=report.password))
        for email, role in report.users:
            console.print(f"  {email} ({say.term('role', role)})")
    if serve:
        from cxpulse.cli.serve import serve as serve_command

        serve_command(project=directory, host="127.0.0.1", port=port)


def register(app: typer.Typer) -> None:
    app.command("demo", help=tr("cli.demo.help"))(demo)
