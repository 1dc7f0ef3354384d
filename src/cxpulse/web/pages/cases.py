"""Case pages: the list with filters and loop indicators, and a case with its history and the
forms to assign, comment, classify, change status and resolve (every form carries CSRF)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from babel.dates import format_datetime
from babel.numbers import format_decimal
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from cxpulse.locale import term
from cxpulse.loop import (
    assign_case,
    case_history,
    change_case_status,
    classify_case,
    comment_case,
    get_case,
    is_case_breached,
    loop_indicators,
    resolve_and_follow_up,
)
from cxpulse.loop.contacts import contact_of_case, reply_template
from cxpulse.loop.errors import CaseNotFoundError, LoopError
from cxpulse.loop.inbox import SLA_CHOICES, SORTS, InboxQuery, bulk_assign, inbox, origins, sla_view
from cxpulse.loop.inbox import owners as inbox_owners
from cxpulse.loop.titles import case_title
from cxpulse.loop.touchpoints import log_touchpoint
from cxpulse.loop.workflow import PRIORITIES, STATUSES, TRANSITIONS, CaseStatus, as_utc
from cxpulse.stats import Estimate
from cxpulse.store.tables import TOUCHPOINT_KINDS, utcnow
from cxpulse.web.api.cases import CaseId, loop_context
from cxpulse.web.brand import brand_of
from cxpulse.web.deps import ContextDep, CurrentUser, DbSessionDep, Lang
from cxpulse.web.directory import (
    AccountFacts,
    account_directory,
    matching_accounts,
    people,
    segments,
)
from cxpulse.web.i18n import BABEL_LOCALES
from cxpulse.web.session import flash
from cxpulse.web.templating import language_of, render

router = APIRouter(include_in_schema=False)

# status filter choices: the open ones (default), everything, or one status
STATUS_CHOICES = ("open", "all", *STATUSES)


def _when_formatter(lang: str) -> Callable[[datetime | None], str]:
    """Date and time of a case event, in UTC, in the reader's language."""

    def when(value: datetime | None) -> str:
        if value is None:
            return "—"
        text = format_datetime(
            as_utc(value), format="short", tzinfo=UTC, locale=BABEL_LOCALES.get(lang, lang)
        )
        return f"{text} UTC"

    return when


def _kpi(e: Estimate, unit: str) -> dict[str, Any]:
    """Display numbers of an estimate (percent for proportions, hours for durations)."""
    if e.n == 0 or math.isnan(e.value):
        return {"n": 0, "value": None}
    scale = 100.0 if unit == "%" else 1.0
    return {
        "n": e.n,
        "value": e.value * scale,
        "low": None if math.isnan(e.ci_low) else e.ci_low * scale,
        "high": None if math.isnan(e.ci_high) else e.ci_high * scale,
        "unit": unit,
        "small": e.small_sample,
        "method": e.method,
    }


def indicator_cards(session: Session) -> dict[str, dict[str, Any]]:
    """The four closed-loop indicators as the pages show them (one function, inbox and tests)."""
    got = loop_indicators(session)
    return {
        "contacted_within_sla": _kpi(got.contacted_within_sla, "%"),
        "time_to_contact": _kpi(got.time_to_first_contact_hours, "h"),
        "time_to_close": _kpi(got.time_to_close_hours, "h"),
        "recovery": _kpi(got.recovery_rate, "%"),
    }


def _followup_surveys(session: Session) -> list[str]:
    from cxpulse.collect.surveys import list_surveys

    return [s.slug for s in list_surveys(session, active_only=True)]


def _actor(people: dict[str, str], lang: str) -> Callable[[str | None], str]:
    def name(actor: str | None) -> str:
        if not actor:
            return ""
        if actor in ("system", "customer"):
            return term("actor", actor, lang)
        return people.get(actor, actor)

    return name


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    session: DbSessionDep,
    user: CurrentUser,
    ctx: ContextDep,
    lang: Lang,
    status: str = "open",
    origin: str = "",
    owner: str = "",
    priority: str = "",
    sla: str = "",
    segment: str = "",
    q: str = "",
    sort: str = "due",
    desc: bool = False,
    page: int = 1,
    mine: bool = False,
    overdue: bool = False,
) -> HTMLResponse:
    loop_context(ctx)  # registers the project's rules for this store
    directory = account_directory(ctx)
    chosen = status if status in STATUS_CHOICES else "open"
    query = InboxQuery(
        status=chosen,
        origin=origin or None,
        owner=user.email if mine else (owner or None),
        priority=priority or None,
        sla="breached" if overdue else (sla if sla in SLA_CHOICES else None),
        accounts=([a for a, f in directory.items() if f.segment == segment] if segment else None),
        search=q[:200],
        search_accounts=matching_accounts(directory, q[:200]),
        sort=sort if sort in SORTS else "due",
        descending=desc,
        page=page,
    )
    got = inbox(session, query, me=user.email)
    who = people(session)
    filters = {
        "status": chosen,
        "origin": origin,
        "owner": owner,
        "priority": query.priority or "",
        "sla": query.sla or "",
        "segment": segment,
        "q": q,
        "sort": query.sort,
        "desc": desc,
        "mine": mine,
    }
    keep = {k: v for k, v in filters.items() if v not in ("", False, None)}
    return render(
        request,
        "cases.html",
        inbox=got,
        rows=[
            {
                "case": r.case,
                "sla": r.sla,
                "title": case_title(
                    r.case, lang, (directory.get(r.case.account_id or "") or _NO_FACTS).name
                ),
                "account": directory.get(r.case.account_id or ""),
                "owner_name": who.get(r.case.owner or "", r.case.owner),
            }
            for r in got.rows
        ],
        indicators=indicator_cards(session),
        filters=filters,
        query_string=lambda **change: urlencode({**keep, **change}),
        status_choices=STATUS_CHOICES,
        priorities=PRIORITIES,
        origins=sorted(set(origins(session)) | {"detractor", "health_red", "at_risk", "manual"}),
        owners=sorted(set(inbox_owners(session)) | set(who)),
        people=who,
        segments=segments(directory),
        sla_choices=SLA_CHOICES,
        sorts=SORTS,
        when=_when_formatter(lang),
        hours=lambda h: format_decimal(
            abs(h), format="#,##0", locale=BABEL_LOCALES.get(lang, lang)
        ),
        days=lambda h: format_decimal(
            abs(h) / 24, format="#,##0", locale=BABEL_LOCALES.get(lang, lang)
        ),
    )


@router.post("/cases/bulk-assign")
def bulk_assign_form(
    request: Request,
    session: DbSessionDep,
    user: CurrentUser,
    owner: Annotated[str, Form(max_length=320)],
    case_ids: Annotated[list[int], Form()],
    back: Annotated[str, Form(max_length=2000)] = "/cases",
) -> RedirectResponse:
    """Give the ticked cases to one owner (each change in its case's history)."""
    try:
        with session.begin_nested():
            done = bulk_assign(session, case_ids, owner.strip(), actor=user.email)
    except LoopError as exc:
        flash(request, "loop.flash.error", "error", detail=exc.message_in(language_of(request)))
    else:
        flash(request, "cx.flash.bulk_assigned", "success", n=done)
    target = back if back.startswith("/cases") else "/cases"
    return RedirectResponse(target, status_code=303)


_NO_FACTS = AccountFacts("", None, None, None, None)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: CaseId,
    session: DbSessionDep,
    user: CurrentUser,
    ctx: ContextDep,
    lang: Lang,
) -> HTMLResponse:
    try:
        case = get_case(session, case_id)
    except CaseNotFoundError as exc:
        detail = exc.message_in(lang)
        return render(request, "error.html", status_code=404, status=404, detail=detail)
    history = case_history(session, case_id)
    said = [e.text for e in history if e.text and (e.kind == "opened" or e.actor == "customer")]
    allowed = sorted(TRANSITIONS[CaseStatus(case.status)], key=lambda s: STATUSES.index(s.value))
    facts = account_directory(ctx).get(case.account_id or "") or _NO_FACTS
    contact = contact_of_case(session, case)
    who = people(session)
    reply = reply_template(
        case,
        contact,
        sender=user.display_name,
        company=brand_of(ctx.config).name,
        default_language=ctx.language,
    )
    mailto = None
    if reply.to:
        mailto = f"mailto:{reply.to}?" + urlencode(
            {"subject": reply.subject, "body": reply.body}, quote_via=quote
        )
    return render(
        request,
        "case.html",
        case=case,
        title=case_title(case, lang, facts.name),
        account=facts if facts.account_id else None,
        contact=contact,
        reply=reply,
        mailto=mailto,
        history=history,
        customer_comment=said[-1] if said else None,
        sla=sla_view(case, utcnow()),
        breached=is_case_breached(case),
        next_statuses=[s.value for s in allowed],
        can_resolve=CaseStatus.RESOLVED in TRANSITIONS[CaseStatus(case.status)],
        owners=sorted(set(inbox_owners(session)) | set(who)),
        people=who,
        actor=_actor(who, lang),
        touchpoint_kinds=TOUCHPOINT_KINDS,
        surveys=_followup_surveys(session),
        when=_when_formatter(lang),
        hours=lambda h: format_decimal(
            abs(h), format="#,##0", locale=BABEL_LOCALES.get(lang, lang)
        ),
        days=lambda h: format_decimal(
            abs(h) / 24, format="#,##0", locale=BABEL_LOCALES.get(lang, lang)
        ),
    )


@router.post("/cases/{case_id}/followup")
def followup_form(
    request: Request,
    case_id: CaseId,
    session: DbSessionDep,
    user: CurrentUser,
    ctx: ContextDep,
    survey: Annotated[str, Form(max_length=100)],
) -> RedirectResponse:
    """Invite the case's contact to a follow-up survey (after resolving it)."""
    from cxpulse.loop import send_followup

    loop_ctx = loop_context(ctx)
    return _act(
        request,
        session,
        case_id,
        lambda: send_followup(session, case_id, survey, context=loop_ctx, actor=user.email),
        done_key="loop.flash.followup",
    )


@router.post("/cases/{case_id}/touchpoint")
def touchpoint_form(
    request: Request,
    case_id: CaseId,
    session: DbSessionDep,
    user: CurrentUser,
    kind: Annotated[str, Form(max_length=20)],
    note: Annotated[str | None, Form(max_length=5000)] = None,
) -> RedirectResponse:
    """Log a call/meeting with the customer on this case (counts as the first contact)."""
    case = get_case(session, case_id)
    account = case.account_id or ""
    return _act(
        request,
        session,
        case_id,
        lambda: log_touchpoint(
            session, account, kind, actor=user.email, note=note, case_id=case_id
        ),
        done_key="cx.flash.touchpoint",
    )


def _act(
    request: Request,
    session: Session,
    case_id: CaseId,
    action: Callable[[], object],
    done_key: str = "loop.flash.saved",
) -> RedirectResponse:
    try:
        with session.begin_nested():
            action()
    except LoopError as exc:
        flash(request, "loop.flash.error", "error", detail=exc.message_in(language_of(request)))
    else:
        flash(request, done_key, "success")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/assign")
def assign_form(
    request: Request,
    case_id: CaseId,
    session: DbSessionDep,
    user: CurrentUser,
    owner: Annotated[str, Form(max_length=320)],
) -> RedirectResponse:
    return _act(
        request, session, case_id, lambda: assign_case(session, case_id, owner, actor=user.email)
    )


@router.post("/cases/{case_id}/comment")
def comment_form(
    request: Request,
    case_id: CaseId,
    session: DbSessionDep,
    user: CurrentUser,
    text: Annotated[str, Form(max_length=5000)],
    contact: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    return _act(
        request,
        session,
        case_id,
        lambda: comment_case(session, case_id, text, actor=user.email, contact=contact),
    )


@router.post("/cases/{case_id}/classify")
def classify_form(
    request: Request,
    case_id: CaseId,
    session: DbSessionDep,
    user: CurrentUser,
    category: Annotated[str, Form(max_length=100)],
) -> RedirectResponse:
    return _act(
        request,
        session,
        case_id,
        lambda: classify_case(session, case_id, category, actor=user.email),
    )


@router.post("/cases/{case_id}/status")
def status_form(
    request: Request,
    case_id: CaseId,
    session: DbSessionDep,
    user: CurrentUser,
    status: Annotated[str, Form(max_length=30)],
    note: Annotated[str | None, Form(max_length=5000)] = None,
) -> RedirectResponse:
    return _act(
        request,
        session,
        case_id,
        lambda: change_case_status(session, case_id, status, actor=user.email, text=(note or None)),
    )


@router.post("/cases/{case_id}/resolve")
def resolve_form(
    request: Request,
    case_id: CaseId,
    session: DbSessionDep,
    user: CurrentUser,
    ctx: ContextDep,
    note: Annotated[str | None, Form(max_length=5000)] = None,
    category: Annotated[str | None, Form(max_length=100)] = None,
) -> RedirectResponse:
    loop_ctx = loop_context(ctx)
    return _act(
        request,
        session,
        case_id,
        lambda: resolve_and_follow_up(
            session,
            case_id,
            actor=user.email,
            context=loop_ctx,
            text=(note or None),
            category=(category or None),
        ),
        done_key="loop.flash.resolved",
    )
