"""Medians and other quantiles (time to resolution): distribution-free order-statistic interval.

The engine computes quantiles in the database; this module tells it which extra quantiles to
ask for so that the two bracketing order statistics form a confidence interval, then builds the
:class:`Estimate` from the three numbers that come back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import SupportsFloat

from scipy import stats as _sp

from cxpulse.stats.estimate import NO_DATA, SMALL_SAMPLE_N, Estimate, as_n, empty_estimate, is_small
from cxpulse.stats.inputs import StatisticsInputError, as_count, as_finite, check_confidence

ORDER_STATISTIC = "binomial order statistics (distribution-free)"


@dataclass(frozen=True)
class QuantileRanks:
    """1-based ranks of the order statistics bounding the q-quantile, and their real coverage.

    ``coverage`` is ``P(X_(lower) <= xi_q <= X_(upper))`` for any continuous distribution. It is
    at least the requested confidence unless the sample is too small, in which case the ranks
    are clipped to 1 and n and ``coverage`` says what is actually achieved.
    """

    n: int
    q: float
    lower_rank: int
    upper_rank: int
    coverage: float


def _check_q(q: float, where: str) -> float:
    value = float(q)
    if not 0.0 < value < 1.0:
        raise StatisticsInputError(
            f"{where}: q must be strictly between 0 and 1 (0.5 for the median), got {q!r}."
        )
    return value


def quantile_order_statistics(n: int, q: float, confidence: float = 0.95) -> QuantileRanks:
    """Order statistics ``X_(l) <= xi_q <= X_(u)`` covering the q-quantile with ``confidence``.

    The number of observations below the true quantile is Binomial(n, q), so
    ``P(X_(l) <= xi_q < X_(u)) = F(u - 1) - F(l - 1)``; ``l`` and ``u - 1`` are the alpha/2 and
    1 - alpha/2 binomial quantiles, clipped to [1, n].

    >>> r = quantile_order_statistics(100, 0.5)
    >>> r.lower_rank, r.upper_rank, round(r.coverage, 4)
    (40, 61, 0.9648)
    """
    where = "quantile_order_statistics"
    level = check_confidence(confidence, where)
    prob = _check_q(q, where)
    size = int(n)
    if size < 1:
        raise StatisticsInputError(f"{where}: n must be at least 1, got {n!r}.")
    alpha = 1.0 - level
    dist = _sp.binom(size, prob)
    lower = int(dist.ppf(alpha / 2.0))
    upper = int(dist.ppf(1.0 - alpha / 2.0)) + 1
    lower = min(max(lower, 1), size)
    upper = min(max(upper, lower), size)
    coverage = float(dist.cdf(upper - 1) - dist.cdf(lower - 1))
    return QuantileRanks(size, prob, lower, upper, coverage)


def rank_probability(rank: int, n: int) -> float:
    """The probability p at which a linear-interpolation quantile returns exactly ``X_(rank)``.

    For the continuous quantile of numpy (default), DuckDB ``quantile_cont`` and PostgreSQL
    ``percentile_cont``, position ``1 + (n - 1) p`` maps to the order statistic.
    """
    return 0.0 if n <= 1 else (rank - 1) / (n - 1)


def quantile_interval_ranks(n: int, q: float, confidence: float = 0.95) -> tuple[float, float]:
    """Probabilities (lower, upper) to pass to a continuous quantile for the CI of the q-quantile.

    The engine asks the database for ``quantile_cont(x, lower)`` and ``quantile_cont(x, upper)``
    besides ``quantile_cont(x, q)``, then calls :func:`quantile_estimate`. n = 0 gives NaNs.

    >>> quantile_interval_ranks(100, 0.5)
    (0.3939393939393939, 0.6060606060606061)
    """
    if int(n) == 0:
        return (math.nan, math.nan)
    ranks = quantile_order_statistics(n, q, confidence)
    return (
        rank_probability(ranks.lower_rank, ranks.n),
        rank_probability(ranks.upper_rank, ranks.n),
    )


def quantile_estimate(
    n: SupportsFloat,
    q: float,
    value: SupportsFloat | None,
    lower: SupportsFloat | None,
    upper: SupportsFloat | None,
    confidence: float = 0.95,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> Estimate:
    """The q-quantile estimate from the three engine-computed quantiles.

    ``lower`` and ``upper`` are the quantiles at :func:`quantile_interval_ranks` (n, q). The
    estimate is also flagged small when n is too small for the interval to reach the requested
    confidence (see :class:`QuantileRanks`).

    >>> e = quantile_estimate(100, 0.5, 12.0, 10.5, 14.0)
    >>> e.value, e.ci_low, e.ci_high, e.small_sample
    (12.0, 10.5, 14.0, False)
    """
    where = "quantile_estimate"
    level = check_confidence(confidence, where)
    count = as_count(n, "n", where)
    prob = _check_q(q, where)
    if count == 0 or value is None:
        return empty_estimate(NO_DATA, level)
    centre = as_finite(value, "value", where)
    low = centre if lower is None else as_finite(lower, "lower", where)
    high = centre if upper is None else as_finite(upper, "upper", where)
    if not low <= centre <= high:
        raise StatisticsInputError(
            f"{where}: expected lower <= value <= upper, got {low:g}, {centre:g}, {high:g}. "
            "Pass the quantiles at the probabilities from quantile_interval_ranks."
        )
    ranks = quantile_order_statistics(as_n(count), prob, level)
    small = is_small(count, small_sample_n) or ranks.coverage < level
    return Estimate(centre, as_n(count), low, high, ORDER_STATISTIC, small, level)
