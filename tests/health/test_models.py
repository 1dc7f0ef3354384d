"""Expert and learned models: the scikit-learn contract, missing signals, calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from cxpulse.errors import CxpulseError, NotEnoughDataError
from cxpulse.health import ExpertModel, LearnedModel, make_model
from cxpulse.health.config import Signal
from cxpulse.health.models import ModelNotFittedError

NPS = Signal(name="nps", family="relationship", source="latest_nps", bad=4, good=9, weight=3)
TICKETS = Signal(
    name="tickets",
    family="service",
    source="open_important_tickets",
    bad=4,
    good=0,
    direction="lower_is_better",
    weight=1,
)


def _synthetic(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Two signals with a known logistic link to the good outcome; some values missing."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    p_good = 1 / (1 + np.exp(-(1.0 + 1.5 * x1 - 1.0 * x2)))
    y = (rng.random(n) < p_good).astype(int)
    X = pd.DataFrame({"a": x1, "b": x2})
    X.loc[rng.random(n) < 0.1, "b"] = np.nan
    return X, y, p_good


def test_expert_maps_thresholds_and_weights() -> None:
    X = pd.DataFrame({"nps": [9.0, 4.0, 6.5, 10.0, np.nan], "tickets": [0.0, 4.0, 2.0, 9.0, 1.0]})
    model = ExpertModel(signals=(NPS, TICKETS)).fit(X)
    points = model.signal_scores(X)
    assert points["nps"].tolist()[:4] == [100.0, 0.0, 50.0, 100.0]
    assert points["tickets"].tolist() == [100.0, 0.0, 50.0, 0.0, 75.0]
    # weighted mean of the signals present: (3*100 + 1*0) / 4 = 75; missing NPS -> tickets only
    np.testing.assert_allclose(model.score_points(X), [100.0, 0.0, 50.0, 75.0, 75.0])
    contrib = model.contributions(X)
    np.testing.assert_allclose(contrib.sum(axis=1) + 50.0, model.score_points(X))
    assert contrib.loc[4, "nps"] == 0.0  # missing: no push either way
    np.testing.assert_allclose(model.coverage(X), [1, 1, 1, 1, 0.25])


def test_an_account_without_any_signal_scores_neutral() -> None:
    model = ExpertModel(signals=(NPS, TICKETS)).fit(pd.DataFrame({"nps": [1.0], "tickets": [1.0]}))
    empty = pd.DataFrame({"nps": [np.nan], "tickets": [np.nan]})
    assert model.score_points(empty).tolist() == [50.0]
    assert model.coverage(empty).tolist() == [0.0]


def test_models_follow_the_scikit_learn_contract() -> None:
    X, y, _ = _synthetic(800)
    for model in (ExpertModel(signals=(NPS,)), LearnedModel(C=0.5), LearnedModel("lightgbm")):
        params = model.get_params()
        twin = clone(model)
        assert twin.get_params() == params
        assert not [k for k in vars(twin) if k.endswith("_")]  # __init__ stores params only
        with pytest.raises(ModelNotFittedError):
            twin.predict_proba(X)
    learned = LearnedModel()
    assert learned.fit(X, y) is learned
    assert {"feature_names_in_", "model_", "calibrator_", "medians_"} <= set(vars(learned))
    proba = learned.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(learned.predict(X)) <= {0, 1}
    assert 0.5 < learned.score(X, y) <= 1.0
    expert = ExpertModel(signals=(NPS,))
    assert expert.fit(pd.DataFrame({"nps": [5.0]})) is expert


def test_learned_logistic_recovers_the_true_ranking_and_is_calibrated() -> None:
    X, y, _ = _synthetic(6000, seed=1)
    Xt, yt, pt = _synthetic(6000, seed=2)
    model = LearnedModel().fit(X, y)
    p = model.predict_proba(Xt)[:, 1]
    # ranking close to the true probabilities' own ranking
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(yt, p) > roc_auc_score(yt, pt) - 0.02
    # calibrated: observed good rate tracks predicted probability in deciles
    bins = pd.qcut(p, 10, labels=False)
    table = pd.DataFrame({"p": p, "y": yt, "bin": bins}).groupby("bin").mean()
    assert np.abs(table["p"] - table["y"]).max() < 0.06
    # the learned weights have the true signs
    assert model.weights_["a"] > 0 > model.weights_["b"]


def test_isotonic_and_platt_calibration_both_improve_a_miscalibrated_score() -> None:
    X, y, _ = _synthetic(6000, seed=3)
    Xt, yt, _ = _synthetic(6000, seed=4)
    raw = LearnedModel(calibration="none", C=1e-4).fit(X, y)  # heavy shrinkage: squashed odds
    raw_brier = np.mean((raw.predict_proba(Xt)[:, 1] - yt) ** 2)
    for method in ("isotonic", "sigmoid"):
        cal = LearnedModel(calibration=method, C=1e-4).fit(X, y)
        assert cal.calibration_ == method
        assert np.mean((cal.predict_proba(Xt)[:, 1] - yt) ** 2) < raw_brier - 0.005


def test_missing_values_are_imputed_and_flagged_for_logistic() -> None:
    X, y, _ = _synthetic(3000, seed=5)
    model = LearnedModel().fit(X, y)
    assert model.missing_columns_ == ["b"]
    b = X["b"]
    assert model.medians_["b"] == pytest.approx((np.sign(b) * np.log1p(b.abs())).median(), abs=0.2)
    # one coefficient per signal plus one for "b was missing"
    assert model.model_.coef_.shape == (1, 3)
    row = pd.DataFrame({"a": [0.3], "b": [np.nan]})
    assert np.isfinite(model.predict_proba(row)).all()


def test_logistic_contributions_are_exact_log_odds_shares() -> None:
    X, y, _ = _synthetic(3000, seed=6)
    model = LearnedModel(calibration="none").fit(X, y)
    # the reference account: every signal at its training median (computed here with pandas)
    typical = X.median()
    np.testing.assert_allclose(model.reference_account().iloc[0], typical)
    parts = model.log_odds_contributions(X.head(50))
    raw = model.model_.decision_function(model._design(X.head(50)))
    reference = model.model_.decision_function(model._design(typical.to_frame().T))[0]
    assert model.reference_logit_ == pytest.approx(reference)
    np.testing.assert_allclose(parts.sum(axis=1) + reference, raw)
    # a linear model: each share is the log-odds change of moving that signal to the median
    for col in X.columns:
        moved = X.head(50).assign(**{col: typical[col]})
        drop = raw - model.model_.decision_function(model._design(moved))
        np.testing.assert_allclose(parts[col], drop, atol=1e-9)
    # independently: plain scikit-learn on the same design matrix learns the same weights
    plain = LogisticRegression(C=model.C, max_iter=2000).fit(model._design(X), y)
    np.testing.assert_allclose(plain.coef_, model.model_.coef_, rtol=1e-4, atol=1e-6)


def _two_player_shapley(score, x: pd.DataFrame, ref: pd.Series) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Baseline Shapley values of two signals by brute force: the mean of both orders."""
    a, b = x.columns
    only_a = x.assign(**{b: ref[b]})
    only_b = x.assign(**{a: ref[a]})
    none = score(ref.to_frame().T)[0]
    full = score(x)
    return pd.DataFrame(
        {
            a: ((score(only_a) - none) + (full - score(only_b))) / 2,
            b: ((score(only_b) - none) + (full - score(only_a))) / 2,
        },
        index=x.index,
    )


def test_lightgbm_contributions_add_up_to_the_raw_score() -> None:
    X, y, _ = _synthetic(3000, seed=7)
    model = LearnedModel("lightgbm", calibration="none").fit(X, y)
    head = X.head(40)
    parts = model.log_odds_contributions(head)
    raw = model.model_.predict_proba(head.to_numpy(), raw_score=True)
    ref = model.reference_account().iloc[0]
    ref_raw = model.model_.predict_proba(ref.to_frame().T.to_numpy(), raw_score=True)[0]
    np.testing.assert_allclose(parts.sum(axis=1) + ref_raw, raw, rtol=1e-9, atol=1e-9)
    # interventional TreeSHAP against one reference row = brute-force baseline Shapley
    brute = _two_player_shapley(
        lambda f: model.model_.predict_proba(f[list(X.columns)].to_numpy(), raw_score=True),
        head,
        ref,
    )
    np.testing.assert_allclose(parts.to_numpy(), brute.to_numpy(), atol=1e-9)


@pytest.mark.parametrize("calibration", ["sigmoid", "isotonic"])
def test_points_are_exact_shapley_values_of_the_calibrated_score(calibration: str) -> None:
    """Logistic + calibration: the points are the baseline Shapley values of the whole 0-100
    score against the reference account (brute force over both orders), and add up."""
    X, y, _ = _synthetic(3000, seed=8)
    model = LearnedModel(calibration=calibration).fit(X, y)  # type: ignore[arg-type]
    head = X.head(60)
    points = model.contributions(head)
    brute = _two_player_shapley(model.score_points, head, model.reference_account().iloc[0])
    np.testing.assert_allclose(points.to_numpy(), brute.to_numpy(), atol=1e-6)
    total = model.score_points(head) - model.reference_score()
    np.testing.assert_allclose(points.sum(axis=1), total, atol=1e-6)


def test_a_categoricals_levels_are_one_reason_against_its_most_common_level() -> None:
    rng = np.random.default_rng(9)
    n = 3000
    plan = rng.choice(["basic", "pro", "team"], size=n, p=[0.5, 0.3, 0.2])
    usage = rng.normal(size=n)
    logit = 0.8 * usage + np.select([plan == "pro", plan == "team"], [1.0, -1.5], 0.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X = pd.DataFrame({"plan": plan.astype(object), "usage": usage})
    for kind in ("logistic", "lightgbm"):
        model = LearnedModel(kind).fit(X, y)  # type: ignore[arg-type]
        ref = model.reference_account().iloc[0]
        assert ref["plan"] == "basic"
        design = model._design(model.reference_account())[0]
        cols = model._columns()
        hot = [design[cols.index(c)] > design[cols.index("plan=pro")] for c in ["plan=basic"]]
        assert hot == [True]  # the reference's design row is the modal level's pattern
        assert ref["usage"] == pytest.approx(np.median(usage))
        points = model.contributions(X.head(200))
        assert list(points.columns) == ["plan", "usage"]
        np.testing.assert_allclose(
            points.sum(axis=1), model.score_points(X.head(200)) - model.reference_score(), atol=1e-6
        )
        # an account that differs from the reference only in its plan: the plan's points are
        # exactly what re-scoring with the reference plan moves
        team = model.reference_account().assign(plan="team")
        moved = model.score_points(team)[0] - model.reference_score()
        assert model.contributions(team)["plan"].iloc[0] == pytest.approx(moved, abs=1e-6)
        assert model.contributions(team)["usage"].iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_fitting_on_one_outcome_says_what_to_do() -> None:
    X = pd.DataFrame({"a": np.arange(50.0)})
    with pytest.raises(NotEnoughDataError, match="both outcomes"):
        LearnedModel().fit(X, np.ones(50))
    with pytest.raises(CxpulseError, match="weight above 0"):
        ExpertModel(signals=(NPS.model_copy(update={"weight": 0}),)).fit(pd.DataFrame({"nps": [1]}))
    with pytest.raises(CxpulseError, match="lacks the signals"):
        ExpertModel(signals=(NPS,)).fit(pd.DataFrame({"other": [1.0]}))
    with pytest.raises(CxpulseError, match="unknown health model"):
        make_model("forest")
