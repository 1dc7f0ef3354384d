"""``cxpulse serve``: the web app on 127.0.0.1 with the project's embedded stores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.cli.i18n import tr


def serve(
    project: ProjectOption = Path("."),
    host: Annotated[
        str, typer.Option(help="Interface to listen on (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    https: Annotated[
        bool,
        typer.Option(
            "--https", help="The app is reached over HTTPS only: Secure cookies and HSTS."
        ),
    ] = False,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Address of a reverse proxy whose X-Forwarded-For/-Proto headers are believed "
            "(repeat for several).",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help=tr("ops.cli.serve_workers"))] = 1,
) -> None:
    """Start the web app and print its URL and how to sign in."""
    from cxpulse.web.server import count_users
    from cxpulse.web.server import serve as run_server

    with reported_errors():
        users = count_users(project)
        url = f"http://{host}:{port}/"
        console.print(f"cxpulse is running at [bold cyan]{url}[/] (Ctrl+C to stop)")
        if users == 0:
            console.print(
                "No users yet. Create one first, in another terminal:\n"
                f"  [bold]cxpulse users add ana@example.com --role admin -p {project}[/]"
            )
        else:
            console.print(
                f"Sign in with one of the {users} user(s) of this project "
                f"(list them: [bold]cxpulse users list -p {project}[/])."
            )
        run_server(
            project,
            host=host,
            port=port,
            https=https,
            trusted_proxies=trusted_proxy,
            workers=workers,
        )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
