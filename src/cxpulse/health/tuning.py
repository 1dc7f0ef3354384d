"""Tuning a learned model's settings: a seeded optuna (TPE) search, cross-validated in a way
that respects time and accounts.

- **History** (three or more as-of dates): a time split. Each of the last ``folds`` as-of
  dates is a validation fold, trained on the dates whose horizon had closed before it, as the
  rolling backtest does; no fold learns from the future.
- **Snapshot or few dates**: ``folds``-fold cross-validation grouped by account (all rows of an
  account in one fold) and stratified by the outcome.

The objective is the mean validation ROC AUC of the uncalibrated model (calibration is monotone
and fitted afterwards). The shipped settings are the first trial, so the chosen settings are
never worse than them on the cross-validation. Trials stop at ``budget_seconds`` or after
``trials``, whichever comes first; with a number of trials, no budget and a seed the search
is reproducible, while a time budget depends on the machine's speed. Folds of a poor trial
are pruned early (median rule).

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"a": rng.normal(size=300)})
>>> y = (rng.random(300) > 1 / (1 + np.exp(-2 * X["a"]))).astype(int)
>>> result = tune(X, y, "logistic", trials=5, budget_seconds=None, seed=0)
>>> result.trials, result.best_score >= result.default_score
(5, True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

from cxpulse.errors import ConfigError, NotEnoughDataError
from cxpulse.health.models import LearnedModel

DEFAULT_BUDGET_SECONDS = 60.0
MAX_TRIALS = 200


@dataclass(frozen=True)
class TuneResult:
    """The settings a search chose and what it measured."""

    estimator: str
    params: dict[str, Any]
    best_score: float  # mean cross-validated ROC AUC of the chosen settings
    default_score: float  # the same for the shipped (or configured) settings
    trials: int
    pruned: int
    seconds: float
    cv: str  # "time" | "grouped"
    folds: int
    seed: int
    history: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """What is stored in the model file and shown by ``health fit`` and the report."""
        return {
            "estimator": self.estimator,
            "params": dict(self.params),
            "cv_roc_auc": self.best_score,
            "default_cv_roc_auc": self.default_score,
            "trials": self.trials,
            "pruned": self.pruned,
            "seconds": round(self.seconds, 1),
            "cv": self.cv,
            "folds": self.folds,
            "seed": self.seed,
        }


def parse_budget(text: str | float | int | None) -> float:
    """Seconds in a budget such as ``"60s"``, ``"2m"`` or ``90``.

    >>> parse_budget("60s"), parse_budget("2m"), parse_budget(30)
    (60.0, 120.0, 30.0)
    """
    if text is None:
        return DEFAULT_BUDGET_SECONDS
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        raw = text.strip().lower()
        unit = 60.0 if raw.endswith("m") else 3600.0 if raw.endswith("h") else 1.0
        number = raw.rstrip("smh").strip()
        try:
            seconds = float(number) * unit
        except ValueError as exc:
            raise ConfigError(key="health.error.budget", values={"text": text}) from exc
    if not seconds > 0:
        raise ConfigError(key="health.error.budget", values={"text": text})
    return seconds


def _space(trial: Any, estimator: str) -> dict[str, Any]:
    if estimator == "logistic":
        return {"C": trial.suggest_float("C", 1e-3, 10.0, log=True)}
    return {
        "num_leaves": trial.suggest_int("num_leaves", 4, 63, log=True),
        "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.2, log=True),
        "n_estimators": trial.suggest_int("n_estimators", 50, 800, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 200, log=True),
        "reg_lambda": trial.suggest_float("reg_lambda", 0.0, 5.0),
        "subsample": trial.suggest_float("subsample", 0.6, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.5, 1.0),
    }


def cv_folds(
    index: pd.Index, y: np.ndarray, *, folds: int, horizon_days: int, seed: int
) -> tuple[str, list[tuple[np.ndarray, np.ndarray]]]:
    """The cross-validation folds (row positions) that respect time and accounts."""
    names = list(index.names or [])
    stamps = pd.to_datetime(index.get_level_values("as_of")) if "as_of" in names else None
    accounts = (
        np.asarray(index.get_level_values("account_id"))
        if "account_id" in names
        else np.asarray(index)
    )
    if stamps is not None:
        dates = sorted(set(stamps))
        splits = []
        for t in dates[-folds:]:
            cutoff = t - pd.Timedelta(days=horizon_days)
            tr = np.flatnonzero(np.asarray(stamps <= cutoff))
            te = np.flatnonzero(np.asarray(stamps == t))
            if len(tr) and len(np.unique(y[tr])) == 2 and len(np.unique(y[te])) == 2:
                splits.append((tr, te))
        if len(splits) >= 2:
            return "time", splits
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    out = [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y, groups=accounts)]
    return "grouped", out


def tune(
    X: pd.DataFrame,
    y: pd.Series | np.ndarray,
    estimator: str,
    *,
    base: dict[str, Any] | None = None,
    budget_seconds: float | None = DEFAULT_BUDGET_SECONDS,
    trials: int | None = None,
    seed: int = 0,
    folds: int = 4,
    horizon_days: int = 90,
) -> TuneResult:
    """Search ``estimator``'s settings on ``X``/``y`` (index ``(as_of, account_id)`` or
    ``account_id``); ``base`` holds the settings that are not searched (and the first trial)."""
    import optuna

    if estimator not in ("logistic", "lightgbm"):
        raise ConfigError(key="health.error.tune_model", values={"model": estimator})
    target = np.asarray(y).astype("int64")
    if len(np.unique(target)) < 2 or np.bincount(target, minlength=2).min() < 2 * folds:
        raise NotEnoughDataError(
            key="health.error.one_class",
            values={"bad": int((target == 0).sum()), "good": int((target == 1).sum())},
        )
    skip = ("calibration", "holdout", "estimator")
    fixed = {k: v for k, v in (base or {}).items() if k not in skip}
    fixed.setdefault("random_state", seed)
    cv, splits = cv_folds(X.index, target, folds=folds, horizon_days=horizon_days, seed=seed)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=8)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=1)
    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
    defaults = LearnedModel(estimator=estimator, **fixed).get_params()  # type: ignore[arg-type]
    first = {k: defaults[k] for k in _space_names(estimator)}
    study.enqueue_trial(first)

    def objective(trial: Any) -> float:
        params = {**fixed, **_space(trial, estimator), "calibration": "none"}
        aucs = []
        for step, (tr, te) in enumerate(splits):
            model = LearnedModel(estimator=estimator, **params)  # type: ignore[arg-type]
            model.fit(X.iloc[tr], target[tr])
            p = model.predict_proba(X.iloc[te])[:, 1]
            aucs.append(float(roc_auc_score(target[te], p)))
            trial.report(float(np.mean(aucs)), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return float(np.mean(aucs))

    started = time.monotonic()
    study.optimize(objective, n_trials=trials or MAX_TRIALS, timeout=budget_seconds)
    seconds = time.monotonic() - started
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    default_score = float(study.trials[0].value) if study.trials[0].value is not None else np.nan
    best = study.best_trial
    return TuneResult(
        estimator=estimator,
        params=dict(best.params),
        best_score=float(best.value if best.value is not None else np.nan),
        default_score=default_score,
        trials=len(study.trials),
        pruned=int(pruned),
        seconds=seconds,
        cv=cv,
        folds=len(splits),
        seed=seed,
        history=[{"number": t.number, "value": t.value, **t.params} for t in complete],
    )


def _space_names(estimator: str) -> tuple[str, ...]:
    if estimator == "logistic":
        return ("C",)
    return (
        "num_leaves",
        "learning_rate",
        "n_estimators",
        "min_child_samples",
        "reg_lambda",
        "subsample",
        "colsample_bytree",
    )
