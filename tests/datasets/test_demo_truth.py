"""The hidden health drives what is observable, and the truth files are consistent with it.

Thresholds were measured on the seed-7 small demo (500 accounts, 20k responses) and set with
a margin; the measured value is in each comment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxpulse.datasets import (
    DemoFiles,
    TruthError,
    forecast_churn_probability,
    true_churn_probability,
)


def month_of(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


@pytest.fixture(scope="module")
def truth_m(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    tm = frames["truth_monthly"]
    tm = tm[tm.customer].copy()  # observable activity exists only while a customer
    tm["month"] = pd.to_datetime(tm.month_start)
    return tm


def per_month(df: pd.DataFrame, col: str) -> pd.DataFrame:
    return df.assign(month=month_of(df[col]))


def test_truth_files_have_the_documented_columns(frames: dict[str, pd.DataFrame]) -> None:
    assert list(frames["truth_monthly"].columns) == [
        "account_id",
        "month_start",
        "health",
        "churn_hazard",
        "customer",
    ]
    assert list(frames["truth"].columns) == ["account_id", "base_health", "churned", "churn_date"]
    tm = frames["truth_monthly"]
    assert tm.health.between(0, 100).all() and tm.churn_hazard.between(0, 1).all()
    assert not tm.duplicated(["account_id", "month_start"]).any()
    # rows continue after a churn (counterfactual hazards), flagged as not a customer
    truth = frames["truth"].set_index("account_id")
    last = tm[tm.customer].groupby("account_id").month_start.max()
    churned = truth.index[truth.churned]
    churn_month = pd.to_datetime(truth.churn_date[churned]).dt.to_period("M").dt.to_timestamp()
    assert (pd.to_datetime(last[churned]) == churn_month).all()
    assert tm.groupby("account_id").month_start.max().nunique() == 1


def test_truth_agrees_with_accounts_and_outcomes(frames: dict[str, pd.DataFrame]) -> None:
    acc = frames["accounts"].set_index("account_id")
    truth = frames["truth"].set_index("account_id")
    assert list(acc.index) == list(truth.index)
    assert (acc.end_date.notna() == truth.churned).all()
    churned = truth[truth.churned]
    assert (pd.to_datetime(churned.churn_date) == pd.to_datetime(acc.end_date[churned.index])).all()
    out = frames["outcomes"]
    churn = out[out.outcome == "churn"].set_index("account_id")
    assert set(churn.index) == set(churned.index)
    assert (pd.to_datetime(churn.occurred_at) == pd.to_datetime(churned.churn_date)).all()


def test_mean_nps_csat_ces_follow_health(
    frames: dict[str, pd.DataFrame], truth_m: pd.DataFrame
) -> None:
    r = per_month(frames["responses"], "responded_at")
    for kind, floor in (("nps", 0.6), ("csat", 0.55), ("ces", 0.55)):  # 0.73, 0.68, 0.66
        m = (
            r[r.kind == kind]
            .groupby(["account_id", "month"])
            .score.mean()
            .rename("score")
            .reset_index()
            .merge(truth_m, on=["account_id", "month"])
        )
        assert len(m) > 1000
        assert np.corrcoef(m.score, m.health)[0, 1] > floor, kind


def test_churned_accounts_had_lower_health(frames: dict[str, pd.DataFrame]) -> None:
    t = frames["truth"]
    gap = t[~t.churned].base_health.mean() - t[t.churned].base_health.mean()
    assert gap > 10  # measured 17.5 points


def test_empirical_churn_matches_the_hazards(frames: dict[str, pd.DataFrame]) -> None:
    tm = frames["truth_monthly"]
    p = tm.churn_hazard[tm.customer]  # months at risk: through the churn month
    expected, sd = p.sum(), np.sqrt((p * (1 - p)).sum())
    observed = frames["truth"].churned.sum()
    assert abs(observed - expected) < 3 * sd  # 121 vs 127.8, sd 10.8


def test_usage_depth_and_utilisation_rise_with_health(
    frames: dict[str, pd.DataFrame], truth_m: pd.DataFrame
) -> None:
    u = per_month(frames["usage_events"], "occurred_at")
    g = (
        u.groupby(["account_id", "month"])
        .agg(users=("user_id", "nunique"), features=("feature", "nunique"))
        .reset_index()
        .merge(truth_m, on=["account_id", "month"])
    )
    licenses = frames["accounts"].set_index("account_id").licenses
    g["utilisation"] = g.users / licenses.reindex(g.account_id).to_numpy()
    assert np.corrcoef(g.features, g.health)[0, 1] > 0.7  # 0.86
    assert np.corrcoef(g.utilisation, g.health)[0, 1] > 0.3  # 0.46


def test_unhealthy_accounts_open_more_and_more_urgent_tickets(
    frames: dict[str, pd.DataFrame], truth_m: pd.DataFrame
) -> None:
    t = per_month(frames["tickets"], "opened_at")
    counts = t.groupby(["account_id", "month"]).size().rename("tickets").reset_index()
    g = truth_m.merge(counts, on=["account_id", "month"], how="left").fillna({"tickets": 0})
    assert np.corrcoef(g.tickets, g.health)[0, 1] < -0.15  # -0.29
    tk = t.merge(truth_m, on=["account_id", "month"])
    tercile = pd.qcut(tk.health, 3, labels=False)
    important = tk.priority.isin(["high", "urgent"]).groupby(tercile).mean()
    assert important.is_monotonic_decreasing and important[0] > 2 * important[2]


def test_csm_ratings_and_payments_follow_health(
    frames: dict[str, pd.DataFrame], truth_m: pd.DataFrame
) -> None:
    tp = per_month(frames["touchpoints"], "occurred_at").dropna(subset=["rating"])
    tp = tp.merge(truth_m, on=["account_id", "month"])
    assert np.corrcoef(tp.rating, tp.health)[0, 1] > 0.6  # 0.83
    inv = per_month(frames["invoices"], "period_start").merge(truth_m, on=["account_id", "month"])
    late = (pd.to_datetime(inv.paid_at) > pd.to_datetime(inv.due_date)) | (inv.status == "open")
    by_tercile = late.groupby(pd.qcut(inv.health, 3, labels=False)).mean()
    assert by_tercile[0] > 5 * by_tercile[2]  # 0.38 vs 0.005


def test_expansions_happen_when_health_is_high(
    frames: dict[str, pd.DataFrame], truth_m: pd.DataFrame
) -> None:
    out = frames["outcomes"]
    exp = per_month(out[out.outcome == "expansion"], "occurred_at")
    exp = exp.merge(truth_m, on=["account_id", "month"])
    assert len(exp) > 50
    assert exp.health.mean() > truth_m.health.mean() + 10


def test_revenue_retention_is_realistic(frames: dict[str, pd.DataFrame]) -> None:
    inv = per_month(frames["invoices"], "period_start")
    revenue = inv.groupby(["account_id", "month"]).amount.sum().unstack()
    first, year_later = revenue.columns[0], revenue.columns[12]
    base = revenue[first].dropna()
    later = revenue.loc[base.index, year_later].fillna(0.0)
    grr = np.minimum(later, base).sum() / base.sum()
    nrr = later.sum() / base.sum()
    assert 0.7 < grr < 0.95 and 0.9 < nrr < 1.25 and nrr > grr  # 0.80, 1.05


def _alive_labels(
    frames: dict[str, pd.DataFrame], probs: pd.DataFrame, as_of: str, days: int
) -> tuple[np.ndarray, np.ndarray]:
    acc = frames["accounts"].set_index("account_id").loc[probs.account_id]
    start, end = pd.to_datetime(acc.start_date), pd.to_datetime(acc.end_date)
    t0 = pd.Timestamp(as_of)
    alive = ((start <= t0) & (end.isna() | (end > t0))).to_numpy()
    churn = ((end > t0) & (end <= t0 + pd.Timedelta(days=days))).to_numpy()
    return probs.probability.to_numpy()[alive], churn[alive]


def test_true_churn_probability_is_calibrated_on_the_observed_churn(
    demo: DemoFiles, frames: dict[str, pd.DataFrame]
) -> None:
    predicted, observed, variance = 0.0, 0, 0.0
    for as_of in ("2025-02-01", "2025-05-02", "2025-07-31", "2025-10-29", "2026-01-27"):
        probs = true_churn_probability(demo.truth_monthly, as_of, 90)
        p, y = _alive_labels(frames, probs, as_of, 90)
        predicted += p.sum()
        variance += (p * (1 - p)).sum()
        observed += int(y.sum())
    assert abs(observed - predicted) < 3 * np.sqrt(variance)


def _monte_carlo(
    tm: pd.DataFrame, as_of: pd.Timestamp, days: int, paths: int, rng: np.random.Generator
) -> pd.Series:
    """Re-simulate the generator's churn process day by day, keep paths alive at as_of."""
    out = {}
    end = as_of + pd.Timedelta(days=days)
    for account, rows in tm.groupby("account_id"):
        rows = rows.sort_values("month_start")
        rows = rows[pd.to_datetime(rows.month_start) >= as_of.to_period("M").to_timestamp()]
        churn_at = np.full(paths, np.datetime64("NaT"), dtype="datetime64[D]")
        alive = np.ones(paths, dtype=bool)
        for start, p in zip(pd.to_datetime(rows.month_start), rows.churn_hazard, strict=True):
            n_days = start.days_in_month
            hit = alive & (rng.random(paths) < p)
            day = np.datetime64(start.date()) + rng.integers(0, n_days, paths)
            churn_at[hit] = day[hit]
            alive &= ~hit
        ok = np.isnat(churn_at) | (churn_at > np.datetime64(as_of.date()))
        inside = ~np.isnat(churn_at) & (churn_at <= np.datetime64(end.date()))
        out[account] = (ok & inside).sum() / ok.sum()
    return pd.Series(out)


def test_true_churn_probability_matches_a_monte_carlo_of_the_process(
    frames: dict[str, pd.DataFrame],
) -> None:
    tm = frames["truth_monthly"]
    as_of = pd.Timestamp("2025-06-17")
    probs = true_churn_probability(tm, as_of, 75).set_index("account_id").probability
    riskiest = probs.sort_values().index[-40:]  # the largest probabilities: a sharp test
    mc = _monte_carlo(tm[tm.account_id.isin(riskiest)], as_of, 75, 20_000, np.random.default_rng(3))
    p = probs[mc.index]
    se = np.sqrt(p * (1 - p) / 20_000)
    assert (p > 0.05).all()
    assert (np.abs(mc - p) < 4.5 * se + 1e-9).all()


def test_true_churn_probability_rejects_bad_input() -> None:
    with pytest.raises(TruthError, match="horizon_days"):
        true_churn_probability(pd.DataFrame(), "2025-01-01", 0)
    with pytest.raises(TruthError, match="lacks columns"):
        true_churn_probability(pd.DataFrame({"account_id": []}), "2025-01-01", 30)
    with pytest.raises(TruthError, match="must be a path"):
        true_churn_probability([1, 2], "2025-01-01", 30)


def test_true_churn_probability_counts_days_exactly() -> None:
    # June has 30 days; alive after day 10, churn on days 11-15: 0.6*5/30 / (1 - 0.6*10/30)
    tm = pd.DataFrame(
        {"account_id": ["a"], "month_start": [pd.Timestamp("2025-06-01")], "churn_hazard": [0.6]}
    )
    p = true_churn_probability(tm, "2025-06-10", 5).probability.iloc[0]
    assert p == pytest.approx(0.1 / 0.8)
    # a window over two whole months of hazard 0.2 each: 1 - 0.8 * 0.8
    tm2 = pd.DataFrame(
        {
            "account_id": ["b", "b", "b"],
            "month_start": pd.to_datetime(["2025-05-01", "2025-06-01", "2025-07-01"]),
            "churn_hazard": [0.9, 0.2, 0.2],
        }
    )
    assert true_churn_probability(tm2, "2025-05-31", 61).probability.iloc[0] == pytest.approx(0.36)


def test_forecast_is_calibrated_and_ranks_below_the_realised_hazards(
    demo: DemoFiles, frames: dict[str, pd.DataFrame]
) -> None:
    from sklearn.metrics import roc_auc_score

    predicted, observed, variance = 0.0, 0, 0.0
    realised_p, forecast_p, labels = [], [], []
    for as_of in ("2025-02-01", "2025-05-02", "2025-07-31", "2025-10-29", "2026-01-27"):
        q = forecast_churn_probability(demo.truth_monthly, demo.truth, as_of, 90, paths=400)
        p = true_churn_probability(demo.truth_monthly, as_of, 90)
        assert list(q.account_id) == list(p.account_id)
        qa, y = _alive_labels(frames, q, as_of, 90)
        pa_, _ = _alive_labels(frames, p, as_of, 90)
        predicted += qa.sum()
        variance += (qa * (1 - qa)).sum()
        observed += int(y.sum())
        realised_p.append(pa_)
        forecast_p.append(qa)
        labels.append(y)
    assert abs(observed - predicted) < 3 * np.sqrt(variance)
    y_all = np.concatenate(labels)
    auc_realised = roc_auc_score(y_all, np.concatenate(realised_p))
    auc_forecast = roc_auc_score(y_all, np.concatenate(forecast_p))
    assert 0.65 < auc_forecast < auc_realised  # measured 0.81 < 0.83


def test_forecast_within_the_current_month_is_the_known_hazard(demo: DemoFiles) -> None:
    # a window that ends inside the month of as_of needs no future: both must agree exactly
    q = forecast_churn_probability(demo.truth_monthly, demo.truth, "2025-03-05", 10, paths=5)
    p = true_churn_probability(demo.truth_monthly, "2025-03-05", 10)
    assert np.allclose(q.probability, p.probability)
    assert (p.probability > 0).mean() > 0.9
