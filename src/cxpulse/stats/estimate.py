"""The result every indicator carries: value, n, confidence interval, method, small-sample flag."""

from __future__ import annotations

import math
from dataclasses import dataclass

SMALL_SAMPLE_N = 30
"""Below this many observations an estimate is flagged ``small_sample`` (shown, never hidden)."""

NO_DATA = "no data (n=0)"
"""``method`` of an estimate computed from zero observations; its value and interval are NaN."""


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval and how it was computed.

    ``ci_low``/``ci_high`` are NaN when the interval cannot be computed (e.g. n < 2 for a mean);
    ``value`` is NaN when there is no data at all.

    >>> e = Estimate(0.5, 100, 0.4, 0.6, "wilson", False)
    >>> e.contains(0.55), round(e.width, 2)
    (True, 0.2)
    """

    value: float
    n: int
    ci_low: float
    ci_high: float
    method: str
    small_sample: bool
    confidence: float = 0.95

    @property
    def width(self) -> float:
        """``ci_high - ci_low`` (NaN when the interval is undefined)."""
        return self.ci_high - self.ci_low

    @property
    def has_interval(self) -> bool:
        """Whether both interval ends are finite numbers."""
        return math.isfinite(self.ci_low) and math.isfinite(self.ci_high)

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies inside the closed interval (False when it is undefined)."""
        return self.has_interval and self.ci_low <= x <= self.ci_high


def is_small(n: float, small_sample_n: int) -> bool:
    """The small-sample rule shared by every estimator."""
    return n < small_sample_n


def empty_estimate(method: str, confidence: float, n: int = 0) -> Estimate:
    """An estimate without data: NaN value and interval, flagged small."""
    return Estimate(math.nan, n, math.nan, math.nan, method, True, confidence)


def as_n(count: float) -> int:
    """A count stored as float (possibly a Decimal sum) as the int reported in ``Estimate.n``."""
    return round(count)
