"""Gross and net revenue retention (GRR, NRR), and churned, contracted and expanded MRR,
from invoices.

For each account that billed in the previous period (x = its revenue then), y is what it
billed this period: capped at x for GRR (no expansion counts), as is for NRR. The metric is
``sum(y) / sum(x)`` over those accounts, with a delta-method interval from the per-account
sums, squares and cross products (cxpulse.stats.ratio_interval).

Revenue is attributed by ``period_start``; void invoices are left out. Grains: month,
quarter, year (no grain, day and week use month).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.metrics.definitions import MetricDefinition
from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.estimates import Aggregate
from cxpulse.metrics.frame import QuerySpec, clean, conjunction, group_of, split_dimensions
from cxpulse.metrics.periods import date_index, index_date, period_index

IDX = "_idx"


def revenue_grain(grain: str | None) -> str:
    return grain if grain in ("month", "quarter", "year") else "month"


def _expression(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    own, acc_dims = split_dimensions(d.table, spec.by, ws)
    if own:
        raise MetricQueryError(
            key="metrics.error.revenue_split", values={"name": d.name, "own": ", ".join(own)}
        )
    grain = revenue_grain(spec.grain)
    inv = ws.table(d.table)
    inv = inv.filter(conjunction(inv, d.filters, spec.options))
    per = inv.group_by(
        account_id=inv.account_id, **{IDX: period_index(inv[d.time_column], grain)}
    ).aggregate(revenue=inv[d.value_column or "amount"].cast("float64").sum())
    prev = per.select(_acc=per.account_id, _target=per[IDX] + 1, x=per.revenue).filter(ibis._.x > 0)
    cur = per.select(_acc2=per.account_id, _cur=per[IDX], now=per.revenue)
    j = prev.left_join(cur, (prev._acc == cur._acc2) & (prev._target == cur._cur))
    now = j.now.fill_null(0.0)
    y = _kept(d.variant, j.x, now)
    pairs = j.select(account_id=j._acc, **{IDX: j._target.cast("int64")}, x=j.x, y=y)
    # one integer type on both sides (a yearly index is int32, index + 1 is int64)
    last = per[IDX].cast("int64").max().as_scalar()
    pairs = pairs.filter(pairs[IDX] <= last)
    if spec.start is not None:
        pairs = pairs.filter(pairs[IDX] >= date_index(spec.start, grain))
    if spec.end is not None:
        pairs = pairs.filter(pairs[IDX] <= date_index(spec.end, grain))
    if acc_dims:
        acc = ws.table("accounts")
        acc = acc.select(_a=acc.account_id, **{c: acc[c] for c in acc_dims})
        pairs = pairs.left_join(acc, pairs.account_id == acc._a).drop("_a")
    return pairs.group_by([*acc_dims, IDX]).aggregate(
        n=pairs.count(),
        sum_x=pairs.x.sum(),
        sum_y=pairs.y.sum(),
        sum_xx=(pairs.x * pairs.x).sum(),
        sum_yy=(pairs.y * pairs.y).sum(),
        sum_xy=(pairs.x * pairs.y).sum(),
    )


def _kept(variant: str | None, x: ir.FloatingValue, now: ir.FloatingValue) -> ir.FloatingValue:
    """The numerator of each account for ``sum(y) / sum(x)``, by variant.

    gross: min(now, before); net: now; churned: all of before when now is 0; contraction:
    before - now when 0 < now < before; expansion: now - before when now > before.
    """
    zero = ibis.literal(0.0)
    if variant == "gross":
        return ibis.least(now, x)  # type: ignore[no-any-return]
    if variant == "churned":
        return ibis.cases((now <= 0, x), else_=zero)  # type: ignore[no-any-return]
    if variant == "contraction":
        return ibis.cases(((now > 0) & (now < x), x - now), else_=zero)  # type: ignore[no-any-return]
    if variant == "expansion":
        return ibis.cases((now > x, now - x), else_=zero)  # type: ignore[no-any-return]
    return now


def expressions(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[tuple[str, ir.Table]]:
    return [(f"{d.name}: per-account revenue now vs previous period", _expression(ws, d, spec))]


def run(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[Aggregate]:
    """Sums, squares and cross products of revenue before (x) and after (y) per period."""
    grain = revenue_grain(spec.grain)
    frame = _expression(ws, d, spec).execute()
    out = []
    keys = ("n", "sum_x", "sum_y", "sum_xx", "sum_yy", "sum_xy")
    for r in frame.to_dict("records"):
        stats = {k: float(clean(r[k]) or 0.0) for k in keys}
        extra = {"grain": grain} if grain != spec.grain else {}
        out.append(Aggregate(group_of(r, spec), index_date(int(r[IDX]), grain), stats, extra))
    return out
