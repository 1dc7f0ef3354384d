"""Closed-loop indicators, computed in the store's SQL engine; Python gets counts and a few
order statistics, never the case rows.

- contacted within SLA: share of cases (detractors by default) whose first contact came by
  the due time, among cases that are decided (contacted, or past due) — Wilson interval;
- time to first contact and time to close (resolved, else closed), median hours — distribution
  -free order-statistic interval;
- recovery: share of answered follow-up surveys that came back as promoters (NPS 9-10) —
  Wilson interval.

>>> import tempfile
>>> from cxpulse import store
>>> url = f"sqlite:///{tempfile.mkdtemp()}/store.sqlite"  # a new, empty store
>>> store.migrate(url)
>>> with store.session(url) as s:
...     loop_indicators(s).contacted_within_sla.n
0
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, func, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.expression import FunctionElement

from cxpulse.loop.workflow import as_utc
from cxpulse.stats import (
    Estimate,
    quantile_estimate,
    quantile_order_statistics,
    wilson_interval,
)
from cxpulse.store.tables import Case, SurveyResponse, utcnow

PROMOTER_MIN = 9


class seconds_between(FunctionElement[float]):
    """``end - start`` in seconds, in the engine's own date arithmetic."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(seconds_between, "sqlite")
def _seconds_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 86400.0)"
    )


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"CAST(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) AS DOUBLE PRECISION)"
    )


@compiles(seconds_between)
def _seconds_default(element: Any, compiler: Any, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM {compiler.process(end, **kw)}) - "
        f"EXTRACT(EPOCH FROM {compiler.process(start, **kw)}))"
    )


@dataclass(frozen=True)
class LoopIndicators:
    """The four closed-loop indicators, each an :class:`Estimate` with n and a CI."""

    contacted_within_sla: Estimate  # proportion 0..1
    time_to_first_contact_hours: Estimate
    time_to_close_hours: Estimate
    recovery_rate: Estimate  # proportion 0..1
    followups_sent: int
    trigger: str | None


def _scope(trigger: str | None, start: datetime | None, end: datetime | None) -> list[Any]:
    conditions: list[Any] = []
    if trigger:
        conditions.append(Case.trigger == trigger)
    if start is not None:
        conditions.append(Case.created_at >= as_utc(start))
    if end is not None:
        conditions.append(Case.created_at < as_utc(end))
    return conditions


def sla_attainment(
    session: Session,
    *,
    trigger: str | None = "detractor",
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Share of decided cases contacted by their due time (Wilson interval).

    A case still open and not yet due is left out: it can still make it.
    """
    at = as_utc(now) if now is not None else utcnow()
    decided = or_(Case.first_contact_at.is_not(None), Case.due_at < at)
    on_time = and_(Case.first_contact_at.is_not(None), Case.first_contact_at <= Case.due_at)
    query = select(func.count(), func.coalesce(func.sum(case((on_time, 1), else_=0)), 0)).where(
        Case.due_at.is_not(None), decided, *_scope(trigger, start, end)
    )
    n, hits = session.execute(query).one()
    return wilson_interval(int(hits), int(n), confidence)


def median_hours(
    session: Session,
    begin: ColumnElement[Any] | QueryableAttribute[Any],
    finish: ColumnElement[Any] | QueryableAttribute[Any],
    conditions: list[Any],
    confidence: float = 0.95,
) -> Estimate:
    """Median of ``finish - begin`` in hours over cases matching ``conditions``, with the
    order-statistic interval; the engine ranks, Python reads back at most four values."""
    where = [begin.is_not(None), finish.is_not(None), *conditions]
    n = int(session.scalar(select(func.count()).select_from(Case).where(*where)) or 0)
    if n == 0:
        return quantile_estimate(0, 0.5, None, None, None, confidence)
    ranks = quantile_order_statistics(n, 0.5, confidence)
    mid_low, mid_high = (n + 1) // 2, n // 2 + 1
    wanted = sorted({ranks.lower_rank, ranks.upper_rank, mid_low, mid_high})
    seconds = seconds_between(begin, finish).label("seconds")
    ranked = (
        select(seconds, func.row_number().over(order_by=seconds).label("rn"))
        .select_from(Case)
        .where(*where)
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.rn, ranked.c.seconds).where(ranked.c.rn.in_(wanted))
    ).all()
    by_rank = {int(rn): float(sec) / 3600.0 for rn, sec in rows}
    median = (by_rank[mid_low] + by_rank[mid_high]) / 2.0
    return quantile_estimate(
        n, 0.5, median, by_rank[ranks.lower_rank], by_rank[ranks.upper_rank], confidence
    )


def time_to_first_contact(
    session: Session,
    *,
    trigger: str | None = "detractor",
    start: datetime | None = None,
    end: datetime | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Median hours from opening to first customer contact (contacted cases)."""
    return median_hours(
        session, Case.created_at, Case.first_contact_at, _scope(trigger, start, end), confidence
    )


def time_to_close(
    session: Session,
    *,
    trigger: str | None = "detractor",
    start: datetime | None = None,
    end: datetime | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """Median hours from opening to resolution (or closing, for cases closed unresolved)."""
    finished = func.coalesce(Case.resolved_at, Case.closed_at)
    return median_hours(session, Case.created_at, finished, _scope(trigger, start, end), confidence)


def recovery_rate(
    session: Session,
    *,
    trigger: str | None = "detractor",
    start: datetime | None = None,
    end: datetime | None = None,
    confidence: float = 0.95,
) -> tuple[Estimate, int]:
    """Share of answered NPS follow-ups that are promoters, and how many follow-ups were sent."""
    scope = [Case.followup_invitation_id.is_not(None), *_scope(trigger, start, end)]
    sent = int(session.scalar(select(func.count()).select_from(Case).where(*scope)) or 0)
    promoter = case((SurveyResponse.score >= PROMOTER_MIN, 1), else_=0)
    query = (
        select(func.count(), func.coalesce(func.sum(promoter), literal_column("0")))
        .select_from(Case)
        .join(SurveyResponse, SurveyResponse.invitation_id == Case.followup_invitation_id)
        .where(SurveyResponse.kind == "nps", *scope)
    )
    n, hits = session.execute(query).one()
    return wilson_interval(int(hits), int(n), confidence), sent


def loop_indicators(
    session: Session,
    *,
    trigger: str | None = "detractor",
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
    confidence: float = 0.95,
) -> LoopIndicators:
    """All four indicators for cases opened by ``trigger`` (None: every case) in [start, end)."""
    recovery, sent = recovery_rate(
        session, trigger=trigger, start=start, end=end, confidence=confidence
    )
    return LoopIndicators(
        contacted_within_sla=sla_attainment(
            session, trigger=trigger, start=start, end=end, now=now, confidence=confidence
        ),
        time_to_first_contact_hours=time_to_first_contact(
            session, trigger=trigger, start=start, end=end, confidence=confidence
        ),
        time_to_close_hours=time_to_close(
            session, trigger=trigger, start=start, end=end, confidence=confidence
        ),
        recovery_rate=recovery,
        followups_sent=sent,
        trigger=trigger,
    )
