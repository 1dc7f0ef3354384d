"""Time grains and periods: truncating in the engine, calendars and period labels in Python.

A period is named by its first day. Weeks start on Monday (ISO), as ``date_trunc`` does in
DuckDB, PostgreSQL, Spark and ibis' SQLite.

>>> parse_period("2026-09")
Period(start=datetime.date(2026, 9, 1), end=datetime.date(2026, 10, 1), label='2026-09')
>>> period_start(date(2026, 9, 17), "quarter")
datetime.date(2026, 7, 1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import ibis.expr.types as ir

from cxpulse.metrics.errors import MetricQueryError

GRAINS: tuple[str, ...] = ("day", "week", "month", "quarter", "year")
_IBIS_UNITS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
DAYS_PER_MONTH = 30.436875  # mean Gregorian month, to express exposure in account-months


@dataclass(frozen=True)
class Period:
    """A half-open date range ``[start, end)`` with a human label."""

    start: date
    end: date
    label: str

    @property
    def months(self) -> float:
        """Length in (mean) months; exactly 1, 3 or 12 for whole months, quarters, years."""
        if self.start.day == 1 and self.end.day == 1:
            return float((self.end.year - self.start.year) * 12 + self.end.month - self.start.month)
        return (self.end - self.start).days / DAYS_PER_MONTH


def check_grain(grain: str | None) -> str | None:
    """Validate a grain name (``None`` or ``"none"`` means the whole range)."""
    if grain is None or grain == "none":
        return None
    if grain not in GRAINS:
        raise MetricQueryError(
            key="metrics.error.grain", values={"grain": grain, "grains": ", ".join(GRAINS)}
        )
    return grain


INDEXED_GRAINS = ("month", "quarter", "year")


def truncate(column: ir.Value, grain: str) -> ir.Value:
    """The period holding ``column``, as an engine expression.

    Months, quarters and years become an integer index (``year * 12 + month - 1`` ...),
    which every engine computes much faster than ``date_trunc`` on timestamps; days and
    weeks are truncated. :func:`period_value` turns either back into the period's first day.
    """
    if grain in INDEXED_GRAINS:
        return period_index(column, grain)
    return column.truncate(_IBIS_UNITS[grain])  # type: ignore[attr-defined]


def period_index(column: ir.Value, grain: str) -> ir.IntegerValue:
    """Months, quarters or years since year 0 as an engine expression."""
    year = column.year()  # type: ignore[attr-defined]
    if grain == "month":
        return year * 12 + column.month() - 1  # type: ignore[attr-defined,no-any-return]
    if grain == "quarter":
        return year * 4 + column.quarter() - 1  # type: ignore[attr-defined,no-any-return]
    return year  # type: ignore[no-any-return]


def index_date(idx: int, grain: str) -> date:
    """The first day of the period with index ``idx`` (see :func:`period_index`)."""
    if grain == "month":
        return date(idx // 12, idx % 12 + 1, 1)
    if grain == "quarter":
        return date(idx // 4, (idx % 4) * 3 + 1, 1)
    return date(idx, 1, 1)


def date_index(day: date, grain: str) -> int:
    """The index of the period holding ``day`` (inverse of :func:`index_date`)."""
    if grain == "month":
        return day.year * 12 + day.month - 1
    if grain == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    return day.year


def period_value(value: Any, grain: str) -> date:
    """The first day of a period from what the engine returned for :func:`truncate`."""
    if grain in INDEXED_GRAINS:
        return index_date(int(value), grain)
    return to_date(value)


def to_date(value: Any) -> date:
    """Coerce a date, datetime, pandas Timestamp or ISO string to a ``date``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()  # type: ignore[no-any-return]
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()[:19]).date()
        except ValueError:
            return parse_period(value).start
    raise MetricQueryError(key="metrics.error.date", values={"value": value})


def period_start(day: date, grain: str) -> date:
    """The first day of the period of ``grain`` holding ``day``."""
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def next_period(start: date, grain: str) -> date:
    """The first day of the period after the one starting at ``start``."""
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    return _add_months(start, {"month": 1, "quarter": 3, "year": 12}[grain])


def label(start: date, grain: str | None) -> str:
    """A short label: 2026-09, 2026-Q3, 2026-W37, 2026, or the ISO date."""
    if grain == "month":
        return f"{start.year}-{start.month:02d}"
    if grain == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if grain == "year":
        return str(start.year)
    if grain == "week":
        iso = start.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return start.isoformat()


def calendar(first: date, last: date, grain: str | None) -> list[Period]:
    """Every period of ``grain`` from the one holding ``first`` to the one holding ``last``.

    With no grain, one period ``[first, last + 1 day)``.
    """
    if grain is None:
        return [Period(first, last + timedelta(days=1), f"{first}..{last}")]
    out: list[Period] = []
    cur = period_start(first, grain)
    while cur <= last:
        nxt = next_period(cur, grain)
        out.append(Period(cur, nxt, label(cur, grain)))
        cur = nxt
    return out


_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), "day"),
    (re.compile(r"^(\d{4})-W(\d{2})$"), "week"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def parse_period(text: str) -> Period:
    """Read a period written as 2026-09-17, 2026-W37, 2026-09, 2026-Q3 or 2026."""
    value = str(text).strip().upper()
    for pattern, grain in _PATTERNS:
        m = pattern.match(value)
        if not m:
            continue
        parts = [int(g) for g in m.groups()]
        try:
            if grain == "day":
                start = date(parts[0], parts[1], parts[2])
            elif grain == "week":
                start = date.fromisocalendar(parts[0], parts[1], 1)
            elif grain == "month":
                start = date(parts[0], parts[1], 1)
            elif grain == "quarter":
                start = date(parts[0], 3 * (parts[1] - 1) + 1, 1)
            else:
                start = date(parts[0], 1, 1)
            end = next_period(start, grain)
        except (ValueError, OverflowError) as exc:  # e.g. 2026-02-30, or a period ending in 10000
            raise MetricQueryError(
                key="metrics.error.period_date", values={"text": text, "error": exc}
            ) from exc
        return Period(start, end, label(start, grain))
    raise MetricQueryError(key="metrics.error.period", values={"text": text})
