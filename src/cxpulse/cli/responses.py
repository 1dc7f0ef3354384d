"""``cxpulse responses``: sync stored answers into the analytics workspace, list them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.cli.i18n import speaker, tr

app = typer.Typer(help=tr("cli.responses.help"), no_args_is_help=True)


@app.command("sync", help=tr("cli.responses.sync.help"))
def sync_command(project: ProjectOption = Path(".")) -> None:
    """Copy new and changed answers into the workspace (incremental; safe to repeat)."""
    from cxpulse import collect, store
    from cxpulse.config import load_config
    from cxpulse.workspace import Workspace

    say = speaker(project)
    with reported_errors(project):
        cfg = load_config(project)
        url = cfg.store_url()
        store.migrate(url)
        with Workspace.open(project) as ws:
            report = collect.sync(url, ws)
        console.print(
            say(
                "collect.cli.synced",
                rows=say.count(report.rows),
                seconds=say.num(report.seconds, 2),
                invitations=say.count(report.invitations),
            )
        )


@app.command("list", help=tr("cli.responses.list.help"))
def list_command(
    survey: Annotated[
        str | None, typer.Option("--survey", "-s", help=tr("cli.responses.list.survey"))
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help=tr("cli.responses.list.limit"))
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help=tr("cli.option.json"))] = False,
    project: ProjectOption = Path("."),
) -> None:
    """The latest answers, newest first."""
    from sqlalchemy import select

    from cxpulse import collect, store
    from cxpulse.config import load_config
    from cxpulse.store.tables import Survey, SurveyResponse

    with reported_errors(project):
        cfg = load_config(project)
        url = cfg.store_url()
        store.migrate(url)
        with store.session(url) as s:
            query = select(SurveyResponse, Survey.slug).join(
                Survey, Survey.id == SurveyResponse.survey_id
            )
            if survey is not None:
                query = query.where(SurveyResponse.survey_id == collect.get_survey(s, survey).id)
            rows = s.execute(query.order_by(SurveyResponse.id.desc()).limit(limit)).all()
        items: list[dict[str, Any]] = [
            {
                "response_id": f"op-{r.id}",
                "survey": slug,
                "score": r.score,
                "account_id": r.account_id,
                "comment": r.comment,
                "responded_at": r.responded_at.isoformat(),
            }
            for r, slug in rows
        ]
        if as_json:
            typer.echo(json.dumps(items, ensure_ascii=False, indent=1))
            return
        say = speaker(project)
        table = Table()
        for key in ("when", "account", "score", "comment"):
            table.add_column(say(f"collect.surveys.{key}"))
        table.add_column(say("cli.responses.survey"))
        for item in items:
            table.add_row(
                item["responded_at"][:16],
                escape(item["account_id"]),
                str(item["score"]),
                escape((item["comment"] or "")[:80]),
                escape(item["survey"]),
            )
        console.print(table)
