"""``cxpulse cases``: follow-up cases of the closed loop (list, show, assign, comment, status,
resolve), loop indicators and notification delivery."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cxpulse.cli.common import ProjectOption, console, reported_errors
from cxpulse.cli.i18n import Speaker, speaker, tr

if TYPE_CHECKING:
    from cxpulse.loop import LoopContext
    from cxpulse.stats import Estimate

# The case statuses, as cxpulse.loop.workflow.STATUSES declares them (a test checks they agree;
# importing the loop here would load SQLAlchemy for every --help).
STATUSES = ("open", "in_progress", "waiting_customer", "resolved", "closed")

app = typer.Typer(help=tr("cli.cases.help"), no_args_is_help=True)

ActorOption = Annotated[
    str,
    typer.Option("--as", help=tr("cli.cases.actor"), envvar="USER"),
]
JsonOption = Annotated[bool, typer.Option("--json", help=tr("cli.option.json"))]
CaseArgument = Annotated[int, typer.Argument(help=tr("cli.cases.case_id"))]


def _open(project: Path) -> tuple[str, LoopContext, Speaker]:
    from cxpulse import store
    from cxpulse.config import load_config
    from cxpulse.loop import LoopContext

    cfg = load_config(project)
    url = cfg.store_url()
    store.migrate(url)
    ctx = LoopContext.from_project(cfg)
    return url, ctx, speaker(project)


def _iso(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _case_dict(case: Any) -> dict[str, Any]:
    from cxpulse.loop import is_case_breached

    return {
        "id": case.id,
        "title": case.title,
        "account_id": case.account_id,
        "contact_id": case.contact_id,
        "trigger": case.trigger,
        "rule": case.rule,
        "priority": case.priority,
        "status": case.status,
        "owner": case.owner,
        "category": case.category,
        "created_at": case.created_at.isoformat() if case.created_at else None,
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "first_contact_at": case.first_contact_at.isoformat() if case.first_contact_at else None,
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "sla_breached": is_case_breached(case),
        "followup_invitation_id": case.followup_invitation_id,
    }


@app.command("list", help=tr("cli.cases.list.help"))
def list_command(
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status", "-s", help=tr("cli.cases.status_one_of", values=", ".join(STATUSES))
        ),
    ] = None,
    owner: Annotated[str | None, typer.Option(help=tr("cli.cases.list.owner"))] = None,
    priority: Annotated[str | None, typer.Option(help=tr("cli.cases.list.priority"))] = None,
    account: Annotated[str | None, typer.Option(help=tr("cli.cases.list.account"))] = None,
    open_only: Annotated[bool, typer.Option("--open", help=tr("cli.cases.list.open"))] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help=tr("cli.cases.list.overdue"))] = False,
    limit: Annotated[int, typer.Option(help=tr("cli.cases.list.limit"))] = 100,
    as_json: JsonOption = False,
    project: ProjectOption = Path("."),
) -> None:
    """List cases, soonest due first."""
    from cxpulse import store
    from cxpulse.loop import CaseFilter, list_cases

    with reported_errors(project):
        url, _ctx, say = _open(project)
        flt = CaseFilter(
            status=tuple(status or ()),
            owner=owner,
            priority=priority,
            account_id=account,
            open_only=open_only,
            overdue=overdue,
        )
        with store.session(url) as s:
            rows = [_case_dict(c) for c in list_cases(s, flt, limit=limit)]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    table = Table(
        "#",
        *(say(f"cli.cases.col.{k}") for k in ("title", "account", "owner", "priority")),
        *(say(f"cli.cases.col.{k}") for k in ("status", "due", "sla")),
    )
    for r in rows:
        table.add_row(
            str(r["id"]),
            escape(r["title"]),
            escape(r["account_id"] or ""),
            escape(r["owner"] or "-"),
            say.term("priority", r["priority"]),
            say.term("status", r["status"]),
            (r["due_at"] or "-")[:16].replace("T", " "),
            _sla(r["sla_breached"], say),
        )
    console.print(table)
    console.print(say("cli.cases.count", n=say.count(len(rows))))


def _sla(breached: bool, say: Speaker) -> str:
    return f"[red]{say.term('sla', 'breached')}[/]" if breached else say.term("sla", "ok")


@app.command("show", help=tr("cli.cases.show.help"))
def show(
    case_id: CaseArgument,
    as_json: JsonOption = False,
    project: ProjectOption = Path("."),
) -> None:
    """Show one case and its full history."""
    from cxpulse import store
    from cxpulse.loop import case_history, get_case

    with reported_errors(project):
        url, _ctx, say = _open(project)
        with store.session(url) as s:
            data = _case_dict(get_case(s, case_id))
            history: list[dict[str, Any]] = [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "kind": e.kind,
                    "from_status": e.from_status,
                    "to_status": e.to_status,
                    "text": e.text,
                }
                for e in case_history(s, case_id)
            ]
    if as_json:
        console.print_json(json.dumps({**data, "history": history}))
        return
    console.print(f"[bold]#{data['id']} {escape(data['title'])}[/]")
    shown = {
        "priority": say.term("priority", data["priority"]),
        "status": say.term("status", data["status"]),
        "category": say.term("category", data["category"]) if data["category"] else None,
    }
    for key in ("account_id", "contact_id", "owner", "priority", "status", "category", "rule"):
        value = shown.get(key, data[key])
        console.print(f"  {say(f'cli.cases.field.{key}')}: {escape(str(value or '-'))}")
    for key in ("created_at", "due_at", "first_contact_at", "resolved_at", "closed_at"):
        console.print(
            f"  {say(f'cli.cases.field.{key}')}: {(data[key] or '-')[:16].replace('T', ' ')}"
        )
    console.print(f"  {say('cli.cases.field.sla')}: {_sla(data['sla_breached'], say)}")
    table = Table(*(say(f"cli.cases.col.{k}") for k in ("at", "who", "event", "status", "text")))
    for e in history:
        before = say.term("status", e["from_status"]) if e["from_status"] else ""
        moved = f"{before} → {say.term('status', e['to_status'])}" if e["to_status"] else ""
        table.add_row(
            e["at"][:16].replace("T", " "),
            escape(say.term("actor", e["actor"] or "")),
            say.term("event", e["kind"]),
            moved,
            escape(e["text"] or ""),
        )
    console.print(table)


@app.command("assign", help=tr("cli.cases.assign.help"))
def assign(
    case_id: CaseArgument,
    owner: Annotated[str, typer.Argument(help=tr("cli.cases.assign.owner"))],
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Give a case to someone."""
    from cxpulse import store
    from cxpulse.loop import assign_case

    with reported_errors(project):
        url, _ctx, say = _open(project)
        with store.session(url) as s:
            case = assign_case(s, case_id, owner, actor=actor)
            console.print(escape(say("cli.cases.assigned", id=case.id, owner=case.owner or "")))


@app.command("comment", help=tr("cli.cases.comment.help"))
def comment(
    case_id: CaseArgument,
    text: Annotated[str, typer.Argument(help=tr("cli.cases.comment.text"))],
    contact: Annotated[
        bool, typer.Option("--contact", help=tr("cli.cases.comment.contact"))
    ] = False,
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Add a note to a case (--contact marks the first customer contact)."""
    from cxpulse import store
    from cxpulse.loop import comment_case

    with reported_errors(project):
        url, _ctx, say = _open(project)
        with store.session(url) as s:
            comment_case(s, case_id, text, actor=actor, contact=contact)
    console.print(say("cli.cases.commented", id=case_id))


@app.command("classify", help=tr("cli.cases.classify.help"))
def classify(
    case_id: CaseArgument,
    category: Annotated[str, typer.Argument(help=tr("cli.cases.classify.category"))],
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Set the root-cause category of a case."""
    from cxpulse import store
    from cxpulse.loop import classify_case

    with reported_errors(project):
        url, _ctx, say = _open(project)
        with store.session(url) as s:
            classify_case(s, case_id, category, actor=actor)
    console.print(
        escape(say("cli.cases.classified", id=case_id, category=say.term("category", category)))
    )


@app.command("status", help=tr("cli.cases.status.help"))
def status_command(
    case_id: CaseArgument,
    status: Annotated[
        str, typer.Argument(help=tr("cli.cases.status.new", values=", ".join(STATUSES)))
    ],
    note: Annotated[str | None, typer.Option(help=tr("cli.cases.status.note"))] = None,
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Move a case to another status (the workflow says which moves are allowed)."""
    from cxpulse import store
    from cxpulse.loop import change_case_status

    with reported_errors(project):
        url, _ctx, say = _open(project)
        with store.session(url) as s:
            case = change_case_status(s, case_id, status, actor=actor, text=note)
            shown = say.term("status", case.status)
            console.print(say("cli.cases.status_now", id=case.id, status=shown))


@app.command("resolve", help=tr("cli.cases.resolve.help"))
def resolve(
    case_id: CaseArgument,
    note: Annotated[str | None, typer.Option(help=tr("cli.cases.resolve.note"))] = None,
    category: Annotated[str | None, typer.Option(help=tr("cli.cases.resolve.category"))] = None,
    followup: Annotated[bool, typer.Option(help=tr("cli.cases.resolve.followup"))] = True,
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Resolve a case; sends the follow-up survey when its rule names one."""
    from cxpulse import store
    from cxpulse.loop import resolve_and_follow_up

    with reported_errors(project):
        url, ctx, say = _open(project)
        with store.session(url) as s:
            case = resolve_and_follow_up(
                s,
                case_id,
                actor=actor,
                context=ctx,
                text=note,
                category=category,
                followup=followup,
            )
            sent = case.followup_invitation_id is not None
    done = say("cli.cases.resolved", id=case_id)
    console.print(done + (" " + say("cli.cases.followup_sent") if sent else ""))


def _fmt(e: Estimate, unit: str, say: Speaker) -> str:
    if e.n == 0 or math.isnan(e.value):
        return say("cli.cases.no_data")
    scale = 100.0 if unit == "%" else 1.0
    low, high = say.num(e.ci_low * scale), say.num(e.ci_high * scale)
    text = f"{say.num(e.value * scale)}{unit}  ({say('loop.indicators.ci', low=low, high=high)})"
    small = f"  [yellow]{say('loop.indicators.small')}[/]" if e.small_sample else ""
    return text + f"  n={say.count(e.n)}" + small


@app.command("indicators", help=tr("cli.cases.indicators.help"))
def indicators(
    trigger: Annotated[str, typer.Option(help=tr("cli.cases.indicators.trigger"))] = "detractor",
    as_json: JsonOption = False,
    project: ProjectOption = Path("."),
) -> None:
    """How well the loop is closed: contact within SLA, time to contact and close, recovery."""
    from cxpulse import store
    from cxpulse.loop import loop_indicators

    with reported_errors(project):
        url, _ctx, say = _open(project)
        with store.session(url) as s:
            got = loop_indicators(s, trigger=None if trigger == "all" else trigger)
    items = {
        "contacted_within_sla": (got.contacted_within_sla, "%"),
        "time_to_first_contact_hours": (got.time_to_first_contact_hours, " h"),
        "time_to_close_hours": (got.time_to_close_hours, " h"),
        "recovery_rate": (got.recovery_rate, "%"),
    }
    if as_json:
        data: dict[str, Any] = {
            k: {
                "value": None if math.isnan(e.value) else e.value,
                "n": e.n,
                "ci_low": None if math.isnan(e.ci_low) else e.ci_low,
                "ci_high": None if math.isnan(e.ci_high) else e.ci_high,
                "method": e.method,
                "small_sample": e.small_sample,
            }
            for k, (e, _unit) in items.items()
        }
        data["followups_sent"] = got.followups_sent
        console.print_json(json.dumps(data))
        return
    for key, (estimate, unit) in items.items():
        console.print(f"{say(f'cli.cases.indicator.{key}')}: {_fmt(estimate, unit, say)}")
    console.print(f"{say('cli.cases.indicator.followups_sent')}: {say.count(got.followups_sent)}")


@app.command("check-health", help=tr("cli.cases.check_health.help"))
def check_health_command(
    since: Annotated[str | None, typer.Option(help=tr("cli.cases.check_health.since"))] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Open cases for accounts whose health band dropped (rules with trigger health_red)."""
    from datetime import UTC, date

    from cxpulse import store
    from cxpulse.config import load_config
    from cxpulse.errors import ConfigError
    from cxpulse.loop import LoopContext, check_health
    from cxpulse.workspace import Workspace

    with reported_errors(project):
        try:
            start = date.fromisoformat(since) if since else None
        except ValueError:
            raise ConfigError(
                key="cli.error.bad_date", values={"option": "--since", "value": since}
            ) from None
        start = start or (datetime.now(UTC) - timedelta(days=30)).date()
        cfg = load_config(project)
        url = cfg.store_url()
        store.migrate(url)
        with Workspace.open(project) as ws:
            ctx = LoopContext.from_project(cfg, ws)
            with store.session(url) as s:
                cases = check_health(s, ws, start, ctx)
                ids = [c.id for c in cases]
    say = speaker(project)
    shown = ", ".join(f"#{i}" for i in ids) or "-"
    console.print(say("cli.cases.health_cases", n=say.count(len(ids)), ids=shown))


@app.command("deliver", help=tr("cli.cases.deliver.help"))
def deliver(project: ProjectOption = Path(".")) -> None:
    """Send due notifications from the outbox now (SMTP from CXPULSE_SMTP_*)."""
    from cxpulse import store
    from cxpulse.config import Settings, load_config
    from cxpulse.loop import LoopContext, deliver_once

    with reported_errors(project):
        cfg = load_config(project)
        url = cfg.store_url()
        store.migrate(url)
        ctx = LoopContext.from_project(cfg)
        attempted = deliver_once(
            url,
            Settings(),
            max_attempts=ctx.config.max_attempts,
            retry_base=timedelta(seconds=ctx.config.retry_base_s),
        )
    say = speaker(project)
    console.print(say("cli.cases.delivered", n=say.count(attempted)))
