"""The demo's learned model bands that mean something: at least 10 % of accounts red on the
day it is built, and in the backtest the red band churns at least twice the average.

Built for a late-month day, the hardest case: invoices fall due on the 1st, so overdue
amounts (and the riskiest share) swing with the day of the month; the demo trains on the 1st
and the 16th ("semimonthly") so its bands hold on any day.

The build fits the models and stores the model report; the backtest here reads the training
rows the build made (one ``reusing_frames`` block: building features as of a date is most of
the time), and the stored report must carry the same backtest figures.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cxpulse.demo import build_demo

TODAY = date(2026, 11, 25)


def test_small_demo_learned_model_reds_are_many_and_riskier(tmp_path: Path) -> None:
    from cxpulse.health import evaluate
    from cxpulse.health.features import health_config_of
    from cxpulse.health.frame_reuse import reusing_frames
    from cxpulse.health.stored_report import report_view
    from cxpulse.workspace import Workspace

    with reusing_frames():
        build_demo(tmp_path, size="small", today=TODAY, progress=False, parts=("health",))
        with Workspace.open(tmp_path) as ws:
            cfg = health_config_of(ws)
            assert cfg.training_dates == "semimonthly" and cfg.bands.red_ratio == 1.3
            scores = ws.table("health_scores").execute()
            scores["as_of"] = pd.to_datetime(scores["as_of"]).dt.date
            today = scores[(scores["model"] == "logistic") & (scores["as_of"] == TODAY)]
            assert len(today) > 400
            red_share = float((today["band"] == "red").mean())
            assert red_share >= 0.10, red_share
            report = evaluate(ws)
            stored = {n: report_view(ws, n) for n in ("expert", "logistic")}
    preds = report.predictions
    mine = preds[preds["model"] == "logistic"]
    # independently: churn rate of the red band over the average, from the pooled predictions
    bad = 1 - mine["good"].to_numpy()
    red = mine["band"].to_numpy() == "red"
    ratio = bad[red].mean() / bad.mean()
    assert ratio >= 2.0, ratio
    assert np.isclose(report["logistic"].bands["red"]["ratio"], ratio)
    # the build stored the report of the active (expert) and the fitted (logistic) model, up
    # to date, with this backtest's figures
    for name, doc in stored.items():
        assert doc is not None and doc["model"] == name and not doc["stored"]["stale"]
        shown = {m["model"]: m for m in doc["evaluation"]["models"]}
        for model in ("expert", "logistic", "lightgbm"):
            assert shown[model]["n"] == report[model].n
            assert np.isclose(shown[model]["roc_auc"], report[model].roc_auc)
        assert np.isclose(shown["logistic"]["bands"]["red"]["ratio"], ratio)
