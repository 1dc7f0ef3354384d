"""Case pages: the list with filters and loop indicators, and a case with its history and the
forms to assign, comment, classify, change status and resolve (every form carries CSRF)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from babel.dates import format_datetime
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from cxpulse.loop import (
    CaseFilter,
    assign_case,
    case_history,
    change_case_status,
    classify_case,
    comment_case,
    get_case,
    is_case_breached,
    list_cases,
    loop_indicators,
    resolve_and_follow_up,
)
from cxpulse.loop.errors import CaseNotFoundError, LoopError
from cxpulse.loop.workflow import PRIORITIES, STATUSES, TRANSITIONS, CaseStatus, as_utc
from cxpulse.stats import Estimate
from cxpulse.web.api.cases import CaseId, loop_context
from cxpulse.web.deps import ContextDep, CurrentUser, DbSessionDep, Lang
from cxpulse.web.i18n import BABEL_LOCALES
from cxpulse.web.session import flash
from cxpulse.web.templating import render

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


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    session: DbSessionDep,
    user: CurrentUser,
    ctx: ContextDep,
    lang: Lang,
    status: str = "open",
    owner: str | None = None,
    priority: str | None = None,
    overdue: bool = False,
    mine: bool = False,
) -> HTMLResponse:
    loop_context(ctx)  # registers the project's rules for this store
    chosen = status if status in STATUS_CHOICES else "open"
    flt = CaseFilter(
        status=(chosen,) if chosen in STATUSES and chosen != "open" else (),
        open_only=chosen == "open",
        owner=user.email if mine else (owner or None),
        priority=priority if priority in PRIORITIES else None,
        overdue=overdue,
    )
    cases = list_cases(session, flt, limit=200)
    got = loop_indicators(session)
    indicators = {
        "contacted_within_sla": _kpi(got.contacted_within_sla, "%"),
        "time_to_contact": _kpi(got.time_to_first_contact_hours, "h"),
        "time_to_close": _kpi(got.time_to_close_hours, "h"),
        "recovery": _kpi(got.recovery_rate, "%"),
    }
    return render(
        request,
        "cases.html",
        cases=cases,
        breached={c.id: is_case_breached(c) for c in cases},
        indicators=indicators,
        filters={
            "status": chosen,
            "owner": owner or "",
            "priority": flt.priority or "",
            "overdue": overdue,
            "mine": mine,
        },
        status_choices=STATUS_CHOICES,
        priorities=PRIORITIES,
        when=_when_formatter(lang),
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: CaseId, session: DbSessionDep, user: CurrentUser, lang: Lang
) -> HTMLResponse:
    try:
        case = get_case(session, case_id)
    except CaseNotFoundError as exc:
        return render(request, "error.html", status_code=404, status=404, detail=str(exc))
    history = case_history(session, case_id)
    said = [e.text for e in history if e.text and (e.kind == "opened" or e.actor == "customer")]
    allowed = sorted(TRANSITIONS[CaseStatus(case.status)], key=lambda s: STATUSES.index(s.value))
    return render(
        request,
        "case.html",
        case=case,
        history=history,
        customer_comment=said[-1] if said else None,
        breached=is_case_breached(case),
        next_statuses=[s.value for s in allowed],
        can_resolve=CaseStatus.RESOLVED in TRANSITIONS[CaseStatus(case.status)],
        when=_when_formatter(lang),
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
        flash(request, "loop.flash.error", "error", detail=str(exc))
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
