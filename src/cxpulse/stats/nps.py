"""Net Promoter Score with the multinomial variance of promoters minus detractors."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import SupportsFloat

from cxpulse.stats.estimate import NO_DATA, SMALL_SAMPLE_N, Estimate, as_n, is_small
from cxpulse.stats.inputs import StatisticsInputError, as_count, check_confidence, z_critical

NPS_WALD = "multinomial wald"
NPS_SCORE = "tango score interval (trinomial)"


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


def _score_statistic(promoters: float, detractors: float, n: float, delta: float) -> float:
    """Tango's score statistic of ``p_P - p_D = delta`` (proportion units, -1 < delta < 1).

    Under the null the promoter and detractor shares are the restricted maximum-likelihood
    pair ``(q + delta, q)``, ``q`` the positive root of ``2n q^2 + W q - D delta (1 - delta)``
    with ``W = -P - D + delta (2n - P + D)``; the variance of ``(P - D) / n`` there is
    ``(2q + delta (1 - delta)) / n``.
    """
    w = -promoters - detractors + delta * (2.0 * n - promoters + detractors)
    q = (-w + math.sqrt(max(w * w + 8.0 * n * detractors * delta * (1.0 - delta), 0.0))) / (4 * n)
    var = n * (2.0 * q + delta * (1.0 - delta))
    diff = promoters - detractors - n * delta
    if var <= 0.0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / math.sqrt(var)


def _bisect(f: Callable[[float], float], lo: float, hi: float) -> float:
    """The root of a monotone ``f`` with ``f(lo)`` and ``f(hi)`` of opposite signs."""
    f_lo = f(lo)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return 0.5 * (lo + hi)


def nps_score_bounds(
    promoters: float, detractors: float, n: float, z: float
) -> tuple[float, float]:
    """Score interval of ``p_P - p_D`` (proportion units) from the trinomial counts.

    The values ``delta`` not rejected by Tango's score test (Tango 1998, the same statistic as
    for the difference of paired proportions, promoters and detractors playing the two
    discordant cells). Unlike the Wald interval it does not collapse when every answer falls in
    one category: five promoters out of five give about [0.57, 1], not [1, 1].
    """
    observed = (promoters - detractors) / n
    edge = 1.0 - 1e-12

    def stat(delta: float) -> float:
        return _score_statistic(promoters, detractors, n, delta)

    if promoters == n or stat(edge) >= -z:
        high = 1.0
    else:
        high = _bisect(lambda d: stat(d) + z, observed, edge)
    if detractors == n or stat(-edge) <= z:
        low = -1.0
    else:
        low = _bisect(lambda d: stat(d) - z, -edge, observed)
    return min(low, observed), max(high, observed)


def nps_estimate(
    promoters: SupportsFloat,
    passives: SupportsFloat,
    detractors: SupportsFloat,
    confidence: float = 0.95,
    small_sample_n: int = SMALL_SAMPLE_N,
) -> NpsEstimate:
    """NPS = %promoters - %detractors with Tango's score interval on the trinomial counts.

    The interval inverts the score test of the promoter-minus-detractor difference, with the
    variance evaluated under each hypothesised value (:func:`nps_score_bounds`); it stays
    inside [-100, 100], is wide when n is small and never collapses to a point when every
    answer is in one category. Exact coverage, computed over every possible sample for
    n = 5, 10, 30 and 100 (tests/stats/test_coverage.py), averages at or above the nominal
    level, also near the edges. With zero responses the value and interval are NaN and
    ``method`` says so; nothing raises.

    >>> e = nps_estimate(60, 25, 15)
    >>> e.value, round(e.ci_low, 1), round(e.ci_high, 1), e.pct_passives
    (45.0, 29.3, 58.1, 25.0)
    >>> e = nps_estimate(5, 0, 0)
    >>> e.value, round(e.ci_low, 1), e.ci_high
    (100.0, 13.1, 100.0)
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
    low, high = nps_score_bounds(p_count, d_count, total, z_critical(level))
    return NpsEstimate(
        value=value,
        n=as_n(total),
        ci_low=max(-100.0, 100.0 * low),
        ci_high=min(100.0, 100.0 * high),
        method=NPS_SCORE,
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
