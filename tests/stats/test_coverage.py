"""Coverage of the NPS and proportion intervals at small n and at the edges.

Coverage is computed exactly: for a true distribution, the probability of every possible
sample (binomial or trinomial) times whether its interval contains the truth. That is a
simulation with no Monte Carlo error; one Monte Carlo run checks the enumeration itself.

Criterion (the one used by Brown, Cai and DasGupta 2001 and Newcombe 1998): coverage
averaged over the true values, over the whole range and over the edge region (a category
within 5 % of 0 or 1), is within 1 point of nominal or above, for n = 5, 10, 30, 100 and for
90 % and 95 % intervals. Pointwise minima are pinned too, so a regression shows.

Measured (mean over the simplex / edge region / minimum), 95 %: NPS n=5 0.971/0.971/0.919,
n=10 0.965/0.970/0.914, n=30 0.954/0.958/0.930, n=100 0.950/0.950/0.933; proportions n=5
0.990/0.991/0.975, n=10 0.984/0.992/0.961, n=30 0.958/0.989/0.921, n=100 0.952/0.967/0.929.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln

from cxpulse.stats import nps_estimate, proportion_interval

SIZES = (5, 10, 30, 100)
LEVELS = (0.90, 0.95)
EDGE = 0.05


def _trinomial_samples(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p, m = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    keep = p + m <= n
    return p[keep], m[keep], n - p[keep] - m[keep]


def _nps_bounds(n: int, level: float) -> tuple[np.ndarray, ...]:
    p, m, d = _trinomial_samples(n)
    bounds = [nps_estimate(a, b, c, confidence=level) for a, b, c in zip(p, m, d, strict=True)]
    lo = np.array([e.ci_low for e in bounds])
    hi = np.array([e.ci_high for e in bounds])
    return p, m, d, lo, hi


def _nps_coverage(samples: tuple[np.ndarray, ...], n: int, p_p: float, p_d: float) -> float:
    p, m, d, lo, hi = samples
    p_m = max(0.0, 1.0 - p_p - p_d)
    terms = gammaln(n + 1) - gammaln(p + 1) - gammaln(m + 1) - gammaln(d + 1)
    for count, share in zip((p, m, d), (p_p, p_m, p_d), strict=True):
        # a category of probability 0: samples with any answer in it are impossible
        impossible = np.where(count > 0, -np.inf, terms)
        terms = terms + count * np.log(share) if share > 0 else impossible
    prob = np.exp(terms)
    truth = 100.0 * (p_p - p_d)
    return float(prob[(lo <= truth + 1e-9) & (truth <= hi + 1e-9)].sum())


SIMPLEX = [
    (a, b)
    for a in np.linspace(0.0, 1.0, 21)
    for b in np.linspace(0.0, 1.0, 21)
    if a + b <= 1.0 + 1e-12
]
# edge splits: all promoters, all detractors, almost all, no detractors, no passives...
EDGE_SPLITS = [
    (1.0, 0.0),
    (0.0, 1.0),
    (0.0, 0.0),
    (0.98, 0.0),
    (0.95, 0.0),
    (0.9, 0.0),
    (0.9, 0.05),
    (0.0, 0.95),
    (0.05, 0.9),
    (0.6, 0.0),
    (0.5, 0.5),
    (0.02, 0.02),
]


def _near_edge(p_p: float, p_d: float) -> bool:
    shares = (p_p, p_d, 1.0 - p_p - p_d)
    return any(s <= EDGE + 1e-12 or s >= 1.0 - EDGE - 1e-12 for s in shares)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("n", SIZES)
def test_nps_interval_keeps_its_coverage_at_small_n_and_at_the_edges(n: int, level: float) -> None:
    samples = _nps_bounds(n, level)
    everywhere = [_nps_coverage(samples, n, a, min(b, 1 - a)) for a, b in SIMPLEX]
    edges = [_nps_coverage(samples, n, a, min(b, 1 - a)) for a, b in SIMPLEX if _near_edge(a, b)]
    splits = [_nps_coverage(samples, n, a, b) for a, b in EDGE_SPLITS]
    assert np.mean(everywhere) >= level - 0.01, np.mean(everywhere)
    assert np.mean(edges) >= level - 0.01, np.mean(edges)
    assert np.mean(splits) >= level - 0.01, np.mean(splits)
    # pointwise, the discreteness of small samples costs at most about 8 points (n = 10 at
    # 90 %: 0.819); pinned so that a regression shows
    assert min(everywhere) >= level - 0.085, min(everywhere)
    # the degenerate truths are always covered: the interval never excludes its edge
    for a, b in [(1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]:
        assert _nps_coverage(samples, n, a, b) == pytest.approx(1.0)


def test_five_promoters_do_not_give_a_point_interval() -> None:
    e = nps_estimate(5, 0, 0)
    assert e.value == 100.0 and e.ci_high == 100.0
    assert e.ci_low < 50.0, "five answers cannot pin an NPS of 100"
    worst = nps_estimate(0, 0, 5)
    assert worst.ci_low == -100.0 and worst.ci_high > -50.0
    flat = nps_estimate(0, 5, 0)
    assert flat.ci_low < 0.0 < flat.ci_high


def test_exact_nps_coverage_agrees_with_a_monte_carlo_run() -> None:
    rng = np.random.default_rng(7)
    n, probs = 10, (0.9, 0.1, 0.0)
    samples = _nps_bounds(n, 0.95)
    exact = _nps_coverage(samples, n, probs[0], probs[2])
    draws = rng.multinomial(n, probs, size=4000)
    hits = np.mean([nps_estimate(*row).contains(90.0) for row in draws])
    assert hits == pytest.approx(exact, abs=0.015)


def _proportion_coverage(n: int, level: float, truths: np.ndarray) -> np.ndarray:
    x = np.arange(n + 1)
    est = [proportion_interval(k, n, confidence=level) for k in x]
    lo = np.array([e.ci_low for e in est])
    hi = np.array([e.ci_high for e in est])
    out = []
    for p in truths:
        prob = stats.binom.pmf(x, n, p)
        out.append(prob[(lo <= p + 1e-12) & (p <= hi + 1e-12)].sum())
    return np.array(out)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("n", SIZES)
def test_proportion_interval_keeps_its_coverage_at_small_n_and_at_the_edges(
    n: int, level: float
) -> None:
    truths = np.linspace(0.0005, 0.9995, 1000)
    edge = truths[(truths <= EDGE) | (truths >= 1 - EDGE)]
    everywhere = _proportion_coverage(n, level, truths)
    at_edges = _proportion_coverage(n, level, edge)
    assert everywhere.mean() >= level - 0.01, everywhere.mean()
    assert at_edges.mean() >= level - 0.01, at_edges.mean()
    # pointwise at worst 4.1 points below (n = 30 at 90 %: 0.859)
    assert everywhere.min() >= level - 0.045, everywhere.min()
    assert _proportion_coverage(n, level, np.array([0.0, 1.0])).min() == pytest.approx(1.0)


def test_wilson_alone_would_fail_the_edge_criterion() -> None:
    """Why the exact interval is used at small n: Wilson under-covers near the edges."""
    from cxpulse.stats import wilson_interval

    n, level = 5, 0.95
    x = np.arange(n + 1)
    est = [wilson_interval(k, n) for k in x]
    lo = np.array([e.ci_low for e in est])
    hi = np.array([e.ci_high for e in est])
    truths = np.linspace(0.0005, EDGE, 100)
    cover = [stats.binom.pmf(x, n, p)[(lo <= p) & (p <= hi)].sum() for p in truths]
    assert np.mean(cover) < level - 0.01
