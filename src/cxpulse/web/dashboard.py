"""What the overview shows, read through the public API (``Workspace.metrics`` / ``compare``).

>>> from cxpulse.workspace import Workspace
>>> ws = Workspace.connect("duckdb://")
>>> overview(ws, OverviewFilters()).kpis["nps"] is None   # an empty workspace
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from cxpulse.metrics.dimensions import BUILTIN_DIMENSIONS, Dimension, dimension_choices
from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.filters import parse_filters
from cxpulse.metrics.periods import label as period_label
from cxpulse.metrics.results import MetricValue
from cxpulse.workspace import Workspace

OVERVIEW_METRICS = ("nps", "csat", "ces")
PERIOD_CHOICES = ("3m", "6m", "12m", "24m", "all")
DEFAULT_PERIOD = "12m"
SEGMENT_DIMENSION = "segment"


@dataclass(frozen=True)
class OverviewFilters:
    """The filters of the overview: a period preset, one segment (or all), one value of any
    other column (built-in or attribute, of the answers or of their accounts) and the
    dimension the breakdown and the changes are split by."""

    period: str = DEFAULT_PERIOD
    segment: str | None = None
    where: tuple[tuple[str, str], ...] = ()
    by: str = SEGMENT_DIMENSION

    @classmethod
    def parse(
        cls,
        period: str | None,
        segment: str | None,
        filters: Sequence[str] | None = None,
        by: str | None = None,
    ) -> OverviewFilters:
        """Filters from query parameters (``filter=gender=Female``, repeatable); an unknown
        period falls back to the default, a malformed filter is refused."""
        chosen = period if period in PERIOD_CHOICES else DEFAULT_PERIOD
        where = parse_filters(list(filters or []))
        named = where.pop(SEGMENT_DIMENSION, None)
        if named is not None and segment and named != segment:
            raise MetricQueryError(
                key="metrics.error.filter_values",
                values={"column": SEGMENT_DIMENSION, "values": f"{segment}, {named}"},
            )
        return cls(
            period=chosen,
            segment=segment or named or None,
            where=tuple(sorted(where.items())),
            by=(by or "").strip() or SEGMENT_DIMENSION,
        )

    def conditions(self) -> dict[str, str]:
        """The row filters as ``Workspace.metrics(where=...)`` takes them."""
        out = {SEGMENT_DIMENSION: self.segment} if self.segment else {}
        out.update(self.where)
        return out

    def value_of(self, column: str) -> str | None:
        """The value a column is filtered to, or None."""
        return self.conditions().get(column)

    def query(self) -> list[tuple[str, str]]:
        """The query parameters that give these filters back (for links)."""
        out = [("period", self.period)]
        if self.segment:
            out.append(("segment", self.segment))
        out += [("filter", f"{k}={v}") for k, v in self.where]
        if self.by != SEGMENT_DIMENSION:
            out.append(("by", self.by))
        return out


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
    dimensions: list[Dimension] = field(default_factory=list)
    breakdown: list[MetricValue] = field(default_factory=list)

    def is_attribute(self, name: str) -> bool:
        """Whether ``name`` is a project attribute (shown by its name as declared)."""
        known = [d for d in self.dimensions if d.name == name]
        if known:
            return known[0].attribute
        return not any(name in names for names in BUILTIN_DIMENSIONS.values())

    def breakdown_groups(self) -> list[tuple[Any, dict[str, MetricValue]]]:
        """The breakdown as ``(value of the by dimension, {metric: value})``, in order."""
        out: dict[Any, dict[str, MetricValue]] = {}
        for row in self.breakdown:
            out.setdefault(row.group.get(self.filters.by), {})[row.metric] = row
        return list(out.items())

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


def filter_dimensions(ws: Workspace) -> list[Dimension]:
    """What the overview can be filtered and split by: columns of the answers and of their
    accounts, built-in or attributes, that hold a few distinct values."""
    return dimension_choices(ws, "responses")


def overview(ws: Workspace, filters: OverviewFilters) -> Overview:
    """KPIs with intervals, the monthly trend, a breakdown and significant changes for
    ``filters`` (every figure filtered in the engine by ``filters.conditions()``)."""
    months = available_months(ws)
    start, end = period_range(filters, months)
    where = filters.conditions() or None
    names = list(OVERVIEW_METRICS)
    totals = ws.metrics(names, start=start, end=end, where=where).rows
    monthly = ws.metrics(names, grain="month", start=start, end=end, where=where).rows
    breakdown = ws.metrics(names, by=filters.by, start=start, end=end, where=where).rows
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
        changes = significant_changes(ws, latest, previous, where, filters.by)
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
        dimensions=filter_dimensions(ws),
        breakdown=breakdown,
    )


def significant_changes(
    ws: Workspace,
    period: str,
    vs: str,
    where: dict[str, Any] | None = None,
    by: str = SEGMENT_DIMENSION,
) -> list[Any]:
    """Comparisons of each overview metric between two months, of the rows ``where`` keeps:
    overall and split by ``by`` (not split when ``by`` is itself filtered to one value).
    Significant ones come first."""
    out: list[Any] = []
    for name in OVERVIEW_METRICS:
        out += ws.compare(name, period=period, vs=vs, where=where)
        if by not in (where or {}):
            out += ws.compare(name, period=period, vs=vs, by=by, where=where)
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
