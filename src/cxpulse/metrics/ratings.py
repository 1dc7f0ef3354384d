"""CSAT per attribute rating: for each rating column of a survey (seat comfort, wifi,
cleanliness...), the top-box share and the mean rating, each with n, interval and method.

Wide survey data has one column per rated attribute; this reads those columns where they are
(a workspace table, or a file) and computes per column, in the engine, the answered count,
the top-box count, the sum and the sum of squares. Codes meaning "not answered" (the airline
survey's 0 = not applicable) are missing, never a low score; a value outside the scale is
refused, naming the column and the value.

Top box follows ``[metrics] csat_top_box`` (4 = the top-2-box of a 1-5 scale) unless given.
The top-box share uses the proportion interval of every other share (Wilson; exact
Clopper-Pearson at small n or near the edges), the mean a Student t interval.

>>> import pandas as pd
>>> frame = pd.DataFrame({"wifi": [5, 4, 2, 0], "seat": [3, 5, 5, 4]})
>>> t = rating_scores(frame, ["wifi", "seat"], missing_values=[0])
>>> [(r.group["rating"], r.metric, round(r.value, 1), r.n) for r in t.rows][:2]
[('wifi', 'rating_top_box', 66.7, 3), ('wifi', 'rating_mean', 3.7, 3)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.config import MetricsConfig
from cxpulse.metrics.definitions import threshold_labels
from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.frame import clean
from cxpulse.metrics.results import MetricTable, MetricValue
from cxpulse.stats import mean_interval, proportion_interval

RATING = "rating"
TOP_BOX = "rating_top_box"
MEAN = "rating_mean"
LABELS = {
    TOP_BOX: ("Valoración por atributo ({csat_top})", "Rating by attribute ({csat_top})"),
    MEAN: ("Valoración media por atributo", "Mean rating by attribute"),
}


def rating_label(metric: str, lang: str, options: MetricsConfig) -> str:
    """The display name of a rating indicator, with the top-box threshold in use."""
    es, en = LABELS[metric]
    return (en if lang == "en" else es).format(**threshold_labels(options, lang))


def _as_table(source: Any) -> ir.Table:
    if isinstance(source, ir.Table):
        return source
    return ibis.memtable(source)  # a pandas / polars / Arrow frame from a file


def _check(t: ir.Table, columns: Sequence[str], by: Sequence[str]) -> list[str]:
    names = list(dict.fromkeys(columns))
    if not names:
        raise MetricQueryError(key="metrics.error.ratings_none")
    absent = [c for c in [*names, *by] if c not in t.columns]
    if absent:
        raise MetricQueryError(
            key="metrics.error.ratings_absent",
            values={"columns": ", ".join(map(repr, absent)), "known": ", ".join(t.columns)},
        )
    for c in names:
        if not t[c].type().is_numeric():
            raise MetricQueryError(
                key="metrics.error.ratings_not_numeric",
                values={"column": c, "type": str(t[c].type())},
            )
    return names


def ratings_expression(
    source: Any,
    columns: Sequence[str],
    *,
    top_box: float,
    missing_values: Sequence[float] = (),
    by: Sequence[str] = (),
    scale: tuple[float, float] = (1, 5),
) -> ir.Table:
    """One grouped aggregate: per rating column, answered n, top-box count, sum, sum of
    squares, and the count of values outside the scale."""
    t = _as_table(source)
    names = _check(t, columns, by)
    aggs: dict[str, ir.Scalar] = {}
    for i, c in enumerate(names):
        x = t[c].cast("float64")
        answered = x.notnull()
        if missing_values:
            answered = answered & ~x.isin([float(v) for v in missing_values])
        inside = (x >= scale[0]) & (x <= scale[1])
        aggs[f"c{i}_n"] = t.count(where=answered & inside)
        aggs[f"c{i}_top"] = t.count(where=answered & inside & (x >= top_box))
        aggs[f"c{i}_sum"] = x.sum(where=answered & inside)
        aggs[f"c{i}_sq"] = (x * x).sum(where=answered & inside)
        aggs[f"c{i}_out"] = t.count(where=answered & ~inside)
    keys = list(dict.fromkeys(by))
    return t.group_by(keys).aggregate(**aggs) if keys else t.aggregate(**aggs)


def rating_scores(
    source: Any,
    columns: Sequence[str],
    *,
    top_box: float | None = None,
    missing_values: Sequence[float] = (),
    by: Sequence[str] | str | None = None,
    scale: tuple[float, float] = (1, 5),
    options: MetricsConfig | None = None,
) -> MetricTable:
    """Top-box share and mean of each rating column (by group), with intervals.

    ``source``: an ibis table (a workspace table) or a data frame read from a file.
    ``top_box``: ratings at or above it are the top box (default ``[metrics] csat_top_box``).
    Rows: metric ``rating_top_box`` (percent) and ``rating_mean`` (score) per rating.
    """
    opts = options or MetricsConfig()
    top = float(opts.csat_top_box if top_box is None else top_box)
    if not scale[0] <= top <= scale[1]:
        raise MetricQueryError(
            key="metrics.error.ratings_top_box",
            values={"top": f"{top:g}", "low": f"{scale[0]:g}", "high": f"{scale[1]:g}"},
        )
    dims = [by] if isinstance(by, str) else list(by or ())
    names = list(dict.fromkeys(columns))
    frame = ratings_expression(
        source, names, top_box=top, missing_values=missing_values, by=dims, scale=scale
    ).execute()
    conf, small = opts.confidence, opts.small_sample_n
    rows: list[MetricValue] = []
    records = frame.to_dict("records")
    records.sort(key=lambda r: tuple(_order(clean(r[d])) for d in dims))
    for record in records:
        group = {d: clean(record[d]) for d in dims}
        for i, c in enumerate(names):
            outside = int(clean(record[f"c{i}_out"]) or 0)
            if outside:
                raise MetricQueryError(
                    key="metrics.error.ratings_outside",
                    values={
                        "column": c,
                        "count": outside,
                        "low": f"{scale[0]:g}",
                        "high": f"{scale[1]:g}",
                    },
                )
            n = float(clean(record[f"c{i}_n"]) or 0)
            if n == 0:
                continue
            total = float(clean(record[f"c{i}_sum"]) or 0.0)
            share = proportion_interval(float(clean(record[f"c{i}_top"]) or 0), n, conf, small)
            mean = mean_interval(n, total, float(clean(record[f"c{i}_sq"]) or 0.0), conf, small)
            where = {RATING: c, **group}
            extra = {"successes": int(clean(record[f"c{i}_top"]) or 0), "top_box_from": top}
            rows.append(_value(TOP_BOX, where, share, "%", 100.0, extra))
            rows.append(_value(MEAN, where, mean, "score", 1.0, {}))
    return MetricTable(rows)


def _order(value: Any) -> tuple[int, float, str]:
    if value is None:
        return (2, 0.0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _value(
    metric: str, group: dict[str, Any], e: Any, unit: str, factor: float, extra: dict[str, Any]
) -> MetricValue:
    return MetricValue(
        metric=metric,
        group=group,
        period=None,
        value=factor * e.value,
        n=e.n,
        ci_low=factor * e.ci_low,
        ci_high=factor * e.ci_high,
        method=e.method,
        small_sample=e.small_sample,
        unit=unit,
        extra=extra,
        confidence=e.confidence,
    )


def table_ratings(ws: Any, table: str, columns: Sequence[str], **options: Any) -> MetricTable:
    """:func:`rating_scores` on a workspace table (built-in columns or attributes), with the
    project's ``[metrics]`` options; only aggregates leave the engine."""
    t = ws.table(table)  # an unknown table is refused there, listing the tables
    options.setdefault("options", ws.config.metrics)
    return rating_scores(t, columns, **options)
