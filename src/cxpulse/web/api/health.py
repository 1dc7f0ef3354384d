"""``/api/v1/health``: the latest health scores, bands, movement and the at-risk list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from cxpulse.web.deps import ContextDep, Lang, require_role
from cxpulse.web.health_summary import records
from cxpulse.web.pages.health import at_risk_rows, load_summary
from cxpulse.web.risk_list import mrr_by_band

router = APIRouter(prefix="/api/v1/health", tags=["health"])


class ReasonPublic(BaseModel):
    """A signal taking points off the score: its code, label in the reader's language, the
    account's value and the points it costs (negative)."""

    signal: str
    label: str
    value: float | str | None = None  # a categorical signal's value is its level
    points: float


class OverridePublic(BaseModel):
    band: str
    reason: str
    until: datetime


class ScoredAccount(BaseModel):
    account_id: str
    name: str | None = None
    segment: str | None = None
    owner: str | None = None
    country: str | None = None
    mrr: float | None = None
    score: float
    band: str
    moved_from: str | None = None
    reasons: list[ReasonPublic] = []
    renewal_date: date | None = None
    renewal_estimated: bool = False
    open_cases: int = 0
    override: OverridePublic | None = None


class BandMove(BaseModel):
    from_band: str
    to_band: str
    count: int
    drop: bool


class HistogramBin(BaseModel):
    """Accounts of one band in a score bin; bins are split at the band cut-offs, so an edge
    may be a learned model's cut-off such as 92.06."""

    start: float
    end: float
    count: int
    band: str


class HealthSummaryPublic(BaseModel):
    """The latest snapshot: counts per band, distribution and movement since the one before."""

    model: str | None
    models: list[str]
    as_of: date | None
    previous_as_of: date | None
    accounts: int
    band_counts: dict[str, int]
    red_below: float
    green_from: float
    band_method: str
    band_meanings: dict[str, str]
    histogram: list[HistogramBin]
    movement: list[BandMove]


class AtRiskList(BaseModel):
    model: str | None
    as_of: date | None
    total: int
    mrr_by_band: dict[str, float | None] = {}
    accounts: list[ScoredAccount]


@router.get("", response_model=HealthSummaryPublic)
def summary(
    ctx: ContextDep, model: str | None = None, lang: Literal["es", "en"] = "es"
) -> dict[str, Any]:
    """Counts per band (with what each band means), the score distribution and band movement
    since the previous snapshot."""
    s = load_summary(ctx, model)
    return {
        "model": s.model,
        "models": s.models,
        "as_of": s.as_of,
        "previous_as_of": s.previous_as_of,
        "accounts": s.total,
        "band_counts": s.band_counts,
        "red_below": s.red_below,
        "green_from": s.green_from,
        "band_method": s.band_method,
        "band_meanings": s.meanings.get(lang, {}),
        "histogram": s.histogram() if s.has_scores else [],
        "movement": [
            {"from_band": m["from"], "to_band": m["to"], "count": m["count"], "drop": m["drop"]}
            for m in s.movement
        ],
    }


# the same people as the CSV/Excel export: what a role may not export it may not fetch
@router.get(
    "/at-risk",
    response_model=AtRiskList,
    dependencies=[require_role("analyst")],
    responses={403: {"description": "agents may not list customers at risk"}},
)
def at_risk_list(
    ctx: ContextDep,
    lang: Lang,
    model: str | None = None,
    risk: Literal["red", "risk", "all"] = "red",
    sort: Literal["score", "name", "segment", "owner", "mrr", "account_id"] = "score",
    desc: bool = False,
    limit: Annotated[int, Query(ge=0, le=100_000)] = 500,
) -> dict[str, Any]:
    """Accounts in the red band (``risk=risk`` adds yellow, ``all`` everyone), sorted, with
    their top reasons, renewal date, open cases and manual override (the page's list)."""
    s = load_summary(ctx, model)
    frame = at_risk_rows(ctx, s, risk=risk, sort=sort, desc=desc, lang=lang)
    rows = []
    for r in records(frame.head(max(0, limit))):
        r.pop("explanation", None)
        r["reasons"] = [vars(x) for x in r.get("reasons") or []]
        r["override"] = (
            {
                "band": r["override_band"],
                "reason": r["override_reason"],
                "until": r["override_until"],
            }
            if r.get("override_band")
            else None
        )
        rows.append(r)
    return {
        "model": s.model,
        "as_of": s.as_of,
        "total": len(frame),
        "mrr_by_band": mrr_by_band(s),
        "accounts": rows,
    }
