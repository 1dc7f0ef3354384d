from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxpulse.stats import (
    StatisticsInputError,
    quantile_estimate,
    quantile_interval_ranks,
    quantile_order_statistics,
)
from tests.stats.simulation import REPLICATIONS


@pytest.mark.parametrize(
    ("n", "q"), [(10, 0.5), (30, 0.25), (57, 0.9), (100, 0.5), (1000, 0.75), (2500, 0.95)]
)
def test_interval_matches_scipy_quantile_test(rng: np.random.Generator, n: int, q: float) -> None:
    x = rng.exponential(3.0, size=n)
    low_p, high_p = quantile_interval_ranks(n, q)
    low, high = np.quantile(x, [low_p, high_p])  # linear interpolation, as quantile_cont
    ref = stats.quantile_test(x, q=0, p=q).confidence_interval(0.95)
    assert low == pytest.approx(ref.low, rel=1e-9)
    assert high == pytest.approx(ref.high, rel=1e-9)
    e = quantile_estimate(n, q, np.quantile(x, q), low, high)
    assert e.ci_low <= e.value <= e.ci_high and e.small_sample == (n < 30)


def test_textbook_median_ranks_for_n_100() -> None:
    r = quantile_order_statistics(100, 0.5)
    assert (r.lower_rank, r.upper_rank) == (40, 61)
    assert r.coverage == pytest.approx(
        stats.binom.cdf(60, 100, 0.5) - stats.binom.cdf(39, 100, 0.5)
    )


@given(n=st.integers(1, 3000), q=st.floats(0.01, 0.99), conf=st.sampled_from([0.8, 0.9, 0.95]))
def test_ranks_are_valid_and_coverage_is_exact_binomial(n: int, q: float, conf: float) -> None:
    r = quantile_order_statistics(n, q, conf)
    assert 1 <= r.lower_rank <= r.upper_rank <= n
    expected = stats.binom.cdf(r.upper_rank - 1, n, q) - stats.binom.cdf(r.lower_rank - 1, n, q)
    assert r.coverage == pytest.approx(expected, abs=1e-12)
    clipped = r.lower_rank == 1 or r.upper_rank == n
    if not clipped:
        assert r.coverage >= conf - 1e-12
    low, high = quantile_interval_ranks(n, q, conf)
    assert 0.0 <= low <= high <= 1.0


def test_tiny_samples_are_flagged_because_coverage_falls_short() -> None:
    r = quantile_order_statistics(5, 0.5)
    assert (r.lower_rank, r.upper_rank) == (1, 5)
    assert r.coverage == pytest.approx(1 - 2 * 0.5**5)  # 0.9375 < 0.95
    e = quantile_estimate(5, 0.5, 3.0, 1.0, 9.0, small_sample_n=2)
    assert e.small_sample  # flagged by the coverage, not by the n threshold


def test_empty_and_inconsistent_inputs() -> None:
    assert all(math.isnan(p) for p in quantile_interval_ranks(0, 0.5))
    assert math.isnan(quantile_estimate(0, 0.5, None, None, None).value)
    assert quantile_interval_ranks(1, 0.5) == (0.0, 0.0)
    with pytest.raises(StatisticsInputError, match="lower <= value <= upper"):
        quantile_estimate(50, 0.5, 3.0, 4.0, 5.0)
    with pytest.raises(StatisticsInputError, match="q must be"):
        quantile_order_statistics(50, 1.0)


def test_order_statistic_interval_covers_at_least_nominal(rng: np.random.Generator) -> None:
    n, q = 60, 0.5
    truth = 3.0 * math.log(2)  # median of exponential(scale 3)
    low_p, high_p = quantile_interval_ranks(n, q)
    samples = rng.exponential(3.0, size=(REPLICATIONS, n))
    bounds = np.quantile(samples, [low_p, high_p], axis=1)
    coverage = float(np.mean((bounds[0] <= truth) & (truth <= bounds[1])))
    exact = quantile_order_statistics(n, q).coverage
    assert exact >= 0.95
    assert abs(coverage - exact) < 0.02  # simulation agrees with the binomial coverage
