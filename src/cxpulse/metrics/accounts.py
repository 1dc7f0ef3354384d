"""Logo churn per period and retention by start-month cohort, from ``accounts``.

Churn rate of a period: accounts active at its start (started before it, not ended before
it) that ended within it; Wilson interval. With no grain, the whole range is one period and
the accounts at risk are those active at any time in it.

Account-lifetime retention of a cohort after k months: share of the accounts that started in
a month without an ``end_date`` by the end of month k after it (k = 0 is the start month
itself). It reads only ``accounts.start_date`` and ``end_date``: for buyers whose leaving is
never recorded (purchase data) it would be 100 % by construction, so it refuses to run when
no account has an end date but orders exist, and points to ``purchase_retention``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.metrics.calendars import P_END, P_START, calendar_table, periods
from cxpulse.metrics.definitions import MetricDefinition
from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.estimates import Aggregate
from cxpulse.metrics.frame import QuerySpec, clean, group_of, split_dimensions
from cxpulse.metrics.periods import Period, period_index, to_date

K = "months_since_start"
DEFAULT_MAX_MONTHS = 24


def _churn_expression(ws: Any, spec: QuerySpec, items: list[Period]) -> ir.Table:
    split_dimensions("accounts", spec.by, ws)
    acc = ws.table("accounts")
    acc = acc.select(*spec.by, "start_date", "end_date")
    cal = calendar_table(items, timestamps=False)
    j = acc.cross_join(cal)
    ended_before = j.end_date.notnull() & (j.end_date < j[P_START])
    if spec.grain is None:
        at_risk = (j.start_date < j[P_END]) & ~ended_before
    else:
        at_risk = (j.start_date < j[P_START]) & ~ended_before
    churned = at_risk & j.end_date.notnull() & (j.end_date < j[P_END])
    return j.group_by([*spec.by, P_START]).aggregate(
        n=j.count(where=at_risk), successes=j.count(where=churned)
    )


def churn_expressions(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[tuple[str, ir.Table]]:
    items = periods(ws, "accounts", ["start_date", "end_date"], spec) or [
        Period(date(2000, 1, 1), date(2000, 2, 1), "example")
    ]
    return [
        (f"{d.name}: accounts at risk and churned per period", _churn_expression(ws, spec, items))
    ]


def run_churn(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[Aggregate]:
    """Churned and at-risk accounts per group and period."""
    items = periods(ws, "accounts", ["start_date", "end_date"], spec)
    if not items:
        return []
    frame = _churn_expression(ws, spec, items).execute()
    out = []
    for rec in frame.to_dict("records"):
        period = None if spec.grain is None else to_date(rec[P_START])
        out.append(
            Aggregate(
                group_of(rec, spec),
                period,
                {"n": float(rec["n"]), "successes": float(rec["successes"])},
            )
        )
    return out


def _cohort_expression(ws: Any, spec: QuerySpec, last_index: int, max_months: int) -> ir.Table:
    split_dimensions("accounts", spec.by, ws)
    acc = ws.table("accounts")
    if spec.start is not None:
        acc = acc.filter(acc.start_date >= ibis.literal(spec.start, type="date"))
    if spec.end is not None:
        acc = acc.filter(acc.start_date <= ibis.literal(spec.end, type="date"))
    acc = acc.mutate(
        _s=period_index(acc.start_date, "month"), _e=period_index(acc.end_date, "month")
    )
    ks = ibis.memtable({K: list(range(max_months + 1))}, schema={K: "int64"})
    j = acc.cross_join(ks)
    j = j.filter(j._s + j[K] <= last_index)
    retained = j._e.isnull() | (j._e > j._s + j[K])
    return j.group_by([*spec.by, "_s", K]).aggregate(n=j.count(), successes=j.count(where=retained))


def _last_index(ws: Any) -> int | None:
    acc = ws.table("accounts")
    rec = acc.aggregate(a=acc.start_date.max(), b=acc.end_date.max()).execute()
    values = [clean(v) for v in rec.iloc[0].tolist()]
    days = [to_date(v) for v in values if v is not None]
    if not days:
        return None
    last = max(days)
    return last.year * 12 + last.month - 1


def cohort_expressions(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[tuple[str, ir.Table]]:
    expr = _cohort_expression(ws, spec, _last_index(ws) or 0, DEFAULT_MAX_MONTHS)
    return [(f"{d.name}: cohort size and retained accounts by months since start", expr)]


def _check_end_dates(ws: Any, d: MetricDefinition) -> None:
    acc = ws.table("accounts")
    ended = int(clean(acc.aggregate(n=acc.end_date.count()).execute().n[0]) or 0)
    if ended:
        return
    orders = ws.table("orders")
    if int(clean(orders.aggregate(n=orders.count()).execute().n[0]) or 0) == 0:
        return
    raise MetricQueryError(key="metrics.error.lifetime_needs_end_dates", values={"name": d.name})


def run_cohorts(
    ws: Any, d: MetricDefinition, spec: QuerySpec, max_months: int = DEFAULT_MAX_MONTHS
) -> list[Aggregate]:
    """Retained and total accounts per cohort (period = cohort month) and months since start."""
    last = _last_index(ws)
    if last is None:
        return []
    _check_end_dates(ws, d)
    frame = _cohort_expression(ws, spec, last, max_months).execute()
    out = []
    for rec in frame.to_dict("records"):
        s = int(rec["_s"])
        group = {**group_of(rec, spec), K: int(rec[K])}
        out.append(
            Aggregate(
                group,
                date(s // 12, s % 12 + 1, 1),
                {"n": float(rec["n"]), "successes": float(rec["successes"])},
            )
        )
    return out


def retention_table(
    ws: Any,
    *,
    by: list[str] | str | None = None,
    start: Any = None,
    end: Any = None,
    max_months: int = DEFAULT_MAX_MONTHS,
) -> Any:
    """Cohort retention as a wide table: one row per start-month cohort (and group), one
    column per month since start, values in percent (Wilson intervals are in
    ``query(ws, "account_retention")``).

    >>> from cxpulse.workspace import Workspace
    >>> retention_table(Workspace.connect("duckdb://")).empty
    True
    """
    import pandas as pd

    from cxpulse.metrics.definitions import get_definition
    from cxpulse.metrics.estimates import estimate

    d = get_definition("account_retention")
    spec = QuerySpec.build(ws.config.metrics, by, None, start, end)
    values = [estimate(d, a, spec.options) for a in run_cohorts(ws, d, spec, max_months)]
    if not values:
        return pd.DataFrame()
    frame = pd.DataFrame(
        [{**v.group, "cohort": v.period, "size": v.n, "value": v.value} for v in values]
    )
    index = [*spec.by, "cohort"]
    sizes = frame[frame[K] == 0].set_index(index)["size"]
    wide = frame.pivot_table(index=index, columns=K, values="value", dropna=False)
    wide.insert(0, "size", sizes.reindex(wide.index))
    return wide
