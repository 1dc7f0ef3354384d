"""Ratios of sums over units (GRR, NRR from per-account revenue): delta-method interval."""

from __future__ import annotations

import math
from typing import SupportsFloat

from cxpulse.stats.estimate import NO_DATA, SMALL_SAMPLE_N, Estimate, as_n, empty_estimate, is_small
from cxpulse.stats.inputs import as_count, as_finite, check_confidence, t_critical

DELTA_RATIO = "delta method (ratio of sums)"
UNDEFINED_RATIO = "delta method (ratio of sums): denominator is 0"


def ratio_standard_error(
    n: float, sum_x: float, sum_y: float, sum_xx: float, sum_yy: float, sum_xy: float
) -> float:
    """Delta-method standard error of ``sum_y / sum_x``; needs n >= 2 and sum_x != 0.

    ``sqrt(s_d^2 / n) / |mean(x)|`` with the residual variance
    ``s_d^2 = (sum_yy - 2 R sum_xy + R^2 sum_xx) / (n - 1)`` clamped at 0 against rounding.
    """
    ratio = sum_y / sum_x
    ssd = max(sum_yy - 2.0 * ratio * sum_xy + ratio * ratio * sum_xx, 0.0)
    return math.sqrt(ssd / (n - 1.0) / n) / abs(sum_x / n)


def ratio_interval(
    n: SupportsFloat,
    sum_x: SupportsFloat,
    sum_y: SupportsFloat,
    sum_xx: SupportsFloat,
    sum_yy: SupportsFloat,
    sum_xy: SupportsFloat,
    confidence: float = 0.95,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> Estimate:
    """Ratio ``R = sum(y) / sum(x)`` over ``n`` units with a delta-method (linearised) interval.

    Each unit (account) contributes a denominator ``x`` (e.g. revenue at the start) and a
    numerator ``y`` (revenue kept). The residuals ``d = y - R x`` give
    ``Var(R) ~ s_d^2 / (n * mean(x)^2)`` with
    ``s_d^2 = (sum_yy - 2 R sum_xy + R^2 sum_xx) / (n - 1)``; the interval uses a t quantile
    with n - 1 degrees of freedom. n < 2 gives a NaN interval; a zero denominator a NaN value.

    The interval is asymptotic: when a few units dominate the sums (very skewed account sizes)
    it is too narrow at moderate n. Simulated coverage of the 95% interval with lognormal
    account sizes: sigma = 0.5 about 0.94 at n = 200; sigma = 1 about 0.89 at n = 200 and 0.94
    at n = 1000.

    >>> x, y = [100.0, 200.0, 50.0, 150.0], [90.0, 220.0, 0.0, 150.0]
    >>> e = ratio_interval(4, sum(x), sum(y), sum(a * a for a in x),
    ...                    sum(b * b for b in y), sum(a * b for a, b in zip(x, y)))
    >>> round(e.value, 3), round(e.ci_low, 3), round(e.ci_high, 3)
    (0.92, 0.481, 1.359)
    """
    where = "ratio_interval"
    level = check_confidence(confidence, where)
    count = as_count(n, "n", where)
    sx = as_finite(sum_x, "sum_x", where)
    sy = as_finite(sum_y, "sum_y", where)
    sxx = as_count(sum_xx, "sum_xx", where)
    syy = as_count(sum_yy, "sum_yy", where)
    sxy = as_finite(sum_xy, "sum_xy", where)
    if count == 0:
        return empty_estimate(NO_DATA, level)
    if sx == 0:
        return empty_estimate(UNDEFINED_RATIO, level, n=as_n(count))
    ratio = sy / sx
    small = is_small(count, small_sample_n)
    if count < 2:
        return Estimate(ratio, as_n(count), math.nan, math.nan, DELTA_RATIO, True, level)
    se = ratio_standard_error(count, sx, sy, sxx, syy, sxy)
    half = t_critical(level, count - 1.0) * se
    return Estimate(ratio, as_n(count), ratio - half, ratio + half, DELTA_RATIO, small, level)
