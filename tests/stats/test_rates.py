from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxpulse.stats import RateEstimate, StatisticsInputError, poisson_rate_interval
from tests.stats.simulation import REPLICATIONS


@pytest.mark.parametrize("events", [1, 2, 7, 30, 412])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_garwood_bounds_solve_the_poisson_tail_equations(events: int, confidence: float) -> None:
    alpha = 1 - confidence
    e = poisson_rate_interval(events, 1.0, confidence)
    # Exact interval: P(X >= k | mu_low) = alpha/2 and P(X <= k | mu_high) = alpha/2.
    assert stats.poisson.sf(events - 1, e.ci_low) == pytest.approx(alpha / 2, rel=1e-7)
    assert stats.poisson.cdf(events, e.ci_high) == pytest.approx(alpha / 2, rel=1e-7)


def test_zero_events_has_zero_lower_bound_and_rule_of_three_upper() -> None:
    e = poisson_rate_interval(0, 10.0)
    assert e.value == 0.0 and e.ci_low == 0.0
    # -log(0.025) = 3.689: the two-sided 95% "rule of three".
    assert e.ci_high == pytest.approx(-math.log(0.025) / 10.0)


def test_rate_scales_with_exposure_and_reports_units() -> None:
    e = poisson_rate_interval(12, 40.0, n=15)
    count = poisson_rate_interval(12)
    assert isinstance(e, RateEstimate)
    assert e.value == pytest.approx(0.3)
    assert e.ci_low == pytest.approx(count.ci_low / 40)
    assert e.ci_high == pytest.approx(count.ci_high / 40)
    assert e.n == 15 and e.small_sample and e.events == 12 and e.exposure == 40.0
    assert poisson_rate_interval(12, 40.0, n=300).small_sample is False


def test_no_exposure_is_nan_and_events_without_exposure_are_rejected() -> None:
    e = poisson_rate_interval(0, 0.0)
    assert math.isnan(e.value) and "n=0" in e.method
    with pytest.raises(StatisticsInputError, match="zero exposure"):
        poisson_rate_interval(3, 0.0)


def test_exact_interval_covers_at_least_nominal(rng: np.random.Generator) -> None:
    # Garwood is conservative: coverage is >= 95% for every mean, typically 96-98%.
    for mu in (2.5, 14.0, 60.0):
        draws = rng.poisson(mu * 3.0, size=REPLICATIONS)
        hits = sum(poisson_rate_interval(int(k), 3.0).contains(mu) for k in draws)
        assert 0.94 <= hits / REPLICATIONS <= 0.995


@given(st.integers(0, 100_000), st.floats(0.1, 1e6))
def test_rate_interval_contains_rate(events: int, exposure: float) -> None:
    e = poisson_rate_interval(events, exposure)
    assert 0.0 <= e.ci_low <= e.value <= e.ci_high


@given(st.integers(1, 500), st.integers(2, 50))
def test_relative_width_shrinks_with_more_events(events: int, k: int) -> None:
    small, large = poisson_rate_interval(events, 10.0), poisson_rate_interval(events * k, 10.0 * k)
    assert large.value == pytest.approx(small.value)
    assert large.width < small.width
