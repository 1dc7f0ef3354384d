"""Errors of the metric layer (part of the one cxpulse exception tree)."""

from __future__ import annotations

from cxpulse.errors import CxpulseError, UnknownMetricError

__all__ = ["MetricQueryError", "UnknownDimensionError", "UnknownMetricError"]


class MetricQueryError(CxpulseError):
    """A metric query asks for something that cannot be computed (bad grain, period...)."""


class UnknownDimensionError(MetricQueryError):
    """A ``by`` column that is neither in ``accounts`` nor in the metric's own table."""
