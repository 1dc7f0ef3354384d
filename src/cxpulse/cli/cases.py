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
from cxpulse.locale import gettext

if TYPE_CHECKING:
    from cxpulse.loop import LoopContext
    from cxpulse.stats import Estimate

# The case statuses, as cxpulse.loop.workflow.STATUSES declares them (a test checks they agree;
# importing the loop here would load SQLAlchemy for every --help).
STATUSES = ("open", "in_progress", "waiting_customer", "resolved", "closed")

app = typer.Typer(help="Follow-up cases of the closed loop.", no_args_is_help=True)

ActorOption = Annotated[
    str,
    typer.Option("--as", help="Who does this (recorded in the case history).", envvar="USER"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _open(project: Path) -> tuple[str, LoopContext, str]:
    from cxpulse import store
    from cxpulse.config import load_config
    from cxpulse.loop import LoopContext

    cfg = load_config(project)
    url = cfg.store_url()
    store.migrate(url)
    ctx = LoopContext.from_project(cfg)
    return url, ctx, cfg.locale.language


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


@app.command("list")
def list_command(
    status: Annotated[
        list[str] | None, typer.Option("--status", "-s", help=f"One of {', '.join(STATUSES)}.")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Only this owner's cases.")] = None,
    priority: Annotated[str | None, typer.Option(help="low, normal, high or urgent.")] = None,
    account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
    open_only: Annotated[
        bool, typer.Option("--open", help="Only open, in progress or waiting.")
    ] = False,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only cases past the SLA without contact.")
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many cases.")] = 100,
    as_json: JsonOption = False,
    project: ProjectOption = Path("."),
) -> None:
    """List cases, soonest due first."""
    from cxpulse import store
    from cxpulse.loop import CaseFilter, list_cases

    with reported_errors():
        url, _ctx, lang = _open(project)
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
    table = Table("#", "title", "account", "owner", "priority", "status", "due", "SLA")
    for r in rows:
        table.add_row(
            str(r["id"]),
            escape(r["title"]),
            escape(r["account_id"] or ""),
            escape(r["owner"] or "-"),
            gettext(f"loop.priority.{r['priority']}", lang),
            gettext(f"loop.status.{r['status']}", lang),
            (r["due_at"] or "-")[:16].replace("T", " "),
            "[red]breached[/]" if r["sla_breached"] else "ok",
        )
    console.print(table)
    console.print(f"{len(rows)} case(s)")


@app.command("show")
def show(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    as_json: JsonOption = False,
    project: ProjectOption = Path("."),
) -> None:
    """Show one case and its full history."""
    from cxpulse import store
    from cxpulse.loop import case_history, get_case

    with reported_errors():
        url, _ctx, lang = _open(project)
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
    for key in ("account_id", "contact_id", "owner", "priority", "status", "category", "rule"):
        console.print(f"  {key}: {escape(str(data[key] or '-'))}")
    for key in ("created_at", "due_at", "first_contact_at", "resolved_at", "closed_at"):
        console.print(f"  {key}: {(data[key] or '-')[:16].replace('T', ' ')}")
    console.print(f"  SLA: {'[red]breached[/]' if data['sla_breached'] else 'ok'}")
    table = Table("at", "who", "event", "status", "text")
    for e in history:
        moved = f"{e['from_status'] or ''} → {e['to_status']}" if e["to_status"] else ""
        table.add_row(
            e["at"][:16].replace("T", " "),
            escape(e["actor"] or ""),
            gettext(f"loop.event.{e['kind']}", lang),
            moved,
            escape(e["text"] or ""),
        )
    console.print(table)


@app.command("assign")
def assign(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    owner: Annotated[str, typer.Argument(help="New owner (name or e-mail).")],
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Give a case to someone."""
    from cxpulse import store
    from cxpulse.loop import assign_case

    with reported_errors():
        url, _ctx, _lang = _open(project)
        with store.session(url) as s:
            case = assign_case(s, case_id, owner, actor=actor)
            console.print(f"Case #{case.id} assigned to {escape(case.owner or '')}.")


@app.command("comment")
def comment(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    text: Annotated[str, typer.Argument(help="The note.")],
    contact: Annotated[
        bool, typer.Option("--contact", help="This note records a contact with the customer.")
    ] = False,
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Add a note to a case (--contact marks the first customer contact)."""
    from cxpulse import store
    from cxpulse.loop import comment_case

    with reported_errors():
        url, _ctx, _lang = _open(project)
        with store.session(url) as s:
            comment_case(s, case_id, text, actor=actor, contact=contact)
    console.print(f"Comment added to case #{case_id}.")


@app.command("classify")
def classify(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    category: Annotated[str, typer.Argument(help="Root-cause category, e.g. billing.")],
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Set the root-cause category of a case."""
    from cxpulse import store
    from cxpulse.loop import classify_case

    with reported_errors():
        url, _ctx, _lang = _open(project)
        with store.session(url) as s:
            classify_case(s, case_id, category, actor=actor)
    console.print(f"Case #{case_id} classified as {escape(category)}.")


@app.command("status")
def status_command(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    status: Annotated[str, typer.Argument(help=f"New status: {', '.join(STATUSES)}.")],
    note: Annotated[str | None, typer.Option(help="Why (kept in the history).")] = None,
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Move a case to another status (the workflow says which moves are allowed)."""
    from cxpulse import store
    from cxpulse.loop import change_case_status

    with reported_errors():
        url, _ctx, _lang = _open(project)
        with store.session(url) as s:
            case = change_case_status(s, case_id, status, actor=actor, text=note)
            console.print(f"Case #{case.id} is now {case.status}.")


@app.command("resolve")
def resolve(
    case_id: Annotated[int, typer.Argument(help="Case number.")],
    note: Annotated[str | None, typer.Option(help="What was done.")] = None,
    category: Annotated[str | None, typer.Option(help="Root-cause category.")] = None,
    followup: Annotated[
        bool,
        typer.Option(help="Send the rule's follow-up survey to the contact."),
    ] = True,
    actor: ActorOption = "cli",
    project: ProjectOption = Path("."),
) -> None:
    """Resolve a case; sends the follow-up survey when its rule names one."""
    from cxpulse import store
    from cxpulse.loop import resolve_and_follow_up

    with reported_errors():
        url, ctx, _lang = _open(project)
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
    console.print(f"Case #{case_id} resolved." + (" Follow-up survey sent." if sent else ""))


def _fmt(e: Estimate, unit: str) -> str:
    if e.n == 0 or math.isnan(e.value):
        return "no data (n=0)"
    scale = 100.0 if unit == "%" else 1.0
    text = f"{e.value * scale:.1f}{unit}  (95% CI {e.ci_low * scale:.1f}-{e.ci_high * scale:.1f})"
    return text + f"  n={e.n}" + ("  [yellow]small sample[/]" if e.small_sample else "")


@app.command("indicators")
def indicators(
    trigger: Annotated[
        str, typer.Option(help="Cases opened by this trigger; 'all' for every case.")
    ] = "detractor",
    as_json: JsonOption = False,
    project: ProjectOption = Path("."),
) -> None:
    """How well the loop is closed: contact within SLA, time to contact and close, recovery."""
    from cxpulse import store
    from cxpulse.loop import loop_indicators

    with reported_errors():
        url, _ctx, _lang = _open(project)
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
        console.print(f"{key}: {_fmt(estimate, unit)}")
    console.print(f"followups_sent: {got.followups_sent}")


@app.command("check-health")
def check_health_command(
    since: Annotated[
        str | None,
        typer.Option(
            help="Only band changes on or after this date (YYYY-MM-DD); default 30 days ago."
        ),
    ] = None,
    project: ProjectOption = Path("."),
) -> None:
    """Open cases for accounts whose health band dropped (rules with trigger health_red)."""
    from datetime import UTC, date

    from cxpulse import store
    from cxpulse.config import load_config
    from cxpulse.errors import ConfigError
    from cxpulse.loop import LoopContext, check_health
    from cxpulse.workspace import Workspace

    with reported_errors():
        try:
            start = date.fromisoformat(since) if since else None
        except ValueError:
            raise ConfigError(f"--since {since!r} is not a date; write it as YYYY-MM-DD") from None
        start = start or (datetime.now(UTC) - timedelta(days=30)).date()
        cfg = load_config(project)
        url = cfg.store_url()
        store.migrate(url)
        with Workspace.open(project) as ws:
            ctx = LoopContext.from_project(cfg, ws)
            with store.session(url) as s:
                cases = check_health(s, ws, start, ctx)
                ids = [c.id for c in cases]
    console.print(f"{len(ids)} health case(s): {', '.join(f'#{i}' for i in ids) or '-'}")


@app.command("deliver")
def deliver(project: ProjectOption = Path(".")) -> None:
    """Send due notifications from the outbox now (SMTP from CXPULSE_SMTP_*)."""
    from cxpulse import store
    from cxpulse.config import Settings, load_config
    from cxpulse.loop import LoopContext, deliver_once

    with reported_errors():
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
    console.print(f"{attempted} notification(s) attempted.")
