"""Validation of the numbers the statistics functions receive.

Aggregates come back from many engines (DuckDB, PostgreSQL, Spark) as ``int``, ``float``,
``numpy`` scalars or ``decimal.Decimal``; everything is converted to ``float`` here and checked
once, so the formulas can assume finite, non-negative inputs.
"""

from __future__ import annotations

import math
from functools import lru_cache
from numbers import Real
from typing import SupportsFloat

from scipy import stats as _sp

from cxpulse.errors import CxpulseError


class StatisticsInputError(CxpulseError, ValueError):
    """An aggregate passed to a statistics function is impossible (negative, NaN, x > n ...)."""


def as_count(value: SupportsFloat | Real, name: str, where: str) -> float:
    """``value`` as a finite, non-negative float, or a clear error naming ``name`` and ``where``."""
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise StatisticsInputError(
            f"{where}: {name} must be a number, got {value!r}. "
            "Pass the aggregate computed by the engine (a count or a sum)."
        ) from exc
    if not math.isfinite(out) or out < 0:
        raise StatisticsInputError(
            f"{where}: {name} must be a finite number >= 0, got {value!r}. "
            "Check the aggregate query that produced it."
        )
    return out


def as_finite(value: SupportsFloat | Real, name: str, where: str) -> float:
    """``value`` as a finite float (may be negative), or a clear error."""
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise StatisticsInputError(f"{where}: {name} must be a number, got {value!r}.") from exc
    if not math.isfinite(out):
        raise StatisticsInputError(
            f"{where}: {name} must be finite, got {value!r}. Check the aggregate query."
        )
    return out


def check_confidence(confidence: float, where: str) -> float:
    """The confidence level as a float strictly between 0 and 1."""
    level = float(confidence)
    if not 0.0 < level < 1.0:
        raise StatisticsInputError(
            f"{where}: confidence must be strictly between 0 and 1 (e.g. 0.95), got {confidence!r}."
        )
    return level


@lru_cache(maxsize=64)
def z_critical(confidence: float) -> float:
    """Two-sided standard normal critical value, e.g. 1.959964 for 0.95."""
    return float(_sp.norm.ppf(0.5 + confidence / 2.0))


@lru_cache(maxsize=1024)
def t_critical(confidence: float, df: float) -> float:
    """Two-sided Student t critical value with ``df`` degrees of freedom."""
    return float(_sp.t.ppf(0.5 + confidence / 2.0, df))
