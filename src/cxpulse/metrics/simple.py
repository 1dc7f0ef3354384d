"""NPS, proportions and means: one grouped aggregate of counts, sums and sums of squares.

Metrics on the same table share one scan: ``kind IN ('nps', 'csat', 'ces')`` is read once and
each metric's aggregates carry their own filter (``COUNT(*) FILTER (WHERE ...)``).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from typing import Any

import ibis.expr.types as ir

from cxpulse.metrics.definitions import MetricDefinition
from cxpulse.metrics.estimates import Aggregate
from cxpulse.metrics.frame import (
    QuerySpec,
    base_frame,
    condition,
    conjunction,
    group_keys,
    group_of,
    period_of,
)
from cxpulse.schema import TABLES

SIMPLE_STATISTICS = ("nps", "proportion", "mean")
SEP = "__"


def _aggregates(
    d: MetricDefinition, t: ir.Table, spec: QuerySpec, filtered: bool = True
) -> dict[str, ir.Scalar]:
    """Sufficient statistics of one metric; ``filtered=False`` when rows are already split by
    the metric's filter column (the group key then does the filtering)."""
    where = conjunction(t, d.filters if filtered else (), spec.options)
    p = d.name + SEP
    if d.statistic == "nps":
        score = t[d.value_column or "score"]
        return {
            p + "promoters": t.count(where=where & (score >= 9)),
            p + "passives": t.count(where=where & (score >= 7) & (score <= 8)),
            p + "detractors": t.count(where=where & (score <= 6)),
        }
    if d.statistic == "proportion":
        assert d.success is not None
        return {
            p + "n": t.count(where=where),
            p + "successes": t.count(where=where & condition(t, d.success, spec.options)),
        }
    value = t[d.value_column or "score"]
    if not value.type().is_integer():  # integer sums stay exact and are cheaper
        value = value.cast("float64")
    return {
        p + "n": t.count(where=where),
        p + "total": value.sum(where=where),
        p + "total_sq": (value * value).sum(where=where),
    }


def partition_column(definitions: Sequence[MetricDefinition], spec: QuerySpec) -> str | None:
    """The column every metric filters on with one ``==`` (e.g. ``kind``), if there is one.

    Grouping by it instead of filtering each aggregate is cheaper (one comparison per row
    instead of one per aggregate) and gives the same sums.
    """
    filters = [d.filters for d in definitions]
    if not all(len(f) == 1 and f[0].op == "==" and f[0].option is None for f in filters):
        return None
    columns = {f[0].column for f in filters}
    if len(columns) != 1:
        return None
    column = columns.pop()
    return None if column in spec.by else column


def _covers_every_value(definitions: Sequence[MetricDefinition], column: str) -> bool:
    """Whether the metrics together keep every allowed value of ``column`` (NPS, CSAT and CES
    keep every ``kind``): then a row pre-filter only costs a scan, so it is skipped."""
    try:
        allowed = TABLES[definitions[0].table].column(column).allowed
    except (KeyError, ValueError, LookupError):
        return False  # an attribute column: no declared values
    return allowed is not None and set(allowed) <= {d.filters[0].value for d in definitions}


def simple_expression(
    ws: Any, definitions: Sequence[MetricDefinition], spec: QuerySpec
) -> ir.Table:
    """One grouped aggregate for metrics that share a table (and time column)."""
    first = definitions[0]
    raw = ws.table(first.table)
    part = partition_column(definitions, spec)
    any_row = None
    if part is None or not _covers_every_value(definitions, part):
        any_row = functools.reduce(
            operator.or_, [conjunction(raw, d.filters, spec.options) for d in definitions]
        )
    columns: list[str] = []
    for d in definitions:
        columns += [c.column for c in d.filters]
        columns += [c for c in (d.value_column,) if c]
        if d.success is not None:
            columns.append(d.success.column)
        for c in (*d.filters, *((d.success,) if d.success else ())):
            if c.op in ("within", "due"):  # SLA: the start column, priority and status
                columns += [str(c.value), "priority", "status"]
    t = base_frame(ws, first, spec, list(dict.fromkeys(columns)), where=any_row, own_filters=False)
    aggs: dict[str, ir.Scalar] = {}
    for d in definitions:
        aggs.update(_aggregates(d, t, spec, filtered=part is None))
    keys = [*group_keys(spec), *([part] if part else [])]
    if keys:
        return t.group_by(keys).aggregate(**aggs)
    return t.aggregate(**aggs)


def run_simple(
    ws: Any, definitions: Sequence[MetricDefinition], spec: QuerySpec
) -> dict[str, list[Aggregate]]:
    """Execute the shared aggregate; per metric, the aggregates of each group and period."""
    frame = simple_expression(ws, definitions, spec).execute()
    part = partition_column(definitions, spec)
    out: dict[str, list[Aggregate]] = {d.name: [] for d in definitions}
    for record in frame.to_dict("records"):
        group, period = group_of(record, spec), period_of(record, spec)
        for d in definitions:
            if part is not None and record[part] != d.filters[0].value:
                continue
            p = d.name + SEP
            stats = {k[len(p) :]: record[k] for k in record if k.startswith(p)}
            out[d.name].append(Aggregate(group, period, stats))
    return out
