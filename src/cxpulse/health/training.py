"""Fitting a health model on the workspace's history (as-of dates with a closed horizon).

Every fit reports what it learned from: training rows, bad outcomes (positives), the base
rate, the as-of dates and how they were chosen, and the signals that had no data at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxpulse.errors import ConfigError
from cxpulse.health.config import Signal
from cxpulse.health.dates import plan_dates
from cxpulse.health.features import health_config_of, training_frame
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
    positives: int = 0  # rows with the bad outcome (e.g. churned within the horizon)
    shape: str = "history"  # history | snapshot | given: how the dates were chosen
    no_data: tuple[str, ...] = ()  # signals without a single value: left out
    settings: dict[str, Any] = field(default_factory=dict)
    tuning: dict[str, Any] | None = None  # what ``--tune`` searched and chose

    @property
    def base_rate(self) -> float:
        """Share of training rows with the bad outcome."""
        return self.bad_rate

    def info(self) -> dict[str, Any]:
        """What to store with the model file and show in reports."""
        return {
            "n": self.n,
            "positives": self.positives,
            "base_rate": self.bad_rate,
            "as_of_dates": [d.isoformat() for d in self.as_of_dates],
            "shape": self.shape,
            "no_data": list(self.no_data),
            "settings": dict(self.settings),
            "levels": category_levels(self.model),
            "tuning": dict(self.tuning) if self.tuning else None,
        }


def fit_model(
    ws: Workspace,
    kind: str | None = None,
    *,
    outcome: str | None = None,
    horizon_days: int | None = None,
    as_of_dates: Iterable[Any] | None = None,
    train_from: Any = None,
    train_to: Any = None,
    signals: Iterable[Signal] | None = None,
    tune: bool = False,
    budget_seconds: float | None = None,
    trials: int | None = None,
    **params: Any,
) -> FitResult:
    """Fit ``kind`` (expert, logistic, lightgbm; default from [health] model) on past as-of dates.

    Each as-of date contributes one row per live account, labelled by what happened in the
    following ``horizon_days``; dates come from :func:`cxpulse.health.dates.plan_dates`
    (``as_of_dates`` given, or chosen from the data between ``train_from`` and ``train_to``).
    ``params`` are model settings (see :class:`~cxpulse.health.models.LearnedModel`).
    ``tune`` searches the learned model's settings first (:func:`cxpulse.health.tuning.tune`:
    cross-validation that respects time and accounts, ``budget_seconds`` and/or ``trials``);
    the chosen ones are stored with the model (``info()["tuning"]``).
    """
    cfg = health_config_of(ws)
    out = outcome or cfg.outcome
    horizon = horizon_days or cfg.horizon_days
    sigs = tuple(signals) if signals is not None else cfg.signals
    chosen = kind or ("logistic" if cfg.model == "expert" else cfg.model)
    plan = plan_dates(
        ws, horizon, as_of_dates=as_of_dates, train_from=train_from, train_to=train_to
    )
    X, y = training_frame(ws, plan.dates, horizon_days=horizon, outcome=out, signals=sigs)
    no_data = tuple(s.name for s in sigs if not X[s.name].notna().any())
    # a signal with no value at any date (e.g. no overrides recorded) teaches nothing and
    # would only show up as "no data" in every explanation
    sigs = tuple(s for s in sigs if s.name not in no_data)
    X = X[[s.name for s in sigs]]
    settings = {**cfg_settings(cfg, chosen), **params}
    check_settings(chosen, params)
    if tune and chosen == "expert":
        raise ConfigError(key="health.error.tune_model", values={"model": chosen})
    tuning = None
    if tune:
        from cxpulse.health.models import category_settings
        from cxpulse.health.tuning import DEFAULT_BUDGET_SECONDS
        from cxpulse.health.tuning import tune as search

        budget = budget_seconds if budget_seconds or trials else DEFAULT_BUDGET_SECONDS
        found = search(
            X,
            y,
            chosen,
            base={"categories": category_settings(sigs) or None, **settings},
            budget_seconds=budget,
            trials=trials,
            seed=int(settings.get("random_state", 0)),
            horizon_days=horizon,
        )
        settings.update(found.params)
        tuning = found.to_dict()
    model = make_model(chosen, sigs, **settings).fit(X, y)
    positives = int((y == 0).sum())
    return FitResult(
        model,
        sigs,
        out,
        horizon,
        len(y),
        float(positives / len(y)) if len(y) else float("nan"),
        plan.dates,
        positives=positives,
        shape=plan.shape,
        no_data=no_data,
        settings=model_settings(model),
        tuning=tuning,
    )


def cfg_settings(cfg: Any, kind: str) -> dict[str, Any]:
    """The ``[health.model]`` settings that apply to ``kind``."""
    if kind == "expert":
        return {}
    section = getattr(cfg, "model_settings", None)
    return dict(section.for_estimator(kind)) if section is not None else {}


_ONLY = {
    "logistic": {"C", "transform"},
    "lightgbm": {
        "n_estimators",
        "learning_rate",
        "num_leaves",
        "min_child_samples",
        "subsample",
        "colsample_bytree",
        "reg_lambda",
    },
}


def model_settings(model: HealthModel) -> dict[str, Any]:
    """The settings a learned model was fitted with (those that apply to its estimator);
    {} for the expert model."""
    if not hasattr(model, "base_rate_"):
        return {}
    params = model.get_params()
    other = set().union(*(v for k, v in _ONLY.items() if k != params.get("estimator")))
    # the rare-level thresholds belong to the signals (shown with them), not to the estimator
    other |= {"categories"}
    return {k: v for k, v in params.items() if not callable(v) and k not in other}


def category_levels(model: HealthModel) -> dict[str, dict[str, Any]]:
    """Per categorical signal of a learned model: the levels kept (with their training rows)
    and the rare ones grouped into ``other``."""
    return {
        name: {"levels": dict(zip(lv.levels, lv.counts, strict=True)), "rare": list(lv.rare)}
        for name, lv in getattr(model, "levels_", {}).items()
    }


def check_settings(kind: str, params: dict[str, Any]) -> None:
    """Refuse settings the model does not have (``--set nmu_leaves=31``), naming the valid ones."""
    if not params:
        return
    if kind == "expert":
        allowed: set[str] = set()
    else:
        from cxpulse.health.models import LearnedModel

        shared = {"calibration", "holdout", "random_state", "transform", "categories"}
        own = _ONLY.get(kind, set())
        allowed = (shared | own) & set(LearnedModel().get_params())
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ConfigError(
            key="health.error.setting",
            values={
                "names": ", ".join(unknown),
                "model": kind,
                "allowed": ", ".join(sorted(allowed - {"categories"})) or "-",
            },
        )
