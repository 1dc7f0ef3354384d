"""The metric engine: ``query`` (values with intervals), ``explain`` (the SQL), ``compare``.

Each metric becomes ibis expressions that return sufficient statistics per group and period;
the engine runs them and turns the aggregates into values with intervals (cxpulse.stats).
Raw rows never come back to Python.

>>> from cxpulse.workspace import Workspace
>>> ws = Workspace.connect("duckdb://")
>>> query(ws, ["nps"]).rows
[]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.metrics.definitions import REGISTRY, MetricDefinition
from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.estimates import COMPARABLE, Aggregate, comparison, estimate, is_empty
from cxpulse.metrics.filters import Where, WhereSpec, dimensions, keep, narrowed, where_spec
from cxpulse.metrics.frame import QuerySpec
from cxpulse.metrics.results import MetricTable, MetricValue
from cxpulse.metrics.simple import SIMPLE_STATISTICS, run_simple, simple_expression
from cxpulse.stats import Comparison

__all__ = ["MetricComparison", "MetricTable", "compare", "explain", "query"]

Runner = Callable[[Any, MetricDefinition, QuerySpec], list[Aggregate]]
Explainer = Callable[[Any, MetricDefinition, QuerySpec], list[tuple[str, ir.Table]]]


def _computations() -> dict[str, tuple[Runner, Explainer]]:
    from cxpulse.metrics import accounts, purchases, quantiles, revenue, volume

    return {
        "quantile": (quantiles.run, quantiles.expressions),
        "churn": (accounts.run_churn, accounts.churn_expressions),
        "cohort": (accounts.run_cohorts, accounts.cohort_expressions),
        "revenue_retention": (revenue.run, revenue.expressions),
        "repeat_purchase": (purchases.run_repeat, purchases.repeat_expressions),
        "returning": (purchases.run_repeat, purchases.repeat_expressions),
        "purchase_cohort": (purchases.run_cohorts, purchases.cohort_expressions),
        "cohort_repeat": (purchases.run_cohorts, purchases.cohort_expressions),
        "activity_cohort": (purchases.run_cohorts, purchases.cohort_expressions),
        "customer_total": (purchases.run_customers, purchases.customer_expressions),
        "customer_ratio": (purchases.run_customers, purchases.customer_expressions),
        "customer_mean": (purchases.run_customers, purchases.customer_expressions),
        "open_count": (volume.run_open, volume.open_expressions),
        "rate": (volume.run_rate, volume.rate_expressions),
    }


def _names(ws: Any, names: Sequence[str] | str) -> list[MetricDefinition]:
    from cxpulse.metrics.custom import check_columns, resolve

    items = [names] if isinstance(names, str) else list(names)
    if not items:
        raise MetricQueryError(key="metrics.error.none")
    out = [resolve(ws.config.metrics, n) for n in dict.fromkeys(items)]
    for d in out:
        check_columns(ws, d)
    return out


def collect(
    ws: Any,
    definitions: Sequence[MetricDefinition],
    spec: QuerySpec,
    where: WhereSpec = (),
    by: Sequence[str] | str | None = None,
) -> dict[str, list[Aggregate]]:
    """Run the expressions of every metric; the aggregates of each, by name.

    With ``where`` (see :mod:`cxpulse.metrics.filters`) ``spec`` is split by the filter
    columns too; only the matching groups are kept, shown by the dimensions of ``by``.
    """
    out = _collect(ws, definitions, spec)
    if not where:
        return out
    return {
        name: [replace(a, group=narrowed(a.group, by, where)) for a in aggs if keep(a.group, where)]
        for name, aggs in out.items()
    }


def _collect(
    ws: Any, definitions: Sequence[MetricDefinition], spec: QuerySpec
) -> dict[str, list[Aggregate]]:
    out: dict[str, list[Aggregate]] = {}
    shared: dict[tuple[str, str], list[MetricDefinition]] = {}
    for d in definitions:
        if d.statistic in SIMPLE_STATISTICS:
            shared.setdefault((d.table, d.time_column), []).append(d)
    for group in shared.values():
        out.update(run_simple(ws, group, spec))
    for d in definitions:
        if d.statistic not in SIMPLE_STATISTICS:
            out[d.name] = _computations()[d.statistic][0](ws, d, spec)
    return out


def _order(value: Any) -> tuple[int, float, str]:
    if value is None:
        return (0, 0.0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, float(value), "")
    return (2, 0.0, str(value))


def _sort_key(row: MetricValue) -> tuple[Any, ...]:
    return (
        tuple(_order(v) for v in row.group.values()),
        row.period.isoformat() if row.period else "",
    )


def _benchmark(ws: Any) -> dict[str, Any] | None:
    industry = ws.config.metrics.industry
    if not industry:
        return None
    try:
        from cxpulse.metrics.benchmarks import nps_benchmark
    except ImportError:
        return None
    bench = nps_benchmark(industry)
    if bench is None:
        return None
    return {
        "benchmark_nps": bench.nps,
        "benchmark_source": bench.source,
        "benchmark_year": bench.year,
        "benchmark_industry": industry,
    }


def query(
    ws: Any,
    names: Sequence[str] | str,
    *,
    by: Sequence[str] | str | None = None,
    grain: str | None = None,
    start: Any = None,
    end: Any = None,
    where: Where | None = None,
) -> MetricTable:
    """Indicators by group and period, each with value, n, interval, method and flags.

    ``by``: columns of ``accounts`` or of the metric's own table; ``grain``: day, week,
    month, quarter, year or None; ``start``/``end``: inclusive dates on the metric's time
    column; ``where``: one value per column (built-in or attribute) the rows must have,
    e.g. ``{"gender": "Female"}``. Options come from ``ws.config.metrics``.
    """
    definitions = _names(ws, names)
    filters = where_spec(where)
    spec = QuerySpec.build(ws.config.metrics, dimensions(by, filters), grain, start, end)
    aggregates = collect(ws, definitions, spec, filters, by)
    bench = _benchmark(ws)
    rows: list[MetricValue] = []
    for d in definitions:
        values = [
            estimate(d, agg, spec.options) for agg in aggregates[d.name] if not is_empty(agg, d)
        ]
        if d.name == "nps" and bench:
            values = [MetricValue(**{**v.__dict__, "extra": {**v.extra, **bench}}) for v in values]
        rows += sorted(values, key=_sort_key)
    return MetricTable(rows)


def expressions(
    ws: Any,
    name: str,
    *,
    by: Sequence[str] | str | None = None,
    grain: str | None = None,
    start: Any = None,
    end: Any = None,
    where: Where | None = None,
) -> list[tuple[str, ir.Table]]:
    """The ibis expressions of one metric, each with a one-line description (filter columns
    are dimensions of the expression: the matching groups are kept from its result)."""
    (d,) = _names(ws, name)
    spec = QuerySpec.build(ws.config.metrics, dimensions(by, where_spec(where)), grain, start, end)
    if d.statistic in SIMPLE_STATISTICS:
        return [(f"{d.name}: sufficient statistics per group", simple_expression(ws, [d], spec))]
    return _computations()[d.statistic][1](ws, d, spec)


def explain(
    ws: Any,
    name: str,
    *,
    by: Sequence[str] | str | None = None,
    grain: str | None = None,
    start: Any = None,
    end: Any = None,
    where: Where | None = None,
) -> str:
    """The SQL the engine runs for a metric, in the workspace's dialect, without running it.

    >>> from cxpulse.workspace import Workspace
    >>> "GROUP BY" in explain(Workspace.connect("duckdb://"), "nps", by="segment")
    True
    """
    parts = []
    found = expressions(ws, name, by=by, grain=grain, start=start, end=end, where=where)
    for title, expr in found:
        sql = str(ibis.to_sql(expr))
        parts.append(f"-- {title}\n{sql.strip()};")
    return "\n\n".join(parts) + "\n"


@dataclass(frozen=True, kw_only=True)
class MetricComparison(Comparison):
    """A :class:`Comparison` that also says which metric, group and periods it is about."""

    metric: str
    group: dict[str, Any]
    period: str
    vs: str
    unit: str


def compare(
    ws: Any,
    name: str,
    *,
    period: str,
    vs: str,
    by: Sequence[str] | str | None = None,
    where: Where | None = None,
) -> list[MetricComparison]:
    """Difference ``period - vs`` of a metric (per group), with interval and p-value.

    Periods are written 2026-09, 2026-Q3, 2026-W37, 2026 or 2026-09-17. Percent metrics are
    compared in percentage points, NPS in points. ``where`` filters rows as in :func:`query`.
    """
    from cxpulse.metrics.periods import parse_period

    (d,) = _names(ws, name)
    if d.statistic not in COMPARABLE:
        raise MetricQueryError(
            key="metrics.error.not_comparable",
            values={
                "name": d.name,
                "supported": ", ".join(n for n, x in REGISTRY.items() if x.statistic in COMPARABLE),
            },
        )
    pa, pb = parse_period(period), parse_period(vs)
    filters = where_spec(where)
    dims = dimensions(by, filters)
    sides: list[dict[tuple[Any, ...], Aggregate]] = []
    for p in (pa, pb):
        spec = QuerySpec.build(ws.config.metrics, dims, None, p.start, p.end - timedelta(days=1))
        aggs = collect(ws, [d], spec, filters, by)[d.name]
        sides.append({tuple(a.group.items()): a for a in aggs if not is_empty(a, d)})
    keys = list(dict.fromkeys([*sides[0], *sides[1]]))
    keys.sort(key=lambda k: tuple(_order(v) for _, v in k))
    out: list[MetricComparison] = []
    for key in keys:
        c = comparison(d, sides[0].get(key), sides[1].get(key), ws.config.metrics)
        out.append(
            MetricComparison(
                **c.__dict__,
                metric=d.name,
                group=dict(key),
                period=pa.label,
                vs=pb.label,
                unit="points" if d.unit in ("%", "score") and d.statistic != "mean" else d.unit,
            )
        )
    return out
