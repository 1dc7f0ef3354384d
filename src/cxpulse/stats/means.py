"""Means (CSAT and CES averages, handle time): Student t interval from sufficient statistics."""

from __future__ import annotations

import math
from typing import SupportsFloat

from cxpulse.stats.estimate import NO_DATA, SMALL_SAMPLE_N, Estimate, as_n, empty_estimate, is_small
from cxpulse.stats.inputs import (
    StatisticsInputError,
    as_count,
    as_finite,
    check_confidence,
    t_critical,
)

T_INTERVAL = "student t"
SINGLE_OBSERVATION = "student t (n=1: no interval)"

# Relative size below which a computed sum of squared deviations is rounding noise.
_CANCELLATION = 64 * 2.220446049250313e-16


def sample_variance(n: float, total: float, total_sq: float) -> float:
    """Unbiased sample variance from ``n``, ``sum(x)`` and ``sum(x^2)``; needs n >= 2.

    ``sum(x^2) - sum(x)^2 / n`` loses digits when the mean is large relative to the spread, and
    can come out slightly negative; such results (and anything below rounding noise of
    ``sum(x^2)``) are clamped to 0 instead of producing NaN. When the engine can return the
    variance directly (``var_samp``), prefer :func:`mean_interval_from_moments`.
    """
    sxx = total_sq - total * (total / n)
    if sxx <= _CANCELLATION * abs(total_sq):
        return 0.0
    return sxx / (n - 1.0)


def mean_interval_from_moments(
    n: SupportsFloat,
    mean: SupportsFloat,
    std: SupportsFloat,
    confidence: float = 0.95,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> Estimate:
    """Mean with t interval from ``n``, the mean and the sample standard deviation (ddof=1).

    >>> e = mean_interval_from_moments(4, 2.5, 1.2909944487358056)
    >>> round(e.ci_low, 4), round(e.ci_high, 4)
    (0.4457, 4.5543)
    """
    where = "mean_interval_from_moments"
    level = check_confidence(confidence, where)
    count = as_count(n, "n", where)
    if count == 0:
        return empty_estimate(NO_DATA, level)
    centre = as_finite(mean, "mean", where)
    if count < 2:
        return Estimate(centre, as_n(count), math.nan, math.nan, SINGLE_OBSERVATION, True, level)
    sd = as_count(std, "std", where)
    half = t_critical(level, count - 1.0) * sd / math.sqrt(count)
    return Estimate(
        value=centre,
        n=as_n(count),
        ci_low=centre - half,
        ci_high=centre + half,
        method=T_INTERVAL,
        small_sample=is_small(count, small_sample_n),
        confidence=level,
    )


def mean_interval(
    n: SupportsFloat,
    total: SupportsFloat,
    total_sq: SupportsFloat,
    confidence: float = 0.95,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> Estimate:
    """Mean ``total / n`` with a Student t interval, from ``n``, ``sum(x)`` and ``sum(x^2)``.

    n = 0 gives NaN everywhere; n = 1 gives the value with a NaN interval (no spread can be
    estimated from one observation). Both are flagged ``small_sample``.

    >>> e = mean_interval(4, 10.0, 30.0)   # x = 1, 2, 3, 4
    >>> e.value, round(e.ci_low, 4), round(e.ci_high, 4)
    (2.5, 0.4457, 4.5543)
    """
    where = "mean_interval"
    level = check_confidence(confidence, where)
    count = as_count(n, "n", where)
    s = as_finite(total, "total", where)
    s2 = as_count(total_sq, "total_sq", where)
    if count == 0:
        return empty_estimate(NO_DATA, level)
    # Cauchy-Schwarz: sum(x)^2 <= n * sum(x^2); a clear violation means mismatched aggregates.
    if s * s > count * s2 * (1.0 + 1e-9) + 1e-12:
        raise StatisticsInputError(
            f"{where}: total^2 ({s * s:g}) exceeds n * total_sq ({count * s2:g}), which no data "
            "can produce. Check that n, sum(x) and sum(x*x) come from the same rows."
        )
    mean = s / count
    if count < 2:
        return Estimate(mean, as_n(count), math.nan, math.nan, SINGLE_OBSERVATION, True, level)
    sd = math.sqrt(sample_variance(count, s, s2))
    return mean_interval_from_moments(count, mean, sd, level, small_sample_n)
