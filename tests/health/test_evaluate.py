"""Rolling as-of backtest: expert and learned side by side, figures checked with scikit-learn."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from cxpulse.errors import NotEnoughDataError
from cxpulse.health import ExpertModel, LearnedModel, evaluate, fit_model, parse_health_config
from cxpulse.health.evaluate import backtest_dates, monthly_dates


def test_rolling_backtest_compares_models_and_matches_scikit_learn(history_ws) -> None:  # type: ignore[no-untyped-def]
    cfg = parse_health_config({})
    models = {"expert": ExpertModel(cfg.signals), "logistic": LearnedModel()}
    dates = monthly_dates(dt.date(2024, 4, 1), dt.date(2024, 12, 1))
    report = evaluate(history_ws, models, horizon_days=90, as_of_dates=dates, test_dates=2)
    frame = report.to_frame().set_index("model")
    assert list(frame.index) == ["expert", "logistic"]
    for name in frame.index:
        preds = report.predictions[report.predictions["model"] == name]
        # only the two test dates are scored; the model never saw a label after t - horizon
        assert sorted(set(preds["as_of"])) == [dt.date(2024, 11, 1), dt.date(2024, 12, 1)]
        y, p = preds["good"].to_numpy(), preds["p"].to_numpy()
        m = report[name]
        assert m.n == len(preds)
        assert m.roc_auc == pytest.approx(roc_auc_score(y, p))
        assert m.pr_auc == pytest.approx(average_precision_score(1 - y, 1 - p))
        assert m.brier == pytest.approx(brier_score_loss(y, p))
        assert m.bad_rate == pytest.approx(1 - y.mean())
        riskiest = np.argsort(p, kind="mergesort")[: round(len(p) / 10)]
        assert m.top_decile_bad_rate == pytest.approx(1 - y[riskiest].mean())
        assert sum(b.n for b in m.calibration) == len(preds)
    # the synthetic signals carry the hidden health: both rank far better than chance, and the
    # riskiest decile churns well above the average
    assert frame.loc["expert", "roc_auc"] > 0.65
    assert frame.loc["logistic", "roc_auc"] > 0.65
    assert frame.loc["logistic", "lift"] > 1.5
    # calibrated learned probabilities beat the uncalibrated expert score on Brier
    assert frame.loc["logistic", "brier"] < frame.loc["expert", "brier"]


def test_backtest_dates_leave_a_closed_horizon(history_ws) -> None:  # type: ignore[no-untyped-def]
    dates = backtest_dates(history_ws, 90)
    last_event = pd.Timestamp(history_ws.table("usage_events").occurred_at.max().execute()).date()
    assert dates[0] >= dt.date(2024, 4, 1)
    assert dates[-1] + dt.timedelta(days=90) <= last_event
    assert all(d.day == 1 for d in dates)


def test_fit_model_learns_from_closed_horizons_only(history_ws) -> None:  # type: ignore[no-untyped-def]
    result = fit_model(history_ws, "logistic", horizon_days=90)
    assert result.as_of_dates == backtest_dates(history_ws, 90)
    assert result.n > 1000 and 0.02 < result.bad_rate < 0.5
    assert result.model.weights_["latest_nps"] > 0  # a better NPS means a healthier account
    # no overrides were recorded: the signal is left out rather than learned as a constant
    assert "override" not in result.model.feature_names_in_
    assert "override" not in {s.name for s in result.signals}


def test_backtest_on_an_empty_workspace_says_what_is_missing(duck) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotEnoughDataError, match="no outcomes recorded"):
        evaluate(duck)
