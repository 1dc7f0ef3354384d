"""Differences between two independent groups (periods, segments) with a significance test.

Every ``compare_*`` returns a :class:`Comparison` whose ``difference`` is **a minus b**
(``a`` is the period or segment of interest, ``b`` the reference).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, SupportsFloat

from scipy import stats as _sp

from cxpulse.stats.estimate import NO_DATA, SMALL_SAMPLE_N
from cxpulse.stats.inputs import (
    StatisticsInputError,
    as_count,
    as_finite,
    check_confidence,
    t_critical,
    z_critical,
)
from cxpulse.stats.means import sample_variance
from cxpulse.stats.nps import NpsEstimate, nps_counts, nps_score_bounds, nps_variance
from cxpulse.stats.proportions import wilson_bounds
from cxpulse.stats.ratios import ratio_standard_error

NPS_Z = "nps difference: mover score interval, pooled multinomial z test"
NPS_EXACT = "nps difference: mover score interval, exact conditional permutation test"
NEWCOMBE = "newcombe hybrid score interval, pooled two-proportion z test"
NEWCOMBE_FISHER = "newcombe hybrid score interval, fisher exact test"
EXACT_TEST_BELOW_N = 30
"""Below this many observations in either group (or with an expected cell count under 5),
comparisons of NPS and proportions use an exact test instead of the normal approximation."""
WELCH = "welch t (unequal variances)"
WELCH_NO_SPREAD = "welch t: no spread in either group, test undefined"
RATIO_DIFF = "ratio difference: delta method, z test"
POISSON_DIFF = "poisson rate difference: wald interval, exact conditional binomial test"


@dataclass(frozen=True)
class Comparison:
    """The difference ``a - b`` with its interval, a two-sided p-value and the verdict.

    ``significant`` is ``p_value < 1 - confidence``; it is False whenever the p-value is NaN
    (not enough data to test).
    """

    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    significant: bool
    method: str
    n_a: int
    n_b: int
    confidence: float = 0.95
    value_a: float = math.nan
    value_b: float = math.nan
    statistic: float = math.nan
    small_sample_a: bool = False
    small_sample_b: bool = False


def _flag(c: Comparison, small_sample_n: int) -> Comparison:
    """``c`` with the small-sample flag of each side set."""
    import dataclasses

    return dataclasses.replace(
        c, small_sample_a=c.n_a < small_sample_n, small_sample_b=c.n_b < small_sample_n
    )


def _needs_exact(counts_a: Sequence[float], counts_b: Sequence[float]) -> bool:
    n_a, n_b = sum(counts_a), sum(counts_b)
    if min(n_a, n_b) < EXACT_TEST_BELOW_N:
        return True
    n = n_a + n_b
    for ca, cb in zip(counts_a, counts_b, strict=True):
        column = ca + cb
        if min(n_a * column / n, n_b * column / n) < 5.0:
            return True
    return False


def nps_permutation_p(a: Sequence[float], b: Sequence[float]) -> float:
    """Exact two-sided p-value of an NPS difference, conditional on the pooled answers.

    Under the null both groups draw from one distribution, so given the pooled counts of
    promoters, passives and detractors every split into groups of sizes n_a and n_b is
    equally likely (multivariate hypergeometric). The p-value sums the probability of the
    splits whose NPS difference is at least as large in absolute value as the observed one.
    The enumeration runs over the smaller group, at most (m + 1)^2 tables.
    """
    import numpy as np
    from scipy.special import gammaln

    if sum(a) > sum(b):
        a, b = b, a
    pa, ma, da = (round(x) for x in a)
    pb, mb, db = (round(x) for x in b)
    n_a, n_b = pa + ma + da, pb + mb + db
    tp, tm, td = pa + pb, ma + mb, da + db
    grid_p, grid_m = np.meshgrid(np.arange(0, min(tp, n_a) + 1), np.arange(0, min(tm, n_a) + 1))
    x_p, x_m = grid_p.ravel(), grid_m.ravel()
    x_d = n_a - x_p - x_m
    ok = (x_d >= 0) & (x_d <= td)
    x_p, x_m, x_d = x_p[ok], x_m[ok], x_d[ok]

    def log_choose(k: Any, r: Any) -> Any:
        return gammaln(k + 1) - gammaln(r + 1) - gammaln(k - r + 1)

    logp = (
        log_choose(tp, x_p) + log_choose(tm, x_m) + log_choose(td, x_d) - log_choose(n_a + n_b, n_a)
    )
    diff = np.abs((x_p - x_d) / n_a - (tp - x_p - (td - x_d)) / n_b)
    observed = abs((pa - da) / n_a - (pb - db) / n_b)
    p = float(np.exp(logp)[diff >= observed - 1e-12].sum())
    return min(1.0, p)


def _verdict(p_value: float, confidence: float) -> bool:
    return math.isfinite(p_value) and p_value < 1.0 - confidence


def _normal_p(z: float) -> float:
    return float(2.0 * _sp.norm.sf(abs(z)))


def _z_test(diff: float, se: float, when_flat: tuple[float, float]) -> tuple[float, float]:
    """(z, two-sided p) of ``diff`` under a normal null with standard error ``se``;
    ``when_flat`` when ``se`` is 0 (no spread to test against)."""
    if se > 0:
        z = diff / se
        return z, _normal_p(z)
    return when_flat


def _no_data(confidence: float, n_a: float, n_b: float) -> Comparison:
    nan = math.nan
    return Comparison(nan, nan, nan, nan, False, NO_DATA, int(n_a), int(n_b), confidence)


NpsCounts = Sequence[SupportsFloat] | NpsEstimate


def _three_counts(counts: NpsCounts, name: str, where: str) -> tuple[float, float, float]:
    if isinstance(counts, NpsEstimate):
        return counts.promoters, counts.passives, counts.detractors
    if len(counts) != 3:
        raise StatisticsInputError(
            f"{where}: {name} must be (promoters, passives, detractors), got {counts!r}."
        )
    return nps_counts(counts[0], counts[1], counts[2], f"{where} ({name})")


def compare_nps(
    a_counts: NpsCounts,
    b_counts: NpsCounts,
    confidence: float = 0.95,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> Comparison:
    """Difference of two independent NPS (points, -200..200) and whether it is significant.

    ``a_counts``/``b_counts`` are (promoters, passives, detractors) or :class:`NpsEstimate`.
    Interval: MOVER (Newcombe's method of recovering variance estimates) from the two
    groups' score intervals (:func:`cxpulse.stats.nps.nps_score_bounds`), so it does not
    collapse when a group has every answer in one category. Test: z with the variance pooled
    over both groups (the null hypothesis is one common distribution), which stays defined
    when a group has all its answers in one category. With fewer than 30 answers on a side
    (or an expected count under 5) the p-value comes from the exact conditional permutation test
    (:func:`nps_permutation_p`) instead, and ``method`` says so. ``small_sample_a`` /
    ``small_sample_b`` flag each side below ``small_sample_n``.

    >>> c = compare_nps((60, 25, 15), (40, 30, 30))
    >>> c.difference, round(c.p_value, 4), c.significant
    (35.0, 0.0021, True)
    """
    where = "compare_nps"
    level = check_confidence(confidence, where)
    pa, ma, da = _three_counts(a_counts, "a_counts", where)
    pb, mb, db = _three_counts(b_counts, "b_counts", where)
    n_a, n_b = pa + ma + da, pb + mb + db
    if n_a == 0 or n_b == 0:
        return _no_data(level, n_a, n_b)
    value_a = 100.0 * (pa - da) / n_a
    value_b = 100.0 * (pb - db) / n_b
    diff = value_a - value_b
    z_crit = z_critical(level)
    la, ua = (100.0 * v for v in nps_score_bounds(pa, da, n_a, z_crit))
    lb, ub = (100.0 * v for v in nps_score_bounds(pb, db, n_b, z_crit))
    low = diff - math.hypot(value_a - la, ub - value_b)
    high = diff + math.hypot(ua - value_a, value_b - lb)
    n = n_a + n_b
    se0 = 100.0 * math.sqrt(nps_variance((pa + pb) / n, (da + db) / n) * (1.0 / n_a + 1.0 / n_b))
    # se0 is 0 when both groups sit entirely in the same single category
    z, p_value = _z_test(diff, se0, when_flat=(0.0, 1.0))
    method = NPS_Z
    if _needs_exact((pa, ma, da), (pb, mb, db)):
        p_value, method = nps_permutation_p((pa, ma, da), (pb, mb, db)), NPS_EXACT
    c = Comparison(
        difference=diff,
        ci_low=max(-200.0, low),
        ci_high=min(200.0, high),
        p_value=p_value,
        significant=_verdict(p_value, level),
        method=method,
        n_a=round(n_a),
        n_b=round(n_b),
        confidence=level,
        value_a=value_a,
        value_b=value_b,
        statistic=z,
    )
    return _flag(c, small_sample_n)


def compare_proportions(
    x_a: SupportsFloat,
    n_a: SupportsFloat,
    x_b: SupportsFloat,
    n_b: SupportsFloat,
    confidence: float = 0.95,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> Comparison:
    """Difference of two independent proportions ``x_a/n_a - x_b/n_b`` (0..1 units).

    Interval: Newcombe's hybrid score method (his method 10), built from the two Wilson
    intervals, which behaves well near 0 and 1. p-value: two-proportion z test with the pooled
    proportion; with fewer than 30 observations on a side or an expected cell count under 5,
    Fisher's exact test instead (named in ``method``). ``small_sample_a`` / ``small_sample_b``
    flag each side below ``small_sample_n``.

    >>> c = compare_proportions(56, 70, 48, 80)
    >>> round(c.difference, 4), round(c.ci_low, 4), round(c.ci_high, 4)
    (0.2, 0.0524, 0.3339)
    """
    where = "compare_proportions"
    level = check_confidence(confidence, where)
    xa, na = as_count(x_a, "x_a", where), as_count(n_a, "n_a", where)
    xb, nb = as_count(x_b, "x_b", where), as_count(n_b, "n_b", where)
    if xa > na or xb > nb:
        raise StatisticsInputError(
            f"{where}: successes cannot exceed n (a: {xa:g}/{na:g}, b: {xb:g}/{nb:g})."
        )
    if na == 0 or nb == 0:
        return _no_data(level, na, nb)
    z_crit = z_critical(level)
    p1, p2 = xa / na, xb / nb
    l1, u1 = wilson_bounds(xa, na, z_crit)
    l2, u2 = wilson_bounds(xb, nb, z_crit)
    diff = p1 - p2
    low = diff - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = diff + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    pooled = (xa + xb) / (na + nb)
    se0 = math.sqrt(pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb))
    # se0 is 0 when both groups are all successes or both all failures
    z, p_value = _z_test(diff, se0, when_flat=(0.0, 1.0))
    method = NEWCOMBE
    if _needs_exact((xa, na - xa), (xb, nb - xb)):
        table = [[round(xa), round(na - xa)], [round(xb), round(nb - xb)]]
        p_value, method = float(_sp.fisher_exact(table).pvalue), NEWCOMBE_FISHER
    c = Comparison(
        difference=diff,
        ci_low=max(-1.0, low),
        ci_high=min(1.0, high),
        p_value=p_value,
        significant=_verdict(p_value, level),
        method=method,
        n_a=round(na),
        n_b=round(nb),
        confidence=level,
        value_a=p1,
        value_b=p2,
        statistic=z,
    )
    return _flag(c, small_sample_n)


def compare_means(
    n_a: SupportsFloat,
    sum_a: SupportsFloat,
    sumsq_a: SupportsFloat,
    n_b: SupportsFloat,
    sum_b: SupportsFloat,
    sumsq_b: SupportsFloat,
    confidence: float = 0.95,
) -> Comparison:
    """Difference of two means (Welch's unequal-variance t) from sufficient statistics.

    Each group is given as n, sum(x), sum(x^2). Each group needs n >= 2; otherwise the result
    has NaN interval and p-value and is not significant.

    >>> a, b = [4.0, 5.0, 5.0, 3.0, 4.0], [2.0, 3.0, 3.0, 2.0]
    >>> c = compare_means(5, sum(a), sum(x * x for x in a), 4, sum(b), sum(x * x for x in b))
    >>> round(c.difference, 2), round(c.p_value, 4)
    (1.7, 0.009)
    """
    where = "compare_means"
    level = check_confidence(confidence, where)
    na, nb = as_count(n_a, "n_a", where), as_count(n_b, "n_b", where)
    sa, sb = as_finite(sum_a, "sum_a", where), as_finite(sum_b, "sum_b", where)
    qa, qb = as_count(sumsq_a, "sumsq_a", where), as_count(sumsq_b, "sumsq_b", where)
    if na == 0 or nb == 0:
        return _no_data(level, na, nb)
    mean_a, mean_b = sa / na, sb / nb
    diff = mean_a - mean_b
    nan = math.nan
    if na < 2 or nb < 2:
        return Comparison(
            diff, nan, nan, nan, False, WELCH, round(na), round(nb), level, mean_a, mean_b
        )
    wa = sample_variance(na, sa, qa) / na
    wb = sample_variance(nb, sb, qb) / nb
    se2 = wa + wb
    if se2 == 0:
        # Two constant groups: the difference is exact but t is undefined (as in scipy).
        return Comparison(
            diff,
            diff,
            diff,
            nan,
            False,
            WELCH_NO_SPREAD,
            round(na),
            round(nb),
            level,
            mean_a,
            mean_b,
        )
    se = math.sqrt(se2)
    # Welch-Satterthwaite, written with shares of se2 so tiny variances cannot underflow to 0/0.
    share_a, share_b = wa / se2, wb / se2
    df = 1.0 / (share_a * share_a / (na - 1.0) + share_b * share_b / (nb - 1.0))
    t = diff / se
    p_value = float(2.0 * _sp.t.sf(abs(t), df))
    half = t_critical(level, df) * se
    return Comparison(
        difference=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        p_value=p_value,
        significant=_verdict(p_value, level),
        method=WELCH,
        n_a=round(na),
        n_b=round(nb),
        confidence=level,
        value_a=mean_a,
        value_b=mean_b,
        statistic=t,
    )


def compare_rates(
    events_a: SupportsFloat,
    exposure_a: SupportsFloat,
    events_b: SupportsFloat,
    exposure_b: SupportsFloat,
    confidence: float = 0.95,
) -> Comparison:
    """Difference of two Poisson rates ``k_a/t_a - k_b/t_b`` (e.g. tickets per account-month).

    Interval: normal (Wald) with variance ``k_a/t_a^2 + k_b/t_b^2``. p-value: exact
    conditional test; given ``k_a + k_b`` events, ``k_a`` is Binomial(k_a + k_b,
    t_a / (t_a + t_b)) when both rates are equal. ``n_a``/``n_b`` report the event counts.

    >>> c = compare_rates(30, 100.0, 12, 100.0)
    >>> round(c.difference, 2), round(c.p_value, 4)
    (0.18, 0.0079)
    """
    where = "compare_rates"
    level = check_confidence(confidence, where)
    ka, ta = as_count(events_a, "events_a", where), as_count(exposure_a, "exposure_a", where)
    kb, tb = as_count(events_b, "events_b", where), as_count(exposure_b, "exposure_b", where)
    if (ta == 0 and ka > 0) or (tb == 0 and kb > 0):
        raise StatisticsInputError(
            f"{where}: events with zero exposure (a: {ka:g}/{ta:g}, b: {kb:g}/{tb:g}). "
            "Exposure must be positive wherever events were counted."
        )
    if ta == 0 or tb == 0:
        return _no_data(level, ka, kb)
    rate_a, rate_b = ka / ta, kb / tb
    diff = rate_a - rate_b
    se = math.sqrt(ka / (ta * ta) + kb / (tb * tb))
    half = z_critical(level) * se
    total = ka + kb
    if total == 0:
        p_value = 1.0
    else:
        k = round(ka)
        p_value = float(_sp.binomtest(k, round(total), ta / (ta + tb)).pvalue)
    return Comparison(
        difference=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        p_value=p_value,
        significant=_verdict(p_value, level),
        method=POISSON_DIFF,
        n_a=round(ka),
        n_b=round(kb),
        confidence=level,
        value_a=rate_a,
        value_b=rate_b,
        statistic=diff / se if se > 0 else 0.0,
    )


RatioSums = Sequence[SupportsFloat]


def _ratio_sums(sums: RatioSums, name: str, where: str) -> tuple[float, ...]:
    if len(sums) != 6:
        raise StatisticsInputError(
            f"{where}: {name} must be (n, sum_x, sum_y, sum_xx, sum_yy, sum_xy), got {sums!r}."
        )
    labels = ("n", "sum_x", "sum_y", "sum_xx", "sum_yy", "sum_xy")
    return tuple(
        as_count(v, f"{name}.{label}", where)
        if label in {"n", "sum_xx", "sum_yy"}
        else as_finite(v, f"{name}.{label}", where)
        for v, label in zip(sums, labels, strict=True)
    )


def compare_ratios(a_sums: RatioSums, b_sums: RatioSums, confidence: float = 0.95) -> Comparison:
    """Difference of two independent ratios of sums (GRR or NRR of two periods or segments).

    Each group is ``(n, sum_x, sum_y, sum_xx, sum_yy, sum_xy)`` over its units, as for
    :func:`ratio_interval`; the ratios are ``sum_y / sum_x``. Interval and two-sided z test use
    the delta-method standard errors added in quadrature. A group with n < 2 or a zero
    denominator gives NaN interval and p-value (not significant).

    >>> a = (4, 500.0, 460.0, 75000.0, 79000.0, 75500.0)
    >>> c = compare_ratios(a, a)
    >>> c.difference, c.p_value, c.significant
    (0.0, 1.0, False)
    """
    where = "compare_ratios"
    level = check_confidence(confidence, where)
    na, sxa, sya, sxxa, syya, sxya = _ratio_sums(a_sums, "a_sums", where)
    nb, sxb, syb, sxxb, syyb, sxyb = _ratio_sums(b_sums, "b_sums", where)
    if na == 0 or nb == 0:
        return _no_data(level, na, nb)
    nan = math.nan
    ratio_a = sya / sxa if sxa != 0 else nan
    ratio_b = syb / sxb if sxb != 0 else nan
    diff = ratio_a - ratio_b
    if na < 2 or nb < 2 or sxa == 0 or sxb == 0:
        return Comparison(
            diff, nan, nan, nan, False, RATIO_DIFF, round(na), round(nb), level, ratio_a, ratio_b
        )
    se = math.hypot(
        ratio_standard_error(na, sxa, sya, sxxa, syya, sxya),
        ratio_standard_error(nb, sxb, syb, sxxb, syyb, sxyb),
    )
    # se is 0 when every unit keeps exactly the same share in both groups
    z, p_value = _z_test(diff, se, when_flat=(0.0, 1.0) if diff == 0 else (nan, nan))
    half = z_critical(level) * se
    return Comparison(
        difference=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        p_value=p_value,
        significant=_verdict(p_value, level),
        method=RATIO_DIFF,
        n_a=round(na),
        n_b=round(nb),
        confidence=level,
        value_a=ratio_a,
        value_b=ratio_b,
        statistic=z,
    )
