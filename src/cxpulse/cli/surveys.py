"""``cxpulse surveys``: create and list surveys, invite contacts from a CSV, import answers."""

from __future__ import annotations

import csv
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, fail, reported_errors
from cxpulse.cli.i18n import Speaker, speaker, tr

if TYPE_CHECKING:
    from cxpulse.config import ProjectConfig

app = typer.Typer(help=tr("cli.surveys.help"), no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help=tr("cli.option.json"))]


def _open(project: Path) -> tuple[ProjectConfig, str]:
    from cxpulse import store
    from cxpulse.config import load_config

    cfg = load_config(project)
    url = cfg.store_url()
    store.migrate(url)
    return cfg, url


def _base_url(cfg: ProjectConfig, given: str | None) -> str:
    import os

    from cxpulse.config import Settings

    return (
        given
        or os.environ.get("CXPULSE_BASE_URL")
        or cfg.surveys.get("base_url")
        or Settings().base_url
    )


def parse_mapping(pairs: list[str] | None) -> dict[str, str]:
    """``["Their col=score", ...]`` -> ``{"Their col": "score"}``."""
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        theirs, sep, ours = pair.partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            raise fail(tr("cli.surveys.bad_map", pair=pair))
        mapping[theirs.strip()] = ours.strip()
    return mapping


@app.command("create", help=tr("cli.surveys.create.help"))
def create(
    slug: Annotated[str, typer.Argument(help=tr("cli.surveys.create.slug"))],
    kind: Annotated[str, typer.Option("--kind", "-k", help=tr("cli.surveys.create.kind"))],
    touchpoint: Annotated[
        str | None, typer.Option(help=tr("cli.surveys.create.touchpoint"))
    ] = None,
    language: Annotated[
        str, typer.Option("--language", "-l", help=tr("cli.surveys.create.language"))
    ] = "es",
    question_es: Annotated[
        str | None, typer.Option(help=tr("cli.surveys.create.question_es"))
    ] = None,
    question_en: Annotated[
        str | None, typer.Option(help=tr("cli.surveys.create.question_en"))
    ] = None,
    no_comment: Annotated[
        bool, typer.Option("--no-comment", help=tr("cli.surveys.create.no_comment"))
    ] = False,
    project: ProjectOption = Path("."),
) -> None:
    """Create a survey."""
    from cxpulse import collect, store

    say = speaker(project)
    with reported_errors(project):
        _cfg, url = _open(project)
        with store.session(url) as s:
            survey = collect.create_survey(
                s,
                slug,
                kind,
                touchpoint=touchpoint,
                language=language,
                question_es=question_es,
                question_en=question_en,
                ask_comment=not no_comment,
            )
        console.print(
            say("collect.cli.created", slug=survey.slug, kind=say.term("survey_kind", survey.kind))
        )


@app.command("list", help=tr("cli.surveys.list.help"))
def list_command(project: ProjectOption = Path("."), as_json: JsonOption = False) -> None:
    """List surveys with their answer counts."""
    from sqlalchemy import func, select

    from cxpulse import collect, store
    from cxpulse.store.tables import SurveyResponse

    say = speaker(project)
    lang = say.lang
    with reported_errors(project):
        cfg, url = _open(project)
        with store.session(url) as s:
            surveys = collect.list_surveys(s)
            counts = dict(
                s.execute(
                    select(SurveyResponse.survey_id, func.count()).group_by(
                        SurveyResponse.survey_id
                    )
                ).all()
            )
        rows: list[dict[str, Any]] = [
            {
                "slug": x.slug,
                "kind": x.kind,
                "touchpoint": x.touchpoint,
                "language": x.language,
                "active": x.active,
                "answers": int(counts.get(x.id, 0)),
                "question": collect.question_text(x, lang, cfg.surveys_config().formality),
            }
            for x in surveys
        ]
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        table = Table(title=say("collect.surveys.title"))
        for key in ("slug", "kind", "touchpoint", "language", "answers", "status"):
            label = say(
                f"collect.surveys.{key}" if key != "answers" else "collect.surveys.responses"
            )
            table.add_column(label, justify="right" if key == "answers" else "left")
        for r in rows:
            status = say.term("survey_status", "active" if r["active"] else "closed")
            table.add_row(
                escape(r["slug"]),
                say.term("survey_kind", r["kind"]),
                escape(say.term("touchpoint", r["touchpoint"]) or "-"),
                say.term("language", r["language"]),
                say.count(r["answers"]),
                status,
            )
        console.print(table)


@app.command("invite", help=tr("cli.surveys.invite.help"))
def invite(
    slug: Annotated[str, typer.Argument(help=tr("cli.surveys.invite.slug"))],
    contacts: Annotated[Path, typer.Argument(help=tr("cli.surveys.invite.contacts"))],
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help=tr("cli.surveys.invite.map"))
    ] = None,
    email: Annotated[bool, typer.Option("--email", help=tr("cli.surveys.invite.email"))] = False,
    base_url: Annotated[str | None, typer.Option(help=tr("cli.surveys.invite.base_url"))] = None,
    expires_days: Annotated[
        int, typer.Option(help=tr("cli.surveys.invite.expires_days"), min=1)
    ] = 30,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=tr("cli.surveys.invite.output"))
    ] = None,
    channel: Annotated[
        str | None, typer.Option("--channel", help=tr("cli.surveys.invite.channel"))
    ] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Create one personal link per contact; print them as CSV (or write --output)."""
    from cxpulse import collect, store

    with reported_errors(project):
        cfg, url = _open(project)
        people = collect.read_contacts(contacts, parse_mapping(mapping))
        with store.session(url) as s:
            survey = collect.get_survey(s, slug)
            issued = collect.invite_contacts(
                s,
                survey,
                people,
                base_url=_base_url(cfg, base_url),
                expires_in=timedelta(days=expires_days),
                channel=channel,
            )
            formality = cfg.surveys_config().formality
            report = (
                collect.email_invitations(s, survey, issued, formality=formality) if email else None
            )
        handle = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            from cxpulse.export_cells import safe_cell

            writer = csv.writer(handle)
            writer.writerow(["account_id", "contact_id", "email", "url"])
            for item in issued:
                inv = item.invitation
                cells = [inv.account_id, inv.contact_id or "", inv.email or "", item.url]
                writer.writerow([safe_cell(c) for c in cells])
        finally:
            if output:
                handle.close()
        say = speaker(project)
        msg = say("collect.surveys.invited", count=say.count(len(issued)))
        if report is not None:
            msg += " " + say("collect.cli.mail", report=_mail(report, say))
        typer.echo(msg, err=True)


def _mail(report: Any, say: Speaker) -> str:
    return say(
        "cli.surveys.mail_report",
        queued=say.count(len(report.queued)),
        sent=say.count(len(report.sent)),
        failed=say.count(len(report.failed)),
        without=say.count(len(report.without_email)),
    )


@app.command("import", help=tr("cli.surveys.import.help"))
def import_command(
    path: Annotated[Path, typer.Argument(help=tr("cli.surveys.import.path"))],
    survey: Annotated[
        str | None, typer.Option("--survey", "-s", help=tr("cli.surveys.import.survey"))
    ] = None,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help=tr("cli.surveys.import.map"))
    ] = None,
    run_loop: Annotated[
        bool, typer.Option("--run-loop", help=tr("cli.surveys.import.run_loop"))
    ] = False,
    project: ProjectOption = Path("."),
) -> None:
    """Import answers (all or nothing; rows with external_id update on re-import)."""
    from cxpulse import collect, store

    with reported_errors(project):
        _cfg, url = _open(project)
        with store.session(url) as s:
            report = collect.import_responses(
                s, path, survey=survey, mapping=parse_mapping(mapping), run_loop=run_loop
            )
        say = speaker(project)
        text = say(
            "cli.surveys.imported",
            source=report.source,
            rows=say.count(report.rows),
            new=say.count(report.inserted),
            updated=say.count(report.updated),
            unchanged=say.count(report.unchanged),
            seconds=say.num(report.seconds, 2),
        )
        if report.ignored_columns:
            text += " " + say("cli.load.ignored", columns=", ".join(report.ignored_columns))
        console.print(escape(text))


@app.command("close", help=tr("cli.surveys.close.help"))
def close(
    slug: Annotated[str, typer.Argument(help=tr("cli.surveys.slug"))],
    project: ProjectOption = Path("."),
) -> None:
    """Stop taking answers for a survey."""
    from cxpulse import collect, store

    with reported_errors(project):
        _cfg, url = _open(project)
        with store.session(url) as s:
            collect.set_survey_active(s, slug, False)


@app.command("open", help=tr("cli.surveys.open.help"))
def reopen(
    slug: Annotated[str, typer.Argument(help=tr("cli.surveys.slug"))],
    project: ProjectOption = Path("."),
) -> None:
    """Take answers again for a closed survey."""
    from cxpulse import collect, store

    with reported_errors(project):
        _cfg, url = _open(project)
        with store.session(url) as s:
            collect.set_survey_active(s, slug, True)
