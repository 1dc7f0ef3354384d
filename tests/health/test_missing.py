"""Missing is missing: no rows in a source is no data, not zero; fits list signals without data."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cxpulse.health import compute_features, fit_model
from cxpulse.health.config import parse_health_config


def test_an_account_never_seen_in_usage_has_no_usage_not_zero(history_ws) -> None:  # type: ignore[no-untyped-def]
    ws = history_ws
    as_of = dt.datetime(2024, 9, 1)
    usage = ws.table("usage_events").execute()
    sigs = [s for s in parse_health_config({}).signals if s.source == "usage_frequency"]
    before = compute_features(ws, as_of, sigs)
    ids = sorted(before.index[before["usage_frequency"] > 0])
    never, idle = ids[0], ids[1]
    # one account loses all usage rows, another only those of the last 30 days
    usage["occurred_at"] = pd.to_datetime(usage["occurred_at"])
    recent = usage["occurred_at"] >= pd.Timestamp(as_of - dt.timedelta(days=30))
    keep = ~((usage["account_id"] == never) | ((usage["account_id"] == idle) & recent))
    ws.con.create_table("usage_events", usage[keep], overwrite=True)
    X = compute_features(ws, as_of, sigs)
    assert pd.isna(X.loc[never, "usage_frequency"])  # never tracked: missing
    assert X.loc[idle, "usage_frequency"] == 0.0  # tracked, no events in the window: zero
    # the expert score leaves the missing signal out instead of counting it as bad usage
    seen_earlier = usage[keep & (usage["occurred_at"] < pd.Timestamp(as_of))]["account_id"]
    expected = set(X.index) - set(seen_earlier)
    assert set(X.index[X["usage_frequency"].isna()]) == expected


def test_fit_lists_the_signals_without_any_data(history_ws) -> None:  # type: ignore[no-untyped-def]
    result = fit_model(history_ws, "logistic", horizon_days=90)
    assert "override" in result.no_data  # nobody recorded a manual score
    assert "override" not in [s.name for s in result.signals]
    assert result.positives == round(result.bad_rate * result.n)
    assert result.info()["no_data"] == list(result.no_data)
