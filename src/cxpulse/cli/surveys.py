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
from cxpulse.locale import gettext

if TYPE_CHECKING:
    from cxpulse.config import ProjectConfig

app = typer.Typer(
    help="NPS/CSAT/CES surveys: create, invite, import answers.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


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
            raise fail(f"--map {pair!r}: write it as 'their column=our column', e.g. 'Score=score'")
        mapping[theirs.strip()] = ours.strip()
    return mapping


@app.command("create")
def create(
    slug: Annotated[str, typer.Argument(help="Identifier, e.g. nps-2026-q1.")],
    kind: Annotated[str, typer.Option("--kind", "-k", help="nps (0-10), csat (1-5) or ces (1-7).")],
    touchpoint: Annotated[str | None, typer.Option(help="e.g. support, onboarding.")] = None,
    language: Annotated[str, typer.Option("--language", "-l", help="es or en.")] = "es",
    question_es: Annotated[str | None, typer.Option(help="Own wording in Spanish.")] = None,
    question_en: Annotated[str | None, typer.Option(help="Own wording in English.")] = None,
    no_comment: Annotated[
        bool, typer.Option("--no-comment", help="Do not ask for a comment.")
    ] = False,
    project: ProjectOption = Path("."),
) -> None:
    """Create a survey."""
    from cxpulse import collect, store

    with reported_errors():
        cfg, url = _open(project)
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
        lang = cfg.locale.language
        console.print(gettext("collect.cli.created", lang, slug=survey.slug, kind=survey.kind))


@app.command("list")
def list_command(project: ProjectOption = Path("."), as_json: JsonOption = False) -> None:
    """List surveys with their answer counts."""
    from sqlalchemy import func, select

    from cxpulse import collect, store
    from cxpulse.store.tables import SurveyResponse

    with reported_errors():
        cfg, url = _open(project)
        lang = cfg.locale.language
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
                "question": collect.question_text(x, lang),
            }
            for x in surveys
        ]
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        table = Table(title=gettext("collect.surveys.title", lang))
        for key in ("slug", "kind", "touchpoint", "language", "answers", "status"):
            label = (
                gettext(f"collect.surveys.{key}", lang)
                if key != "answers"
                else gettext("collect.surveys.responses", lang)
            )
            table.add_column(label, justify="right" if key == "answers" else "left")
        for r in rows:
            status = gettext(
                "collect.surveys.active" if r["active"] else "collect.surveys.closed", lang
            )
            table.add_row(
                escape(r["slug"]),
                r["kind"],
                escape(r["touchpoint"] or "-"),
                r["language"],
                str(r["answers"]),
                status,
            )
        console.print(table)


@app.command("invite")
def invite(
    slug: Annotated[str, typer.Argument(help="The survey to invite to.")],
    contacts: Annotated[
        Path, typer.Argument(help="CSV with account_id (required), contact_id, email.")
    ],
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="Rename a column: 'Customer=account_id'.")
    ] = None,
    email: Annotated[bool, typer.Option("--email", help="E-mail each link (SMTP/outbox).")] = False,
    base_url: Annotated[
        str | None, typer.Option(help="Public address of the app (default CXPULSE_BASE_URL).")
    ] = None,
    expires_days: Annotated[int, typer.Option(help="Days a link stays valid.", min=1)] = 30,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the links to this CSV.")
    ] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Create one personal link per contact; print them as CSV (or write --output)."""
    from cxpulse import collect, store

    with reported_errors():
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
            )
            report = collect.email_invitations(s, survey, issued) if email else None
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
        lang = cfg.locale.language
        msg = gettext("collect.surveys.invited", lang, count=len(issued))
        if report is not None:
            msg += f" {gettext('collect.cli.mail', lang, report=str(report))}"
        typer.echo(msg, err=True)


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="CSV exported from another survey tool.")],
    survey: Annotated[
        str | None,
        typer.Option("--survey", "-s", help="Survey of every row (else column 'survey')."),
    ] = None,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="Rename a column: 'Score=score'.")
    ] = None,
    run_loop: Annotated[
        bool, typer.Option("--run-loop", help="Let the closed loop open cases for these answers.")
    ] = False,
    project: ProjectOption = Path("."),
) -> None:
    """Import answers (all or nothing; rows with external_id update on re-import)."""
    from cxpulse import collect, store

    with reported_errors():
        _cfg, url = _open(project)
        with store.session(url) as s:
            report = collect.import_responses(
                s, path, survey=survey, mapping=parse_mapping(mapping), run_loop=run_loop
            )
        console.print(escape(str(report)))


@app.command("close")
def close(slug: str, project: ProjectOption = Path(".")) -> None:
    """Stop taking answers for a survey."""
    from cxpulse import collect, store

    with reported_errors():
        _cfg, url = _open(project)
        with store.session(url) as s:
            collect.set_survey_active(s, slug, False)


@app.command("open")
def reopen(slug: str, project: ProjectOption = Path(".")) -> None:
    """Take answers again for a closed survey."""
    from cxpulse import collect, store

    with reported_errors():
        _cfg, url = _open(project)
        with store.session(url) as s:
            collect.set_survey_active(s, slug, True)
