"""``cxpulse demo``: build a complete demo project and (optionally) serve it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxpulse.cli.common import console, reported_errors


def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Project folder for the demo.")] = Path(
        "demo"
    ),
    size: Annotated[str, typer.Option(help="tiny, small, medium or large.")] = "small",
    seed: Annotated[int, typer.Option(help="Random seed of the generated company.")] = 7,
    serve: Annotated[bool, typer.Option(help="Start the web app afterwards.")] = False,
    port: Annotated[int, typer.Option(help="Port of the web app.")] = 8000,
) -> None:
    """Generate a demo company, load it, compute indicators and health scores, then serve."""
    from cxpulse.demo import build_demo

    with reported_errors():
        report = build_demo(directory, size=size, seed=seed)
        for step in report.steps:
            console.print(f"[green]✓[/] {step}")
        from cxpulse.workspace import Workspace

        with Workspace.open(directory) as ws:
            table = ws.metrics(["nps", "csat", "ces"])
            for row in table.rows:
                console.print(
                    f"  {row.metric}: {row.value:.1f} "
                    f"[{row.ci_low:.1f}, {row.ci_high:.1f}] n={row.n:,}"
                )
        console.print(f"\nProject: [bold]{report.project_dir}[/]")
        console.print(f"Sign in with (password / contraseña: [bold]{report.password}[/]):")
        for email, role in report.users:
            console.print(f"  {email} ({role})")
    if serve:
        from cxpulse.cli.serve import serve as serve_command

        serve_command(project=directory, host="127.0.0.1", port=port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
