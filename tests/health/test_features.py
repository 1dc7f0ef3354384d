"""Point-in-time features: same numbers on every backend as plain pandas, and no leakage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from health_reference import features as reference_features
from health_reference import population as reference_population
from health_synthetic import insert, seed

from cxpulse.errors import ConfigError
from cxpulse.health import (
    ExpertModel,
    LearnedModel,
    compute_features,
    compute_labels,
    explain_features,
    parse_health_config,
    training_frame,
)
from cxpulse.health.builtins import BUILTINS
from cxpulse.health.config import HealthConfig, Signal

AS_OF = dt.datetime(2024, 6, 15)
START = dt.date(2024, 1, 1)


def _lookbacks(cfg: HealthConfig) -> dict[str, int]:
    return {s.name: s.lookback_days for s in cfg.signals if s.source in BUILTINS}


def test_features_match_pandas_on_every_backend(workspace, small_data, health_config) -> None:  # type: ignore[no-untyped-def]
    seed(workspace, small_data)
    got = compute_features(workspace, AS_OF, health_config.signals)
    want = reference_features(small_data, AS_OF, _lookbacks(health_config))
    assert len(got) > 5
    assert list(got.index) == list(want.index)
    # atol: SQLite keeps whole seconds, so durations in hours may differ by < 1/3600
    pd.testing.assert_frame_equal(
        got[want.columns], want, check_exact=False, rtol=1e-6, atol=1e-3, check_names=False
    )
    assert got["override"].isna().all()  # no overrides table: missing, not zero


def test_population_excludes_not_yet_started_and_churned(duck, small_data) -> None:  # type: ignore[no-untyped-def]
    seed(duck, small_data)
    for day in ("2024-01-20", "2024-04-01", "2024-08-01"):
        when = dt.datetime.fromisoformat(day)
        ids = compute_features(duck, when, []).index
        assert list(ids) == list(reference_population(small_data, when))


def _future_rows(data: dict[str, pd.DataFrame], as_of: dt.datetime) -> dict[str, pd.DataFrame]:
    """One row per table dated at or after ``as_of`` for every account: must change nothing."""
    ids = list(data["accounts"]["account_id"])
    at = [as_of + dt.timedelta(hours=h) for h in range(len(ids))]  # first one exactly at as_of
    day = [as_of.date() + dt.timedelta(days=1 + i) for i in range(len(ids))]
    n = len(ids)
    return {
        "usage_events": pd.DataFrame(
            {
                "event_id": [f"F{i}" for i in range(n)],
                "account_id": ids,
                "user_id": "new-user",
                "occurred_at": at,
                "feature": "brand-new",
                "quantity": 1.0,
            }
        ),
        "tickets": pd.DataFrame(
            {
                "ticket_id": [f"F{i}" for i in range(n)],
                "account_id": ids,
                "opened_at": at,
                "status": "open",
                "priority": "urgent",
            }
        ),
        "responses": pd.DataFrame(
            {
                "response_id": [f"F{i}" for i in range(2 * n)],
                "account_id": ids * 2,
                "kind": ["nps"] * n + ["csat"] * n,
                "score": [0] * n + [1] * n,
                "responded_at": at * 2,
            }
        ),
        "touchpoints": pd.DataFrame(
            {
                "touchpoint_id": [f"F{i}" for i in range(n)],
                "account_id": ids,
                "occurred_at": at,
                "kind": "call",
                "rating": 1,
            }
        ),
        "invoices": pd.DataFrame(
            {
                "invoice_id": [f"F{i}" for i in range(n)],
                "account_id": ids,
                "issued_at": day,
                "period_start": day,
                "due_date": day,
                "amount": 99999.0,
                "status": "open",
            }
        ),
        "outcomes": pd.DataFrame({"account_id": ids, "outcome": "churn", "occurred_at": day}),
    }


def test_future_events_change_neither_features_nor_scores(duck, small_data, health_config) -> None:  # type: ignore[no-untyped-def]
    seed(duck, small_data)
    before = compute_features(duck, AS_OF, health_config.signals)
    expert = ExpertModel(health_config.signals).fit(before)
    X, y = training_frame(duck, ["2024-03-01", "2024-04-01"], horizon_days=60)
    scores_before = expert.score_points(before)
    for table, rows in _future_rows(small_data, AS_OF).items():
        insert(duck, table, rows)
    after = compute_features(duck, AS_OF, health_config.signals)
    pd.testing.assert_frame_equal(before, after)
    np.testing.assert_allclose(expert.score_points(after), scores_before)
    # and the labels do see the future: every live account now churns in the horizon
    labels = compute_labels(duck, AS_OF, 30, "churn")
    assert (labels == 0).all() and len(labels) == len(before)
    assert len(X) == len(y)


def test_a_learned_score_ignores_future_events(duck, history_data) -> None:  # type: ignore[no-untyped-def]
    seed(duck, history_data)
    X, y = training_frame(duck, ["2024-05-01", "2024-06-01", "2024-07-01"], horizon_days=90)
    model = LearnedModel().fit(X, y)
    when = dt.datetime(2024, 10, 1)
    before = model.score_points(compute_features(duck, when))
    for table, rows in _future_rows(history_data, when).items():
        insert(duck, table, rows)
    np.testing.assert_allclose(model.score_points(compute_features(duck, when)), before)


def test_labels_count_outcomes_inside_the_horizon_only(duck) -> None:  # type: ignore[no-untyped-def]
    ids = ["a", "b", "c", "d", "e"]
    insert(duck, "accounts", pd.DataFrame({"account_id": ids, "start_date": [START] * 5}))
    insert(
        duck,
        "outcomes",
        pd.DataFrame(
            {
                "account_id": ids,
                "outcome": ["churn", "churn", "churn", "churn", "renewal"],
                "occurred_at": [
                    dt.date(2024, 6, 1),
                    dt.date(2024, 6, 2),
                    dt.date(2024, 8, 30),
                    dt.date(2024, 8, 31),
                    dt.date(2024, 6, 10),
                ],
            }
        ),
    )
    churn = compute_labels(duck, "2024-06-01", 90, "churn")
    # a churned on the as-of date: no longer a customer; b and c churn in (t, t + 90 days];
    # d churns on day 91, outside the horizon
    assert churn.to_dict() == {"b": 0, "c": 0, "d": 1, "e": 1}
    assert compute_labels(duck, "2024-06-01", 30, "churn").to_dict() == {
        "b": 0,
        "c": 1,
        "d": 1,
        "e": 1,
    }
    assert compute_labels(duck, "2024-06-01", 30, "renewal").to_dict() == {
        "b": 0,
        "c": 0,
        "d": 0,
        "e": 1,
    }


def test_table_column_sources_are_point_in_time(duck) -> None:  # type: ignore[no-untyped-def]
    insert(
        duck,
        "accounts",
        pd.DataFrame(
            {
                "account_id": ["a", "b"],
                "start_date": [dt.date(2024, 1, 1)] * 2,
                "country": ["DE", "ES"],
                "mrr": [100.0, 250.0],
            }
        ),
    )
    duck.write_table(
        "snap",
        pd.DataFrame(
            {
                "account_id": ["a", "a", "a", "b"],
                "observed_at": pd.to_datetime(
                    ["2024-05-01", "2024-05-20", "2024-06-01", "2024-05-03"]
                ),
                "balance": [1.0, 2.0, 50.0, 7.0],
            }
        ),
    )
    sig = [
        Signal(name="balance", family="financial", source="snap.balance", bad=0, good=10),
        Signal(
            name="germany",
            family="market",
            source="accounts.country=DE",
            bad=1,
            good=0,
            direction="lower_is_better",
        ),
        Signal(name="mrr", family="financial", source="accounts.mrr", bad=0, good=500),
    ]
    got = compute_features(duck, "2024-06-01", sig)
    assert got.to_dict("index") == {
        "a": {"balance": 2.0, "germany": 1.0, "mrr": 100.0},
        "b": {"balance": 7.0, "germany": 0.0, "mrr": 250.0},
    }
    with pytest.raises(ConfigError, match="not numeric"):
        compute_features(
            duck,
            "2024-06-01",
            [Signal(name="c", family="market", source="accounts.country", bad=0, good=1)],
        )
    with pytest.raises(ConfigError, match="does not exist"):
        compute_features(
            duck,
            "2024-06-01",
            [Signal(name="c", family="market", source="nowhere.x", bad=0, good=1)],
        )
    with pytest.raises(ConfigError, match="unknown source"):
        compute_features(
            duck,
            "2024-06-01",
            [Signal(name="c", family="market", source="usage_freq", bad=0, good=1)],
        )


def test_explain_features_shows_the_sql_the_engine_runs(duck) -> None:  # type: ignore[no-untyped-def]
    sql = explain_features(duck, "2024-06-01", parse_health_config({}).signals[:2])
    assert "SELECT" in sql.upper() and "invoices" in sql


def test_overrides_are_the_latest_manual_score_before_the_as_of_date(workspace) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.health import record_override

    insert(workspace, "accounts", pd.DataFrame({"account_id": ["a", "b"], "start_date": START}))
    record_override(workspace, "a", 20, dt.datetime(2024, 5, 1))
    record_override(workspace, "a", 35, dt.datetime(2024, 5, 20))
    record_override(workspace, "a", 90, dt.datetime(2024, 6, 1))  # on the as-of date: later
    with pytest.raises(ConfigError, match="0-100"):
        record_override(workspace, "b", 140)
    sig = parse_health_config({}).signals
    override = next(s for s in sig if s.source == "override")
    got = compute_features(workspace, "2024-06-01", [override])
    assert got["override"].to_dict() == {"a": 35.0, "b": pytest.approx(np.nan, nan_ok=True)}
