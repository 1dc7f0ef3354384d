from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from cxpulse.stats import (
    Comparison,
    StatisticsInputError,
    compare_means,
    compare_nps,
    compare_proportions,
    compare_rates,
    compare_ratios,
    nps_estimate,
)
from tests.stats.simulation import REPLICATIONS, TOLERANCE, assert_coverage, tango_bounds

Z95 = stats.norm.ppf(0.975)


def _signed(counts: tuple[int, int, int]) -> np.ndarray:
    p, m, d = counts
    return np.concatenate([np.ones(p), np.zeros(m), -np.ones(d)])


# --- means ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("n_a", "n_b"), [(2, 3), (12, 40), (200, 150)])
def test_compare_means_matches_scipy_welch(rng: np.random.Generator, n_a: int, n_b: int) -> None:
    a, b = rng.normal(4.1, 0.9, n_a), rng.normal(3.8, 1.6, n_b)
    c = compare_means(n_a, a.sum(), (a * a).sum(), n_b, b.sum(), (b * b).sum(), confidence=0.9)
    ref = stats.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval(confidence_level=0.9)
    assert c.difference == pytest.approx(a.mean() - b.mean())
    assert c.statistic == pytest.approx(ref.statistic, rel=1e-9)
    assert c.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert c.ci_low == pytest.approx(ci.low, rel=1e-9)
    assert c.ci_high == pytest.approx(ci.high, rel=1e-9)
    assert c.significant == (ref.pvalue < 0.1)
    assert (c.n_a, c.n_b) == (n_a, n_b)


def test_compare_means_without_spread_or_data() -> None:
    flat = compare_means(3, 12.0, 48.0, 3, 9.0, 27.0)  # 4,4,4 vs 3,3,3
    assert flat.difference == pytest.approx(1.0) and math.isnan(flat.p_value)
    assert not flat.significant and "no spread" in flat.method
    one = compare_means(1, 5.0, 25.0, 10, 30.0, 100.0)
    assert math.isnan(one.ci_low) and not one.significant
    none = compare_means(0, 0.0, 0.0, 10, 30.0, 100.0)
    assert math.isnan(none.difference) and "n=0" in none.method


# --- proportions ---------------------------------------------------------------------------


def test_newcombe_interval_reproduces_the_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II example (56/70 vs 48/80).
    c = compare_proportions(56, 70, 48, 80)
    assert round(c.ci_low, 4) == 0.0524 and round(c.ci_high, 4) == 0.3339


@pytest.mark.parametrize(
    ("x_a", "n_a", "x_b", "n_b"), [(9, 10, 3, 10), (0, 25, 4, 30), (140, 160, 120, 170)]
)
def test_compare_proportions_matches_independent_computation(
    x_a: int, n_a: int, x_b: int, n_b: int
) -> None:
    c = compare_proportions(x_a, n_a, x_b, n_b)
    w_a = stats.binomtest(x_a, n_a).proportion_ci(0.95, method="wilson")
    w_b = stats.binomtest(x_b, n_b).proportion_ci(0.95, method="wilson")
    p_a, p_b = x_a / n_a, x_b / n_b
    d = p_a - p_b
    assert c.ci_low == pytest.approx(d - math.hypot(p_a - w_a.low, w_b.high - p_b))
    assert c.ci_high == pytest.approx(d + math.hypot(w_a.high - p_a, p_b - w_b.low))
    table = np.array([[x_a, n_a - x_a], [x_b, n_b - x_b]])
    if min(n_a, n_b) < 30:  # small samples: Fisher's exact test, named
        assert c.p_value == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)
        assert "fisher exact" in c.method
        assert (c.small_sample_a, c.small_sample_b) == (n_a < 30, n_b < 30)
    else:  # the pooled two-proportion z test is the uncorrected chi-square test of the table
        chi2 = stats.chi2_contingency(table, correction=False)
        assert c.p_value == pytest.approx(chi2.pvalue, rel=1e-9)
        assert "z test" in c.method and not c.small_sample_a


def test_compare_proportions_interval_covers_close_to_nominal(rng: np.random.Generator) -> None:
    p_a, p_b, n_a, n_b = 0.72, 0.6, 90, 120
    xs, ys = rng.binomial(n_a, p_a, REPLICATIONS), rng.binomial(n_b, p_b, REPLICATIONS)
    hits = 0
    for x, y in zip(xs, ys, strict=True):
        c = compare_proportions(int(x), n_a, int(y), n_b)
        hits += c.ci_low <= p_a - p_b <= c.ci_high
    assert_coverage(hits)


def test_compare_proportions_rejects_impossible_counts() -> None:
    with pytest.raises(StatisticsInputError, match="cannot exceed"):
        compare_proportions(11, 10, 3, 10)


# --- nps -----------------------------------------------------------------------------------


def test_compare_nps_matches_numpy_on_signed_answers() -> None:
    a, b = (60, 25, 15), (40, 30, 30)
    c = compare_nps(a, b)
    sa, sb = _signed(a), _signed(b)
    diff = 100 * (sa.mean() - sb.mean())
    pooled = np.concatenate([sa, sb])
    se0 = 100 * math.sqrt(pooled.var() * (1 / sa.size + 1 / sb.size))
    # MOVER from each group's score interval
    la, ua = (100 * v for v in tango_bounds(60, 15, 100, Z95))
    lb, ub = (100 * v for v in tango_bounds(40, 30, 100, Z95))
    assert c.difference == pytest.approx(diff)
    assert c.ci_low == pytest.approx(diff - math.hypot(45 - la, ub - 10), rel=1e-6)
    assert c.ci_high == pytest.approx(diff + math.hypot(ua - 45, 10 - lb), rel=1e-6)
    assert c.p_value == pytest.approx(2 * stats.norm.sf(abs(diff / se0)))
    assert c.value_a == pytest.approx(45.0) and c.value_b == pytest.approx(10.0)
    assert c.significant and c.n_a == 100 and c.n_b == 100


def test_compare_nps_accepts_estimates() -> None:
    by_counts = compare_nps((30, 10, 5), (20, 10, 15))
    by_estimates = compare_nps(nps_estimate(30, 10, 5), nps_estimate(20, 10, 15))
    assert by_counts == by_estimates


def test_compare_nps_false_positive_rate_is_about_alpha(rng: np.random.Generator) -> None:
    probs = [0.5, 0.3, 0.2]
    a = rng.multinomial(150, probs, REPLICATIONS)
    b = rng.multinomial(220, probs, REPLICATIONS)
    rejections = sum(compare_nps(tuple(x), tuple(y)).significant for x, y in zip(a, b, strict=True))
    assert abs(rejections / REPLICATIONS - 0.05) <= TOLERANCE


def test_compare_nps_interval_covers_close_to_nominal(rng: np.random.Generator) -> None:
    pa, pb = [0.55, 0.25, 0.20], [0.40, 0.35, 0.25]
    truth = 100 * ((pa[0] - pa[2]) - (pb[0] - pb[2]))
    a, b = rng.multinomial(300, pa, REPLICATIONS), rng.multinomial(250, pb, REPLICATIONS)
    hits = 0
    for x, y in zip(a, b, strict=True):
        c = compare_nps(tuple(x), tuple(y))
        hits += c.ci_low <= truth <= c.ci_high
    assert_coverage(hits)


def test_compare_nps_degenerate_and_empty_groups() -> None:
    same = compare_nps((20, 0, 0), (35, 0, 0))
    assert same.difference == 0.0 and same.p_value == 1.0 and not same.significant
    opposite = compare_nps((20, 0, 0), (0, 0, 20))
    assert opposite.difference == 200.0 and opposite.p_value < 1e-6  # pooled variance > 0
    empty = compare_nps((0, 0, 0), (1, 2, 3))
    assert math.isnan(empty.difference) and not empty.significant and "n=0" in empty.method
    with pytest.raises(StatisticsInputError, match="promoters, passives, detractors"):
        compare_nps((1, 2), (1, 2, 3))


# --- rates ---------------------------------------------------------------------------------


def _conditional_p(k_a: int, k_b: int, t_a: float, t_b: float) -> float:
    k = np.arange(k_a + k_b + 1)
    pmf = stats.binom.pmf(k, k_a + k_b, t_a / (t_a + t_b))
    return float(pmf[pmf <= pmf[k_a] * (1 + 1e-7)].sum())


@pytest.mark.parametrize(
    ("k_a", "t_a", "k_b", "t_b"), [(30, 100.0, 12, 100.0), (3, 20.0, 9, 35.0), (0, 5.0, 4, 5.0)]
)
def test_compare_rates_matches_enumerated_exact_test(
    k_a: int, t_a: float, k_b: int, t_b: float
) -> None:
    c = compare_rates(k_a, t_a, k_b, t_b)
    assert c.difference == pytest.approx(k_a / t_a - k_b / t_b)
    assert c.p_value == pytest.approx(_conditional_p(k_a, k_b, t_a, t_b), rel=1e-6)
    se = math.sqrt(k_a / t_a**2 + k_b / t_b**2)
    assert c.ci_high - c.ci_low == pytest.approx(2 * Z95 * se)


def test_compare_rates_false_positive_rate_at_most_alpha(rng: np.random.Generator) -> None:
    ka, kb = rng.poisson(0.4 * 60, REPLICATIONS), rng.poisson(0.4 * 80, REPLICATIONS)
    rejections = sum(
        compare_rates(int(a), 60.0, int(b), 80.0).significant for a, b in zip(ka, kb, strict=True)
    )
    assert rejections / REPLICATIONS <= 0.05 + TOLERANCE / 2  # exact test: conservative


def test_compare_rates_edge_cases() -> None:
    assert compare_rates(0, 10.0, 0, 10.0).p_value == 1.0
    assert math.isnan(compare_rates(0, 0.0, 3, 10.0).difference)
    with pytest.raises(StatisticsInputError, match="zero exposure"):
        compare_rates(2, 0.0, 3, 10.0)


# --- properties shared by every comparison --------------------------------------------------

counts = st.integers(0, 400)


@given(p=counts, m=counts, d=counts)
def test_identical_nps_groups_are_not_different(p: int, m: int, d: int) -> None:
    if p + m + d == 0:
        return
    c = compare_nps((p, m, d), (p, m, d))
    assert c.difference == 0.0 and c.p_value == pytest.approx(1.0)
    assert c.ci_low <= 0.0 <= c.ci_high and not c.significant


@given(n=st.integers(1, 5000), frac=st.floats(0, 1))
def test_identical_proportions_are_not_different(n: int, frac: float) -> None:
    x = round(frac * n)
    c = compare_proportions(x, n, x, n)
    assert c.difference == 0.0 and c.p_value == pytest.approx(1.0)
    assert c.ci_low <= 0.0 <= c.ci_high and not c.significant


@given(st.lists(st.floats(-100, 100), min_size=2, max_size=40))
def test_identical_means_are_not_different(xs: list[float]) -> None:
    x = np.array(xs)
    n, s, q = x.size, float(x.sum()), float((x * x).sum())
    c = compare_means(n, s, q, n, s, q)
    assert c.difference == 0.0 and not c.significant
    if not math.isnan(c.p_value):
        assert c.p_value == pytest.approx(1.0) and c.ci_low <= 0.0 <= c.ci_high


@given(k=st.integers(0, 2000), t=st.floats(0.5, 1e4))
def test_identical_rates_are_not_different(k: int, t: float) -> None:
    c = compare_rates(k, t, k, t)
    assert c.difference == 0.0 and c.p_value == pytest.approx(1.0)
    assert c.ci_low <= 0.0 <= c.ci_high and not c.significant


def test_comparison_is_a_frozen_record() -> None:
    c = compare_proportions(5, 10, 5, 10)
    assert isinstance(c, Comparison)
    with pytest.raises(AttributeError):
        c.p_value = 0.0  # type: ignore[misc]


# --- ratios of sums (GRR / NRR) -------------------------------------------------------------


def _ratio_sums(x: np.ndarray, y: np.ndarray) -> tuple[float, ...]:
    return (x.size, x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum())


def _accounts(rng: np.random.Generator, n: int, keep: float) -> tuple[np.ndarray, np.ndarray]:
    start = rng.lognormal(7, 0.5, n)
    kept = start * rng.beta(keep * 10, (1 - keep) * 10, n)
    return start, kept


def test_compare_ratios_matches_numpy_residuals(rng: np.random.Generator) -> None:
    xa, ya = _accounts(rng, 300, 0.9)
    xb, yb = _accounts(rng, 250, 0.8)
    c = compare_ratios(_ratio_sums(xa, ya), _ratio_sums(xb, yb))

    def se(x: np.ndarray, y: np.ndarray) -> float:
        r = y.sum() / x.sum()
        return float((y - r * x).std(ddof=1) / math.sqrt(x.size) / x.mean())

    diff = ya.sum() / xa.sum() - yb.sum() / xb.sum()
    total_se = math.hypot(se(xa, ya), se(xb, yb))
    assert c.difference == pytest.approx(diff)
    assert c.ci_low == pytest.approx(diff - Z95 * total_se)
    assert c.ci_high == pytest.approx(diff + Z95 * total_se)
    assert c.p_value == pytest.approx(2 * stats.norm.sf(abs(diff) / total_se))
    assert c.significant and (c.n_a, c.n_b) == (300, 250)


def test_compare_ratios_false_positive_rate_is_about_alpha(rng: np.random.Generator) -> None:
    rejections = 0
    for _ in range(REPLICATIONS):
        a, b = _accounts(rng, 300, 0.85), _accounts(rng, 300, 0.85)
        rejections += compare_ratios(_ratio_sums(*a), _ratio_sums(*b)).significant
    assert abs(rejections / REPLICATIONS - 0.05) <= TOLERANCE


def test_compare_ratios_edge_cases() -> None:
    one = compare_ratios((1, 10.0, 9.0, 100.0, 81.0, 90.0), (5, 50.0, 40.0, 600.0, 400.0, 450.0))
    assert one.difference == pytest.approx(0.1) and math.isnan(one.p_value)
    assert not one.significant
    assert "n=0" in compare_ratios((0, 0, 0, 0, 0, 0), (2, 1, 1, 1, 1, 1)).method
    with pytest.raises(StatisticsInputError, match="sum_xy"):
        compare_ratios((1, 2, 3), (1, 2, 3))


@given(st.lists(st.tuples(st.floats(1, 1e4), st.floats(0, 1.5)), min_size=2, max_size=40))
def test_identical_ratio_groups_are_not_different(rows: list[tuple[float, float]]) -> None:
    x = np.array([a for a, _ in rows])
    y = np.array([a * f for a, f in rows])
    c = compare_ratios(_ratio_sums(x, y), _ratio_sums(x, y))
    assert c.difference == 0.0 and not c.significant
    assert c.p_value == pytest.approx(1.0) and c.ci_low <= 0.0 <= c.ci_high


def test_small_nps_comparison_uses_the_exact_permutation_test_and_flags_each_side() -> None:
    a, b = (5, 0, 0), (1, 0, 8)
    c = compare_nps(a, b)
    assert "exact conditional permutation" in c.method
    assert c.small_sample_a and c.small_sample_b
    # independent enumeration of every split of the 14 pooled answers into 5 + 9
    import itertools

    pooled = [1] * 6 + [-1] * 8
    observed = abs(100.0 - 100 * (1 - 8) / 9)
    hits = total = 0
    for idx in itertools.combinations(range(14), 5):
        ga = [pooled[i] for i in idx]
        gb = [pooled[i] for i in range(14) if i not in idx]
        total += 1
        hits += abs(100 * np.mean(ga) - 100 * np.mean(gb)) >= observed - 1e-9
    assert c.p_value == pytest.approx(hits / total, rel=1e-9)
    same = compare_nps((5, 0, 0), (5, 0, 0))
    assert same.p_value == 1.0 and not same.significant and same.ci_low < 0 < same.ci_high
