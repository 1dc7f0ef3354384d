"""Bands from calibrated risk: cut-offs, their meaning in words, and what they catch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxpulse.errors import ConfigError
from cxpulse.health import ExpertModel, LearnedModel
from cxpulse.health.bands import BandCutoffs, band_cutoffs, band_meanings
from cxpulse.health.config import Bands, Signal


def _learned(bad_rate: float, n: int = 2000) -> LearnedModel:
    rng = np.random.default_rng(1)
    x = rng.normal(size=n)
    y = (rng.random(n) > bad_rate * np.exp(x) / np.exp(x).mean()).astype(int)
    return LearnedModel("logistic").fit(pd.DataFrame({"x": x}), y)


def test_risk_ratio_turns_multiples_of_the_base_rate_into_score_cut_offs() -> None:
    model = _learned(0.05)
    base = 1 - model.base_rate_
    cut = band_cutoffs(model, Bands())  # auto: risk_ratio for a learned model
    assert cut.method == "risk_ratio" and cut.base_risk == pytest.approx(base)
    assert cut.red_below == pytest.approx(100 * (1 - 1.5 * base))
    assert cut.green_from == pytest.approx(100 * (1 - 1.0 * base))
    scores = model.score_points(pd.DataFrame({"x": np.linspace(-3, 3, 200)}))
    bands = np.array(cut.bands_for(scores))
    risk = 1 - scores / 100
    assert (bands == "red").sum() > 0
    assert set(bands[risk > 1.5 * base + 1e-9]) == {"red"}
    assert set(bands[risk <= base - 1e-9]) == {"green"}
    share = band_cutoffs(model, Bands(method="risk_share", red_share=0.1, yellow_share=0.3))
    train = model.score_points(pd.DataFrame({"x": np.random.default_rng(1).normal(size=2000)}))
    assert np.mean(train < share.red_below) == pytest.approx(0.10, abs=0.01)
    s = Signal(name="x", family="product", source="usage_frequency", bad=0, good=1)
    expert = ExpertModel((s,)).fit(pd.DataFrame({"x": [1.0]}))
    assert band_cutoffs(expert, Bands()) == BandCutoffs("score", 40.0, 70.0, None)
    with pytest.raises(ConfigError, match="needs a learned model"):
        band_cutoffs(expert, Bands(method="risk_ratio"))


def test_band_meanings_state_the_risk_and_the_multiple_of_the_average() -> None:
    scores = np.array([60.0, 64.0, 90.0, 95.0, 96.0, 97.0])
    cut = BandCutoffs("risk_ratio", 85.0, 94.0, 0.08)
    bands = cut.bands_for(scores)
    es = band_meanings(scores, bands, cut, outcome="churn", horizon_days=90, lang="es")
    risk = 1 - scores / 100
    red = risk[:2].mean()
    ratio = red / risk.mean()
    spaced = es["red"].replace("\u202f", " ").replace("\xa0", " ")  # the locale's % spacing
    assert spaced == f"Roja: {100 * red:.0f} % de riesgo de baja en 90 días, " + (
        f"{ratio:.1f}".replace(".", ",") + "× el promedio"
    )
    en = band_meanings(scores, bands, cut, outcome="churn", horizon_days=90, lang="en")
    assert en["red"].startswith(f"Red: {100 * red:.0f}")
    assert f"{ratio:.1f}× the average" in en["red"]
    fixed = band_meanings(scores, bands, BandCutoffs("score", 40, 70), outcome="churn",
                          horizon_days=90, lang="en")  # fmt: skip
    assert fixed["red"] == "Red: score below 40"


def test_the_demo_learned_model_marks_a_red_band_that_churns_at_least_twice_as_much(
    tmp_path: Path,
) -> None:
    """A demo company (300 accounts, 18 months): in the rolling backtest the learned model puts
    at least 10% of accounts in red, and they churn at least twice as often as the average."""
    from cxpulse.datasets import load_demo
    from cxpulse.health import evaluate
    from cxpulse.project import init_project
    from cxpulse.workspace import Workspace

    init_project(tmp_path / "p")
    with Workspace.open(tmp_path / "p") as ws:
        load_demo(
            ws, tmp_path / "p" / "data", accounts=300, responses=6000, months=18,
            start="2025-06-01", seed=7, progress=False,
        )  # fmt: skip
        report = evaluate(ws, {"logistic": LearnedModel("logistic")}, test_dates=3)
    m = report["logistic"]
    preds = report.predictions
    churned = 1 - preds["good"]
    in_red = preds["band"] == "red"
    share, ratio = in_red.mean(), churned[in_red].mean() / churned.mean()
    assert m.bands["red"]["share"] == pytest.approx(share)
    assert m.bands["red"]["ratio"] == pytest.approx(ratio)
    assert share >= 0.10 and ratio >= 2.0, (share, ratio)
