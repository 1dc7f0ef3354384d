"""``/api/v1/metrics`` and ``/api/v1/overview``: the indicators behind the overview page."""

from __future__ import annotations

import math
import re
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, BeforeValidator, Field

from cxpulse.errors import CxpulseError, InvalidValueError
from cxpulse.metrics import list_definitions
from cxpulse.metrics.filters import parse_filters
from cxpulse.web.dashboard import (
    PERIOD_CHOICES,
    OverviewFilters,
    comparison_dict,
    metric_value_dict,
)
from cxpulse.web.deps import ContextDep
from cxpulse.web.pages.overview import load_overview

router = APIRouter(prefix="/api/v1", tags=["metrics"])

Grain = Literal["day", "week", "month", "quarter", "year"]
# dates a period arithmetic can handle (the day after 9999-12-31 does not exist)
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)
# a grid of periods costs work per period and metric: a daily grid over centuries is refused
GRAIN_DAYS = {"day": 1.0, "week": 7.0, "month": 30.4, "quarter": 91.3, "year": 365.25}
MAX_PERIODS = 20_000
FILTER_HELP = "column=value, e.g. gender=Female (a built-in column or an attribute); repeatable"


def _iso_only(value: Any) -> Any:
    """A date parameter is written YYYY-MM-DD (never a bare number read as a timestamp)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise InvalidValueError(key="validation.date_parsing")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_only)]
PERIOD_PATTERN = (
    r"^\s*(19|[2-9][0-9])[0-9]{2}"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?|-[Qq][1-4]|-[Ww](0[1-9]|[1-4][0-9]|5[0-3]))?\s*$"
)
# the metric names, as an enum in the OpenAPI spec
MetricName = Enum(  # type: ignore[misc]
    "MetricName", {d.name: d.name for d in list_definitions()}, type=str
)


NPS = MetricName("nps")


class Problem(BaseModel):
    """Why a request could not be answered (e.g. a dimension the metric's tables lack)."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": Problem}}


class MetricValuePublic(BaseModel):
    """One indicator value with its n, confidence interval and method."""

    metric: str
    group: dict[str, Any] = Field(description="dimension values of this row, e.g. segment")
    period: date | None = Field(description="start of the period (None without a grain)")
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    method: str
    small_sample: bool
    unit: str
    extra: dict[str, Any] = Field(description="e.g. the NPS split pct_promoters, benchmark_nps")


class MetricTablePublic(BaseModel):
    rows: list[MetricValuePublic]


class ComparisonPublic(BaseModel):
    """The difference ``period - vs`` of a metric, with interval, p-value and verdict."""

    metric: str
    group: dict[str, Any]
    period: str
    vs: str
    unit: str
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool
    method: str
    n_a: int
    n_b: int
    confidence: float | None = None
    value_a: float | None = None
    value_b: float | None = None
    statistic: float | None = None


class ComparisonList(BaseModel):
    comparisons: list[ComparisonPublic]


class MetricInfo(BaseModel):
    name: str
    label: str
    unit: str
    table: str
    statistic: str
    description: str


class ExplainPublic(BaseModel):
    metric: str
    sql: str


class DimensionPublic(BaseModel):
    """A column the overview can be filtered and split by, with its stored values."""

    name: str
    table: str
    attribute: bool
    type: str
    values: list[Any]


class OverviewPublic(BaseModel):
    """What the overview page shows for one period preset and segment."""

    period: str
    segment: str | None
    filters: dict[str, str] = Field(description="the row filters applied, column -> value")
    by: str = Field(description="the dimension of the breakdown and the changes")
    start: date | None
    end: date | None
    segments: list[str]
    kpis: dict[str, MetricValuePublic | None]
    trend: dict[str, list[MetricValuePublic]]
    latest_month: str | None
    previous_month: str | None
    changes: list[ComparisonPublic]
    breakdown: list[MetricValuePublic] = Field(description="each metric split by 'by'")
    dimensions: list[DimensionPublic] = Field(description="what the overview can filter by")


def _by(by: list[str] | None) -> list[str] | None:
    names = [b for b in by or [] if b]
    repeated = sorted({b for b in names if names.count(b) > 1})
    if repeated:  # ambiguous: refused, not silently merged
        raise HTTPException(
            status_code=400,
            detail=CxpulseError(key="web.error.by_repeated", values={"by": ", ".join(repeated)}),
        )
    return names or None


@router.get("/metrics/definitions", response_model=list[MetricInfo])
def metric_definitions(lang: Literal["es", "en"] = "es") -> list[dict[str, Any]]:
    """Every indicator cxpulse computes."""
    return [
        {
            "name": d.name,
            "label": d.label(lang),
            "unit": d.unit,
            "table": d.table,
            "statistic": d.statistic,
            "description": d.description,
        }
        for d in list_definitions()
    ]


@router.get("/metrics", response_model=MetricTablePublic, responses=ERRORS)
def metrics(
    ctx: ContextDep,
    metric: Annotated[list[MetricName], Query(description="metric names, e.g. nps, csat")] = [  # noqa: B006
        NPS
    ],
    by: Annotated[list[str] | None, Query(description="dimensions, e.g. segment")] = None,
    grain: Grain | None = None,
    start: IsoDate | None = None,
    end: IsoDate | None = None,
    filter: Annotated[list[str] | None, Query(description=FILTER_HELP)] = None,
) -> dict[str, Any]:
    """Indicators by group and period, as ``Workspace.metrics`` computes them."""
    for name, day in (("start", start), ("end", end)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise HTTPException(
                status_code=400,
                detail=CxpulseError(
                    key="web.error.date_range",
                    values={
                        "name": name,
                        "day": day.isoformat(),
                        "first": FIRST_DAY.isoformat(),
                        "last": LAST_DAY.isoformat(),
                    },
                ),
            )
    names = list(dict.fromkeys(m.value for m in metric))
    if grain is not None and end is not None:
        first = start or date.today()
        periods = (end - first).days / GRAIN_DAYS[grain]
        if periods > MAX_PERIODS:
            raise HTTPException(
                status_code=400,
                detail=CxpulseError(
                    key="web.error.too_many_periods",
                    values={
                        "start": start or "today",
                        "end": end,
                        "grain": grain,
                        "periods": f"{periods:,.0f}",
                        "most": f"{MAX_PERIODS:,}",
                    },
                ),
            )
    if not names:
        raise HTTPException(status_code=400, detail=CxpulseError(key="web.error.no_metric"))
    try:
        where = parse_filters(filter or [])
        filters = tuple(sorted(where.items()))
        key = ("api.metrics", tuple(names), tuple(_by(by) or ()), grain, start, end, filters)
        table = ctx.cached(
            key,
            lambda: ctx.workspace.metrics(
                names, by=_by(by), grain=grain, start=start, end=end, where=where or None
            ),
        )
    except CxpulseError as exc:
        raise HTTPException(status_code=400, detail=exc) from exc
    return {"rows": [metric_value_dict(r) for r in table.rows]}


@router.get("/metrics/compare", response_model=ComparisonList, responses=ERRORS)
def compare(
    ctx: ContextDep,
    period: Annotated[
        str,
        Query(description="e.g. 2026-09, 2026-Q3, 2026-W37, 2026", pattern=PERIOD_PATTERN),
    ],
    vs: Annotated[
        str, Query(description="the reference period, same forms", pattern=PERIOD_PATTERN)
    ],
    metric: MetricName = NPS,
    by: Annotated[list[str] | None, Query()] = None,
    filter: Annotated[list[str] | None, Query(description=FILTER_HELP)] = None,
) -> dict[str, Any]:
    """The difference of a metric between two periods, with a significance test."""
    if not period or not vs:
        raise HTTPException(status_code=400, detail=CxpulseError(key="web.error.period_vs"))
    name = metric.value
    try:
        where = parse_filters(filter or [])
        key = ("api.compare", name, period, vs, tuple(_by(by) or ()), tuple(sorted(where.items())))
        rows = ctx.cached(
            key,
            lambda: ctx.workspace.compare(
                name, period=period, vs=vs, by=_by(by), where=where or None
            ),
        )
    except CxpulseError as exc:
        raise HTTPException(status_code=400, detail=exc) from exc
    return {"comparisons": [comparison_dict(c) for c in rows]}


@router.get("/metrics/explain", response_model=ExplainPublic, responses=ERRORS)
def explain(
    ctx: ContextDep,
    metric: MetricName = NPS,
    by: Annotated[list[str] | None, Query()] = None,
    grain: Grain | None = None,
) -> dict[str, Any]:
    """The SQL the engine runs for a metric (not executed)."""
    try:
        with ctx.workspace_lock:
            sql = ctx.workspace.explain(metric.value, by=_by(by), grain=grain)
    except CxpulseError as exc:
        raise HTTPException(status_code=400, detail=exc) from exc
    return {"metric": metric.value, "sql": sql}


@router.get("/metrics/ratings", response_model=MetricTablePublic, responses=ERRORS)
def ratings(
    ctx: ContextDep,
    column: Annotated[
        list[str] | None,
        Query(description="rating columns; default: the [metrics.drivers] columns"),
    ] = None,
    table: Annotated[
        str | None, Query(max_length=200, description="default: the [metrics.drivers] table")
    ] = None,
    missing: Annotated[
        list[float] | None, Query(description="rating codes meaning not answered, e.g. 0")
    ] = None,
    top_box: Annotated[float | None, Query(description="default: [metrics] csat_top_box")] = None,
    scale_low: float = 1.0,
    scale_high: float = 5.0,
    by: Annotated[list[str] | None, Query()] = None,
) -> dict[str, Any]:
    """CSAT per attribute rating: top-box share and mean of each rating column, with n,
    interval and method (``cxpulse metrics ratings`` computes the same)."""
    from cxpulse.metrics.ratings import table_ratings

    drivers = ctx.config.metrics.drivers
    columns = [c for c in column or [] if c] or (list(drivers.columns) if drivers else [])
    if not columns:
        raise HTTPException(status_code=400, detail=CxpulseError(key="web.error.ratings_columns"))
    name = table or (drivers.table if drivers else "responses")
    codes = missing if missing is not None else (drivers.missing_values if drivers else [])
    numbers = [scale_low, scale_high, *codes, *([top_box] if top_box is not None else [])]
    if not all(math.isfinite(x) for x in numbers):
        raise HTTPException(status_code=400, detail=CxpulseError(key="web.error.ratings_numbers"))
    if scale_low >= scale_high:
        scale = CxpulseError(
            key="web.error.ratings_scale", values={"low": scale_low, "high": scale_high}
        )
        raise HTTPException(status_code=400, detail=scale)
    key = (
        "api.ratings",
        name,
        tuple(columns),
        tuple(codes),
        top_box,
        scale_low,
        scale_high,
        tuple(_by(by) or ()),
    )
    try:
        result = ctx.cached(
            key,
            lambda: table_ratings(
                ctx.workspace,
                name,
                columns,
                missing_values=codes,
                top_box=top_box,
                by=_by(by),
                scale=(scale_low, scale_high),
            ),
        )
    except CxpulseError as exc:
        raise HTTPException(status_code=400, detail=exc) from exc
    return {"rows": [metric_value_dict(r) for r in result.rows]}


@router.get("/overview", response_model=OverviewPublic, responses=ERRORS)
def overview(
    ctx: ContextDep,
    period: Annotated[str, Query(description=" | ".join(PERIOD_CHOICES))] = "12m",
    segment: str | None = None,
    filter: Annotated[list[str] | None, Query(description=FILTER_HELP)] = None,
    by: Annotated[str | None, Query(description="dimension of the breakdown")] = None,
) -> dict[str, Any]:
    """KPIs, monthly trend, a breakdown and month-over-month changes, as on the overview
    page, of the answers the filters keep."""
    try:
        data = load_overview(ctx, OverviewFilters.parse(period, segment, filter, by))
    except CxpulseError as exc:
        raise HTTPException(status_code=400, detail=exc) from exc
    return {
        "period": data.filters.period,
        "segment": data.filters.segment,
        "filters": data.filters.conditions(),
        "by": data.filters.by,
        "breakdown": [metric_value_dict(r) for r in data.breakdown],
        "dimensions": [
            {
                "name": d.name,
                "table": d.table,
                "attribute": d.attribute,
                "type": d.type,
                "values": list(d.values),
            }
            for d in data.dimensions
        ],
        "start": data.start,
        "end": data.end,
        "segments": data.segments,
        "kpis": {k: metric_value_dict(v) if v else None for k, v in data.kpis.items()},
        "trend": {k: [metric_value_dict(r) for r in rows] for k, rows in data.trend.items()},
        "latest_month": data.latest,
        "previous_month": data.previous,
        "changes": [comparison_dict(c) for c in data.changes],
    }
