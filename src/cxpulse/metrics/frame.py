"""The base frame of a metric: its table, filtered, joined to accounts for the dimensions asked.

Everything here builds ibis expressions; nothing is executed.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from cxpulse.config import CANCELLATION_STATUSES, MetricsConfig
from cxpulse.metrics.definitions import Condition, MetricDefinition
from cxpulse.metrics.errors import MetricQueryError, UnknownDimensionError
from cxpulse.metrics.periods import check_grain, period_value, to_date, truncate
from cxpulse.schema import TABLES

PERIOD = "period"


@dataclass(frozen=True)
class QuerySpec:
    """What a query asks for, validated: dimensions, grain, inclusive date range, options."""

    by: tuple[str, ...]
    grain: str | None
    start: date | None
    end: date | None  # inclusive
    options: MetricsConfig

    @classmethod
    def build(
        cls,
        options: MetricsConfig,
        by: Sequence[str] | str | None = None,
        grain: str | None = None,
        start: Any = None,
        end: Any = None,
    ) -> QuerySpec:
        dims = (by,) if isinstance(by, str) else tuple(by or ())
        if PERIOD in dims:
            raise MetricQueryError(key="metrics.error.period_dimension")
        first = None if start is None else to_date(start)
        last = None if end is None else to_date(end)
        if first is not None and last is not None and last < first:
            raise MetricQueryError(key="metrics.error.range", values={"first": first, "last": last})
        return cls(dims, check_grain(grain), first, last, options)


def option_value(cond: Condition, options: MetricsConfig) -> Any:
    if cond.option is None:
        return cond.value
    value = getattr(options, cond.option)
    return tuple(value) if isinstance(value, list) else value


def status_is(col: ir.Value, statuses: Sequence[str]) -> ir.BooleanValue:
    """``col`` (a status) is one of ``statuses``, ignoring case and surrounding spaces;
    ``''`` in ``statuses`` also matches a missing or blank status."""
    norm = col.cast("string").strip().lower()  # type: ignore[attr-defined]
    named = [s for s in statuses if s]
    test: ir.BooleanValue = norm.isin(named) if named else ibis.literal(False)
    if "" in statuses:
        test = test | col.isnull() | (norm == "")
    return test.fill_null(False)  # type: ignore[no-any-return]


def purchase_condition(col: ir.Value, options: MetricsConfig) -> ir.BooleanValue:
    """An order that is a purchase (``[metrics] purchase_statuses``)."""
    return status_is(col, options.purchase_statuses)


def cancellation_condition(col: ir.Value) -> ir.BooleanValue:
    """An order that was cancelled, refunded or returned."""
    return status_is(col, CANCELLATION_STATUSES)


def _sla(t: ir.Table, cond: Condition, options: MetricsConfig) -> ir.BooleanValue:
    """SLA conditions on tickets: ``within`` (the event came within the priority's target) and
    ``due`` (the ticket can be judged: the event happened, or it is still open and its target
    has passed by now; tickets closed without the timestamp are not judged)."""
    targets: dict[str, float] = options.sla.model_dump()[str(cond.option)]
    start = t[str(cond.value)]
    target = ibis.cases(
        *[(t.priority == p, ibis.literal(float(h))) for p, h in targets.items()],
        else_=ibis.null("float64"),
    )
    event = t[cond.column]
    hours = (event.epoch_seconds() - start.epoch_seconds()).cast("float64") / 3600.0
    if cond.op == "within":
        return (event.notnull() & (hours <= target)).fill_null(False)  # type: ignore[no-any-return]
    now = ibis.literal(datetime.now(UTC).replace(tzinfo=None), type="timestamp")
    waited = (now.epoch_seconds() - start.epoch_seconds()).cast("float64") / 3600.0
    still_open = ~t.status.isin(["resolved", "closed"])
    due = target.notnull() & (event.notnull() | (still_open & (waited > target)))
    return due.fill_null(False)  # type: ignore[no-any-return]


def condition(t: ir.Table, cond: Condition, options: MetricsConfig) -> ir.BooleanValue:
    """The engine expression of one row condition."""
    col = t[cond.column]
    if cond.op == "purchase":
        return purchase_condition(col, options)
    if cond.op == "cancellation":
        return cancellation_condition(col)
    if cond.op == "purchase_or_cancellation":
        return purchase_condition(col, options) | cancellation_condition(col)
    if cond.op in ("within", "due"):
        return _sla(t, cond, options)
    value = option_value(cond, options)
    if cond.op == "notnull":
        return col.notnull()
    if cond.op == "true":
        return col.cast("boolean") == ibis.literal(True)
    if cond.op == "in":
        return col.isin(list(value))
    if cond.op == "==":
        return col == value
    if cond.op == "!=":
        # a missing status is not "void": keep it
        return col.isnull() | (col != value)
    if cond.op == ">=":
        return col >= value
    if cond.op == "<=":
        return col <= value
    raise MetricQueryError(f"unsupported operator {cond.op!r}")


def conjunction(t: ir.Table, conds: Sequence[Condition], options: MetricsConfig) -> ir.BooleanValue:
    parts = [condition(t, c, options) for c in conds]
    if not parts:
        return ibis.literal(True)
    return functools.reduce(operator.and_, parts)


def time_literal(column_type: Any, day: date) -> ir.Value:
    """A literal comparable with a date or timestamp column."""
    if column_type.is_timestamp():
        return ibis.literal(datetime(day.year, day.month, day.day), type="timestamp")
    return ibis.literal(day, type="date")


def in_range(
    t: ir.Table, column: str, start: date | None, end: date | None
) -> ir.BooleanValue | None:
    """``start <= column < end + 1 day`` (either bound optional)."""
    col = t[column]
    parts = []
    if start is not None:
        parts.append(col >= time_literal(col.type(), start))
    if end is not None:
        parts.append(col < time_literal(col.type(), end + timedelta(days=1)))
    return functools.reduce(operator.and_, parts) if parts else None


def split_dimensions(table: str, by: Sequence[str], ws: Any = None) -> tuple[list[str], list[str]]:
    """Split ``by`` into columns of the metric's own table and columns of ``accounts``.

    The metric's own table wins when both have the column (e.g. ``owner`` of a touchpoint).
    With the workspace ``ws``, its tables' attributes (extra typed columns) count as columns.
    """
    own_cols = set(TABLES[table].column_names)
    account_cols = set(TABLES["accounts"].column_names)
    if ws is not None:
        own_cols |= set(ws.table(table).columns)
        account_cols |= set(ws.table("accounts").columns)
    own: list[str] = []
    acc: list[str] = []
    for dim in by:
        if dim in own_cols:
            own.append(dim)
        elif dim in account_cols:
            acc.append(dim)
        else:
            raise UnknownDimensionError(
                key="metrics.error.dimension",
                values={
                    "table": table,
                    "dim": dim,
                    "own": ", ".join(sorted(own_cols)),
                    "accounts": ", ".join(sorted(account_cols)),
                },
            )
    return own, acc


def with_account_dims(ws: Any, t: ir.Table, dims: Sequence[str]) -> ir.Table:
    """``t`` left-joined to the ``accounts`` columns ``dims`` on ``account_id``."""
    if not dims:
        return t
    acc = ws.table("accounts")
    acc = acc.select(_acc_id=acc.account_id, **{d: acc[d] for d in dims})
    joined = t.left_join(acc, t.account_id == acc._acc_id)
    return joined.drop("_acc_id")


def base_frame(
    ws: Any,
    definition: MetricDefinition,
    spec: QuerySpec,
    columns: Sequence[str],
    where: ir.BooleanValue | None = None,
    own_filters: bool = True,
) -> ir.Table:
    """The metric's rows in range, with its dimensions and (when a grain is set) ``period``.

    ``columns`` are the source columns the statistic needs; ``where`` replaces the
    definition's own filters (used when several metrics share one scan), and
    ``own_filters=False`` drops them (each aggregate then filters for itself).
    """
    t = ws.table(definition.table)
    own, acc = split_dimensions(definition.table, spec.by, ws)
    keep = list(dict.fromkeys([*columns, *own, definition.time_column, "account_id"]))
    parts = [where] if where is not None else []
    if where is None and own_filters and definition.filters:
        parts.append(conjunction(t, definition.filters, spec.options))
    window = in_range(t, definition.time_column, spec.start, spec.end)
    if window is not None:
        parts.append(window)
    if parts:
        t = t.filter(functools.reduce(operator.and_, parts))
    t = t.select(*keep)
    t = with_account_dims(ws, t, acc)
    if spec.grain is not None:
        t = t.mutate(**{PERIOD: truncate(t[definition.time_column], spec.grain)})
    return t


def group_keys(spec: QuerySpec) -> list[str]:
    return [*spec.by, *([PERIOD] if spec.grain is not None else [])]


def clean(value: Any) -> Any:
    """A plain Python value from a pandas cell (NaN/NaT/None -> None, numpy -> python)."""
    if value is None:
        return None
    try:
        if value != value:  # NaN, NaT
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def group_of(record: Mapping[str, Any], spec: QuerySpec) -> dict[str, Any]:
    return {d: clean(record.get(d)) for d in spec.by}


def period_of(record: Mapping[str, Any], spec: QuerySpec) -> date | None:
    if spec.grain is None:
        return None
    value = clean(record.get(PERIOD))
    return None if value is None else period_value(value, spec.grain)


def finite(x: float) -> float:
    return float(x) if x is not None and math.isfinite(float(x)) else float("nan")
