"""Per-customer purchase histories for lifetime-value models, aggregated in the engine.

A purchase is an order whose status is in ``[metrics] purchase_statuses`` (cancellations,
refunds and returns never are). The models count *purchase days*: several orders of one
customer on one calendar day are one purchase occasion, as in Fader, Hardie and Lee's
BG/NBD papers and the ``lifetimes`` / pymc-marketing conventions. The engine returns one row
per customer (first and last purchase day, purchase days, repeat spend); recency and T in
days are worked out here from those dates.

>>> from cxpulse.workspace import Workspace
>>> purchase_summary(Workspace.connect("duckdb://"), as_of=None).empty
True
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.metrics.frame import cancellation_condition, clean, purchase_condition

SUMMARY_COLUMNS = [
    "account_id",
    "first_purchase",
    "last_purchase",
    "purchase_days",
    "frequency",
    "recency",
    "T",
    "spend_days",
    "monetary_value",
    "cancelled",
]


def purchase_days_expression(ws: Any, options: Any) -> ir.Table:
    """One row per customer and calendar day with a purchase: priced amount and orders."""
    o = ws.table("orders")
    o = o.filter(purchase_condition(o.status, options) & o.account_id.notnull())
    amount = o.amount.cast("float64")
    t = o.mutate(_day=o.ordered_at.cast("date"), _amount=amount)
    return t.group_by(["account_id", "_day"]).aggregate(
        amount=t._amount.sum(),
        orders=t.count(),
        priced=t._amount.count(),
    )


def summary_expression(ws: Any, options: Any, as_of: date) -> ir.Table:
    """Per customer with a purchase before ``as_of``: first/last day, days, repeat spend.

    Repeat spend (for the Gamma-Gamma model) is the mean value of the purchase days after the
    first one, over the days whose orders all have an amount and whose total is positive;
    ``gross`` and ``cancelled`` (the customer's cancellations before ``as_of``) let it be
    taken net of cancellations.
    """
    d = purchase_days_expression(ws, options)
    d = d.filter(d._day < ibis.literal(as_of, type="date"))
    d = d.mutate(_first=d._day.min().over(ibis.window(group_by="account_id")))
    spend = (d._day > d._first) & (d.priced == d.orders) & (d.amount > 0)
    days = d.group_by("account_id").aggregate(
        first_purchase=d._first.min(),
        last_purchase=d._day.max(),
        purchase_days=d.count(),
        spend_days=d.count(where=spend),
        spend_total=d.amount.sum(where=spend),
        gross=d.amount.sum(),
    )
    c = cancellations_expression(ws, options, None, as_of)
    j = days.left_join(c, days.account_id == c._ca)
    return j.select(*[k for k in days.columns], cancelled=j.cancelled.fill_null(0.0))


def cancellations_expression(ws: Any, options: Any, start: date | None, before: date) -> ir.Table:
    """Per customer: the amount of cancelled, refunded or returned orders in a date range."""
    o = ws.table("orders")
    o = o.filter(cancellation_condition(o.status) & o.account_id.notnull())
    day = o.ordered_at.cast("date")
    keep = day < ibis.literal(before, type="date")
    if start is not None:
        keep &= day >= ibis.literal(start, type="date")
    o = o.filter(keep)
    return o.group_by(_ca=o.account_id).aggregate(
        cancelled=o.amount.cast("float64").abs().sum().fill_null(0.0)
    )


def last_purchase_day(ws: Any, options: Any) -> date | None:
    """The last calendar day with a purchase in the data (None without purchases)."""
    d = purchase_days_expression(ws, options)
    value = clean(d.aggregate(m=d._day.max()).execute().m[0])
    return None if value is None else _as_date(value)


def first_purchase_day(ws: Any, options: Any) -> date | None:
    d = purchase_days_expression(ws, options)
    value = clean(d.aggregate(m=d._day.min()).execute().m[0])
    return None if value is None else _as_date(value)


def _as_date(value: Any) -> date:
    import pandas as pd

    return pd.Timestamp(value).date()  # type: ignore[no-any-return]


def purchase_summary(ws: Any, as_of: date | None, options: Any = None) -> Any:
    """The models' inputs per customer (pandas): frequency, recency, T (days), spend.

    ``as_of``: the first day *not* observed (purchases strictly before it count); by default
    the day after the last purchase. ``frequency`` is the number of repeat purchase days,
    ``recency`` the days from the first to the last purchase day, ``T`` the days from the
    first purchase day to the last observed day (``as_of`` - 1).
    """
    import pandas as pd

    options = options if options is not None else ws.config.metrics
    if "orders" not in ws.con.list_tables():
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    if as_of is None:
        last = last_purchase_day(ws, options)
        if last is None:
            return pd.DataFrame(columns=SUMMARY_COLUMNS)
        as_of = last + timedelta(days=1)
    frame = summary_expression(ws, options, as_of).execute()
    if frame.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    first = pd.to_datetime(frame.first_purchase)
    last_day = pd.to_datetime(frame.last_purchase)
    end = pd.Timestamp(as_of) - pd.Timedelta(days=1)
    out = pd.DataFrame(
        {
            "account_id": frame.account_id.astype(str),
            "first_purchase": first.dt.date,
            "last_purchase": last_day.dt.date,
            "purchase_days": frame.purchase_days.astype(int),
            "frequency": frame.purchase_days.astype(int) - 1,
            "recency": (last_day - first).dt.days.astype(float),
            "T": (end - first).dt.days.astype(float),
            "spend_days": frame.spend_days.fillna(0).astype(int),
        }
    )
    # cancellations are not linked to the order they undo: each customer's repeat spend is
    # scaled by the share of their purchases that they did not cancel
    # The engine may add doubles in any order (threads); rounding to a millionth makes the
    # inputs, and so the seeded posterior draws, the same on every run.
    gross = frame.gross.astype(float).fillna(0.0).round(6)
    cancelled = frame.cancelled.astype(float).fillna(0.0).round(6)
    kept = (1.0 - cancelled / gross.where(gross > 0)).clip(0.0, 1.0)
    total = frame.spend_total.astype(float).fillna(0.0).round(6) * kept.fillna(1.0)
    out["spend_days"] = out.spend_days.where(total.to_numpy() > 0, 0)
    spend_days = out.spend_days.to_numpy()
    out["monetary_value"] = (total / spend_days.clip(min=1)).where(spend_days > 0).round(6)
    out["cancelled"] = cancelled
    return out.sort_values("account_id", ignore_index=True)


def holdout_expression(ws: Any, options: Any, start: date, end: date) -> ir.Table:
    """Per customer: purchase days and net revenue (purchases less cancellations) in
    ``[start, end]``."""
    d = purchase_days_expression(ws, options)
    d = d.filter(
        (d._day >= ibis.literal(start, type="date")) & (d._day <= ibis.literal(end, type="date"))
    )
    bought = d.group_by("account_id").aggregate(
        purchases=d.count(), gross=d.amount.sum().fill_null(0.0)
    )
    c = cancellations_expression(ws, options, start, end + timedelta(days=1))
    j = bought.outer_join(c, bought.account_id == c._ca)
    return j.select(
        account_id=j.account_id.fill_null(j._ca),
        purchases=j.purchases.fill_null(0),
        revenue=j.gross.fill_null(0.0) - j.cancelled.fill_null(0.0),
    )


def holdout_purchases(ws: Any, start: date, end: date, options: Any = None) -> Any:
    """Purchase days and net revenue per customer in ``[start, end]`` (pandas, one row each)."""
    options = options if options is not None else ws.config.metrics
    frame = holdout_expression(ws, options, start, end).execute()
    frame["account_id"] = frame.account_id.astype(str)
    frame["purchases"] = frame.purchases.astype(int)
    frame["revenue"] = frame.revenue.astype(float)
    return frame
