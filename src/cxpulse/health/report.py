"""The model report: what the active model learned from, its settings, how it backtests beside
the expert model, lift by decile, and whether its calibration has drifted (refit advice).

Computing it runs the whole backtest (minutes on a long history), so it is stored beside the
model when the model is fitted and read back at once: see :mod:`cxpulse.health.stored_report`.

Drift: the saved model (not refitted) scores the most recent as-of dates whose horizon is
closed; when the predicted bad-outcome rate and the observed one differ by more than
``DRIFT_TOLERANCE`` (relative, at least ``DRIFT_FLOOR`` absolute) on any of them, a refit is
recommended — the "update the system regularly" step of the health score method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import clone

from cxpulse.errors import NotEnoughDataError
from cxpulse.health.current import active_model, active_model_name
from cxpulse.health.dates import plan_dates
from cxpulse.health.evaluate import EvaluationReport, default_models, evaluate, evaluate_holdout_ws
from cxpulse.health.features import health_config_of, training_frame
from cxpulse.health.persistence import model_path
from cxpulse.locale import LANGUAGES

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

DRIFT_TOLERANCE = 0.25
DRIFT_FLOOR = 0.02


@dataclass(frozen=True)
class DriftPoint:
    """One recent as-of date: predicted vs observed bad-outcome rate."""

    as_of: dt.date
    n: int
    predicted: float
    observed: float

    @property
    def drifted(self) -> bool:
        gap = abs(self.predicted - self.observed)
        return gap > max(DRIFT_FLOOR, DRIFT_TOLERANCE * max(self.observed, 1e-9))


@dataclass(frozen=True)
class ModelReport:
    model: str
    info: dict[str, Any]
    evaluation: EvaluationReport
    deciles: list[dict[str, float]] = field(default_factory=list)  # riskiest first
    drift: list[DriftPoint] = field(default_factory=list)

    @property
    def refit_recommended(self) -> bool:
        return any(p.drifted for p in self.drift)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "training": self.info,
            "evaluation": {
                **self.evaluation.to_dict(),
                "models": [
                    # why a model was not (fully) evaluated, in each language, so a stored
                    # report reads in the reader's language
                    {**m.to_dict(), "reason_in": {lang: m.reason_in(lang) for lang in LANGUAGES}}
                    for m in self.evaluation.models
                ],
            },
            "lift_by_decile": self.deciles,
            "drift": [
                {
                    "as_of": p.as_of.isoformat(),
                    "n": p.n,
                    "predicted": p.predicted,
                    "observed": p.observed,
                    "drifted": p.drifted,
                }
                for p in self.drift
            ],
            "refit_recommended": self.refit_recommended,
        }


def lift_by_decile(good: np.ndarray, p: np.ndarray) -> list[dict[str, float]]:
    """Bad-outcome rate and lift per decile of predicted risk, riskiest first."""
    bad = 1.0 - np.asarray(good, dtype="float64")
    order = np.argsort(np.asarray(p, dtype="float64"), kind="mergesort")
    overall = float(bad.mean()) if len(bad) else float("nan")
    out = []
    for i, chunk in enumerate(np.array_split(order, 10), start=1):
        if len(chunk) == 0:
            continue
        rate = float(bad[chunk].mean())
        out.append(
            {
                "decile": i,
                "n": len(chunk),
                "bad_rate": rate,
                "lift": rate / overall if overall > 0 else float("nan"),
            }
        )
    return out


def model_report(
    ws: Workspace, *, model: str | None = None, holdout: float | None = None, seed: int = 0
) -> ModelReport:
    """The report of ``model`` (default: the active model); see the module docstring.

    Computing it runs the whole backtest; pages and commands read the stored one
    (:func:`report_view`) and :func:`refresh_reports` recomputes and stores it.
    """
    return model_reports(ws, [model or active_model_name(ws)], holdout=holdout, seed=seed)[0]


def comparison_models(ws: Workspace) -> dict[str, Any]:
    """The models a report backtests side by side: expert, logistic and LightGBM, each learned
    one with the settings of its saved fit when there is one (else ``[health.model]``), so a
    report's figures do not depend on which model it is about."""
    cfg = health_config_of(ws)
    models = default_models(cfg.signals, cfg)
    folder = ws.config.project_dir
    for name in list(models):
        if folder is None or not model_path(folder, name).exists():
            continue
        saved = active_model(ws, name)
        if hasattr(saved.model, "base_rate_"):
            models[name] = clone(saved.model)
    return models


def model_reports(
    ws: Workspace, names: Iterable[str], *, holdout: float | None = None, seed: int = 0
) -> list[ModelReport]:
    """The reports of several models from one backtest per (outcome, horizon) they predict."""
    chosen = list(dict.fromkeys(names))
    saved = {name: active_model(ws, name) for name in chosen}
    models = comparison_models(ws)
    evaluations: dict[tuple[str, int], tuple[EvaluationReport, list[dt.date]]] = {}
    out = []
    for name in chosen:
        model = saved[name]
        target = (model.outcome, model.horizon_days)
        if target not in evaluations:
            evaluations[target] = _evaluation(ws, models, target, holdout, seed)
        evaluation, dates = evaluations[target]
        out.append(_report_of(ws, name, model, evaluation, dates))
    return out


def _evaluation(
    ws: Workspace,
    models: dict[str, Any],
    target: tuple[str, int],
    holdout: float | None,
    seed: int,
) -> tuple[EvaluationReport, list[dt.date]]:
    outcome, horizon = target
    plan = plan_dates(ws, horizon)
    if holdout is None and len(plan.dates) < 2:
        holdout = 0.3  # a snapshot has one as-of date: hold accounts out instead
    if holdout is not None:
        evaluation = evaluate_holdout_ws(
            ws, models, test_size=holdout, random_state=seed, outcome=outcome,
            horizon_days=horizon, as_of_dates=plan.dates,
        )  # fmt: skip
    else:
        evaluation = evaluate(
            ws, models, outcome=outcome, horizon_days=horizon, as_of_dates=plan.dates
        )
    return evaluation, plan.dates


def _report_of(
    ws: Workspace, name: str, saved: Any, evaluation: EvaluationReport, dates: list[dt.date]
) -> ModelReport:
    preds = evaluation.predictions
    mine = preds[preds["model"] == name] if len(preds) else preds
    deciles = lift_by_decile(mine["good"].to_numpy(), mine["p"].to_numpy()) if len(mine) else []
    drift: list[DriftPoint] = []
    # the catalogue's signals when the model's are among them: the rows the backtest built
    # (the model reads its own columns of them)
    catalogue = health_config_of(ws).signals
    signals = catalogue if all(s in catalogue for s in saved.signals) else saved.signals
    if hasattr(saved.model, "base_rate_") and len(dates) >= 2:
        for day in dates[-3:]:
            try:
                X, y = training_frame(
                    ws, [day], horizon_days=saved.horizon_days, outcome=saved.outcome,
                    signals=signals,
                )  # fmt: skip
            except NotEnoughDataError:
                continue
            if not len(y):
                continue
            names = [str(c) for c in saved.model.feature_names_in_]
            p_good = saved.model.predict_proba(X[names])[:, 1]
            drift.append(DriftPoint(day, len(y), float(1 - p_good.mean()), float(1 - y.mean())))
    info = {"fitted_at": saved.fitted_at, "outcome": saved.outcome, **saved.info}
    return ModelReport(name, info, evaluation, deciles, drift)
