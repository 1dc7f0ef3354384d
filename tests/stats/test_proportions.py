from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxpulse.stats import SMALL_SAMPLE_N, StatisticsInputError, wilson_interval
from tests.stats.simulation import REPLICATIONS, assert_coverage


@pytest.mark.parametrize("n", [1, 5, 29, 30, 100, 1000])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_wilson_matches_scipy_binomtest(n: int, confidence: float) -> None:
    for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        if k < 0:
            continue
        ours = wilson_interval(k, n, confidence)
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
        assert ours.value == pytest.approx(k / n)
        assert ours.ci_low == pytest.approx(ref.low, abs=1e-12)
        assert ours.ci_high == pytest.approx(ref.high, abs=1e-12)
        assert ours.n == n
        assert ours.confidence == confidence


def test_wilson_edges_are_exact_at_zero_and_all() -> None:
    none = wilson_interval(0, 20)
    assert none.value == 0.0 and none.ci_low == 0.0 and 0.0 < none.ci_high < 0.2
    every = wilson_interval(20, 20)
    assert every.value == 1.0 and every.ci_high == 1.0 and 0.8 < every.ci_low < 1.0


def test_wilson_without_data_is_nan_and_flagged() -> None:
    e = wilson_interval(0, 0)
    assert math.isnan(e.value) and math.isnan(e.ci_low) and math.isnan(e.ci_high)
    assert e.n == 0 and e.small_sample and "n=0" in e.method
    assert not e.contains(0.5)


def test_wilson_flags_small_samples_at_the_threshold() -> None:
    assert wilson_interval(10, SMALL_SAMPLE_N - 1).small_sample
    assert not wilson_interval(10, SMALL_SAMPLE_N).small_sample
    assert wilson_interval(10, 50, small_sample_n=100).small_sample


def test_wilson_accepts_engine_number_types() -> None:
    from decimal import Decimal

    ref = wilson_interval(12, 40)
    for x, n in [(np.int64(12), np.int64(40)), (Decimal(12), Decimal(40)), (12.0, 40.0)]:
        e = wilson_interval(x, n)
        assert (e.value, e.ci_low, e.ci_high, e.n) == (ref.value, ref.ci_low, ref.ci_high, 40)


@pytest.mark.parametrize(
    ("successes", "n", "confidence"),
    [(5, 3, 0.95), (-1, 3, 0.95), (math.nan, 3, 0.95), (1, 3, 1.0), (1, 3, 0.0), ("a", 3, 0.95)],
)
def test_wilson_rejects_impossible_input(successes: object, n: int, confidence: float) -> None:
    with pytest.raises(StatisticsInputError, match="wilson_interval"):
        wilson_interval(successes, n, confidence)  # type: ignore[arg-type]


@pytest.mark.parametrize(("p", "n"), [(0.5, 40), (0.8, 150), (0.1, 300)])
def test_wilson_covers_close_to_nominal(rng: np.random.Generator, p: float, n: int) -> None:
    draws = rng.binomial(n, p, size=REPLICATIONS)
    hits = sum(wilson_interval(int(k), n).contains(p) for k in draws)
    assert_coverage(hits)


@given(n=st.integers(1, 10_000), frac=st.floats(0, 1))
def test_wilson_interval_contains_estimate_inside_unit_range(n: int, frac: float) -> None:
    k = round(frac * n)
    e = wilson_interval(k, n)
    assert 0.0 <= e.ci_low <= e.value <= e.ci_high <= 1.0


@given(k=st.integers(1, 50), n=st.integers(51, 200), factor=st.integers(2, 20))
def test_wilson_interval_shrinks_as_n_grows(k: int, n: int, factor: int) -> None:
    assert wilson_interval(k * factor, n * factor).width < wilson_interval(k, n).width
