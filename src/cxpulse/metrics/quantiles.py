"""Medians and p90 of durations (hours), with distribution-free intervals, in the engine.

Two small queries: (1) the size n of every group; (2) only the order statistics needed —
the ranks around the median and p90 and the binomial interval ranks that cxpulse.stats
derives from n — picked with ``ROW_NUMBER() OVER (PARTITION BY group ORDER BY value)``.
This works on every backend (SQLite has no quantile aggregate) and returns a handful of rows
per group, never the raw rows.
"""

from __future__ import annotations

import math
from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.metrics.definitions import MetricDefinition
from cxpulse.metrics.estimates import Aggregate
from cxpulse.metrics.frame import QuerySpec, base_frame, clean, group_keys, group_of, period_of
from cxpulse.stats import quantile_estimate
from cxpulse.stats.quantiles import quantile_order_statistics

VALUE, KEY, RANK = "_value", "_group_key", "_rank"
QUANTILES = (0.5, 0.9)
_NULL = "\u2205"


def _frame(ws: Any, d: MetricDefinition, spec: QuerySpec) -> ir.Table:
    assert d.value_column is not None and d.duration_from is not None
    cols = [d.value_column, d.duration_from, *(c.column for c in d.filters)]
    t = base_frame(ws, d, spec, list(dict.fromkeys(cols)))
    hours = (t[d.value_column].epoch_seconds() - t[d.duration_from].epoch_seconds()).cast(
        "float64"
    ) / 3600.0
    parts = [t[k].cast("string").fill_null(_NULL) for k in group_keys(spec)]
    key = ibis.literal("all") if not parts else parts[0]
    for p in parts[1:]:
        key = key.concat("|", p)
    keep = group_keys(spec)
    return t.select(*keep, **{VALUE: hours, KEY: key}).filter(ibis._[VALUE].notnull())


def _sizes(t: ir.Table, spec: QuerySpec) -> ir.Table:
    return t.group_by([*group_keys(spec), KEY]).aggregate(n=t.count())


def _picked(t: ir.Table, ranks: ir.Table) -> ir.Table:
    ordered = t.mutate(**{RANK: ibis.row_number().over(group_by=t[KEY], order_by=t[VALUE]) + 1})
    joined = ordered.join(ranks, [KEY, RANK])
    return joined.select(KEY, RANK, VALUE)


def _needed_ranks(n: int, confidence: float) -> set[int]:
    ranks: set[int] = set()
    for q in QUANTILES:
        pos = 1 + (n - 1) * q
        ranks.update({math.floor(pos), math.ceil(pos)})
        r = quantile_order_statistics(n, q, confidence)
        ranks.update({r.lower_rank, r.upper_rank})
    return ranks


def _interpolated(values: dict[int, float], n: int, q: float) -> float:
    pos = 1 + (n - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return values[lo] + (pos - lo) * (values[hi] - values[lo])


def expressions(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[tuple[str, ir.Table]]:
    """The two queries; the second reads the ranks table computed from the first."""
    t = _frame(ws, d, spec)
    ranks = ibis.memtable({KEY: ["all"], RANK: [1]}, schema={KEY: "string", RANK: "int64"})
    return [
        (f"{d.name}: group sizes", _sizes(t, spec)),
        (
            f"{d.name}: order statistics at the ranks derived from the group sizes",
            _picked(t, ranks),
        ),
    ]


def run(ws: Any, d: MetricDefinition, spec: QuerySpec) -> list[Aggregate]:
    """Median (value) and p90 (extra) per group and period, each with its interval."""
    conf, small_n = spec.options.confidence, spec.options.small_sample_n
    t = _frame(ws, d, spec)
    sizes = _sizes(t, spec).execute().to_dict("records")
    if not sizes:
        return []
    wanted_keys: list[str] = []
    wanted_ranks: list[int] = []
    for rec in sizes:
        for r in sorted(_needed_ranks(int(rec["n"]), conf)):
            wanted_keys.append(str(rec[KEY]))
            wanted_ranks.append(r)
    ranks = ibis.memtable(
        {KEY: wanted_keys, RANK: wanted_ranks}, schema={KEY: "string", RANK: "int64"}
    )
    picked = ws.con.execute(_picked(t, ranks))
    by_key: dict[str, dict[int, float]] = {}
    for rec in picked.to_dict("records"):
        by_key.setdefault(str(rec[KEY]), {})[int(rec[RANK])] = float(rec[VALUE])
    out: list[Aggregate] = []
    for rec in sizes:
        n, values = int(rec["n"]), by_key.get(str(rec[KEY]), {})
        extra: dict[str, Any] = {}
        estimates = []
        for q in QUANTILES:
            ranks_q = quantile_order_statistics(n, q, conf)
            estimates.append(
                quantile_estimate(
                    n,
                    q,
                    _interpolated(values, n, q),
                    values[ranks_q.lower_rank],
                    values[ranks_q.upper_rank],
                    conf,
                    small_n,
                )
            )
        median, p90 = estimates
        extra.update(
            _estimate=median, p90=p90.value, p90_ci_low=p90.ci_low, p90_ci_high=p90.ci_high
        )
        out.append(Aggregate(group_of(rec, spec), period_of(rec, spec), {"n": float(n)}, extra))
    return [a for a in out if clean(a.stats["n"])]
