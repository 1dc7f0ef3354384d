"""Pure statistics for customer indicators: estimates with intervals and comparisons.

No I/O: every function takes aggregates (counts, sums, sums of squares, quantiles) that the
metric engine computed in the database and returns an :class:`Estimate` or a
:class:`Comparison` that carries n, the interval, the method and a small-sample flag.

>>> from cxpulse.stats import nps_estimate
>>> nps_estimate(60, 25, 15).value
45.0
"""

from __future__ import annotations

from cxpulse.stats.compare import (
    Comparison,
    compare_means,
    compare_nps,
    compare_proportions,
    compare_rates,
    compare_ratios,
    nps_permutation_p,
)
from cxpulse.stats.estimate import NO_DATA, SMALL_SAMPLE_N, Estimate
from cxpulse.stats.inputs import StatisticsInputError
from cxpulse.stats.means import mean_interval, mean_interval_from_moments
from cxpulse.stats.nps import NpsEstimate, nps_estimate, nps_from_scores, nps_score_bounds
from cxpulse.stats.proportions import clopper_pearson_bounds, proportion_interval, wilson_interval
from cxpulse.stats.quantiles import (
    QuantileRanks,
    quantile_estimate,
    quantile_interval_ranks,
    quantile_order_statistics,
)
from cxpulse.stats.rates import RateEstimate, poisson_rate_interval
from cxpulse.stats.ratios import ratio_interval

__all__ = [
    "NO_DATA",
    "SMALL_SAMPLE_N",
    "Comparison",
    "Estimate",
    "NpsEstimate",
    "QuantileRanks",
    "RateEstimate",
    "StatisticsInputError",
    "clopper_pearson_bounds",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "compare_rates",
    "compare_ratios",
    "mean_interval",
    "mean_interval_from_moments",
    "nps_estimate",
    "nps_from_scores",
    "nps_permutation_p",
    "nps_score_bounds",
    "poisson_rate_interval",
    "proportion_interval",
    "quantile_estimate",
    "quantile_interval_ranks",
    "quantile_order_statistics",
    "ratio_interval",
    "wilson_interval",
]
