"""Backtests: how well each model's score would have predicted what happened.

:func:`evaluate` rolls through as-of dates in the workspace: for each test date, a learned
model is refitted on the earlier as-of dates whose horizon had already closed, then scores
the accounts alive at the test date; predictions are pooled over test dates.
:func:`evaluate_holdout` does a held-out split of one feature table (for single-snapshot data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from cxpulse.errors import NotEnoughDataError
from cxpulse.health import metrics as hm
from cxpulse.health.config import Signal
from cxpulse.health.features import as_instant, health_config_of, training_frame
from cxpulse.health.models import ExpertModel, HealthModel, LearnedModel

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace


@dataclass(frozen=True)
class ModelEvaluation:
    """One model's backtest figures (y = 1 good outcome; rates are of the bad outcome)."""

    model: str
    n: int
    bad_rate: float
    roc_auc: float
    pr_auc: float
    brier: float
    top_decile_bad_rate: float
    lift: float
    calibration: list[hm.CalibrationBin] = field(default_factory=list)
    test_dates: list[dt.date] = field(default_factory=list)


@dataclass(frozen=True)
class EvaluationReport:
    """Expert and learned models side by side."""

    outcome: str
    horizon_days: int
    models: list[ModelEvaluation]
    predictions: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        """One row per model: n, bad_rate, roc_auc, pr_auc, brier, top_decile_bad_rate, lift."""
        cols = [
            "model",
            "n",
            "bad_rate",
            "roc_auc",
            "pr_auc",
            "brier",
            "top_decile_bad_rate",
            "lift",
        ]
        return pd.DataFrame([{c: getattr(m, c) for c in cols} for m in self.models])

    def __getitem__(self, name: str) -> ModelEvaluation:
        for m in self.models:
            if m.model == name:
                return m
        raise KeyError(name)


def summarize(name: str, y: np.ndarray, p: np.ndarray, dates: list[dt.date]) -> ModelEvaluation:
    """All figures of one model from labels ``y`` (1 = good) and predictions P(good)."""
    rate, lift = hm.top_decile(y, p)
    return ModelEvaluation(
        model=name,
        n=len(y),
        bad_rate=float(1.0 - np.mean(y)),
        roc_auc=hm.roc_auc(y, p),
        pr_auc=hm.average_precision(1 - np.asarray(y), 1.0 - np.asarray(p)),
        brier=hm.brier(y, p),
        top_decile_bad_rate=rate,
        lift=lift,
        calibration=hm.calibration_table(y, p),
        test_dates=dates,
    )


def default_models(signals: Iterable[Signal]) -> dict[str, HealthModel]:
    """Expert (from the catalogue), logistic and LightGBM."""
    return {
        "expert": ExpertModel(signals=tuple(signals)),
        "logistic": LearnedModel(estimator="logistic"),
        "lightgbm": LearnedModel(estimator="lightgbm"),
    }


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


def backtest_dates(ws: Workspace, horizon_days: int, warmup_days: int = 90) -> list[dt.date]:
    """Monthly as-of dates whose horizon is fully observed in the data (aggregates only)."""
    starts = [
        ws.table("accounts").start_date.min().execute(),
        ws.table("usage_events").occurred_at.min().execute(),
        ws.table("tickets").opened_at.min().execute(),
        ws.table("responses").responded_at.min().execute(),
    ]
    ends = [
        ws.table("usage_events").occurred_at.max().execute(),
        ws.table("tickets").opened_at.max().execute(),
        ws.table("responses").responded_at.max().execute(),
        ws.table("outcomes").occurred_at.max().execute(),
    ]
    firsts = [pd.Timestamp(e).date() for e in starts if e is not None and not pd.isna(e)]
    ends = [pd.Timestamp(e).date() for e in ends if e is not None and not pd.isna(e)]
    if not firsts or not ends:
        raise NotEnoughDataError("the workspace has no accounts or no activity to backtest on")
    # history starts when both accounts and activity exist; the warm-up fills the windows
    start = max(firsts) + dt.timedelta(days=warmup_days)
    return monthly_dates(start, max(ends) - dt.timedelta(days=horizon_days))


def _predict(model: HealthModel, X: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_proba(X[[str(c) for c in model.feature_names_in_]])[:, 1])


def evaluate(
    ws: Workspace,
    models: Mapping[str, HealthModel] | None = None,
    *,
    outcome: str | None = None,
    horizon_days: int | None = None,
    as_of_dates: Iterable[Any] | None = None,
    test_dates: int = 3,
    signals: Iterable[Signal] | None = None,
) -> EvaluationReport:
    """Rolling as-of backtest of each model (refitted before every test date).

    ``as_of_dates`` defaults to the monthly dates with a fully observed horizon; the last
    ``test_dates`` of them are the test dates, each trained on dates at least one horizon
    earlier.
    """
    cfg = health_config_of(ws)
    out = outcome or cfg.outcome
    horizon = horizon_days or cfg.horizon_days
    sigs = tuple(signals) if signals is not None else cfg.signals
    chosen = models if models is not None else default_models(sigs)
    dates = sorted({as_instant(d).date() for d in (as_of_dates or backtest_dates(ws, horizon))})
    if len(dates) < 2:
        raise NotEnoughDataError(
            f"a backtest needs at least two as-of dates with a closed {horizon}-day horizon; "
            f"found {len(dates)}. Use a shorter horizon or more history."
        )
    X, y = training_frame(ws, dates, horizon_days=horizon, outcome=out, signals=sigs)
    stamps = X.index.get_level_values("as_of")
    tests = dates[-test_dates:]
    preds: list[pd.DataFrame] = []
    for name, template in chosen.items():
        for t in tests:
            train_dates = [d for d in dates if d <= t - dt.timedelta(days=horizon)]
            test_mask = stamps == pd.Timestamp(t)
            if not test_mask.any():
                continue
            if isinstance(template, LearnedModel):
                train_mask = stamps.isin([pd.Timestamp(d) for d in train_dates])
                if not train_dates or not train_mask.any():
                    continue
                try:
                    model = clone(template).fit(X[train_mask], y[train_mask])
                except NotEnoughDataError:
                    continue
            else:
                model = clone(template).fit(X[test_mask])  # the expert learns nothing from y
            p = _predict(model, X[test_mask])
            preds.append(
                pd.DataFrame(
                    {"model": name, "as_of": t, "good": y[test_mask].to_numpy(), "p": p},
                    index=X.index[test_mask].get_level_values("account_id"),
                )
            )
    if not preds:
        raise NotEnoughDataError(
            "no model could be backtested: every test date lacked earlier dates with both "
            "outcomes. Use more history or a shorter horizon."
        )
    pooled = pd.concat(preds)
    evaluations = [
        summarize(
            name,
            g["good"].to_numpy(),
            g["p"].to_numpy(),
            sorted(set(g["as_of"])),
        )
        for name, g in pooled.groupby("model", sort=False)
    ]
    return EvaluationReport(out, horizon, evaluations, pooled)


def evaluate_holdout(
    X: pd.DataFrame,
    y: pd.Series | np.ndarray,
    models: Mapping[str, HealthModel],
    *,
    test_size: float = 0.3,
    random_state: int = 0,
    outcome: str = "churn",
    horizon_days: int = 0,
) -> EvaluationReport:
    """Fit each model on a stratified training split and evaluate it on the held-out rest."""
    target = np.asarray(y).astype("int64")
    tr, te = train_test_split(
        np.arange(len(target)), test_size=test_size, stratify=target, random_state=random_state
    )
    preds, evaluations = [], []
    for name, template in models.items():
        model = clone(template).fit(X.iloc[tr], target[tr])
        p = _predict(model, X.iloc[te])
        evaluations.append(summarize(name, target[te], p, []))
        preds.append(pd.DataFrame({"model": name, "good": target[te], "p": p}, index=X.index[te]))
    return EvaluationReport(outcome, horizon_days, evaluations, pd.concat(preds))
