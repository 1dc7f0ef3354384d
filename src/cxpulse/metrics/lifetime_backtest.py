"""Backtest of the lifetime-value models: fit on a calibration period, predict a holdout.

The models are fitted on the purchases before ``calibration_end`` and predict, for each of
those customers, the purchase days and the revenue of the holdout (``calibration_end`` to
the last purchase day, or ``holdout_end``). The actual figures come from the same orders
(purchases only). Customers whose first purchase is in the holdout cannot be predicted by a
model of existing customers: they are counted apart, never mixed into the error.

Errors reported: aggregate (predicted total / actual total - 1, with the credible interval
of the predicted total) and per customer (mean absolute error, RMSE), next to a naive
baseline that expects each customer to keep buying at their own calibration rate
(repeat purchase days / T).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from cxpulse.errors import NotEnoughDataError
from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.lifetime_model import METHOD, SamplerSettings, fitted_models, interval
from cxpulse.metrics.periods import to_date
from cxpulse.metrics.purchase_history import (
    first_purchase_day,
    holdout_purchases,
    last_purchase_day,
    purchase_summary,
)


@dataclass(frozen=True)
class ErrorFigures:
    """Predicted against actual for one quantity (purchase days or revenue)."""

    predicted: float
    predicted_low: float
    predicted_high: float
    actual: float
    error: float  # predicted / actual - 1
    mae: float  # per customer
    rmse: float
    baseline_mae: float  # each customer at their own calibration rate

    def to_dict(self) -> dict[str, float | None]:
        return {k: (None if math.isnan(v) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class LifetimeBacktest:
    """Holdout predictions per customer (``customers``, pandas) and their error figures."""

    customers: Any
    calibration_start: date
    calibration_end: date  # first holdout day
    holdout_end: date
    holdout_days: int
    n: int
    purchases: ErrorFigures
    revenue: ErrorFigures
    new_customers: int  # first purchase in the holdout: not predicted, not in the errors
    new_customer_purchases: int
    confidence: float
    method: str
    parameters: dict[str, dict[str, float]]
    r_hat: float

    def summary(self) -> dict[str, Any]:
        return {
            "calibration_start": self.calibration_start.isoformat(),
            "calibration_end": self.calibration_end.isoformat(),
            "holdout_end": self.holdout_end.isoformat(),
            "holdout_days": self.holdout_days,
            "customers": self.n,
            "purchases": self.purchases.to_dict(),
            "revenue": self.revenue.to_dict(),
            "new_customers": self.new_customers,
            "new_customer_purchases": self.new_customer_purchases,
            "confidence": self.confidence,
            "method": self.method,
            "r_hat": None if math.isnan(self.r_hat) else self.r_hat,
            "parameters": self.parameters,
        }


def _figures(
    draws: np.ndarray, actual: np.ndarray, baseline: np.ndarray, confidence: float
) -> ErrorFigures:
    predicted = draws.mean(axis=0)
    low, high = interval(draws.sum(axis=1), confidence)
    total = float(actual.sum())
    return ErrorFigures(
        predicted=float(predicted.sum()),
        predicted_low=float(low),
        predicted_high=float(high),
        actual=total,
        error=float(predicted.sum() / total - 1.0) if total else math.nan,
        mae=float(np.abs(predicted - actual).mean()),
        rmse=float(np.sqrt(((predicted - actual) ** 2).mean())),
        baseline_mae=float(np.abs(baseline - actual).mean()),
    )


def clv_backtest(
    ws: Any,
    calibration_end: date | str,
    *,
    holdout_end: date | str | None = None,
    confidence: float | None = None,
    sampler: SamplerSettings | None = None,
    options: Any = None,
) -> LifetimeBacktest:
    """Fit on purchases before ``calibration_end``, predict the holdout, measure the error.

    >>> from cxpulse.workspace import Workspace
    >>> clv_backtest(Workspace.connect("duckdb://"), "2011-04-01")
    Traceback (most recent call last):
    ...
    cxpulse.errors.NotEnoughDataError: No purchases to model customer lifetime value before ...
    """
    options = options if options is not None else ws.config.metrics
    level = confidence if confidence is not None else options.confidence
    cut = to_date(calibration_end)
    last = last_purchase_day(ws, options) if "orders" in ws.con.list_tables() else None
    if last is None:
        raise NotEnoughDataError(key="metrics.clv.error.none", values={"as_of": cut})
    end = last if holdout_end is None else to_date(holdout_end)
    if end < cut:
        raise MetricQueryError(key="metrics.clv.error.holdout", values={"start": cut, "end": end})
    summary = purchase_summary(ws, cut, options)
    if summary.empty:
        raise NotEnoughDataError(key="metrics.clv.error.none", values={"as_of": cut})
    days = (end - cut).days + 1
    models = fitted_models(summary, sampler)
    purchases = models.purchases(float(days))
    revenue = purchases * models.spend()
    actual = holdout_purchases(ws, cut, end, options)
    known = set(summary.account_id)
    new = actual[~actual.account_id.isin(known) & (actual.purchases > 0)]
    actual = actual.set_index("account_id").reindex(summary.account_id)
    actual_purchases = actual.purchases.fillna(0).to_numpy(float)
    actual_revenue = actual.revenue.fillna(0.0).to_numpy(float)
    t = summary["T"].to_numpy(float)
    rate = np.divide(summary.frequency.to_numpy(float), t, out=np.zeros_like(t), where=t > 0)
    base_purchases = rate * days
    base_revenue = base_purchases * summary.monetary_value.fillna(0.0).to_numpy(float)
    customers = summary[["account_id", "frequency", "recency", "T", "monetary_value"]].assign(
        predicted_purchases=purchases.mean(axis=0),
        actual_purchases=actual_purchases.astype(int),
        predicted_revenue=revenue.mean(axis=0),
        actual_revenue=actual_revenue,
    )
    first = first_purchase_day(ws, options) or cut
    return LifetimeBacktest(
        customers=customers,
        calibration_start=first,
        calibration_end=cut,
        holdout_end=end,
        holdout_days=days,
        n=len(customers),
        purchases=_figures(purchases, actual_purchases, base_purchases, level),
        revenue=_figures(revenue, actual_revenue, base_revenue, level),
        new_customers=len(new),
        new_customer_purchases=int(new.purchases.sum()),
        confidence=level,
        method=METHOD,
        parameters=models.parameters_,
        r_hat=models.r_hat_,
    )


__all__ = ["ErrorFigures", "LifetimeBacktest", "clv_backtest"]
