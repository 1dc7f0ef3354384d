from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxpulse.stats import NpsEstimate, StatisticsInputError, nps_estimate, nps_from_scores
from tests.stats.simulation import REPLICATIONS, assert_coverage, tango_bounds

Z95 = stats.norm.ppf(0.975)


def _raw_scores(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 11, size=n)


def test_nps_matches_numpy_on_raw_scores(rng: np.random.Generator) -> None:
    scores = _raw_scores(rng, 537)
    promoters = int((scores >= 9).sum())
    passives = int(((scores >= 7) & (scores <= 8)).sum())
    detractors = int((scores <= 6).sum())
    e = nps_estimate(promoters, passives, detractors)

    # NPS is the mean of +1 (promoter), 0 (passive), -1 (detractor), times 100.
    signed = np.where(scores >= 9, 1.0, np.where(scores >= 7, 0.0, -1.0))
    low, high = tango_bounds(promoters, detractors, scores.size, Z95)
    assert isinstance(e, NpsEstimate)
    assert e.value == pytest.approx(100 * signed.mean())
    assert e.ci_low == pytest.approx(100 * low, rel=1e-6)
    assert e.ci_high == pytest.approx(100 * high, rel=1e-6)
    assert e.method == "tango score interval (trinomial)"
    assert e.pct_promoters == pytest.approx(100 * np.mean(scores >= 9))
    assert e.pct_passives == pytest.approx(100 * np.mean((scores >= 7) & (scores <= 8)))
    assert e.pct_detractors == pytest.approx(100 * np.mean(scores <= 6))
    assert e.pct_promoters + e.pct_passives + e.pct_detractors == pytest.approx(100)
    assert e.n == 537 and not e.small_sample
    assert nps_from_scores(scores.tolist()) == e


def test_nps_standard_error_matches_simulated_spread(rng: np.random.Generator) -> None:
    probs = [0.45, 0.30, 0.25]
    n = 400
    draws = rng.multinomial(n, probs, size=20_000)
    simulated = 100 * (draws[:, 0] - draws[:, 2]) / n
    e = nps_estimate(*[round(p * n) for p in probs])
    formula_se = (e.ci_high - e.ci_low) / (2 * Z95)
    # The SD of 20 000 draws is within about 1% of the truth; allow 3%.
    assert simulated.std(ddof=1) == pytest.approx(formula_se, rel=0.03)
    assert simulated.mean() == pytest.approx(100 * (probs[0] - probs[2]), abs=0.2)


@pytest.mark.parametrize(
    ("probs", "n"), [([0.45, 0.30, 0.25], 200), ([0.70, 0.20, 0.10], 500), ([0.2, 0.3, 0.5], 120)]
)
def test_nps_interval_covers_close_to_nominal(
    rng: np.random.Generator, probs: list[float], n: int
) -> None:
    truth = 100 * (probs[0] - probs[2])
    draws = rng.multinomial(n, probs, size=REPLICATIONS)
    hits = sum(nps_estimate(*row).contains(truth) for row in draws)
    assert_coverage(hits)


def test_nps_without_responses_is_nan_not_an_error() -> None:
    e = nps_estimate(0, 0, 0)
    assert math.isnan(e.value) and math.isnan(e.ci_low) and math.isnan(e.ci_high)
    assert math.isnan(e.pct_promoters) and e.n == 0
    assert e.small_sample and "n=0" in e.method


def test_nps_all_promoters_is_100_with_an_honest_interval() -> None:
    e = nps_estimate(25, 0, 0)
    assert (e.value, e.ci_high) == (100.0, 100.0)
    assert e.ci_low == pytest.approx(100 * tango_bounds(25, 0, 25, Z95)[0], rel=1e-6)
    assert e.ci_low < 90.0 and e.pct_promoters == 100.0 and e.small_sample
    worst = nps_estimate(0, 0, 40)
    assert (worst.value, worst.ci_low) == (-100.0, -100.0) and worst.ci_high > -95.0


def test_nps_interval_stays_on_the_scale_and_matches_an_independent_score_interval() -> None:
    e = nps_estimate(9, 0, 1)  # the Wald interval would be 80 +/- 37, past 100
    low, high = tango_bounds(9, 1, 10, Z95)
    assert e.ci_high < 100.0 and e.ci_high == pytest.approx(100 * high, rel=1e-6)
    assert e.ci_low == pytest.approx(100 * low, rel=1e-6)


def test_nps_confidence_changes_width() -> None:
    wide = nps_estimate(50, 30, 20, confidence=0.99)
    narrow = nps_estimate(50, 30, 20, confidence=0.90)
    assert wide.width > narrow.width
    # for a large sample the score interval is close to the Wald one, so widths scale with z
    assert wide.width / narrow.width == pytest.approx(
        stats.norm.ppf(0.995) / stats.norm.ppf(0.95), rel=0.03
    )


def test_nps_rejects_negative_counts_and_bad_scores() -> None:
    with pytest.raises(StatisticsInputError, match="detractors"):
        nps_estimate(3, 2, -1)
    with pytest.raises(StatisticsInputError, match=r"0\.\.10"):
        nps_from_scores([9, 11])


counts = st.integers(0, 5_000)


@given(p=counts, m=counts, d=counts)
def test_nps_stays_in_range_and_interval_contains_it(p: int, m: int, d: int) -> None:
    e = nps_estimate(p, m, d)
    if p + m + d == 0:
        assert math.isnan(e.value)
        return
    assert -100.0 <= e.ci_low <= e.value <= e.ci_high <= 100.0
    assert e.value == pytest.approx(e.pct_promoters - e.pct_detractors)


@given(p=st.integers(1, 60), m=st.integers(1, 60), d=st.integers(1, 60), k=st.integers(2, 50))
def test_nps_interval_shrinks_as_n_grows_with_fixed_split(p: int, m: int, d: int, k: int) -> None:
    small, large = nps_estimate(p, m, d), nps_estimate(k * p, k * m, k * d)
    assert large.value == pytest.approx(small.value)
    assert large.width < small.width
    assert small.ci_low <= small.value <= small.ci_high
