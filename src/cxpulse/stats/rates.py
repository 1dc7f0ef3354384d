"""Counts and rates (tickets per account-month, open important tickets): exact Poisson interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import SupportsFloat

from scipy import stats as _sp

from cxpulse.stats.estimate import NO_DATA, SMALL_SAMPLE_N, Estimate, as_n, is_small
from cxpulse.stats.inputs import StatisticsInputError, as_count, check_confidence

GARWOOD = "exact poisson (garwood)"


@dataclass(frozen=True, kw_only=True)
class RateEstimate(Estimate):
    """A rate ``events / exposure`` with the raw count and exposure behind it."""

    events: float
    exposure: float


def garwood_bounds(events: float, confidence: float) -> tuple[float, float]:
    """Exact two-sided bounds for a Poisson mean after observing ``events`` counts.

    Lower ``chi2(a/2, 2k) / 2`` (0 when k = 0), upper ``chi2(1 - a/2, 2k + 2) / 2``.
    """
    alpha = 1.0 - confidence
    low = 0.0 if events == 0 else float(_sp.chi2.ppf(alpha / 2.0, 2.0 * events)) / 2.0
    high = float(_sp.chi2.ppf(1.0 - alpha / 2.0, 2.0 * events + 2.0)) / 2.0
    return low, high


def poisson_rate_interval(
    events: SupportsFloat,
    exposure: SupportsFloat = 1.0,
    confidence: float = 0.95,
    *,
    n: int | None = None,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> RateEstimate:
    """Rate ``events / exposure`` with the exact (Garwood) Poisson interval.

    ``exposure`` is the amount of observation behind the count (account-months, accounts, or
    1 for a plain count). ``n`` is the number of units reported in ``Estimate.n`` and used for
    the small-sample flag (e.g. the accounts observed); it defaults to the number of events,
    since a Poisson rate is as precise as its count (relative error about ``1/sqrt(events)``).
    Zero exposure gives NaN.

    >>> e = poisson_rate_interval(12, 40.0)   # 12 tickets over 40 account-months
    >>> e.value, round(e.ci_low, 4), round(e.ci_high, 4)
    (0.3, 0.155, 0.524)
    """
    where = "poisson_rate_interval"
    level = check_confidence(confidence, where)
    k = as_count(events, "events", where)
    t = as_count(exposure, "exposure", where)
    units = as_n(k) if n is None else int(n)
    if t == 0:
        if k > 0:
            raise StatisticsInputError(
                f"{where}: {k:g} events with zero exposure. Exposure (e.g. account-months) "
                "must be positive wherever events were counted."
            )
        nan = math.nan
        return RateEstimate(
            value=nan,
            n=units,
            ci_low=nan,
            ci_high=nan,
            method=NO_DATA,
            small_sample=True,
            confidence=level,
            events=k,
            exposure=t,
        )
    low, high = garwood_bounds(k, level)
    return RateEstimate(
        value=k / t,
        n=units,
        ci_low=low / t,
        ci_high=high / t,
        method=GARWOOD,
        small_sample=is_small(units, small_sample_n),
        confidence=level,
        events=k,
        exposure=t,
    )
