"""``cxpulse users``: accounts that can sign in to the web app (roles admin, analyst, agent)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, fail, reported_errors
from cxpulse.cli.i18n import speaker, tr

app = typer.Typer(help=tr("cli.users.help"), no_args_is_help=True)


def _store_url(project: Path) -> str:
    from cxpulse import store
    from cxpulse.config import load_config

    url = load_config(project).store_url()
    store.migrate(url)
    return url


@app.command("add", help=tr("cli.users.add.help"))
def add(
    email: Annotated[str, typer.Argument(help=tr("cli.users.add.email"))],
    role: Annotated[str, typer.Option(help=tr("cli.users.add.role"))] = "analyst",
    name: Annotated[str | None, typer.Option(help=tr("cli.users.add.name"))] = None,
    language: Annotated[str, typer.Option(help=tr("cli.users.add.language"))] = "es",
    password: Annotated[
        str | None,
        typer.Option(help=tr("cli.users.add.password"), envvar="CXPULSE_NEW_PASSWORD"),
    ] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Add a user with an argon2-hashed password."""
    from cxpulse import store

    say = speaker(project)
    if password is None:
        password = typer.prompt(
            say("cli.users.password_prompt"),
            hide_input=True,
            confirmation_prompt=say("cli.users.password_repeat"),
        )
    with reported_errors(project):
        url = _store_url(project)
        with store.session(url) as s:
            user = store.create_user(s, email, password, role=role, name=name, language=language)
            address, user_role = user.email, user.role
    role_name = say.term("role", user_role)
    console.print(say("cli.users.added", email=address, role=role_name))


@app.command("list", help=tr("cli.users.list.help"))
def list_users(project: ProjectOption = Path(".")) -> None:
    """List the users of the project."""
    from sqlalchemy import select

    from cxpulse import store

    say = speaker(project)
    with reported_errors(project):
        url = _store_url(project)
        with store.session(url) as s:
            rows = [
                (
                    u.email,
                    u.name or "",
                    say.term("role", u.role),
                    say.term("language", u.language),
                    say.term("yes_no", "yes" if u.active else "no"),
                )
                for u in s.scalars(select(store.User).order_by(store.User.email))
            ]
    table = Table(
        *(say(f"cli.users.col.{k}") for k in ("email", "name", "role", "language", "active"))
    )
    for row in rows:
        table.add_row(*row)
    console.print(table)


@app.command("token", help=tr("cli.users.token.help"))
def token(
    email: Annotated[str, typer.Argument(help=tr("cli.users.token.email"))],
    name: Annotated[str, typer.Option(help=tr("cli.users.token.name"))] = "api",
    project: ProjectOption = Path("."),
) -> None:
    """Create an API token (sent as 'Authorization: Bearer ...'); shown only once."""
    from sqlalchemy import select

    from cxpulse import store

    say = speaker(project)
    with reported_errors(project):
        url = _store_url(project)
        with store.session(url) as s:
            user = s.scalar(select(store.User).where(store.User.email == email.strip().lower()))
            if user is None:
                raise fail(say("cli.users.no_user", email=email), lang=say.lang)
            plain = store.create_api_token(s, user, name)
    console.print(plain)
