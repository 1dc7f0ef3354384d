"""Point-in-time features and labels, built in the engine (ibis), one row per account.

Features as of ``t`` use only rows strictly before ``t``; labels come from outcomes in
``(t, t + horizon]``. The population at ``t`` is every account that started before ``t``
and had not churned by ``t``.

>>> from cxpulse.workspace import Workspace
>>> ws = Workspace.connect("duckdb://")
>>> compute_features(ws, "2025-06-01").shape[0]   # no accounts yet
0
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import ibis
import pandas as pd

from cxpulse.errors import ConfigError, NotEnoughDataError
from cxpulse.health.builtins import BUILTINS, FeatureContext
from cxpulse.health.config import HealthConfig, Signal, parse_health_config
from cxpulse.schema.attributes import SNAPSHOT_SUFFIX

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cxpulse.workspace import Workspace

GOOD_WHEN_ABSENT = {"churn"}  # for churn the good outcome is that it does not happen


def as_instant(value: str | dt.date | dt.datetime | pd.Timestamp) -> dt.datetime:
    """An as-of date as a naive datetime at midnight (``"2025-06-01"`` -> 2025-06-01 00:00)."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip()[:10])
        except ValueError as exc:
            raise ConfigError(key="health.error.as_of", values={"value": value}) from exc
    if isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return dt.datetime(value.year, value.month, value.day)


def health_config_of(ws: Workspace) -> HealthConfig:
    """The parsed ``[health]`` section of the workspace's project (defaults when absent)."""
    return parse_health_config(ws.config.health)


def population(ws: Workspace, as_of: Any, tables: dict[str, ir.Table] | None = None) -> ir.Table:
    """Accounts alive at ``as_of``: started before it, not ended or churned by it."""
    day = as_instant(as_of).date()
    cache = tables if tables is not None else {}
    for name in ("accounts", "outcomes"):
        if name not in cache:
            cache[name] = ws.table(name)
    a = cache["accounts"]
    a = a.filter(a.start_date < day, a.end_date.isnull() | (a.end_date > day))
    o = cache["outcomes"]
    gone = o.filter(o.outcome == "churn", o.occurred_at <= day).select("account_id")
    return a.anti_join(gone, "account_id").select("account_id")


def _column_source(ws: Workspace, signal: Signal, as_of: dt.datetime) -> ir.Table:
    """``table.column`` (mean per account) or ``table.column=value`` (share of rows equal;
    text is compared without regard to case or surrounding spaces).

    With a time column (``time_column``, or ``observed_at`` when present) only rows in the
    lookback window before ``as_of`` count, and the latest of them gives the value.
    """
    ref, _, wanted = signal.source.partition("=")
    table, _, column = ref.strip().partition(".")
    if table not in ws.con.list_tables():
        raise ConfigError(
            key="health.error.signal_table", values={"signal": signal.name, "table": table}
        )
    t = ws.con.table(table)
    if "account_id" not in t.columns or column not in t.columns:
        raise ConfigError(
            key="health.error.signal_columns",
            values={
                "signal": signal.name,
                "source": signal.source,
                "column": column,
                "table": table,
                "columns": ", ".join(t.columns),
            },
        )
    col = t[column]
    if signal.type == "categorical":
        # the level as text, trimmed and case-folded ("Germany " = "germany")
        col = col.cast("string").strip().lower()
        col = ibis.cases((col == "", ibis.null("string")), else_=col)
        return _latest_value(t.mutate(__v=col), signal, table, as_of, categorical=True)
    if wanted:
        target: Any = wanted.strip().strip("'\"")
        if col.type().is_numeric():
            try:
                target = float(target)
            except ValueError as exc:
                raise ConfigError(
                    key="health.error.indicator_number",
                    values={
                        "signal": signal.name,
                        "column": column,
                        "value": wanted,
                        "ref": ref.strip(),
                    },
                ) from exc
        elif col.type().is_string():
            # levels are matched whatever their case and surrounding spaces ("Female" = "female")
            col = col.strip().lower()
            target = str(target).strip().lower()
        # CASE, not a cast: PostgreSQL cannot cast a boolean to bigint (NULL stays NULL).
        col = ibis.cases((col == target, 1), (col != target, 0))
    elif col.type().is_boolean():
        col = ibis.cases((col, 1), (~col, 0))
    if not col.type().is_numeric():
        raise ConfigError(
            key="health.error.signal_not_numeric",
            values={
                "signal": signal.name,
                "source": signal.source,
                "type": str(col.type()),
                "ref": ref.strip(),
            },
        )
    return _latest_value(t.mutate(__v=col.cast("float64")), signal, table, as_of)


def _latest_value(
    t: ir.Table, signal: Signal, table: str, as_of: dt.datetime, *, categorical: bool = False
) -> ir.Table:
    """Per account the value ``__v`` of the latest row before ``as_of`` in the lookback window
    (the mean of the rows without a time column, or of rows tied on it). A categorical level
    takes the first level alphabetically among tied rows, so the choice is reproducible."""

    def pick(v: Any) -> Any:
        return v.min() if categorical else v.mean()

    time_col = signal.time_column or ("observed_at" if "observed_at" in t.columns else None)
    if time_col is None:
        return t.group_by("account_id").aggregate(value=pick(t["__v"]))
    if time_col not in t.columns:
        raise ConfigError(
            key="health.error.signal_time_column",
            values={"signal": signal.name, "table": table, "column": time_col},
        )
    lo = as_of - dt.timedelta(days=signal.lookback_days)
    bounds: tuple[Any, Any] = (lo, as_of)
    if t[time_col].type().is_date():
        bounds = (lo.date(), as_of.date())
    t = t.filter(t[time_col] >= bounds[0], t[time_col] < bounds[1])
    last = t.group_by("account_id").aggregate(last_at=t[time_col].max())
    j = t.inner_join(last, [t.account_id == last.account_id, t[time_col] == last.last_at]).select(
        t.account_id, v=t["__v"]
    )
    return j.group_by("account_id").aggregate(value=pick(j.v))


def _tracked(
    ws: Workspace, builtin: Any, as_of: dt.datetime, tables: dict[str, ir.Table]
) -> ir.Table | bool | None:
    """Where a builtin's "no rows" means its fill value: a table of tracked account ids
    (scope account), True (scope table, the table has rows before ``as_of``), False (no data
    at all), or None (always)."""
    if builtin.tracked is None:
        return None
    name, column = builtin.tracked
    if name not in tables:
        tables[name] = ws.table(name)
    t = tables[name]
    bound: Any = as_of.date() if t.schema()[column].is_date() else as_of
    before = t.filter(t[column] < bound)
    if builtin.scope == "table":
        return bool(int(before.count().execute()))
    return before.select("account_id").distinct()


def signal_expression(
    ws: Workspace,
    signal: Signal,
    as_of: dt.datetime,
    important: Sequence[str],
    tables: dict[str, ir.Table] | None = None,
) -> tuple[ir.Table, float | None, ir.Table | bool | None]:
    """The (account_id, value) expression of one signal, the value of an account without rows
    and where that value applies (see :func:`_tracked`)."""
    builtin = BUILTINS.get(signal.source)
    cache = tables if tables is not None else {}
    if builtin is not None:
        ctx = FeatureContext(ws, as_of, signal.lookback_days, tuple(important), cache)
        fill = float(signal.lookback_days) if builtin.fill_lookback else builtin.fill
        tracked = _tracked(ws, builtin, as_of, cache) if fill is not None else None
        return builtin.build(ctx), fill, tracked
    if "." in signal.source.partition("=")[0]:
        return _column_source(ws, signal, as_of), None, None
    raise ConfigError(
        key="health.error.signal_source",
        values={
            "signal": signal.name,
            "source": signal.source,
            "builtins": ", ".join(sorted(BUILTINS)),
        },
    )


def feature_expression(
    ws: Workspace,
    as_of: Any,
    signals: Iterable[Signal] | None = None,
    *,
    important_priorities: Sequence[str] | None = None,
) -> ir.Table:
    """The ibis expression of the feature table as of a date (one row per live account)."""
    instant = as_instant(as_of)
    sigs = tuple(signals) if signals is not None else health_config_of(ws).signals
    important = important_priorities or ws.config.metrics.important_priorities
    tables: dict[str, ir.Table] = {}
    result = population(ws, instant, tables)
    for signal in sigs:
        expr, fill, tracked = signal_expression(ws, signal, instant, important, tables)
        expr = expr.select("account_id", value=expr.value)
        joined = result.left_join(expr, "account_id")
        if fill is None or tracked is False:
            value = joined.value
        elif tracked is None or tracked is True:
            value = joined.value.fill_null(fill)
        else:
            base = joined.select(*result.columns, value=joined.value)
            seen = tracked.view()
            seen = seen.select(seen_id_=seen.account_id, seen_=ibis.literal(1))
            joined = base.left_join(seen, base.account_id == seen.seen_id_)
            value = ibis.cases(
                (joined.value.notnull(), joined.value),
                (joined.seen_.notnull(), ibis.literal(fill)),
                else_=ibis.null(),
            )
        kind = "string" if signal.type == "categorical" else "float64"
        result = joined.select(*result.columns, **{signal.name: value.cast(kind)})
    return result


def compute_features(
    ws: Workspace,
    as_of: Any,
    signals: Iterable[Signal] | None = None,
    *,
    important_priorities: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Features as of a date: a DataFrame indexed by account_id, one column per signal
    (float for numeric signals, the normalised text level for categorical ones).

    Missing values are NaN: an average with no rows, and a count for an account (or a whole
    table) with no data at all; a count is 0 only where the source is tracked.
    """
    sigs = tuple(signals) if signals is not None else health_config_of(ws).signals
    expr = feature_expression(ws, as_of, sigs, important_priorities=important_priorities)
    frame = expr.execute()
    frame["account_id"] = frame["account_id"].astype(str)
    frame = frame.set_index("account_id").sort_index()
    return feature_types(frame[[s.name for s in sigs]], sigs)


def feature_types(frame: pd.DataFrame, signals: Iterable[Signal]) -> pd.DataFrame:
    """Numeric signals as float64, categorical ones as text levels (missing = None)."""
    out = frame.copy()
    for s in signals:
        if s.name not in out.columns:
            continue
        if s.type == "categorical":
            col = out[s.name]
            out[s.name] = col.astype(object).where(col.notna(), None)
        else:
            out[s.name] = out[s.name].astype("float64")
    return out


def explain_features(ws: Workspace, as_of: Any, signals: Iterable[Signal] | None = None) -> str:
    """The SQL the engine runs to build the feature table, without running it."""
    return str(ibis.to_sql(feature_expression(ws, as_of, signals), dialect=ws.backend_name))


def label_expression(ws: Workspace, as_of: Any, horizon_days: int, outcome: str) -> ir.Table:
    """(account_id, good) for the population at ``as_of``: 1 when the good outcome happened."""
    instant = as_instant(as_of)
    day = instant.date()
    end = day + dt.timedelta(days=horizon_days)
    o = ws.table("outcomes")
    hits = o.filter(o.outcome == outcome, o.occurred_at > day, o.occurred_at <= end)
    hit_ids = hits.select("account_id")
    if outcome == "churn":
        a = ws.table("accounts")
        ended = a.filter(a.end_date > day, a.end_date <= end).select("account_id")
        hit_ids = hit_ids.union(ended)
    hit_ids = hit_ids.distinct().mutate(hit=ibis.literal(1))
    pop = population(ws, instant)
    j = pop.left_join(hit_ids, "account_id")
    happened = j.hit.notnull()
    good = ~happened if outcome in GOOD_WHEN_ABSENT else happened
    return j.select(pop.account_id, good=good.cast("int64"))


def compute_labels(
    ws: Workspace, as_of: Any, horizon_days: int, outcome: str = "churn"
) -> pd.Series:
    """Labels as of a date: 1 = good outcome in (as_of, as_of + horizon], indexed by account_id."""
    frame = label_expression(ws, as_of, horizon_days, outcome).execute()
    frame["account_id"] = frame["account_id"].astype(str)
    series = frame.set_index("account_id")["good"].sort_index().astype("int64")
    series.name = "good"
    return series


def check_point_in_time(ws: Workspace, signals: Iterable[Signal]) -> None:
    """Refuse a signal that would read today's value in a backtest or a fit on past dates.

    ``accounts.balance`` is the latest value loaded; when ``accounts_snapshots`` holds dated
    values of ``balance``, a past as-of date must see the value known then
    (``accounts_snapshots.balance``), or the model learns from the future.
    """
    tables = set(ws.con.list_tables())
    for signal in signals:
        ref = signal.source.partition("=")[0].strip()
        table, dot, column = ref.partition(".")
        if not dot or signal.time_column or table.endswith(SNAPSHOT_SUFFIX):
            continue
        dated = table + SNAPSHOT_SUFFIX
        if dated not in tables or column not in ws.con.table(dated).columns:
            continue
        if not int(ws.con.table(dated).count().execute()):
            continue
        raise ConfigError(
            key="health.error.signal_today",
            values={
                "signal": signal.name,
                "source": signal.source,
                "dated": signal.source.replace(table + ".", dated + ".", 1),
                "table": dated,
            },
        )


def training_frame(
    ws: Workspace,
    as_of_dates: Iterable[Any],
    *,
    horizon_days: int,
    outcome: str = "churn",
    signals: Iterable[Signal] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Features and labels stacked over several as-of dates (index: as_of, account_id)."""
    sigs = tuple(signals) if signals is not None else health_config_of(ws).signals
    check_point_in_time(ws, sigs)
    xs, ys = [], []
    from cxpulse.health.frame_reuse import reused, workspace_key

    def rows(instant: dt.datetime) -> tuple[pd.DataFrame, pd.Series]:
        x = compute_features(ws, instant, sigs)
        return x, compute_labels(ws, instant, horizon_days, outcome).reindex(x.index)

    for when in as_of_dates:
        instant = as_instant(when)
        memo_key = ("rows", workspace_key(ws), instant, horizon_days, outcome, repr(sigs))
        x, y = reused(memo_key, functools.partial(rows, instant))
        key = pd.Timestamp(instant)
        xs.append(pd.concat({key: x}, names=["as_of", "account_id"]))
        ys.append(pd.concat({key: y}, names=["as_of", "account_id"]))
    if not xs:
        raise NotEnoughDataError(key="health.error.no_dates")
    return pd.concat(xs), pd.concat(ys).astype("int64")
