from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxpulse.stats import StatisticsInputError, mean_interval, mean_interval_from_moments
from tests.stats.simulation import REPLICATIONS, assert_coverage


def _sufficient(x: np.ndarray) -> tuple[int, float, float]:
    return x.size, float(x.sum()), float((x * x).sum())


@pytest.mark.parametrize("n", [2, 3, 10, 31, 250])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_mean_interval_matches_scipy_t_interval(
    rng: np.random.Generator, n: int, confidence: float
) -> None:
    x = rng.normal(4.2, 1.3, size=n)
    ours = mean_interval(*_sufficient(x), confidence=confidence)
    low, high = stats.t.interval(confidence, n - 1, loc=x.mean(), scale=stats.sem(x))
    assert ours.value == pytest.approx(x.mean())
    assert ours.ci_low == pytest.approx(low, rel=1e-9)
    assert ours.ci_high == pytest.approx(high, rel=1e-9)
    assert ours.n == n and ours.small_sample == (n < 30)
    from_moments = mean_interval_from_moments(n, x.mean(), x.std(ddof=1), confidence)
    assert from_moments.ci_low == pytest.approx(low, rel=1e-9)


def test_mean_interval_survives_a_large_offset(rng: np.random.Generator) -> None:
    # Handle times in seconds since an epoch-like origin: mean 1e6, spread 5.
    x = 1e6 + rng.normal(0, 5, size=400)
    ours = mean_interval(*_sufficient(x))
    low, high = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert ours.ci_low == pytest.approx(low, abs=1e-3)
    assert ours.ci_high == pytest.approx(high, abs=1e-3)


def test_constant_data_gives_zero_width_not_nan() -> None:
    x = np.full(7, 0.1)  # sum(x^2) - sum(x)^2/n comes out slightly negative in floating point
    n, s, s2 = _sufficient(x)
    e = mean_interval(n, s, s2)
    assert e.value == pytest.approx(0.1)
    assert e.ci_low == pytest.approx(0.1) and e.ci_high == pytest.approx(0.1)
    assert not math.isnan(e.width)


def test_single_observation_has_value_but_no_interval() -> None:
    e = mean_interval(1, 4.0, 16.0)
    assert e.value == 4.0 and math.isnan(e.ci_low) and math.isnan(e.ci_high)
    assert e.small_sample and "n=1" in e.method and not e.has_interval


def test_no_observations_is_nan() -> None:
    e = mean_interval(0, 0.0, 0.0)
    assert math.isnan(e.value) and e.n == 0 and e.small_sample


def test_inconsistent_sums_are_rejected_with_a_reason() -> None:
    with pytest.raises(StatisticsInputError, match="same rows"):
        mean_interval(3, 30.0, 10.0)
    with pytest.raises(StatisticsInputError, match="total_sq"):
        mean_interval(3, 3.0, -1.0)


@pytest.mark.parametrize("dist", ["normal", "uniform"])
def test_t_interval_covers_close_to_nominal(rng: np.random.Generator, dist: str) -> None:
    n = 25
    if dist == "normal":
        samples, truth = rng.normal(3.5, 1.0, size=(REPLICATIONS, n)), 3.5
    else:
        samples, truth = rng.uniform(1, 5, size=(REPLICATIONS, n)), 3.0
    totals, squares = samples.sum(axis=1), (samples**2).sum(axis=1)
    hits = sum(mean_interval(n, s, q).contains(truth) for s, q in zip(totals, squares, strict=True))
    assert_coverage(hits)


values = st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=60)


@given(values)
def test_mean_interval_contains_the_mean(xs: list[float]) -> None:
    x = np.array(xs)
    e = mean_interval(*_sufficient(x))
    assert e.ci_low <= e.value + 1e-9 and e.value - 1e-9 <= e.ci_high


@given(st.lists(st.integers(1, 5), min_size=3, max_size=30), st.integers(2, 20))
def test_mean_interval_shrinks_as_n_grows(xs: list[int], k: int) -> None:
    x = np.array(xs, dtype=float)
    if x.std() == 0:
        return
    small, large = mean_interval(*_sufficient(x)), mean_interval(*_sufficient(np.tile(x, k)))
    assert large.value == pytest.approx(small.value)
    assert large.width < small.width
