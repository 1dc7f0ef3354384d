"""Net Promoter Score with the multinomial variance of promoters minus detractors."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import SupportsFloat

from cxpulse.stats.estimate import NO_DATA, SMALL_SAMPLE_N, Estimate, as_n, is_small
from cxpulse.stats.inputs import StatisticsInputError, as_count, check_confidence, z_critical

NPS_WALD = "multinomial wald"


@dataclass(frozen=True, kw_only=True)
class NpsEstimate(Estimate):
    """An NPS (-100..100) with its split in percent (0..100) and the raw counts."""

    pct_promoters: float
    pct_passives: float
    pct_detractors: float
    promoters: float
    passives: float
    detractors: float


def nps_variance(p_promoters: float, p_detractors: float) -> float:
    """Per-response variance of (promoter - detractor) indicators, in proportion units.

    ``p_P + p_D - (p_P - p_D)^2``; multiply by 100**2 / n for the variance of the NPS.
    """
    diff = p_promoters - p_detractors
    return max(p_promoters + p_detractors - diff * diff, 0.0)


def nps_counts(
    promoters: SupportsFloat, passives: SupportsFloat, detractors: SupportsFloat, where: str
) -> tuple[float, float, float]:
    """The three counts validated as non-negative floats."""
    return (
        as_count(promoters, "promoters", where),
        as_count(passives, "passives", where),
        as_count(detractors, "detractors", where),
    )


def nps_estimate(
    promoters: SupportsFloat,
    passives: SupportsFloat,
    detractors: SupportsFloat,
    confidence: float = 0.95,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> NpsEstimate:
    """NPS = %promoters - %detractors with a normal interval on the multinomial variance.

    The standard error is ``100 * sqrt((p_P + p_D - (p_P - p_D)^2) / n)`` and the interval is
    clipped to [-100, 100]. With zero responses the value and interval are NaN and ``method``
    says so; nothing raises. When every answer falls in one category the observed variance is
    0 and the interval collapses to the value: read it together with ``small_sample``.

    >>> e = nps_estimate(60, 25, 15)
    >>> e.value, round(e.ci_low, 2), round(e.ci_high, 2), e.pct_passives
    (45.0, 30.5, 59.5, 25.0)
    """
    where = "nps_estimate"
    level = check_confidence(confidence, where)
    p_count, pa_count, d_count = nps_counts(promoters, passives, detractors, where)
    total = p_count + pa_count + d_count
    if total == 0:
        nan = math.nan
        return NpsEstimate(
            value=nan,
            n=0,
            ci_low=nan,
            ci_high=nan,
            method=NO_DATA,
            small_sample=True,
            confidence=level,
            pct_promoters=nan,
            pct_passives=nan,
            pct_detractors=nan,
            promoters=p_count,
            passives=pa_count,
            detractors=d_count,
        )
    p_p, p_d = p_count / total, d_count / total
    value = 100.0 * (p_count - d_count) / total
    se = 100.0 * math.sqrt(nps_variance(p_p, p_d) / total)
    half = z_critical(level) * se
    return NpsEstimate(
        value=value,
        n=as_n(total),
        ci_low=max(-100.0, value - half),
        ci_high=min(100.0, value + half),
        method=NPS_WALD,
        small_sample=is_small(total, small_sample_n),
        confidence=level,
        pct_promoters=100.0 * p_p,
        pct_passives=100.0 * pa_count / total,
        pct_detractors=100.0 * p_d,
        promoters=p_count,
        passives=pa_count,
        detractors=d_count,
    )


def nps_from_scores(scores: Sequence[float], confidence: float = 0.95) -> NpsEstimate:
    """NPS of raw 0-10 answers (9-10 promoters, 7-8 passives, 0-6 detractors).

    For small in-memory lists (tests, a single survey page); the metric engine counts the three
    categories in the database and calls :func:`nps_estimate`.

    >>> nps_from_scores([10, 9, 8, 3]).value
    25.0
    """
    bad = [s for s in scores if not 0 <= s <= 10]
    if bad:
        raise StatisticsInputError(
            f"nps_from_scores: NPS answers are 0..10, got {bad[:5]!r}. "
            "Filter the responses to kind 'nps' before computing the score."
        )
    promoters = sum(1 for s in scores if s >= 9)
    passives = sum(1 for s in scores if 7 <= s < 9)
    return nps_estimate(promoters, passives, len(scores) - promoters - passives, confidence)
