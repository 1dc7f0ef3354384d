"""Properties that hold for any data: bounds, intervals around the estimate, shrinking with n."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxpulse.metrics import query
from cxpulse.workspace import Workspace


def _workspace(kind: str, scores: list[int], copies: int = 1) -> Workspace:
    ws = Workspace.connect("duckdb://")
    all_scores = scores * copies
    ws.con.insert(
        "responses",
        pd.DataFrame(
            {
                "response_id": [f"r{i}" for i in range(len(all_scores))],
                "account_id": "a",
                "kind": kind,
                "score": np.array(all_scores, dtype="int64"),
                "responded_at": pd.Timestamp("2026-01-15"),
            }
        ),
    )
    return ws


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_nps_within_bounds_and_interval_holds_it(scores: list[int]) -> None:
    row = query(_workspace("nps", scores), "nps").rows[0]
    assert -100 <= row.ci_low <= row.value <= row.ci_high <= 100
    assert row.n == len(scores)
    split = row.extra
    total = split["pct_promoters"] + split["pct_passives"] + split["pct_detractors"]
    assert abs(total - 100) < 1e-9


@FAST
@given(
    st.lists(st.integers(0, 10), min_size=2, max_size=40).filter(
        lambda s: len({(x >= 9) - (x <= 6) for x in s}) > 1  # two NPS categories at least
    )
)
def test_nps_interval_shrinks_with_n(scores: list[int]) -> None:
    small = query(_workspace("nps", scores), "nps").rows[0]
    large = query(_workspace("nps", scores, copies=4), "nps").rows[0]
    assert large.value == small.value
    assert large.ci_high - large.ci_low < small.ci_high - small.ci_low


@FAST
@given(st.lists(st.integers(1, 5), min_size=1, max_size=60))
def test_csat_percent_interval_within_0_100(scores: list[int]) -> None:
    rows = {r.metric: r for r in query(_workspace("csat", scores), ["csat", "csat_mean"]).rows}
    csat = rows["csat"]
    assert 0 <= csat.ci_low <= csat.value <= csat.ci_high <= 100
    assert csat.small_sample == (len(scores) < 30)
    mean = rows["csat_mean"]
    assert 1 <= mean.value <= 5
    if len(scores) > 1:
        assert mean.ci_low <= mean.value <= mean.ci_high
