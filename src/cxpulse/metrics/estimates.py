"""From engine aggregates to values with intervals (and to comparisons), via cxpulse.stats.

Every computation returns :class:`Aggregate` records: a group, a period and the sufficient
statistics of one metric there. This module is the only place that turns them into numbers.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cxpulse.config import MetricsConfig
from cxpulse.metrics.definitions import MetricDefinition
from cxpulse.metrics.results import MetricValue
from cxpulse.stats import (
    Comparison,
    Estimate,
    compare_means,
    compare_nps,
    compare_proportions,
    compare_rates,
    mean_interval,
    nps_estimate,
    poisson_rate_interval,
    proportion_interval,
    ratio_interval,
)

PROPORTION_STATISTICS = (
    "proportion",
    "churn",
    "cohort",
    "repeat_purchase",
    "returning",
    "purchase_cohort",
    "cohort_repeat",
    "activity_cohort",
)
MEAN_STATISTICS = ("mean", "customer_mean")
RATE_STATISTICS = ("rate", "open_count")
COMPARABLE = ("nps", *MEAN_STATISTICS, *PROPORTION_STATISTICS, *RATE_STATISTICS)
TOTAL_METHOD = "sum over customers: customers x student t interval of the per-customer mean"


@dataclass(frozen=True)
class Aggregate:
    """Sufficient statistics of one metric in one group and period."""

    group: dict[str, Any]
    period: date | None
    stats: dict[str, float]
    extra: dict[str, Any] = field(default_factory=dict)


def _f(x: Any) -> float:
    return 0.0 if x is None else float(x)


def _percent(e: Estimate) -> tuple[float, float, float]:
    return 100.0 * e.value, 100.0 * e.ci_low, 100.0 * e.ci_high


def estimate(definition: MetricDefinition, agg: Aggregate, options: MetricsConfig) -> MetricValue:
    """The value, n and interval of one aggregate, percent metrics on 0..100."""
    s = agg.stats
    conf, small_n = options.confidence, options.small_sample_n
    extra = dict(agg.extra)
    kind = definition.statistic
    if kind == "nps":
        e_nps = nps_estimate(
            _f(s["promoters"]), _f(s["passives"]), _f(s["detractors"]), conf, small_n
        )
        extra.update(
            pct_promoters=e_nps.pct_promoters,
            pct_passives=e_nps.pct_passives,
            pct_detractors=e_nps.pct_detractors,
        )
        e: Estimate = e_nps
        value, low, high = e.value, e.ci_low, e.ci_high
    elif kind in PROPORTION_STATISTICS:
        e = proportion_interval(_f(s["successes"]), _f(s["n"]), conf, small_n)
        value, low, high = _percent(e)
        extra.setdefault("successes", int(_f(s["successes"])))
    elif kind in MEAN_STATISTICS:
        e = mean_interval(_f(s["n"]), _f(s["total"]), _f(s["total_sq"]), conf, small_n)
        value, low, high = e.value, e.ci_low, e.ci_high
    elif kind == "customer_total":
        # the total is n x the per-customer mean; its interval scales the mean's interval
        per = mean_interval(_f(s["n"]), _f(s["total"]), _f(s["total_sq"]), conf, small_n)
        count = _f(s["n"])
        e = dataclasses.replace(
            per,
            value=_f(s["total"]),
            ci_low=count * per.ci_low,
            ci_high=count * per.ci_high,
            method=TOTAL_METHOD if per.has_interval else per.method,
        )
        value, low, high = e.value, e.ci_low, e.ci_high
        extra.update(customers=int(count))
    elif kind == "customer_ratio":
        e = ratio_interval(
            _f(s["n"]),
            _f(s["sum_x"]),
            _f(s["sum_y"]),
            _f(s["sum_xx"]),
            _f(s["sum_yy"]),
            _f(s["sum_xy"]),
            conf,
            small_n,
        )
        value, low, high = e.value, e.ci_low, e.ci_high
        extra.update(orders=int(_f(s["sum_x"])), revenue=_f(s["sum_y"]))
    elif kind == "revenue_retention":
        # stats' ratio is sum_y / sum_x: x = revenue before, y = revenue kept (or now)
        e = ratio_interval(
            _f(s["n"]),
            _f(s["sum_x"]),
            _f(s["sum_y"]),
            _f(s["sum_xx"]),
            _f(s["sum_yy"]),
            _f(s["sum_xy"]),
            conf,
            small_n,
        )
        value, low, high = _percent(e)
        extra.update(revenue_before=_f(s["sum_x"]), revenue_after=_f(s["sum_y"]))
    elif kind in RATE_STATISTICS:
        units = int(_f(s.get("n", s["events"])))
        e = poisson_rate_interval(
            _f(s["events"]), _f(s["exposure"]), conf, n=units, small_sample_n=small_n
        )
        value, low, high = e.value, e.ci_low, e.ci_high
        extra.update(events=int(_f(s["events"])), exposure=_f(s["exposure"]))
    elif kind == "quantile":
        e = agg.extra["_estimate"]
        extra.pop("_estimate")
        value, low, high = e.value, e.ci_low, e.ci_high
    else:  # pragma: no cover - every statistic is handled above
        raise ValueError(kind)
    return MetricValue(
        metric=definition.name,
        group=agg.group,
        period=agg.period,
        value=value,
        n=e.n,
        ci_low=low,
        ci_high=high,
        method=e.method,
        small_sample=e.small_sample,
        unit=definition.unit,
        extra=extra,
        confidence=e.confidence,
    )


def _scale(c: Comparison, factor: float) -> Comparison:
    if factor == 1.0:
        return c
    return dataclasses.replace(
        c,
        difference=c.difference * factor,
        ci_low=c.ci_low * factor,
        ci_high=c.ci_high * factor,
        value_a=c.value_a * factor,
        value_b=c.value_b * factor,
    )


def _flagged(c: Comparison, small_n: int) -> Comparison:
    return dataclasses.replace(c, small_sample_a=c.n_a < small_n, small_sample_b=c.n_b < small_n)


def comparison(
    definition: MetricDefinition, a: Aggregate | None, b: Aggregate | None, options: MetricsConfig
) -> Comparison:
    """``a - b`` with interval and p-value (percent metrics in percentage points), each side
    flagged when it has fewer than ``small_sample_n`` observations (also when it has none)."""
    return _flagged(_comparison(definition, a, b, options), options.small_sample_n)


def _comparison(
    definition: MetricDefinition, a: Aggregate | None, b: Aggregate | None, options: MetricsConfig
) -> Comparison:
    conf, small_n = options.confidence, options.small_sample_n
    sa = a.stats if a is not None else {}
    sb = b.stats if b is not None else {}
    kind = definition.statistic
    if kind == "nps":
        keys = ("promoters", "passives", "detractors")
        return compare_nps(
            [_f(sa.get(k)) for k in keys], [_f(sb.get(k)) for k in keys], conf, small_n
        )
    if kind in PROPORTION_STATISTICS:
        c = compare_proportions(
            _f(sa.get("successes")),
            _f(sa.get("n")),
            _f(sb.get("successes")),
            _f(sb.get("n")),
            conf,
            small_n,
        )
        return _scale(c, 100.0)
    if kind in MEAN_STATISTICS:
        c = compare_means(
            _f(sa.get("n")),
            _f(sa.get("total")),
            _f(sa.get("total_sq")),
            _f(sb.get("n")),
            _f(sb.get("total")),
            _f(sb.get("total_sq")),
            conf,
        )
        return _flagged(c, small_n)
    if kind in RATE_STATISTICS:
        c = compare_rates(
            _f(sa.get("events")),
            _f(sa.get("exposure")),
            _f(sb.get("events")),
            _f(sb.get("exposure")),
            conf,
        )
        return _flagged(c, small_n)
    from cxpulse.metrics.errors import MetricQueryError

    raise MetricQueryError(
        key="metrics.error.not_comparable",
        values={"name": definition.name, "supported": "NPS, proportions, means, rates"},
    )


def is_empty(agg: Aggregate, definition: MetricDefinition) -> bool:
    """Whether an aggregate has no observation at all (such rows are not reported)."""
    s = agg.stats
    if definition.statistic == "nps":
        return _f(s.get("promoters")) + _f(s.get("passives")) + _f(s.get("detractors")) == 0
    if definition.statistic in RATE_STATISTICS:
        return _f(s.get("exposure")) == 0 and _f(s.get("events")) == 0
    n = s.get("n")
    return n is None or math.isnan(float(n)) or float(n) == 0
