"""What the overview shows, read through the public API (``Workspace.metrics`` / ``compare``).

>>> from cxpulse.workspace import Workspace
>>> ws = Workspace.connect("duckdb://")
>>> overview(ws, OverviewFilters()).kpis["nps"] is None   # an empty workspace
True
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, TypeVar

from cxpulse.metrics.periods import label as period_label
from cxpulse.metrics.results import MetricValue
from cxpulse.workspace import Workspace

OVERVIEW_METRICS = ("nps", "csat", "ces")
PERIOD_CHOICES = ("3m", "6m", "12m", "24m", "all")
DEFAULT_PERIOD = "12m"
SEGMENT_DIMENSION = "segment"
R = TypeVar("R")


@dataclass(frozen=True)
class OverviewFilters:
    """The filters of the overview: a period preset and one segment (or all)."""

    period: str = DEFAULT_PERIOD
    segment: str | None = None

    @classmethod
    def parse(cls, period: str | None, segment: str | None) -> OverviewFilters:
        """Filters from query parameters; unknown values fall back to the defaults."""
        chosen = period if period in PERIOD_CHOICES else DEFAULT_PERIOD
        return cls(period=chosen, segment=segment or None)


@dataclass
class Overview:
    """Everything on the overview page for one set of filters."""

    filters: OverviewFilters
    start: date | None
    end: date | None
    segments: list[str]
    kpis: dict[str, MetricValue | None]
    trend: dict[str, list[MetricValue]]
    changes: list[Any] = field(default_factory=list)
    latest: str | None = None
    previous: str | None = None

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in self.kpis.values())


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def available_months(ws: Workspace) -> list[date]:
    """Months that have survey answers, oldest first."""
    table = ws.metrics(list(OVERVIEW_METRICS), grain="month")
    return sorted({r.period for r in table.rows if r.period is not None})


def segments_of(ws: Workspace) -> list[str]:
    """Segment values that have survey answers (from the metric groups)."""
    table = ws.metrics(list(OVERVIEW_METRICS), by=SEGMENT_DIMENSION)
    found = {r.group.get(SEGMENT_DIMENSION) for r in table.rows}
    return sorted(str(s) for s in found if s is not None and s != "")


def period_range(filters: OverviewFilters, months: list[date]) -> tuple[date | None, date | None]:
    """``(start, end)`` of a period preset, counted back from the latest month with data."""
    if not months or filters.period == "all":
        return None, None
    count = int(filters.period.removesuffix("m"))
    return _shift_months(months[-1], -(count - 1)), None


def _pick(rows: list[R], segment: str | None) -> list[R]:
    if segment is None:
        return rows
    return [r for r in rows if str(r.group.get(SEGMENT_DIMENSION)) == segment]  # type: ignore[attr-defined]


def overview(ws: Workspace, filters: OverviewFilters) -> Overview:
    """KPIs with intervals, the monthly trend and significant changes for ``filters``."""
    months = available_months(ws)
    start, end = period_range(filters, months)
    by = [SEGMENT_DIMENSION] if filters.segment else None
    names = list(OVERVIEW_METRICS)
    totals = _pick(ws.metrics(names, by=by, start=start, end=end).rows, filters.segment)
    monthly = _pick(
        ws.metrics(names, by=by, grain="month", start=start, end=end).rows, filters.segment
    )
    kpis: dict[str, MetricValue | None] = {name: None for name in names}
    for row in totals:
        kpis[row.metric] = row
    trend: dict[str, list[MetricValue]] = {name: [] for name in names}
    for row in monthly:
        trend[row.metric].append(row)
    for rows in trend.values():
        rows.sort(key=lambda r: r.period or date.min)

    in_range = sorted({r.period for r in monthly if r.period is not None})
    latest = previous = None
    changes: list[Any] = []
    if len(in_range) >= 2:
        latest = period_label(in_range[-1], "month")
        previous = period_label(in_range[-2], "month")
        changes = significant_changes(ws, latest, previous, filters.segment)
    return Overview(
        filters=filters,
        start=start,
        end=end,
        segments=segments_of(ws),
        kpis=kpis,
        trend=trend,
        changes=changes,
        latest=latest,
        previous=previous,
    )


def significant_changes(
    ws: Workspace, period: str, vs: str, segment: str | None = None
) -> list[Any]:
    """Comparisons of each overview metric between two months, overall and by segment.

    With ``segment`` only that segment's comparisons. Significant ones come first.
    """
    out: list[Any] = []
    for name in OVERVIEW_METRICS:
        if segment is None:
            out += ws.compare(name, period=period, vs=vs)
            out += ws.compare(name, period=period, vs=vs, by=SEGMENT_DIMENSION)
        else:
            out += _pick(ws.compare(name, period=period, vs=vs, by=SEGMENT_DIMENSION), segment)
    out = [c for c in out if c.n_a > 0 and c.n_b > 0]
    out.sort(key=lambda c: (not c.significant, -abs(_finite(c.difference) or 0.0)))
    return out


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def metric_value_dict(row: MetricValue) -> dict[str, Any]:
    """A JSON-ready dict of a metric value (NaN becomes None, dates ISO strings)."""
    data = asdict(row)
    data["period"] = row.period.isoformat() if row.period else None
    for key in ("value", "ci_low", "ci_high"):
        data[key] = _finite(data[key])
    data["extra"] = {k: _finite(v) for k, v in row.extra.items() if not k.startswith("_")}
    return data


def comparison_dict(c: Any) -> dict[str, Any]:
    """A JSON-ready dict of a :class:`~cxpulse.metrics.MetricComparison`."""
    data = {k: _finite(v) for k, v in asdict(c).items()}
    data["significant"] = bool(c.significant)
    return data
