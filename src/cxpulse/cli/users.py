"""``cxpulse users``: accounts that can sign in to the web app (roles admin, analyst, agent)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, fail, reported_errors

app = typer.Typer(help="Users of the web app.", no_args_is_help=True)


def _store_url(project: Path) -> str:
    from cxpulse import store
    from cxpulse.config import load_config

    url = load_config(project).store_url()
    store.migrate(url)
    return url


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="E-mail address used to sign in.")],
    role: Annotated[str, typer.Option(help="admin, analyst or agent.")] = "analyst",
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    language: Annotated[str, typer.Option(help="Preferred language: es or en.")] = "es",
    password: Annotated[
        str | None,
        typer.Option(
            help="Password (asked for when omitted; or set CXPULSE_NEW_PASSWORD).",
            envvar="CXPULSE_NEW_PASSWORD",
        ),
    ] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Add a user with an argon2-hashed password."""
    from cxpulse import store

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with reported_errors():
        url = _store_url(project)
        with store.session(url) as s:
            user = store.create_user(s, email, password, role=role, name=name, language=language)
            address, user_role = user.email, user.role
    console.print(f"[green]Added[/] {address} ({user_role}). Start the app: cxpulse serve")


@app.command("list")
def list_users(project: ProjectOption = Path(".")) -> None:
    """List the users of the project."""
    from sqlalchemy import select

    from cxpulse import store

    with reported_errors():
        url = _store_url(project)
        with store.session(url) as s:
            rows = [
                (u.email, u.name or "", u.role, u.language, "yes" if u.active else "no")
                for u in s.scalars(select(store.User).order_by(store.User.email))
            ]
    table = Table("e-mail", "name", "role", "language", "active")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@app.command("token")
def token(
    email: Annotated[str, typer.Argument(help="User the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    project: ProjectOption = Path("."),
) -> None:
    """Create an API token (sent as 'Authorization: Bearer ...'); shown only once."""
    from sqlalchemy import select

    from cxpulse import store

    with reported_errors():
        url = _store_url(project)
        with store.session(url) as s:
            user = s.scalar(select(store.User).where(store.User.email == email.strip().lower()))
            if user is None:
                raise fail(f"no user {email}; add it first: cxpulse users add {email}")
            plain = store.create_api_token(s, user, name)
    console.print(plain)
