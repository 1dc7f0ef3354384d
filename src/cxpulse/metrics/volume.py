"""Counts and per-account volumes: open important tickets, and new tickets / touchpoints per
active account per month.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.metrics.calendars import P_END, P_MONTHS, P_START, calendar_table, periods
from cxpulse.metrics.definitions import MetricDefinition
from cxpulse.metrics.estimates import Aggregate
from cxpulse.metrics.frame import (
    PERIOD,
    QuerySpec,
    base_frame,
    clean,
    conjunction,
    group_keys,
    group_of,
    period_of,
    split_dimensions,
    with_account_dims,
)
from cxpulse.metrics.periods import Period, to_date

AGE = "age"
AGE_BUCKETS = (("0-1d", 1.0), ("1-7d", 7.0), ("7-30d", 30.0), ("30d+", float("inf")))
"""Backlog age buckets: days since opening at the period's end (upper bounds exclusive)."""

_EXAMPLE = [Period(date(2000, 1, 1), date(2000, 2, 1), "example")]


# ---- open important tickets at period end -----------------------------------------------
def _open_expression(
    ws: Any, d: MetricDefinition, spec: QuerySpec, items: list[Period]
) -> ir.Table:
    everything = dataclasses.replace(spec, start=None, end=None, grain=None)
    t = base_frame(ws, d, everything, ["opened_at", "resolved_at", "status"])
    j = t.cross_join(calendar_table(items, timestamps=True))
    closed_without_date = j.resolved_at.isnull() & j.status.isin(["resolved", "closed"])
    still_open = (
        (j.opened_at < j[P_END])
        & ~closed_without_date
        & (j.resolved_at.isnull() | (j.resolved_at >= j[P_END]))
    )
    keys = [*spec.by, P_START]
    if d.variant == "age":
        days = (j[P_END].epoch_seconds() - j.opened_at.epoch_seconds()).cast("float64") / 86400.0
        bucket = ibis.cases(
            *[(days < upper, ibis.literal(name)) for name, upper in AGE_BUCKETS[:-1]],
            else_=ibis.literal(AGE_BUCKETS[-1][0]),
        )
        j = j.mutate(**{AGE: bucket, "_open": still_open})
        keys.append(AGE)
        return j.group_by(keys).aggregate(events=j.count(where=j._open))
    return j.group_by(keys).aggregate(events=j.count(where=still_open))


def open_expressions(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[tuple[str, ir.Table]]:
    items = periods(ws, d.table, ["opened_at", "resolved_at"], spec) or _EXAMPLE
    return [(f"{d.name}: open tickets at each period end", _open_expression(ws, d, spec, items))]


def run_open(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[Aggregate]:
    """Tickets of important priority still open at each period's end (Poisson count)."""
    items = periods(ws, d.table, ["opened_at", "resolved_at"], spec)
    if not items:
        return []
    frame = _open_expression(ws, d, spec, items).execute()
    counts: dict[tuple[Any, ...], dict[date | None, float]] = {}
    for r in frame.to_dict("records"):
        group = group_of(r, spec)
        if d.variant == "age":
            group[AGE] = r[AGE]
        key = tuple(group.items())
        period = None if spec.grain is None else to_date(r[P_START])
        counts.setdefault(key, {})[period] = float(clean(r["events"]) or 0)
    out = []
    for key, by_period in counts.items():
        for p in items:
            period = None if spec.grain is None else p.start
            events = by_period.get(period, 0.0)
            out.append(Aggregate(dict(key), period, {"events": events, "exposure": 1.0}))
    return out


# ---- events per active account-month ----------------------------------------------------
def _exposure_expression(
    ws: Any, d: MetricDefinition, spec: QuerySpec, items: list[Period]
) -> ir.Table:
    _, acc_dims = split_dimensions(d.table, spec.by, ws)
    acc = ws.table("accounts").select(*acc_dims, "start_date", "end_date")
    j = acc.cross_join(calendar_table(items, timestamps=False))
    active = (j.start_date < j[P_END]) & (j.end_date.isnull() | (j.end_date >= j[P_START]))
    j = j.filter(active)
    return j.group_by([*acc_dims, P_START, P_MONTHS]).aggregate(accounts=j.count())


def _events_expression(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    t = base_frame(ws, d, spec, [])
    keys = group_keys(spec)
    if keys:
        return t.group_by(keys).aggregate(events=t.count())
    return t.aggregate(events=t.count())


def rate_expressions(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[tuple[str, ir.Table]]:
    items = periods(ws, d.table, [d.time_column], spec) or _EXAMPLE
    return [
        (f"{d.name}: events per group and period", _events_expression(ws, d, spec)),
        (f"{d.name}: active accounts per period", _exposure_expression(ws, d, spec, items)),
    ]


def run_rate(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[Aggregate]:
    """Events and exposure (active accounts x months) per group and period."""
    items = periods(ws, d.table, [d.time_column], spec)
    if not items:
        return []
    own, acc_dims = split_dimensions(d.table, spec.by, ws)
    exposure: dict[tuple[Any, ...], tuple[float, float]] = {}
    for r in _exposure_expression(ws, d, spec, items).execute().to_dict("records"):
        period = None if spec.grain is None else to_date(r[P_START])
        key = (*(clean(r[a]) for a in acc_dims), period)
        exposure[key] = (float(r["accounts"]), float(r["accounts"]) * float(r[P_MONTHS]))
    events: dict[tuple[Any, ...], float] = {}
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in _events_expression(ws, d, spec).execute().to_dict("records"):
        group, period = group_of(r, spec), period_of(r, spec)
        key = (*group.values(), period)
        events[key], groups[key] = float(r["events"]), group
    if not own:  # every active account-period is a row, with zero events if none happened
        for key in exposure:
            groups.setdefault(key, dict(zip(acc_dims, key[:-1], strict=True)))
    out = []
    for key, group in groups.items():
        period = key[-1]
        acc_key = (*(group[a] for a in acc_dims), period)
        units, months = exposure.get(acc_key, (0.0, 0.0))
        n_events = events.get(key, 0.0)
        if months == 0 and n_events > 0:
            continue  # events of accounts not active then (or unknown): no exposure to divide
        out.append(Aggregate(group, period, {"events": n_events, "exposure": months, "n": units}))
    return out


__all__ = [
    "PERIOD",
    "conjunction",
    "open_expressions",
    "rate_expressions",
    "run_open",
    "run_rate",
    "with_account_dims",
]
