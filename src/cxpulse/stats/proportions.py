"""Proportions (CSAT top-2-box, first contact resolution, churn): Wilson score interval."""

from __future__ import annotations

import math
from typing import SupportsFloat

from cxpulse.stats.estimate import (
    NO_DATA,
    SMALL_SAMPLE_N,
    Estimate,
    as_n,
    empty_estimate,
    is_small,
)
from cxpulse.stats.inputs import StatisticsInputError, as_count, check_confidence, z_critical

WILSON = "wilson score"


def wilson_bounds(successes: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score bounds for ``successes`` out of ``n`` (n > 0) with critical value ``z``."""
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(max(p * (1.0 - p) / n + z2 / (4.0 * n * n), 0.0)) / denom
    # Exact at the edges: with 0 successes the lower bound is 0, with n it is 1.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def wilson_interval(
    successes: SupportsFloat,
    n: SupportsFloat,
    confidence: float = 0.95,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> Estimate:
    """Proportion ``successes / n`` (0..1) with its Wilson score interval.

    Wilson keeps the interval inside [0, 1] and covers close to the nominal level even for
    small n or proportions near 0 or 1, where the Wald interval fails. n = 0 gives NaN.

    >>> e = wilson_interval(45, 50)
    >>> round(e.value, 2), round(e.ci_low, 4), round(e.ci_high, 4), e.small_sample
    (0.9, 0.7864, 0.9565, False)
    """
    where = "wilson_interval"
    level = check_confidence(confidence, where)
    x = as_count(successes, "successes", where)
    total = as_count(n, "n", where)
    if x > total:
        raise StatisticsInputError(
            f"{where}: successes ({x:g}) cannot exceed n ({total:g}). "
            "Check that the numerator counts a subset of the denominator."
        )
    if total == 0:
        return empty_estimate(NO_DATA, level)
    low, high = wilson_bounds(x, total, z_critical(level))
    return Estimate(
        value=x / total,
        n=as_n(total),
        ci_low=low,
        ci_high=high,
        method=WILSON,
        small_sample=is_small(total, small_sample_n),
        confidence=level,
    )
