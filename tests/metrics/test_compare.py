"""compare(): differences between periods with a significance test, on constructed data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxpulse.metrics import MetricQueryError, compare


def _answers(kind: str, month: str, scores: list[int], segment: str = "SMB") -> pd.DataFrame:
    start = pd.Timestamp(f"{month}-01")
    return pd.DataFrame(
        {
            "response_id": [f"{kind}-{month}-{segment}-{i}" for i in range(len(scores))],
            "account_id": segment,
            "kind": kind,
            "score": scores,
            "responded_at": [start + pd.Timedelta(hours=7 * i % 600) for i in range(len(scores))],
        }
    )


@pytest.fixture
def surveyed(duck):  # type: ignore[no-untyped-def]
    duck.load(
        "accounts",
        pd.DataFrame(
            {
                "account_id": ["SMB", "ENT"],
                "segment": ["SMB", "Enterprise"],
                "start_date": [pd.Timestamp("2024-01-01").date()] * 2,
            }
        ),
    )
    frames = [
        # NPS: September clearly better than August for SMB; Enterprise unchanged
        _answers("nps", "2026-09", [10] * 60 + [8] * 20 + [3] * 20),
        _answers("nps", "2026-08", [10] * 30 + [8] * 20 + [3] * 50),
        _answers("nps", "2026-09", [9] * 20 + [7] * 20 + [2] * 10, "ENT"),
        _answers("nps", "2026-08", [9] * 20 + [7] * 20 + [2] * 10, "ENT"),
        # CSAT and CES: small shifts
        _answers("csat", "2026-09", [5] * 40 + [3] * 10),
        _answers("csat", "2026-08", [5] * 30 + [2] * 20),
        _answers("ces", "2026-09", [7, 6, 6, 5, 7, 4, 6, 5, 6, 7] * 4),
        _answers("ces", "2026-08", [3, 4, 5, 2, 4, 3, 5, 4, 3, 4] * 4),
    ]
    duck.load("responses", pd.concat(frames, ignore_index=True))
    return duck


def test_nps_improvement_is_significant_and_matches_hand_computation(surveyed) -> None:  # type: ignore[no-untyped-def]
    rows = compare(surveyed, "nps", period="2026-09", vs="2026-08", by="segment")
    by = {r.group["segment"]: r for r in rows}
    smb = by["SMB"]
    assert smb.difference == pytest.approx(60.0)
    assert (smb.value_a, smb.value_b) == pytest.approx((40.0, -20.0))
    # pooled multinomial z test, by hand
    pp, pd_ = 90 / 200, 70 / 200
    se0 = 100 * math.sqrt((pp + pd_ - (pp - pd_) ** 2) * (1 / 100 + 1 / 100))
    assert smb.p_value == pytest.approx(2 * stats.norm.sf(60 / se0))
    assert smb.significant and smb.ci_low > 0
    ent = by["Enterprise"]
    assert ent.difference == 0 and not ent.significant and ent.p_value == pytest.approx(1.0)
    assert (smb.period, smb.vs, smb.metric) == ("2026-09", "2026-08", "nps")


def test_csat_difference_in_percentage_points(surveyed) -> None:  # type: ignore[no-untyped-def]
    (row,) = compare(surveyed, "csat", period="2026-09", vs="2026-08")
    assert row.difference == pytest.approx(100 * (40 / 50 - 30 / 50))
    pooled = 70 / 100
    z = (0.8 - 0.6) / math.sqrt(pooled * (1 - pooled) * (2 / 50))
    assert row.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert row.significant


def test_ces_difference_matches_welch_t_test(surveyed) -> None:  # type: ignore[no-untyped-def]
    (row,) = compare(surveyed, "ces", period="2026-09", vs="2026-08")
    a = np.array([7, 6, 6, 5, 7, 4, 6, 5, 6, 7] * 4, dtype=float)
    b = np.array([3, 4, 5, 2, 4, 3, 5, 4, 3, 4] * 4, dtype=float)
    t = stats.ttest_ind(a, b, equal_var=False)
    assert row.difference == pytest.approx(a.mean() - b.mean())
    assert row.p_value == pytest.approx(t.pvalue)
    assert row.significant


def test_period_without_data_is_not_significant(surveyed) -> None:  # type: ignore[no-untyped-def]
    (row,) = compare(surveyed, "csat", period="2026-10", vs="2026-08")
    assert not row.significant and row.n_a == 0 and math.isnan(row.p_value)


def test_quarters_and_bad_periods(surveyed) -> None:  # type: ignore[no-untyped-def]
    (row,) = compare(surveyed, "csat", period="2026-Q3", vs="2026-Q2")
    assert row.n_a == 100 and row.n_b == 0
    with pytest.raises(MetricQueryError, match="2026-09"):
        compare(surveyed, "nps", period="Sept", vs="2026-08")
    with pytest.raises(MetricQueryError, match="not supported"):
        compare(surveyed, "time_to_resolution", period="2026-09", vs="2026-08")
