"""Customer lifetime value per account and in total, with credible intervals.

The value of a customer over the next ``horizon_months`` is the purchases a BG/NBD model
expects of them (from how often and how recently they bought, and for how long we have
watched them) times the spend a Gamma-Gamma model expects per purchase, discounted monthly
if asked. Both models are fitted with pymc-marketing (see :mod:`cxpulse.metrics.lifetime_model`);
the per-account and total intervals are credible intervals of the posterior draws (the
total is summed draw by draw, so its interval accounts for the customers sharing one set of
parameters). :func:`cxpulse.metrics.lifetime_backtest.clv_backtest` measures how far the
predictions land from what customers then did.

>>> from cxpulse.workspace import Workspace
>>> customer_lifetime_value(Workspace.connect("duckdb://"))
Traceback (most recent call last):
...
cxpulse.errors.NotEnoughDataError: No purchases to model customer lifetime value ...
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cxpulse.errors import NotEnoughDataError
from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.frame import split_dimensions
from cxpulse.metrics.lifetime_model import (
    METHOD,
    SamplerSettings,
    fitted_models,
    interval,
)
from cxpulse.metrics.periods import to_date
from cxpulse.metrics.purchase_history import last_purchase_day, purchase_summary

ACCOUNT_COLUMNS = [
    "account_id",
    "purchase_days",
    "first_purchase",
    "last_purchase",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "probability_alive",
    "expected_purchases",
    "expected_spend",
    "clv",
    "clv_low",
    "clv_high",
]


@dataclass(frozen=True)
class LifetimeValue:
    """Lifetime value of every customer with a purchase before ``as_of``, and the total.

    ``accounts`` (pandas, one row per customer, highest value first): inputs (purchase
    days, frequency = repeat purchase days, recency and T in days, mean repeat spend) and
    predictions (probability alive, expected purchase days and spend per purchase day over
    the horizon, value and its interval). ``total`` is the sum of the values.
    """

    accounts: Any
    total: float
    total_low: float
    total_high: float
    n: int
    as_of: date
    horizon_months: int
    discount_rate: float
    confidence: float
    method: str
    parameters: dict[str, dict[str, float]] = field(default_factory=dict)
    r_hat: float = math.nan
    draws: int = 0
    groups: Any = None  # with ``by``: per group, customers, total value and its interval

    def summary(self) -> dict[str, Any]:
        """The total and the fit, as plain JSON-ready values."""
        return {
            "n": self.n,
            "total": self.total,
            "total_low": self.total_low,
            "total_high": self.total_high,
            "as_of": self.as_of.isoformat(),
            "horizon_months": self.horizon_months,
            "discount_rate": self.discount_rate,
            "confidence": self.confidence,
            "method": self.method,
            "draws": self.draws,
            "r_hat": None if math.isnan(self.r_hat) else self.r_hat,
            "parameters": self.parameters,
        }

    def group_records(self) -> list[dict[str, Any]]:
        """One dict per group of ``by`` (empty without ``by``)."""
        from cxpulse.metrics.frame import clean

        if self.groups is None:
            return []
        return [{k: clean(v) for k, v in r.items()} for r in self.groups.to_dict("records")]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per account (dates as ISO text, missing as None)."""
        from cxpulse.metrics.frame import clean

        out = []
        for row in self.accounts.to_dict("records"):
            rec = {k: clean(v) for k, v in row.items()}
            for k in ("first_purchase", "last_purchase"):
                if isinstance(rec.get(k), date):
                    rec[k] = rec[k].isoformat()
            out.append(rec)
        return out


def _check(horizon_months: int, discount_rate: float, confidence: float) -> None:
    if not isinstance(horizon_months, int) or not 1 <= horizon_months <= 120:
        raise MetricQueryError(key="metrics.clv.error.horizon", values={"value": horizon_months})
    if not 0.0 <= discount_rate < 1.0:
        raise MetricQueryError(key="metrics.clv.error.discount", values={"value": discount_rate})
    if not 0.5 < confidence < 1.0:
        raise MetricQueryError(key="metrics.clv.error.confidence", values={"value": confidence})


def observed_until(ws: Any, as_of: date | str | None, options: Any) -> date:
    """``as_of`` as a date, by default the day after the last purchase in the data."""
    if as_of is not None:
        return to_date(as_of)
    last = last_purchase_day(ws, options) if "orders" in ws.con.list_tables() else None
    if last is None:
        raise NotEnoughDataError(key="metrics.clv.error.none", values={"as_of": "-"})
    return last + timedelta(days=1)


def customer_lifetime_value(
    ws: Any,
    *,
    horizon_months: int = 12,
    as_of: date | str | None = None,
    discount_rate: float = 0.0,
    confidence: float | None = None,
    sampler: SamplerSettings | None = None,
    by: Sequence[str] | str | None = None,
    options: Any = None,
) -> LifetimeValue:
    """Expected value of each customer over the next ``horizon_months`` months, and in total.

    ``as_of``: the first day not observed (purchases strictly before it are the history; by
    default the day after the last purchase). ``discount_rate``: per month (0.01 = 1 %).
    Purchases are orders with a status in ``[metrics] purchase_statuses``. ``by``: account
    columns (segment, country, attributes) to total the value by, each group's interval
    summed draw by draw like the total.
    """
    options = options if options is not None else ws.config.metrics
    level = confidence if confidence is not None else options.confidence
    _check(horizon_months, discount_rate, level)
    dims = [by] if isinstance(by, str) else list(by or [])
    day = observed_until(ws, as_of, options)
    if dims:  # a customer's columns: those of accounts and its attributes (else refused)
        split_dimensions("accounts", dims, ws)
    summary = purchase_summary(ws, day, options)
    if summary.empty:
        raise NotEnoughDataError(key="metrics.clv.error.none", values={"as_of": day})
    models = fitted_models(summary, sampler)
    value, purchases = models.lifetime_value(horizon_months, discount_rate)
    spend = models.spend()
    alive = models.probability_alive()
    low, high = interval(value, level)
    totals = value.sum(axis=1)
    total_low, total_high = interval(totals, level)
    accounts = summary.assign(
        probability_alive=alive.mean(axis=0),
        expected_purchases=purchases.mean(axis=0),
        expected_spend=spend.mean(axis=0),
        clv=value.mean(axis=0),
        clv_low=low,
        clv_high=high,
    )[ACCOUNT_COLUMNS]
    groups = _group_totals(ws, dims, summary, value, level) if dims else None
    accounts = accounts.sort_values(["clv", "account_id"], ascending=[False, True])
    return LifetimeValue(
        accounts=accounts.reset_index(drop=True),
        total=float(totals.mean()),
        total_low=float(total_low),
        total_high=float(total_high),
        n=len(accounts),
        as_of=day,
        horizon_months=horizon_months,
        discount_rate=discount_rate,
        confidence=level,
        method=METHOD,
        parameters=models.parameters_,
        r_hat=models.r_hat_,
        draws=int(value.shape[0]),
        groups=groups,
    )


def _group_totals(ws: Any, dims: list[str], summary: Any, value: Any, level: float) -> Any:
    """Per group of account columns: customers, total value (posterior mean) and interval."""
    import pandas as pd

    acc = ws.table("accounts")
    frame = acc.select(acc.account_id, *[acc[d] for d in dims]).execute()
    frame["account_id"] = frame.account_id.astype(str)
    keyed = summary[["account_id"]].merge(frame, on="account_id", how="left")
    rows = []
    for key, part in keyed.groupby(dims, dropna=False, sort=True):
        values = key if isinstance(key, tuple) else (key,)
        totals = value[:, part.index.to_numpy()].sum(axis=1)
        low, high = interval(totals, level)
        rows.append(
            {
                **dict(zip(dims, values, strict=True)),
                "customers": len(part),
                "clv": float(totals.mean()),
                "clv_low": float(low),
                "clv_high": float(high),
            }
        )
    out = pd.DataFrame(rows, columns=[*dims, "customers", "clv", "clv_low", "clv_high"])
    return out.sort_values("clv", ascending=False, ignore_index=True)
