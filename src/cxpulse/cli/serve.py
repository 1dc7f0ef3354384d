"""``cxpulse serve``: the web app on 127.0.0.1 with the project's embedded stores."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.cli.i18n import speaker, tr


def serve(
    project: ProjectOption = Path("."),
    host: Annotated[str, typer.Option(help=tr("cli.serve.host"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=tr("cli.serve.port"))] = 8000,
    https: Annotated[bool, typer.Option("--https", help=tr("cli.serve.https"))] = False,
    trusted_proxy: Annotated[
        list[str] | None, typer.Option("--trusted-proxy", help=tr("cli.serve.trusted_proxy"))
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help=tr("ops.cli.serve_workers"))] = 1,
) -> None:
    """Start the web app and print its URL and how to sign in."""
    from cxpulse.web.server import count_users
    from cxpulse.web.server import serve as run_server

    say = speaker(project)
    with reported_errors(project):
        users = count_users(project)
        url = f"http://{host}:{port}/"
        console.print(say("cli.serve.running", url=url))
        if users == 0:
            console.print(say("cli.serve.no_users", project=project))
        else:
            console.print(say("cli.serve.sign_in", n=say.count(users), project=project))
        run_server(
            project,
            host=host,
            port=port,
            https=https,
            trusted_proxies=trusted_proxy,
            workers=workers,
        )


def register(app: typer.Typer) -> None:
    app.command("serve", help=tr("cli.serve.help"))(serve)
