"""Backtest metrics checked against scikit-learn, an independent implementation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from cxpulse.errors import NotEnoughDataError
from cxpulse.health import metrics as hm


@st.composite
def labelled(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(4, 200))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    if y.min() == y.max():
        y[0] = 1 - y[0]
    # coarse values so that ties are common
    p = np.array(draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))) / 20.0
    return y, p


@settings(max_examples=150, deadline=None)
@given(labelled())
def test_metrics_match_scikit_learn(data: tuple[np.ndarray, np.ndarray]) -> None:
    y, p = data
    assert hm.roc_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
    assert hm.average_precision(1 - y, 1 - p) == pytest.approx(
        average_precision_score(1 - y, 1 - p), abs=1e-12
    )
    assert hm.brier(y, p) == pytest.approx(brier_score_loss(y, p), abs=1e-12)


def test_calibration_table_and_lift_by_hand() -> None:
    y = np.array([0, 0, 1, 0, 1, 1, 1, 1, 1, 1])
    p = np.linspace(0.05, 0.95, 10)
    table = hm.calibration_table(y, p, bins=5)
    assert [b.n for b in table] == [2] * 5
    assert [b.observed for b in table] == [0.0, 0.5, 1.0, 1.0, 1.0]
    assert table[0].mean_predicted == pytest.approx((0.05 + 0.15) / 2)
    rate, lift = hm.top_decile(y, p, share=0.2)
    # riskiest 2 accounts are both bad; overall bad rate is 3/10
    assert rate == 1.0
    assert lift == pytest.approx(1.0 / 0.3)


def test_ranking_metrics_need_both_outcomes() -> None:
    with pytest.raises(NotEnoughDataError, match="both outcomes"):
        hm.roc_auc(np.ones(5), np.linspace(0, 1, 5))
