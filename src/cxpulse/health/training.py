"""Fitting a health model on the workspace's history (as-of dates with a closed horizon)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cxpulse.health.config import Signal
from cxpulse.health.evaluate import backtest_dates
from cxpulse.health.features import as_instant, health_config_of, training_frame
from cxpulse.health.models import HealthModel, make_model

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace


@dataclass(frozen=True)
class FitResult:
    """A fitted model and what it was fitted on."""

    model: HealthModel
    signals: tuple[Signal, ...]
    outcome: str
    horizon_days: int
    n: int
    bad_rate: float
    as_of_dates: list[dt.date]


def fit_model(
    ws: Workspace,
    kind: str | None = None,
    *,
    outcome: str | None = None,
    horizon_days: int | None = None,
    as_of_dates: Iterable[Any] | None = None,
    signals: Iterable[Signal] | None = None,
    **params: Any,
) -> FitResult:
    """Fit ``kind`` (expert, logistic, lightgbm; default from [health] model) on past as-of dates.

    Each as-of date contributes one row per live account, labelled by what happened in the
    following ``horizon_days``; only dates whose horizon is already over are used.
    """
    cfg = health_config_of(ws)
    out = outcome or cfg.outcome
    horizon = horizon_days or cfg.horizon_days
    sigs = tuple(signals) if signals is not None else cfg.signals
    chosen = kind or ("logistic" if cfg.model == "expert" else cfg.model)
    dates = sorted({as_instant(d).date() for d in (as_of_dates or backtest_dates(ws, horizon))})
    X, y = training_frame(ws, dates, horizon_days=horizon, outcome=out, signals=sigs)
    if chosen != "expert":
        # a signal with no value at any date (e.g. no overrides recorded) teaches nothing and
        # would only show up as "no data" in every explanation
        sigs = tuple(s for s in sigs if X[s.name].notna().any())
        X = X[[s.name for s in sigs]]
    model = make_model(chosen, sigs, **params).fit(X, y)
    return FitResult(model, sigs, out, horizon, len(y), float(1 - y.mean()), dates)
