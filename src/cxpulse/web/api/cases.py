"""``/api/v1/cases``: closed-loop cases as JSON (list, detail with history, changes, indicators).

The router's lifespan registers the project's loop rules for its store (so answers stored by
the survey pages open cases by the project's rules) and runs the outbox delivery thread
unless ``[loop] deliver_in_app = false``.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy.orm import Session

from cxpulse.config import Settings
from cxpulse.loop import (
    CaseFilter,
    LoopContext,
    assign_case,
    case_history,
    change_case_status,
    classify_case,
    comment_case,
    get_case,
    is_case_breached,
    list_cases,
    loop_indicators,
    open_case,
    register_context,
    resolve_and_follow_up,
    start_delivery_thread,
    unregister_context,
)
from cxpulse.loop.errors import CaseNotFoundError, InvalidTransitionError, LoopError
from cxpulse.stats import Estimate
from cxpulse.store.tables import Case
from cxpulse.web.api.paging import Offset
from cxpulse.web.context import WebContext
from cxpulse.web.deps import ContextDep, CurrentUser, DbSessionDep

MAX_ID = 2_147_483_647  # ids are 32-bit on PostgreSQL; larger numbers cannot exist
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="case number")]
Priority = Literal["low", "normal", "high", "urgent"]
Status = Literal["open", "in_progress", "waiting_customer", "resolved", "closed"]


def loop_context(ctx: WebContext) -> LoopContext:
    """The project's loop context (rules, language, owners from the workspace), registered for
    its store on first use."""
    found: LoopContext | None = getattr(ctx, "_loop_context", None)
    if found is None:
        found = LoopContext.from_project(
            ctx.config, ctx.workspace, workspace_lock=ctx.workspace_lock
        )
        register_context(ctx.store_url, found)
        object.__setattr__(ctx, "_loop_context", found)
    return found


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    ctx: WebContext | None = getattr(app.state, "ctx", None)
    stop = None
    if ctx is not None:
        loop_ctx = loop_context(ctx)
        if loop_ctx.config.deliver_in_app:
            _thread, stop = start_delivery_thread(
                ctx.store_engine(),
                Settings(),
                interval_s=loop_ctx.config.deliver_interval_s,
                max_attempts=loop_ctx.config.max_attempts,
                retry_base=timedelta(seconds=loop_ctx.config.retry_base_s),
            )
    try:
        yield
    finally:
        if stop is not None:
            stop.set()
        if ctx is not None:
            unregister_context(ctx.store_url)


router = APIRouter(prefix="/api/v1", tags=["cases"], lifespan=_lifespan)


class ErrorPublic(BaseModel):
    detail: str


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic, "description": "no case with this id"}
}
REFUSED: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {"model": ErrorPublic, "description": "the workflow does not allow this change"},
    400: {"model": ErrorPublic, "description": "the change cannot be made (message says why)"},
}


class CasePublic(BaseModel):
    """A follow-up case (``sla_breached``: not contacted by ``due_at``, so far)."""

    id: int
    title: str
    account_id: str | None
    contact_id: str | None
    response_id: int | None
    trigger: str
    rule: str | None
    category: str | None
    priority: str
    status: str
    owner: str | None
    created_at: datetime
    updated_at: datetime | None
    due_at: datetime | None
    first_contact_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    sla_breached: bool
    followup_invitation_id: int | None


class CaseEventPublic(BaseModel):
    at: datetime
    actor: str | None
    kind: str
    from_status: str | None
    to_status: str | None
    text: str | None


class CaseDetail(CasePublic):
    history: list[CaseEventPublic]


class CaseList(BaseModel):
    cases: list[CasePublic]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    account_id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=300)
    priority: Priority = "normal"
    sla_hours: float = Field(default=48, gt=0, le=24 * 365)
    owner: str | None = Field(default=None, max_length=320)
    category: str | None = Field(default=None, max_length=100)
    contact_id: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=5000)


class AssignBody(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    owner: str = Field(min_length=1, max_length=320)


class CommentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    text: str = Field(min_length=1, max_length=5000)
    contact: StrictBool = Field(default=False, description="this note records a customer contact")


class ClassifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    category: str = Field(min_length=1, max_length=100)


class StatusBody(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    status: Status
    note: str | None = Field(default=None, max_length=5000)


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    note: str | None = Field(default=None, max_length=5000)
    category: str | None = Field(default=None, max_length=100)
    followup: StrictBool = Field(default=True, description="send the rule's follow-up survey")


class EstimatePublic(BaseModel):
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    method: str
    small_sample: bool
    unit: str


class IndicatorsPublic(BaseModel):
    trigger: str | None
    contacted_within_sla: EstimatePublic
    time_to_first_contact_hours: EstimatePublic
    time_to_close_hours: EstimatePublic
    recovery_rate: EstimatePublic
    followups_sent: int


def case_public(case: Case) -> CasePublic:
    """API view of a stored case."""
    return CasePublic(
        id=case.id,
        title=case.title,
        account_id=case.account_id,
        contact_id=case.contact_id,
        response_id=case.response_id,
        trigger=case.trigger,
        rule=case.rule,
        category=case.category,
        priority=case.priority,
        status=case.status,
        owner=case.owner,
        created_at=case.created_at,
        updated_at=case.updated_at,
        due_at=case.due_at,
        first_contact_at=case.first_contact_at,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
        sla_breached=is_case_breached(case),
        followup_invitation_id=case.followup_invitation_id,
    )


def case_detail(session: Session, case_id: int) -> CaseDetail:
    """A case with its full history."""
    case = get_case(session, case_id)
    history = [
        CaseEventPublic(
            at=e.at,
            actor=e.actor,
            kind=e.kind,
            from_status=e.from_status,
            to_status=e.to_status,
            text=e.text,
        )
        for e in case_history(session, case_id)
    ]
    return CaseDetail(**case_public(case).model_dump(), history=history)


def _finite(x: float) -> float | None:
    return None if math.isnan(x) else x


def estimate_public(e: Estimate, unit: str) -> EstimatePublic:
    return EstimatePublic(
        value=_finite(e.value),
        n=e.n,
        ci_low=_finite(e.ci_low),
        ci_high=_finite(e.ci_high),
        method=e.method,
        small_sample=e.small_sample,
        unit=unit,
    )


def http_error(exc: LoopError) -> HTTPException:
    """404 for a missing case, 409 for a change the workflow refuses, 400 otherwise."""
    if isinstance(exc, CaseNotFoundError):
        return HTTPException(status_code=404, detail=exc)
    if isinstance(exc, InvalidTransitionError):
        return HTTPException(status_code=409, detail=exc)
    return HTTPException(status_code=400, detail=exc)


@router.get("/cases", response_model=CaseList)
def list_endpoint(
    session: DbSessionDep,
    user: CurrentUser,
    status: Annotated[list[Status] | None, Query()] = None,
    owner: str | None = None,
    priority: Priority | None = None,
    account_id: str | None = None,
    trigger: str | None = None,
    overdue: bool = False,
    open_only: Annotated[bool, Query(alias="open")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> CaseList:
    """Cases matching the filters, soonest due first."""
    flt = CaseFilter(
        status=tuple(status or ()),
        owner=owner,
        priority=priority,
        account_id=account_id,
        trigger=trigger,
        overdue=overdue,
        open_only=open_only,
    )
    rows = list_cases(session, flt, limit=limit, offset=offset)
    return CaseList(cases=[case_public(c) for c in rows])


@router.get("/cases/indicators", response_model=IndicatorsPublic)
def indicators_endpoint(
    session: DbSessionDep,
    user: CurrentUser,
    trigger: str = Query(default="detractor", description="'all' for every case"),
) -> IndicatorsPublic:
    """Contact within SLA, time to first contact and to close, detractor recovery."""
    chosen = None if trigger == "all" else trigger
    got = loop_indicators(session, trigger=chosen)
    return IndicatorsPublic(
        trigger=chosen,
        contacted_within_sla=estimate_public(got.contacted_within_sla, "proportion"),
        time_to_first_contact_hours=estimate_public(got.time_to_first_contact_hours, "hours"),
        time_to_close_hours=estimate_public(got.time_to_close_hours, "hours"),
        recovery_rate=estimate_public(got.recovery_rate, "proportion"),
        followups_sent=got.followups_sent,
    )


@router.post("/cases", response_model=CaseDetail, status_code=201)
def create_endpoint(body: CaseCreate, session: DbSessionDep, user: CurrentUser) -> CaseDetail:
    """Open a case by hand (trigger 'manual')."""
    case = open_case(
        session,
        account_id=body.account_id,
        contact_id=body.contact_id,
        trigger="manual",
        title=body.title,
        priority=body.priority,
        sla_hours=body.sla_hours,
        owner=body.owner,
        category=body.category,
        actor=user.email,
        text=body.note,
    )
    return case_detail(session, case.id)


@router.get("/cases/{case_id}", response_model=CaseDetail, responses=NOT_FOUND)
def detail_endpoint(case_id: CaseId, session: DbSessionDep, user: CurrentUser) -> CaseDetail:
    """One case with its full history."""
    try:
        return case_detail(session, case_id)
    except LoopError as exc:
        raise http_error(exc) from None


def _apply(session: Session, case_id: int, action: Any) -> CaseDetail:
    try:
        with session.begin_nested():
            action()
    except LoopError as exc:
        raise http_error(exc) from None
    return case_detail(session, case_id)


@router.post("/cases/{case_id}/assign", response_model=CaseDetail, responses=REFUSED)
def assign_endpoint(
    case_id: CaseId, body: AssignBody, session: DbSessionDep, user: CurrentUser
) -> CaseDetail:
    """Give the case to someone."""
    return _apply(
        session, case_id, lambda: assign_case(session, case_id, body.owner, actor=user.email)
    )


@router.post("/cases/{case_id}/comment", response_model=CaseDetail, responses=REFUSED)
def comment_endpoint(
    case_id: CaseId, body: CommentBody, session: DbSessionDep, user: CurrentUser
) -> CaseDetail:
    """Add a note (``contact: true`` records a customer contact)."""
    return _apply(
        session,
        case_id,
        lambda: comment_case(session, case_id, body.text, actor=user.email, contact=body.contact),
    )


@router.post("/cases/{case_id}/classify", response_model=CaseDetail, responses=REFUSED)
def classify_endpoint(
    case_id: CaseId, body: ClassifyBody, session: DbSessionDep, user: CurrentUser
) -> CaseDetail:
    """Set the root-cause category."""
    return _apply(
        session,
        case_id,
        lambda: classify_case(session, case_id, body.category, actor=user.email),
    )


@router.post("/cases/{case_id}/status", response_model=CaseDetail, responses=REFUSED)
def status_endpoint(
    case_id: CaseId, body: StatusBody, session: DbSessionDep, user: CurrentUser
) -> CaseDetail:
    """Move the case to another status (409 when the workflow does not allow it)."""
    return _apply(
        session,
        case_id,
        lambda: change_case_status(session, case_id, body.status, actor=user.email, text=body.note),
    )


@router.post("/cases/{case_id}/resolve", response_model=CaseDetail, responses=REFUSED)
def resolve_endpoint(
    case_id: CaseId, body: ResolveBody, session: DbSessionDep, user: CurrentUser, ctx: ContextDep
) -> CaseDetail:
    """Resolve the case; sends the rule's follow-up survey to the contact when it names one."""
    loop_ctx = loop_context(ctx)
    return _apply(
        session,
        case_id,
        lambda: resolve_and_follow_up(
            session,
            case_id,
            actor=user.email,
            context=loop_ctx,
            text=body.note,
            category=body.category,
            followup=body.followup,
        ),
    )
