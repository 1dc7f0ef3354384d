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
