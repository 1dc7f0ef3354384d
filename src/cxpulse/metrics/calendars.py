"""Period calendars as small engine tables, for metrics measured "at" or "during" periods.

Churn, open tickets and per-account rates need every period of the range, including those
without events. The range comes from one ``MIN``/``MAX`` query; the calendar is a memtable of
period bounds that the engine cross-joins with accounts or tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.metrics.frame import QuerySpec, clean
from cxpulse.metrics.periods import Period, calendar, to_date

P_START, P_END, P_MONTHS = "_p_start", "_p_end", "_p_months"


def data_range(
    ws: Any, table: str, columns: Sequence[str], spec: QuerySpec
) -> tuple[date, date] | None:
    """First and last date in ``columns`` of ``table``, clipped to the query's range."""
    t = ws.table(table)
    aggs: dict[str, ir.Scalar] = {}
    for i, c in enumerate(columns):
        aggs[f"lo{i}"] = t[c].min()
        aggs[f"hi{i}"] = t[c].max()
    rec = t.aggregate(**aggs).execute().to_dict("records")[0]
    lows = [to_date(v) for k, v in rec.items() if k.startswith("lo") and clean(v) is not None]
    highs = [to_date(v) for k, v in rec.items() if k.startswith("hi") and clean(v) is not None]
    first = spec.start or (min(lows) if lows else None)
    last = spec.end or (max(highs) if highs else None)
    if first is None or last is None or last < first:
        return None
    return first, last


def periods(ws: Any, table: str, columns: Sequence[str], spec: QuerySpec) -> list[Period]:
    """The calendar of the query's grain over the data range (empty without data)."""
    bounds = data_range(ws, table, columns, spec)
    if bounds is None:
        return []
    return calendar(bounds[0], bounds[1], spec.grain)


def calendar_table(items: Sequence[Period], timestamps: bool) -> ir.Table:
    """The periods as an engine table: start, end (exclusive) and length in months."""
    if timestamps:
        starts: list[Any] = [datetime(p.start.year, p.start.month, p.start.day) for p in items]
        ends: list[Any] = [datetime(p.end.year, p.end.month, p.end.day) for p in items]
        kind = "timestamp"
    else:
        starts, ends, kind = [p.start for p in items], [p.end for p in items], "date"
    return ibis.memtable(
        {P_START: starts, P_END: ends, P_MONTHS: [p.months for p in items]},
        schema={P_START: kind, P_END: kind, P_MONTHS: "float64"},
    )


def period_date(value: Any) -> date:
    return to_date(value)
