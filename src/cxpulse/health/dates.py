"""Which as-of dates a model is fitted and backtested on.

A training row is (account, as-of date) labelled by what happened in the following horizon;
a date is usable only when outcomes were being recorded over its whole horizon. Two shapes of
data are told apart from the outcomes themselves:

- **history** (outcomes spread over more than one horizon): the first day of every month
  (``[health] training_dates = "monthly"``, the default) or the 1st and the 16th
  (``"semimonthly"``) from the later of (activity start + warm-up) and the first recorded
  outcome, to the last date whose horizon is closed. Semi-monthly dates cover the billing
  cycle: features such as overdue amounts swing with the day of the month (invoices fall due
  on the same day each month), and a model fitted only on the 1st sets its risk bands for
  that day, while accounts are scored on any day;
- **snapshot** (every outcome inside one horizon, as in a one-date export with a churn flag):
  one as-of date, the day after the snapshot (``accounts_snapshots.observed_at``) or else the
  day of the first outcome, so features come from the snapshot rows before it and labels from
  the outcomes after it.

Explicit dates (``--as-of``) and bounds (``--train-from``/``--train-to``) override the choice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from cxpulse.errors import NotEnoughDataError

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

WARMUP_DAYS = 90
SNAPSHOT_TABLES = ("accounts_snapshots",)  # dated copies of account attributes
ACTIVITY = (
    ("usage_events", "occurred_at"),
    ("tickets", "opened_at"),
    ("responses", "responded_at"),
)


@dataclass(frozen=True)
class DatePlan:
    """The chosen as-of dates and why (``shape``: history, snapshot or given)."""

    dates: list[dt.date]
    shape: str
    first_outcome: dt.date | None = None
    last_observed: dt.date | None = None


def monthly_dates(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from ``first`` to ``last`` (inclusive)."""
    out: list[dt.date] = []
    y, m = first.year, first.month
    if first.day != 1:
        m += 1
    while True:
        y, m = (y + 1, m - 12) if m > 12 else (y, m)
        day = dt.date(y, m, 1)
        if day > last:
            return out
        out.append(day)
        m += 1


def semimonthly_dates(first: dt.date, last: dt.date) -> list[dt.date]:
    """The 1st and the 16th of every month from ``first`` to ``last`` (inclusive).

    >>> semimonthly_dates(dt.date(2025, 1, 10), dt.date(2025, 2, 16))
    [datetime.date(2025, 1, 16), datetime.date(2025, 2, 1), datetime.date(2025, 2, 16)]
    """
    month_before = (first.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    out = []
    for day in monthly_dates(month_before, last):
        out += [d for d in (day, day.replace(day=16)) if first <= d <= last]
    return out


def _day(value: Any) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _bounds(ws: Workspace, table: str, column: str) -> tuple[dt.date | None, dt.date | None]:
    if table not in ws.con.list_tables():
        return None, None
    t = ws.table(table)
    row = t.aggregate(lo=t[column].min(), hi=t[column].max()).execute().iloc[0]
    return _day(row["lo"]), _day(row["hi"])


def _to_date(value: Any) -> dt.date:
    from cxpulse.health.features import as_instant

    return as_instant(value).date()


def _snapshot_as_of(ws: Workspace, first_outcome: dt.date) -> dt.date:
    """The as-of date of a snapshot: the day after the latest dated snapshot row before the
    first outcome (features see it, labels are what followed), else the first outcome's day."""
    for table in SNAPSHOT_TABLES:
        if table not in ws.con.list_tables():
            continue
        t = ws.table(table)
        if "observed_at" not in t.columns:
            continue
        bound: Any = first_outcome
        last = _day(t.filter(t.observed_at < bound).observed_at.max().execute())
        if last is not None:
            return min(last + dt.timedelta(days=1), first_outcome)
    return first_outcome


def plan_dates(
    ws: Workspace,
    horizon_days: int,
    *,
    as_of_dates: Iterable[Any] | None = None,
    train_from: Any = None,
    train_to: Any = None,
    warmup_days: int = WARMUP_DAYS,
    cadence: str | None = None,
) -> DatePlan:
    """The as-of dates to fit or backtest on (see the module docstring)."""
    given = sorted({_to_date(d) for d in (as_of_dates or [])})
    lo_out, hi_out = _bounds(ws, "outcomes", "occurred_at")
    lo_end, hi_end = _bounds(ws, "accounts", "end_date")
    firsts_out = [d for d in (lo_out, lo_end) if d is not None]
    lasts = [d for d in (hi_out, hi_end) if d is not None]
    starts = [_bounds(ws, "accounts", "start_date")[0]]
    for table, column in ACTIVITY:
        lo, hi = _bounds(ws, table, column)
        starts.append(lo)
        if hi is not None:
            lasts.append(hi)
    first_outcome = min(firsts_out) if firsts_out else None
    last_observed = max(lasts) if lasts else None
    if given:
        return DatePlan(given, "given", first_outcome, last_observed)
    if first_outcome is None or last_observed is None:
        raise NotEnoughDataError(
            "no outcomes recorded: load the outcomes table (churn, renewal, expansion) to fit "
            "or backtest a model",
            key="health.error.no_outcomes",
        )
    horizon = dt.timedelta(days=horizon_days)
    span = (max(d for d in (hi_out, hi_end) if d is not None) - first_outcome).days
    if span <= horizon_days and train_from is None and train_to is None:
        return DatePlan(
            [_snapshot_as_of(ws, first_outcome)], "snapshot", first_outcome, last_observed
        )
    known = [d for d in starts if d is not None]
    start = max([max(known) + dt.timedelta(days=warmup_days)] if known else [first_outcome])
    start = max(start, first_outcome)
    end = last_observed - horizon
    if train_from is not None:
        start = _to_date(train_from)
    if train_to is not None:
        end = min(end, _to_date(train_to))
    if cadence is None:
        from cxpulse.health.features import health_config_of

        cadence = health_config_of(ws).training_dates
    dates = semimonthly_dates(start, end) if cadence == "semimonthly" else monthly_dates(start, end)
    if not dates:
        raise NotEnoughDataError(
            f"no as-of date between {start} and {end} has a closed {horizon_days}-day horizon; "
            "pass dates with --as-of, widen --train-from/--train-to or shorten the horizon",
            key="health.error.no_dates",
            values={"start": start, "end": end, "horizon": horizon_days},
        )
    return DatePlan(dates, "history", first_outcome, last_observed)
