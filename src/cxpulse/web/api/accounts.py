"""``/api/v1/accounts``: account search and the full account profile."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cxpulse.web.api.metrics import Problem
from cxpulse.web.deps import ContextDep
from cxpulse.web.pages.accounts import load_profile, search_accounts

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])


class AccountRow(BaseModel):
    account_id: str
    name: str | None = None
    segment: str | None = None
    owner: str | None = None
    country: str | None = None
    mrr: float | None = None
    score: float | None = None
    band: str | None = None
    model: str | None = None
    as_of: date | None = None


class DriverPublic(BaseModel):
    signal: str
    label: str
    value: float | str | None  # a categorical signal's value is its level
    points: float  # exact share of score - reference (they add up)
    reference_value: float | str | None = None  # the reference account's value
    score_at_reference: float | None = None  # the score with this signal at that value


class HistoryPoint(BaseModel):
    date: date
    score: float
    band: str


class CasePublic(BaseModel):
    id: int
    title: str
    status: str
    priority: str
    owner: str | None
    created_at: datetime
    due_at: datetime | None
    breached: bool


class AccountProfilePublic(BaseModel):
    """Facts, health (score, band, history, drivers, playbook), answers, tickets and cases."""

    account_id: str
    name: str | None
    facts: dict[str, Any]
    score: float | None
    band: str | None
    model: str | None
    as_of: date | None
    previous_score: float | None
    reference: float | None
    history: list[HistoryPoint]
    drivers: list[DriverPublic]
    missing: list[str]
    unseen: list[str]  # categorical levels the model never saw in training, in words
    explanation: list[str]
    playbook: str | None
    responses: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    cases: list[CasePublic]


@router.get("", response_model=list[AccountRow])
def accounts(
    ctx: ContextDep, q: str = "", limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    """Accounts whose id or name contains ``q``, with their latest health score."""
    return search_accounts(ctx, q, limit)


@router.get(
    "/{account_id}",
    response_model=AccountProfilePublic,
    responses={404: {"model": Problem, "description": "no account with that id"}},
)
def account(ctx: ContextDep, account_id: str, lang: Literal["es", "en"] = "es") -> dict[str, Any]:
    """Everything the account page shows."""
    return asdict(load_profile(ctx, account_id, lang))
