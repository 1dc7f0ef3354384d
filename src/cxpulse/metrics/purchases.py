"""Purchase indicators from ``orders``: what a purchase is, revenue, order value, repeat and
returning customers, and the first-purchase cohort grid.

A purchase is an order whose status is one of ``[metrics] purchase_statuses`` (completed,
paid, delivered, shipped, fulfilled, or no status, by default; compared ignoring case and
spaces). Cancelled, canceled, refunded and returned orders are cancellations: never
purchases, subtracted from net revenue whatever the sign of their amount. Orders with any
other status (pending, draft...) count for nothing.

Everything is aggregated per customer first (orders of one customer are not independent), so
the intervals treat customers as the sampled units.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.metrics.definitions import MetricDefinition
from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.estimates import Aggregate
from cxpulse.metrics.frame import (
    PERIOD,
    QuerySpec,
    base_frame,
    cancellation_condition,
    clean,
    group_keys,
    group_of,
    period_of,
    purchase_condition,
    split_dimensions,
    time_literal,
    with_account_dims,
)
from cxpulse.metrics.periods import index_date, period_index, truncate

K = "months_since_first_purchase"
K_ACTIVITY = "months_since_first_activity"
COHORT_MAX_MONTHS = 24


def cohort_key(d: MetricDefinition) -> str:
    """The months-since column of a cohort grid: since the first purchase, or activity."""
    return K_ACTIVITY if d.statistic == "activity_cohort" else K


def _activity(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    """The rows that make a customer active: purchases in ``orders``, any usage event."""
    t = ws.table(d.table)
    if d.table == "orders":
        t = t.filter(purchase_condition(t.status, spec.options))
    return t


def _per_customer(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    """One row per group, period and customer: purchases, purchase revenue, net revenue."""
    t = base_frame(ws, d, spec, ["amount", "status"])
    buy = purchase_condition(t.status, spec.options)
    cancel = cancellation_condition(t.status)
    amount = t.amount.cast("float64")
    known = amount.notnull()
    signed = ibis.cases((buy, amount), (cancel, -amount.abs()), else_=ibis.literal(0.0))
    return t.group_by([*group_keys(spec), "account_id"]).aggregate(
        orders=t.count(where=buy),
        priced=t.count(where=buy & known),
        cancellations=t.count(where=cancel),
        revenue=amount.sum(where=buy & known).fill_null(0.0),
        net=signed.sum(where=known).fill_null(0.0),
        unpriced=t.count(where=(buy | cancel) & ~known),
    )


def _grouped(t: ir.Table, spec: QuerySpec, **aggs: ir.Scalar) -> ir.Table:
    keys = group_keys(spec)
    return t.group_by(keys).aggregate(**aggs) if keys else t.aggregate(**aggs)


def customer_expression(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    """Sufficient statistics over customers for net revenue, order value or orders/customer."""
    c = _per_customer(ws, d, spec)
    if d.statistic == "customer_total":  # net revenue: customers with a purchase or a return
        c = c.filter((c.orders > 0) | (c.cancellations > 0))
        return _grouped(
            c,
            spec,
            n=c.count(),
            total=c.net.sum(),
            total_sq=(c.net * c.net).sum(),
            unpriced=c.unpriced.sum(),
        )
    if d.statistic == "customer_ratio":  # average order value: revenue / priced purchases
        c = c.filter(c.priced > 0)
        x, y = c.priced.cast("float64"), c.revenue
        return _grouped(
            c,
            spec,
            n=c.count(),
            sum_x=x.sum(),
            sum_y=y.sum(),
            sum_xx=(x * x).sum(),
            sum_yy=(y * y).sum(),
            sum_xy=(x * y).sum(),
            unpriced=c.unpriced.sum(),
        )
    c = c.filter(c.orders > 0)  # orders per customer, among buying customers
    k = c.orders.cast("float64")
    return _grouped(c, spec, n=c.count(), total=k.sum(), total_sq=(k * k).sum())


def customer_expressions(
    ws: Any, d: MetricDefinition, spec: QuerySpec
) -> list[tuple[str, ir.Table]]:
    return [
        (f"{d.name}: per-customer sums over buying customers", customer_expression(ws, d, spec))
    ]


def run_customers(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[Aggregate]:
    out = []
    for r in customer_expression(ws, d, spec).execute().to_dict("records"):
        stats = {k: float(clean(v) or 0.0) for k, v in r.items() if k not in (*spec.by, PERIOD)}
        unpriced = int(stats.pop("unpriced", 0.0))
        extra = {"orders_without_amount": unpriced} if unpriced else {}
        out.append(Aggregate(group_of(r, spec), period_of(r, spec), stats, extra))
    return out


# ---- repeat purchase and returning customers ---------------------------------------------
def repeat_expression(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    """Customers with a purchase in the group and period (n), with two or more (successes)."""
    c = _per_customer(ws, d, spec)
    c = c.filter(c.orders > 0)
    return _grouped(c, spec, n=c.count(), successes=c.count(where=c.orders >= 2))


def _first_purchases(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    """Each customer's first purchase ever (not limited to the query's range)."""
    o = ws.table(d.table)
    o = o.filter(purchase_condition(o.status, spec.options))
    return o.group_by(_fa=o.account_id).aggregate(_first=o[d.time_column].min())


def returning_expression(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    """Buyers of each period (n) whose first purchase was before the period began."""
    if spec.grain is None and spec.start is None:
        raise MetricQueryError(key="metrics.error.returning_needs_periods", values={"name": d.name})
    c = _per_customer(ws, d, spec)
    c = c.filter(c.orders > 0)
    first = _first_purchases(ws, d, spec)
    j = c.left_join(first, c.account_id == first._fa)
    if spec.grain is None:
        assert spec.start is not None
        before = j._first < time_literal(j._first.type(), spec.start)
    else:
        before = truncate(j._first, spec.grain) < j[PERIOD]
    return _grouped(j, spec, n=j.count(), successes=j.count(where=before))


def repeat_expressions(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[tuple[str, ir.Table]]:
    if d.statistic == "returning":
        return [(f"{d.name}: buyers and returning buyers", returning_expression(ws, d, spec))]
    return [(f"{d.name}: buying customers and repeat buyers", repeat_expression(ws, d, spec))]


def run_repeat(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[Aggregate]:
    """Customers who bought (n) and those with two or more purchases (or bought before)."""
    if d.statistic == "returning" and spec.grain is None and spec.start is None:
        o = ws.table(d.table)
        if int(clean(o.aggregate(n=o.count()).execute().n[0]) or 0) == 0:
            return []  # nothing to measure; with orders, the missing period is an error
    expr = returning_expression(ws, d, spec) if d.statistic == "returning" else None
    frame = (expr if expr is not None else repeat_expression(ws, d, spec)).execute()
    return [
        Aggregate(
            group_of(r, spec),
            period_of(r, spec),
            {"n": float(r["n"]), "successes": float(clean(r["successes"]) or 0)},
        )
        for r in frame.to_dict("records")
    ]


# ---- first-purchase cohorts --------------------------------------------------------------
def _first_what(d: MetricDefinition) -> str:
    return "activity" if d.statistic == "activity_cohort" else "purchase"


def _account_only(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[str]:
    own, acc = split_dimensions(d.table, spec.by, ws)
    if own:
        raise MetricQueryError(
            key="metrics.error.cohort_split.activity"
            if d.statistic == "activity_cohort"
            else "metrics.error.cohort_split.purchase",
            values={"name": d.name, "own": ", ".join(own), "table": d.table},
        )
    return acc


def _customer_months(ws: Any, d: MetricDefinition, spec: QuerySpec) -> tuple[ir.Table, ir.Table]:
    """(cohorts: customer, first month, group; activity: customer, month with a purchase)."""
    acc_dims = _account_only(ws, d, spec)
    o = _activity(ws, d, spec)
    o = o.select(account_id=o.account_id, _m=period_index(o[d.time_column], "month"))
    firsts = o.group_by("account_id").aggregate(_s=o._m.min(), _orders=o.count())
    if spec.start is not None:
        firsts = firsts.filter(firsts._s >= spec.start.year * 12 + spec.start.month - 1)
    if spec.end is not None:
        firsts = firsts.filter(firsts._s <= spec.end.year * 12 + spec.end.month - 1)
    firsts = with_account_dims(ws, firsts, acc_dims)
    active = o.select(_a=o.account_id, _am=o._m).distinct()
    return firsts, active


def _last_month(ws: Any, d: MetricDefinition) -> int | None:
    o = ws.table(d.table)  # every row: the data's observed window
    value = clean(o.aggregate(m=period_index(o[d.time_column], "month").max()).execute().m[0])
    return None if value is None else int(value)


def cohort_grid_expression(
    ws: Any, d: MetricDefinition, spec: QuerySpec, last: int, max_months: int
) -> ir.Table:
    """Per first-purchase (or first-activity) cohort and months since it: cohort size (n) and
    customers active in that month (successes)."""
    k = cohort_key(d)
    firsts, active = _customer_months(ws, d, spec)
    ks = ibis.memtable({k: list(range(max_months + 1))}, schema={k: "int64"})
    cells = firsts.cross_join(ks)
    cells = cells.filter(cells._s + cells[k] <= last)
    j = cells.left_join(
        active, (cells.account_id == active._a) & (active._am == cells._s + cells[k])
    )
    return j.group_by([*spec.by, "_s", k]).aggregate(
        n=j.account_id.nunique(), successes=j._a.nunique()
    )


def cohort_repeat_expression(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    """Per first-purchase cohort: customers (n) and those with a second purchase (successes)."""
    firsts, _ = _customer_months(ws, d, spec)
    return firsts.group_by([*spec.by, "_s"]).aggregate(
        n=firsts.count(), successes=firsts.count(where=firsts._orders >= 2)
    )


def cohort_expressions(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[tuple[str, ir.Table]]:
    if d.statistic == "cohort_repeat":
        return [(f"{d.name}: cohort size and repeat buyers", cohort_repeat_expression(ws, d, spec))]
    last = _last_month(ws, d) or 0
    expr = cohort_grid_expression(ws, d, spec, last, COHORT_MAX_MONTHS)
    title = f"{d.name}: cohort size and active customers by months since first {_first_what(d)}"
    return [(title, expr)]


def run_cohorts(
    ws: Any, d: MetricDefinition, spec: QuerySpec, max_months: int = COHORT_MAX_MONTHS
) -> list[Aggregate]:
    """Cohort cells (period = cohort month): purchase retention or repeat purchase."""
    if d.statistic == "cohort_repeat":
        frame = cohort_repeat_expression(ws, d, spec).execute()
    else:
        last = _last_month(ws, d)
        if last is None:
            return []
        frame = cohort_grid_expression(ws, d, spec, last, max_months).execute()
    out = []
    k = cohort_key(d)
    for r in frame.to_dict("records"):
        group = group_of(r, spec)
        if k in r:
            group[k] = int(r[k])
        cohort: date = index_date(int(r["_s"]), "month")
        stats = {"n": float(r["n"]), "successes": float(clean(r["successes"]) or 0)}
        out.append(Aggregate(group, cohort, stats))
    return out
