"""``/api/v1/surveys``: create and list surveys, open or close them, issue invitations."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy.orm import Session

from cxpulse import collect
from cxpulse.collect.errors import CollectError
from cxpulse.collect.surveys import SLUG_PATTERN
from cxpulse.config import Settings
from cxpulse.store.tables import Survey
from cxpulse.web.api.text_rules import EMAIL, NO_NUL, NOT_BLANK
from cxpulse.web.context import WebContext
from cxpulse.web.deps import ContextDep, get_db_session, require_role

router = APIRouter(prefix="/api/v1", tags=["surveys"], dependencies=[require_role("analyst")])
# Commit when the endpoint returns, before the response is sent: a 2xx means it is stored.
DbSession = Annotated[Session, Depends(get_db_session, scope="function")]


class SurveyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    slug: Annotated[
        str,
        Field(
            min_length=1,
            max_length=100,
            pattern=SLUG_PATTERN.pattern,
            examples=["nps-2026-q1"],
            description="lowercase letters, digits, '-' or '_'",
        ),
    ]
    kind: Literal["nps", "csat", "ces"]
    touchpoint: str | None = Field(
        default=None, max_length=100, pattern=NO_NUL, examples=["support"]
    )
    language: Literal["es", "en"] = "es"
    question_es: str | None = Field(default=None, max_length=1000, pattern=NO_NUL)
    question_en: str | None = Field(default=None, max_length=1000, pattern=NO_NUL)
    ask_comment: StrictBool = True


class SurveyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    active: StrictBool


class SurveyPublic(BaseModel):
    id: int
    slug: str
    kind: str
    # a list of two (not a tuple): the OpenAPI 3.1 document stays valid for every validator
    scale: Annotated[
        list[int], Field(min_length=2, max_length=2, description="lowest and highest score")
    ]
    touchpoint: str | None
    language: str
    question_es: str
    question_en: str
    ask_comment: bool
    active: bool
    created_at: datetime


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    account_id: Annotated[str, Field(min_length=1, max_length=200, pattern=NOT_BLANK)]
    contact_id: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    email: str | None = Field(default=None, max_length=320, pattern=EMAIL)


class InvitationsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")  # unknown fields are refused
    # bounded: one request stays short; send more in several requests or the CLI
    contacts: list[ContactIn] = Field(min_length=1, max_length=1000)
    send_email: StrictBool = False
    expires_in_days: int | None = Field(default=30, ge=1, le=3650)
    # how the links reach the contacts (link, sms, whatsapp...); e-mailed ones become "email"
    channel: str | None = Field(default=None, max_length=50, pattern=r"^[A-Za-z0-9_.-]*$")


class InvitationPublic(BaseModel):
    id: int
    account_id: str
    contact_id: str | None
    email: str | None
    url: str = Field(description="the personal link; shown only in this response")
    expires_at: datetime | None


class InvitationsCreated(BaseModel):
    invitations: list[InvitationPublic]
    emailed: int
    email_failures: dict[int, str]


def _formality(ctx: Any) -> str:
    """The project's ``[surveys] formality`` (tú or usted)."""
    return str(ctx.config.surveys_config().formality)


def survey_public(survey: Survey, formality: str = "tu") -> SurveyPublic:
    return SurveyPublic(
        id=survey.id,
        slug=survey.slug,
        kind=survey.kind,
        scale=list(collect.scale(survey.kind)),
        touchpoint=survey.touchpoint,
        language=survey.language,
        question_es=collect.question_text(survey, "es", formality),
        question_en=collect.question_text(survey, "en", formality),
        ask_comment=survey.ask_comment,
        active=survey.active,
        created_at=survey.created_at,
    )


def public_base_url(request: Request, ctx: WebContext) -> str:
    """Where invitation links point: CXPULSE_BASE_URL, else [surveys] base_url, else this host."""
    configured = os.environ.get("CXPULSE_BASE_URL") or ctx.config.surveys.get("base_url")
    return str(configured or request.base_url).rstrip("/")


def _fail(exc: CollectError) -> HTTPException:
    return HTTPException(status_code=exc.http_status, detail=exc)


def _get(db: Session, slug: str) -> Survey:
    try:
        return collect.get_survey(db, slug)
    except CollectError as exc:
        raise _fail(exc) from None


@router.get("/surveys", response_model=list[SurveyPublic])
def list_surveys(db: DbSession, ctx: ContextDep, active_only: bool = False) -> list[SurveyPublic]:
    """Every survey, newest first (questions in the project's tú/usted form)."""
    formality = _formality(ctx)
    return [survey_public(s, formality) for s in collect.list_surveys(db, active_only=active_only)]


@router.post("/surveys", status_code=201, response_model=SurveyPublic)
def create_survey(body: SurveyCreate, db: DbSession, ctx: ContextDep) -> SurveyPublic:
    """Create a survey (409 when the slug exists)."""
    try:
        survey = collect.create_survey(db, **body.model_dump())
    except CollectError as exc:
        raise _fail(exc) from None
    return survey_public(survey, _formality(ctx))


@router.get("/surveys/{slug}", response_model=SurveyPublic)
def get_survey(slug: str, db: DbSession, ctx: ContextDep) -> SurveyPublic:
    return survey_public(_get(db, slug), _formality(ctx))


@router.patch("/surveys/{slug}", response_model=SurveyPublic)
def update_survey(slug: str, body: SurveyUpdate, db: DbSession, ctx: ContextDep) -> SurveyPublic:
    """Open or close a survey (a closed survey takes no new answers)."""
    survey = _get(db, slug)
    survey.active = body.active
    return survey_public(survey, _formality(ctx))


@router.post("/surveys/{slug}/invitations", status_code=201, response_model=InvitationsCreated)
def create_invitations(
    slug: str, body: InvitationsCreate, request: Request, ctx: ContextDep, db: DbSession
) -> InvitationsCreated:
    """Issue one personal link per contact; optionally e-mail them (outbox or SMTP)."""
    survey = _get(db, slug)
    expires = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    contacts = [collect.Contact(c.account_id, c.contact_id, c.email) for c in body.contacts]
    try:
        issued = collect.invite_contacts(
            db,
            survey,
            contacts,
            base_url=public_base_url(request, ctx),
            expires_in=expires,
            channel=body.channel,
        )
        report = (
            collect.email_invitations(
                db, survey, issued, settings=Settings(), formality=_formality(ctx)
            )
            if body.send_email
            else None
        )
    except CollectError as exc:
        raise _fail(exc) from None
    return InvitationsCreated(
        invitations=[
            InvitationPublic(
                id=i.invitation.id,
                account_id=i.invitation.account_id,
                contact_id=i.invitation.contact_id,
                email=i.invitation.email,
                url=i.url,
                expires_at=i.invitation.expires_at,
            )
            for i in issued
        ],
        emailed=len(report.queued) + len(report.sent) if report else 0,
        email_failures=report.failed if report else {},
    )
