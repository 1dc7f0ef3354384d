"""Monte Carlo settings shared by the coverage tests.

With R replications the standard error of an estimated coverage near 0.95 is
sqrt(0.95 * 0.05 / R): 2000 replications give 0.0049, so a tolerance of 0.02 is about 4 SE
(a correct interval fails it far less than once in ten thousand runs).
"""

from __future__ import annotations

REPLICATIONS = 2000
TOLERANCE = 0.02


def assert_coverage(hits: int, replications: int = REPLICATIONS, nominal: float = 0.95) -> None:
    """Fail unless ``hits / replications`` is within ``TOLERANCE`` of ``nominal``."""
    coverage = hits / replications
    assert abs(coverage - nominal) <= TOLERANCE, (
        f"coverage {coverage:.4f} outside {nominal} +/- {TOLERANCE}"
    )


def tango_bounds(promoters: float, detractors: float, n: float, z: float) -> tuple[float, float]:
    """Tango's score interval of p_P - p_D, written independently of cxpulse (root finding
    with scipy on the score statistic with the restricted MLE solved numerically)."""
    import math

    from scipy import optimize

    def restricted_q(delta: float) -> float:
        # maximise P log(q + delta) + D log q + M log(1 - 2q - delta) over q
        m = n - promoters - detractors
        lo, hi = max(0.0, -delta) + 1e-15, (1.0 - delta) / 2.0 - 1e-15
        if hi <= lo:
            return lo

        def neg(q: float) -> float:
            out = 0.0
            for count, share in ((promoters, q + delta), (detractors, q), (m, 1 - 2 * q - delta)):
                if count > 0:
                    out -= count * math.log(max(share, 1e-300))
            return out

        return float(
            optimize.minimize_scalar(
                neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13}
            ).x
        )

    def score(delta: float) -> float:
        q = restricted_q(delta)
        var = n * (2 * q + delta * (1 - delta))
        return (promoters - detractors - n * delta) / math.sqrt(max(var, 1e-300))

    observed = (promoters - detractors) / n
    edge = 1 - 1e-9
    high = 1.0 if score(edge) >= -z else optimize.brentq(lambda d: score(d) + z, observed, edge)
    low = -1.0 if score(-edge) <= z else optimize.brentq(lambda d: score(d) - z, -edge, observed)
    return low, high
