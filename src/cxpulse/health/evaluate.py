"""Backtests: how well each model's score would have predicted what happened.

:func:`evaluate` rolls through as-of dates in the workspace: for each test date, a learned
model is refitted on the earlier as-of dates whose horizon had already closed, then scores
the accounts alive at the test date; predictions are pooled over test dates.
:func:`evaluate_holdout` does a held-out split of one feature table (for single-snapshot data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from cxpulse.errors import CxpulseError, NotEnoughDataError
from cxpulse.health import metrics as hm
from cxpulse.health.bands import band_cutoffs
from cxpulse.health.config import Bands, Signal
from cxpulse.health.dates import monthly_dates, plan_dates  # noqa: F401 (re-exported)
from cxpulse.health.features import health_config_of, training_frame
from cxpulse.health.models import ExpertModel, HealthModel, LearnedModel, category_settings

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
    bands: dict[str, dict[str, float]] = field(default_factory=dict)  # n, share, bad_rate, ratio
    ece: float = float("nan")  # expected calibration error (10 equal-count bins)
    reason: str | None = None  # why the model could not be evaluated (in part or at all)
    # the same reasons as errors (with the as-of date each concerns), to show in any language
    causes: tuple[tuple[str | None, CxpulseError], ...] = ()

    @property
    def evaluated(self) -> bool:
        return self.n > 0

    def reason_in(self, lang: str) -> str | None:
        """:attr:`reason` in ``lang``."""
        if not self.causes:
            return self.reason
        return "; ".join(
            f"{when}: {exc.message_in(lang)}" if when else exc.message_in(lang)
            for when, exc in self.causes
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready figures."""

        def num(v: float) -> float | None:
            return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)

        return {
            "model": self.model,
            "n": self.n,
            "bad_rate": num(self.bad_rate),
            "roc_auc": num(self.roc_auc),
            "pr_auc": num(self.pr_auc),
            "brier": num(self.brier),
            "ece": num(self.ece),
            "top_decile_bad_rate": num(self.top_decile_bad_rate),
            "lift": num(self.lift),
            "bands": {b: {k: num(v) for k, v in d.items()} for b, d in self.bands.items()},
            "calibration": [
                {
                    "low": c.low,
                    "high": c.high,
                    "n": c.n,
                    "mean_predicted": c.mean_predicted,
                    "observed": c.observed,
                }
                for c in self.calibration
            ],
            "test_dates": [d.isoformat() for d in self.test_dates],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class EvaluationReport:
    """Expert and learned models side by side."""

    outcome: str
    horizon_days: int
    models: list[ModelEvaluation]
    predictions: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    method: str = "backtest"  # backtest (rolling as-of dates) | holdout (accounts held out)
    test_size: float | None = None
    seed: int | None = None
    as_of_dates: list[dt.date] = field(default_factory=list)
    tuning: dict[str, dict[str, Any]] = field(default_factory=dict)  # per "<model>_tuned"

    def to_dict(self) -> dict[str, Any]:
        return {
            "tuning": self.tuning,
            "outcome": self.outcome,
            "horizon_days": self.horizon_days,
            "method": self.method,
            "test_size": self.test_size,
            "seed": self.seed,
            "as_of_dates": [d.isoformat() for d in self.as_of_dates],
            "models": [m.to_dict() for m in self.models],
        }

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


def band_table(y: np.ndarray, bands: np.ndarray | list[str]) -> dict[str, dict[str, float]]:
    """Per band: accounts, share, bad-outcome rate and that rate over the overall one."""
    y = np.asarray(y, dtype="float64")
    labels = np.asarray(list(bands), dtype=object)
    overall = float(1.0 - y.mean()) if len(y) else float("nan")
    out: dict[str, dict[str, float]] = {}
    for band in ("red", "yellow", "green"):
        mine = y[labels == band]
        rate = float(1.0 - mine.mean()) if len(mine) else float("nan")
        out[band] = {
            "n": float(len(mine)),
            "share": float(len(mine) / len(y)) if len(y) else float("nan"),
            "bad_rate": rate,
            "ratio": rate / overall if overall > 0 and len(mine) else float("nan"),
        }
    return out


def summarize(
    name: str,
    y: np.ndarray,
    p: np.ndarray,
    dates: list[dt.date],
    bands: np.ndarray | list[str] | None = None,
) -> ModelEvaluation:
    """All figures of one model from labels ``y`` (1 = good) and predictions P(good)."""
    rate, lift = hm.top_decile(y, p)
    calibration = hm.calibration_table(y, p)
    ece = sum(b.n * abs(b.mean_predicted - b.observed) for b in calibration) / max(len(y), 1)
    return ModelEvaluation(
        model=name,
        n=len(y),
        bad_rate=float(1.0 - np.mean(y)),
        roc_auc=hm.roc_auc(y, p),
        pr_auc=hm.average_precision(1 - np.asarray(y), 1.0 - np.asarray(p)),
        brier=hm.brier(y, p),
        top_decile_bad_rate=rate,
        lift=lift,
        calibration=calibration,
        test_dates=dates,
        bands=band_table(y, bands) if bands is not None else {},
        ece=float(ece),
    )


def default_models(signals: Iterable[Signal], config: Any = None) -> dict[str, HealthModel]:
    """Expert (from the catalogue), logistic and LightGBM (with the ``[health.model]``
    settings of ``config`` when given)."""
    from cxpulse.health.training import cfg_settings

    def settings(kind: str) -> dict[str, Any]:
        return cfg_settings(config, kind) if config is not None else {}

    sigs = tuple(signals)
    cats = category_settings(sigs) or None
    return {
        "expert": ExpertModel(signals=sigs),
        "logistic": LearnedModel(estimator="logistic", categories=cats, **settings("logistic")),
        "lightgbm": LearnedModel(estimator="lightgbm", categories=cats, **settings("lightgbm")),
    }


def backtest_dates(ws: Workspace, horizon_days: int, warmup_days: int = 90) -> list[dt.date]:
    """The as-of dates a model is fitted and backtested on (see :mod:`cxpulse.health.dates`)."""
    return plan_dates(ws, horizon_days, warmup_days=warmup_days).dates


def _predict(model: HealthModel, X: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_proba(X[[str(c) for c in model.feature_names_in_]])[:, 1])


Causes = list[tuple[str | None, CxpulseError]]


def _reason(causes: Causes) -> str:
    return "; ".join(f"{when}: {exc}" if when else str(exc) for when, exc in causes)


def _failed(name: str, causes: Causes) -> ModelEvaluation:
    nan = float("nan")
    return ModelEvaluation(
        name, 0, nan, nan, nan, nan, nan, nan, reason=_reason(causes), causes=tuple(causes)
    )


def _bands_of(model: HealthModel, p: np.ndarray, bands: Bands) -> list[str]:
    return band_cutoffs(model, bands).bands_for(100.0 * np.asarray(p))


def _pooled(
    preds: list[pd.DataFrame], names: Iterable[str], reasons: dict[str, Causes]
) -> list[ModelEvaluation]:
    pooled = pd.concat(preds) if preds else pd.DataFrame(columns=["model", "good", "p", "band"])
    out = []
    for name in names:
        g = pooled[pooled["model"] == name]
        if g.empty:
            none: Causes = [(None, CxpulseError(key="health.evaluate.no_predictions"))]
            out.append(_failed(name, reasons.get(name, none)))
            continue
        try:
            dates = sorted(set(g["as_of"])) if "as_of" in g else []
            out.append(
                summarize(name, g["good"].to_numpy(), g["p"].to_numpy(), dates, g["band"].tolist())
            )
        except NotEnoughDataError as exc:
            out.append(_failed(name, [(None, exc)]))
            continue
        if name in reasons:  # some test dates could not be fitted: say so
            causes = reasons[name]
            out[-1] = replace(out[-1], reason=_reason(causes), causes=tuple(causes))
    return out


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

    ``as_of_dates`` defaults to the dates :func:`cxpulse.health.dates.plan_dates` chooses; the
    last ``test_dates`` of them are the test dates, each trained on dates at least one horizon
    earlier. A model that cannot be fitted for a test date (e.g. one outcome only in its
    training dates) is reported with the reason, never dropped.
    """
    cfg = health_config_of(ws)
    out = outcome or cfg.outcome
    horizon = horizon_days or cfg.horizon_days
    sigs = tuple(signals) if signals is not None else cfg.signals
    chosen = models if models is not None else default_models(sigs, cfg)
    dates = plan_dates(ws, horizon, as_of_dates=as_of_dates).dates
    if len(dates) < 2:
        raise NotEnoughDataError(
            f"a rolling backtest needs at least two as-of dates with a closed {horizon}-day "
            f"horizon; found {len(dates)}. For a snapshot use a held-out split "
            "('cxpulse health evaluate --holdout 0.3').",
            key="health.error.backtest_dates",
            values={"horizon": horizon, "found": len(dates)},
        )
    X, y = training_frame(ws, dates, horizon_days=horizon, outcome=out, signals=sigs)
    stamps = X.index.get_level_values("as_of")
    tests = dates[-test_dates:]
    preds: list[pd.DataFrame] = []
    reasons: dict[str, Causes] = {}
    for name, template in chosen.items():
        skipped: Causes = []
        for t in tests:
            train_dates = [d for d in dates if d <= t - dt.timedelta(days=horizon)]
            test_mask = stamps == pd.Timestamp(t)
            if not test_mask.any():
                skipped.append((str(t), CxpulseError(key="health.evaluate.no_live_accounts")))
                continue
            if isinstance(template, LearnedModel):
                train_mask = stamps.isin([pd.Timestamp(d) for d in train_dates])
                if not train_dates or not train_mask.any():
                    no_date = CxpulseError(key="health.evaluate.no_earlier_date")
                    skipped.append((str(t), no_date))
                    continue
                try:
                    model = clone(template).fit(X[train_mask], y[train_mask])
                except NotEnoughDataError as exc:
                    skipped.append((str(t), exc))
                    continue
            else:
                model = clone(template).fit(X[test_mask])  # the expert learns nothing from y
            p = _predict(model, X[test_mask])
            preds.append(
                pd.DataFrame(
                    {
                        "model": name,
                        "as_of": t,
                        "good": y[test_mask].to_numpy(),
                        "p": p,
                        "band": _bands_of(model, p, cfg.bands),
                    },
                    index=X.index[test_mask].get_level_values("account_id"),
                )
            )
        if skipped:
            reasons[name] = skipped
    evaluations = _pooled(preds, chosen, reasons)
    pooled = pd.concat(preds) if preds else pd.DataFrame()
    return EvaluationReport(out, horizon, evaluations, pooled, method="backtest")


def evaluate_holdout(
    X: pd.DataFrame,
    y: pd.Series | np.ndarray,
    models: Mapping[str, HealthModel],
    *,
    test_size: float = 0.3,
    random_state: int = 0,
    outcome: str = "churn",
    horizon_days: int = 0,
    bands: Bands | None = None,
    tune_budget: float | None = None,
    tune_trials: int | None = None,
) -> EvaluationReport:
    """Fit each model on a training split and evaluate it on the held-out rest.

    Accounts are held out whole (all their as-of rows go to one side), stratified by whether
    the account ever had the bad outcome, so no account is seen in training and test.
    With ``tune_budget`` or ``tune_trials`` each learned model is also tuned
    (:func:`cxpulse.health.tuning.tune`) on the training accounts only and evaluated as
    ``<name>_tuned`` on the same held-out accounts.
    """
    target = np.asarray(y).astype("int64")
    tr, te = holdout_split(X.index, target, test_size=test_size, random_state=random_state)
    band_settings = bands or Bands()
    preds: list[pd.DataFrame] = []
    reasons: dict[str, Causes] = {}
    models = dict(models)
    tuning: dict[str, dict[str, Any]] = {}
    if tune_budget or tune_trials:
        from cxpulse.health.tuning import tune

        for name, template in list(models.items()):
            if not isinstance(template, LearnedModel):
                continue
            try:
                found = tune(
                    X.iloc[tr],
                    target[tr],
                    template.estimator,
                    base=template.get_params(),
                    budget_seconds=tune_budget,
                    trials=tune_trials,
                    seed=random_state,
                    horizon_days=horizon_days or 90,
                )
            except NotEnoughDataError as exc:
                reasons[f"{name}_tuned"] = [(None, exc)]
                models[f"{name}_tuned"] = template
                continue
            models[f"{name}_tuned"] = clone(template).set_params(**found.params)
            tuning[f"{name}_tuned"] = found.to_dict()
    for name, template in models.items():
        if name in reasons:
            continue
        try:
            model = clone(template).fit(X.iloc[tr], target[tr])
        except NotEnoughDataError as exc:
            reasons[name] = [(None, exc)]
            continue
        p = _predict(model, X.iloc[te])
        preds.append(
            pd.DataFrame(
                {
                    "model": name,
                    "good": target[te],
                    "p": p,
                    "band": _bands_of(model, p, band_settings),
                },
                index=X.index[te],
            )
        )
    evaluations = _pooled(preds, models, reasons)
    pooled = pd.concat(preds) if preds else pd.DataFrame()
    return EvaluationReport(
        outcome,
        horizon_days,
        evaluations,
        pooled,
        method="holdout",
        test_size=test_size,
        seed=random_state,
        tuning=tuning,
    )


def holdout_split(
    index: pd.Index, target: np.ndarray, *, test_size: float, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the training and held-out accounts (stratified by ever-bad)."""
    accounts = (
        np.asarray(index.get_level_values("account_id"))
        if "account_id" in (index.names or [])
        else np.asarray(index)
    )
    frame = pd.DataFrame({"account": accounts, "bad": 1 - target})
    ever_bad = frame.groupby("account")["bad"].max()
    ids = ever_bad.index.to_numpy()
    strata = ever_bad.to_numpy() if ever_bad.nunique() > 1 and ever_bad.min() == 0 else None
    if strata is not None and min(np.bincount(strata)) < 2:
        strata = None
    train_ids, _ = train_test_split(
        ids, test_size=test_size, stratify=strata, random_state=random_state
    )
    in_train = np.isin(accounts, train_ids)
    return np.flatnonzero(in_train), np.flatnonzero(~in_train)


def evaluate_holdout_ws(
    ws: Workspace,
    models: Mapping[str, HealthModel] | None = None,
    *,
    test_size: float = 0.3,
    random_state: int = 0,
    outcome: str | None = None,
    horizon_days: int | None = None,
    as_of_dates: Iterable[Any] | None = None,
    signals: Iterable[Signal] | None = None,
    tune_budget: float | None = None,
    tune_trials: int | None = None,
) -> EvaluationReport:
    """A held-out evaluation on the workspace's as-of dates (a snapshot or a history);
    ``tune_budget``/``tune_trials`` add tuned learned models (see :func:`evaluate_holdout`)."""
    cfg = health_config_of(ws)
    out = outcome or cfg.outcome
    horizon = horizon_days or cfg.horizon_days
    sigs = tuple(signals) if signals is not None else cfg.signals
    chosen = models if models is not None else default_models(sigs, cfg)
    plan = plan_dates(ws, horizon, as_of_dates=as_of_dates)
    X, y = training_frame(ws, plan.dates, horizon_days=horizon, outcome=out, signals=sigs)
    no_data = [c for c in X.columns if not X[c].notna().any()]
    X = X.drop(columns=no_data)
    fitted = {
        name: (replace_signals(m, [s for s in sigs if s.name not in no_data]))
        for name, m in chosen.items()
    }
    report = evaluate_holdout(
        X,
        y,
        fitted,
        test_size=test_size,
        random_state=random_state,
        outcome=out,
        horizon_days=horizon,
        bands=cfg.bands,
        tune_budget=tune_budget,
        tune_trials=tune_trials,
    )
    return replace(report, as_of_dates=plan.dates)


def replace_signals(model: HealthModel, signals: list[Signal]) -> HealthModel:
    """The expert model restricted to ``signals`` (learned models read the columns given)."""
    if isinstance(model, ExpertModel):
        return ExpertModel(signals=tuple(s for s in model.signals if s in signals))
    return model
