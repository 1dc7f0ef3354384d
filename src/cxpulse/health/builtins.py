"""Builtin signal sources: one ibis expression per feature, computed as of a date.

Every builtin receives a :class:`FeatureContext` and returns an ibis table with
``account_id`` and ``value`` built only from rows strictly before ``ctx.as_of`` (and inside
the lookback window). Counts are 0 for an account without rows; averages stay missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cxpulse.workspace import Workspace

OVERRIDES_TABLE = "health_overrides"
_SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class FeatureContext:
    """What a builtin needs: the workspace, the as-of instant and the window."""

    ws: Workspace
    as_of: dt.datetime
    lookback_days: int
    important_priorities: tuple[str, ...] = ("high", "urgent")
    tables: dict[str, ir.Table] = field(default_factory=dict, compare=False)

    def table(self, name: str) -> ir.Table:
        """A workspace table, looked up once per feature build (each lookup is a query)."""
        if name not in self.tables:
            self.tables[name] = self.ws.table(name)
        return self.tables[name]

    @property
    def start(self) -> dt.datetime:
        return self.as_of - dt.timedelta(days=self.lookback_days)

    @property
    def previous_start(self) -> dt.datetime:
        return self.as_of - dt.timedelta(days=2 * self.lookback_days)

    @property
    def months(self) -> float:
        return self.lookback_days / 30.0

    def window(self, table: str, column: str, *, previous: bool = False) -> ir.Table:
        """Rows of ``table`` with ``column`` in [start, as_of) (or the window before it)."""
        t = self.table(table)
        lo = self.previous_start if previous else self.start
        hi = self.start if previous else self.as_of
        if t.schema()[column].is_date():
            return t.filter(t[column] >= lo.date(), t[column] < hi.date())
        return t.filter(t[column] >= lo, t[column] < hi)

    def both_windows(self, table: str, column: str) -> ir.Table:
        """Rows in [previous_start, as_of): the window and the one before it, for trends."""
        t = self.table(table)
        return t.filter(t[column] >= self.previous_start, t[column] < self.as_of)


@dataclass(frozen=True)
class Builtin:
    """A builtin feature: its expression and the value of an account without rows.

    ``fill`` applies only where the source is known to be tracked (``tracked``: the table and
    its time column): with ``scope = "account"`` for accounts with at least one row of that
    table before the as-of date (an account never seen in ``usage_events`` has no usage data,
    not zero usage), with ``scope = "table"`` when the table has any row before it (no ticket
    for an account of a helpdesk that is loaded means zero tickets). Elsewhere the value
    stays missing.
    """

    build: Callable[[FeatureContext], ir.Table]
    fill: float | None  # None: missing stays missing; a number: "no rows" means this value
    fill_lookback: bool = False  # fill with the lookback length (days since ... )
    tracked: tuple[str, str] | None = None  # (table, time column) that says data exists
    scope: str = "account"  # "account" or "table"


def _usage_frequency(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("usage_events", "occurred_at")
    return f.group_by("account_id").aggregate(value=f.count().cast("float64") / ctx.months)


def _distinct_features(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("usage_events", "occurred_at")
    return f.group_by("account_id").aggregate(value=f.feature.nunique().cast("float64"))


def _active_user_trend(ctx: FeatureContext) -> ir.Table:
    f = ctx.both_windows("usage_events", "occurred_at")
    recent = f.occurred_at >= ctx.start
    agg = f.group_by("account_id").aggregate(
        cur=f.user_id.nunique(where=recent).cast("float64"),
        prev=f.user_id.nunique(where=~recent).cast("float64"),
    )
    value = ibis.cases((agg.prev > 0, (agg.cur - agg.prev) / agg.prev), else_=ibis.null())
    return agg.select("account_id", value=value.cast("float64"))


def _license_utilisation(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("usage_events", "occurred_at")
    users = f.group_by("account_id").aggregate(users=f.user_id.nunique().cast("float64"))
    acc = ctx.table("accounts").select("account_id", "licenses")
    j = acc.left_join(users, "account_id").select(acc.account_id, acc.licenses, users.users)
    value = ibis.cases(
        (j.licenses > 0, j.users.fill_null(0.0) / j.licenses.cast("float64")),
        else_=ibis.null(),
    )
    return j.select("account_id", value=value.cast("float64"))


def _open_important_tickets(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("tickets", "opened_at")
    still_open = f.resolved_at.isnull() | (f.resolved_at >= ctx.as_of)
    f = f.filter(f.priority.isin(list(ctx.important_priorities)), still_open)
    return f.group_by("account_id").aggregate(value=f.count().cast("float64"))


def _tickets_per_month(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("tickets", "opened_at")
    return f.group_by("account_id").aggregate(value=f.count().cast("float64") / ctx.months)


def _recent_csat(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("responses", "responded_at")
    f = f.filter(f.kind == "csat")
    return f.group_by("account_id").aggregate(value=f.score.cast("float64").mean())


def _resolution_hours(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("tickets", "resolved_at")
    f = f.filter(f.opened_at < ctx.as_of)
    secs = f.resolved_at.epoch_seconds() - f.opened_at.epoch_seconds()
    return f.group_by("account_id").aggregate(value=(secs.cast("float64") / 3600.0).mean())


def _touchpoints_per_month(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("touchpoints", "occurred_at")
    return f.group_by("account_id").aggregate(value=f.count().cast("float64") / ctx.months)


def _days_since_touchpoint(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("touchpoints", "occurred_at")
    agg = f.group_by("account_id").aggregate(last=f.occurred_at.epoch_seconds().max())
    now = ibis.literal(ctx.as_of).epoch_seconds()
    return agg.select("account_id", value=((now - agg["last"]) / _SECONDS_PER_DAY).cast("float64"))


def _latest(f: ir.Table, column: str, time_column: str) -> ir.Table:
    """Mean of ``column`` over each account's latest ``time_column`` (ties averaged)."""
    last = f.group_by("account_id").aggregate(last_at=f[time_column].max())
    j = f.inner_join(
        last, [f.account_id == last.account_id, f[time_column] == last.last_at]
    ).select(f.account_id, v=f[column].cast("float64"))
    return j.group_by("account_id").aggregate(value=j.v.mean())


def _latest_nps(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("responses", "responded_at")
    return _latest(f.filter(f.kind == "nps"), "score", "responded_at")


def _nps_trend(ctx: FeatureContext) -> ir.Table:
    f = ctx.both_windows("responses", "responded_at")
    f = f.filter(f.kind == "nps")
    recent = f.responded_at >= ctx.start
    score = f.score.cast("float64")
    agg = f.group_by("account_id").aggregate(
        cur=score.mean(where=recent), prev=score.mean(where=~recent)
    )
    return agg.select("account_id", value=(agg.cur - agg.prev).cast("float64"))


def _epoch_day(value: ir.Value) -> ir.Value:
    return (value.epoch_seconds() / _SECONDS_PER_DAY).floor().cast("int64")


def _revenue_trend(ctx: FeatureContext) -> ir.Table:
    """Revenue of the window against the window before, each invoice spread over the days
    of its service period (``period_start`` to ``period_end``; the issue day when absent).

    Counting invoices by issue date would make the trend depend on the day of the month: a
    90-day window holds two monthly invoices on the 1st and three on the 2nd, so every
    monthly customer would look 33 % down at each month start and flat a day later.
    Only invoices issued before the as-of date count, and only their days before it.
    """
    t = ctx.table("invoices")
    day = ctx.as_of.date()
    f = t.filter(t.issued_at < day, t.status.isnull() | (t.status != "void"))
    first = _epoch_day(f.period_start.fill_null(f.issued_at))
    last = _epoch_day(f.period_end.fill_null(f.period_start.fill_null(f.issued_at)))
    f = f.mutate(s_=first, e_=ibis.greatest(last, first) + 1)
    lo, mid, hi = (
        int(d.timestamp() // _SECONDS_PER_DAY) for d in (ctx.previous_start, ctx.start, ctx.as_of)
    )
    f = f.filter(f.e_ > lo, f.s_ < hi)
    length = (f.e_ - f.s_).cast("float64")

    def share(a: int, b: int) -> ir.Value:
        days = ibis.greatest(ibis.least(f.e_, b) - ibis.greatest(f.s_, a), 0).cast("float64")
        return f.amount * days / length

    f = f.mutate(cur_=share(mid, hi), prev_=share(lo, mid))
    agg = f.group_by("account_id").aggregate(cur=f.cur_.sum(), prev=f.prev_.sum())
    value = ibis.cases(
        (agg.prev > 0, (agg.cur.fill_null(0.0) - agg.prev) / agg.prev), else_=ibis.null()
    )
    return agg.select("account_id", value=value.cast("float64"))


def _overdue_amount(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("invoices", "issued_at")
    day = ctx.as_of.date()
    f = f.filter(
        f.due_date < day,
        f.paid_at.isnull() | (f.paid_at >= day),
        f.status.isnull() | (f.status != "void"),
    )
    return f.group_by("account_id").aggregate(value=f.amount.sum().cast("float64"))


def _days_to_renewal(ctx: FeatureContext) -> ir.Table:
    a = ctx.table("accounts")
    a = a.filter(a.start_date < ctx.as_of.date())
    now_days = int(ctx.as_of.timestamp() // _SECONDS_PER_DAY)
    start_days = (a.start_date.epoch_seconds() / _SECONDS_PER_DAY).floor().cast("int64")
    age = ibis.literal(now_days) - start_days
    return a.select("account_id", value=(365 - age % 365).cast("float64"))


def _tenure_days(ctx: FeatureContext) -> ir.Table:
    a = ctx.table("accounts")
    a = a.filter(a.start_date < ctx.as_of.date())
    now = ibis.literal(ctx.as_of).epoch_seconds()
    secs = now - a.start_date.epoch_seconds()
    return a.select("account_id", value=(secs / _SECONDS_PER_DAY).cast("float64"))


def _csm_rating(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("touchpoints", "occurred_at")
    f = f.filter(f.rating.notnull())
    return f.group_by("account_id").aggregate(value=f.rating.cast("float64").mean())


def _override(ctx: FeatureContext) -> ir.Table:
    if OVERRIDES_TABLE not in ctx.tables and OVERRIDES_TABLE not in ctx.ws.con.list_tables():
        a = ctx.table("accounts")
        return a.select("account_id", value=ibis.null().cast("float64")).limit(0)
    f = ctx.table(OVERRIDES_TABLE)
    f = f.filter(f.set_at >= ctx.start, f.set_at < ctx.as_of)
    return _latest(f, "score", "set_at")


def _usage_quantity(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("usage_events", "occurred_at")
    return f.group_by("account_id").aggregate(value=f.quantity.cast("float64").mean())


def _usage_per_seat(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("usage_events", "occurred_at")
    events = f.group_by("account_id").aggregate(n=f.count().cast("float64"))
    acc = ctx.table("accounts").select("account_id", "licenses")
    j = acc.left_join(events, "account_id").select(acc.account_id, acc.licenses, events.n)
    per_month = j.n.fill_null(0.0) / ctx.months
    value = ibis.cases((j.licenses > 0, per_month / j.licenses.cast("float64")), else_=ibis.null())
    return j.select("account_id", value=value.cast("float64"))


def _first_contact_resolution(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("tickets", "opened_at")
    f = f.filter(f.first_contact_resolution.notnull())
    return f.group_by("account_id").aggregate(
        value=f.first_contact_resolution.cast("int64").cast("float64").mean()
    )


def _important_ticket_share(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("tickets", "opened_at")
    important = f.priority.isin(list(ctx.important_priorities)).cast("int64").cast("float64")
    return f.group_by("account_id").aggregate(value=important.mean())


def _recent_ces(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("responses", "responded_at")
    f = f.filter(f.kind == "ces")
    return f.group_by("account_id").aggregate(value=f.score.cast("float64").mean())


def _mean_nps(ctx: FeatureContext) -> ir.Table:
    f = ctx.window("responses", "responded_at")
    f = f.filter(f.kind == "nps")
    return f.group_by("account_id").aggregate(value=f.score.cast("float64").mean())


_USAGE = ("usage_events", "occurred_at")
_TICKETS = ("tickets", "opened_at")
_TOUCHPOINTS = ("touchpoints", "occurred_at")
_INVOICES = ("invoices", "issued_at")

BUILTINS: dict[str, Builtin] = {
    "usage_frequency": Builtin(_usage_frequency, fill=0.0, tracked=_USAGE),
    "distinct_features": Builtin(_distinct_features, fill=0.0, tracked=_USAGE),
    "active_user_trend": Builtin(_active_user_trend, fill=None),
    "license_utilisation": Builtin(_license_utilisation, fill=None),
    "open_important_tickets": Builtin(
        _open_important_tickets, fill=0.0, tracked=_TICKETS, scope="table"
    ),
    "tickets_per_month": Builtin(_tickets_per_month, fill=0.0, tracked=_TICKETS, scope="table"),
    "recent_csat": Builtin(_recent_csat, fill=None),
    "resolution_hours": Builtin(_resolution_hours, fill=None),
    "touchpoints_per_month": Builtin(_touchpoints_per_month, fill=0.0, tracked=_TOUCHPOINTS),
    "days_since_touchpoint": Builtin(
        _days_since_touchpoint, fill=None, fill_lookback=True, tracked=_TOUCHPOINTS
    ),
    "latest_nps": Builtin(_latest_nps, fill=None),
    "nps_trend": Builtin(_nps_trend, fill=None),
    "revenue_trend": Builtin(_revenue_trend, fill=None),
    "overdue_amount": Builtin(_overdue_amount, fill=0.0, tracked=_INVOICES),
    "days_to_renewal": Builtin(_days_to_renewal, fill=None),
    "tenure_days": Builtin(_tenure_days, fill=None),
    "csm_rating": Builtin(_csm_rating, fill=None),
    "override": Builtin(_override, fill=None),
    "usage_quantity": Builtin(_usage_quantity, fill=None),
    "usage_per_seat": Builtin(_usage_per_seat, fill=None),
    "first_contact_resolution": Builtin(_first_contact_resolution, fill=None),
    "important_ticket_share": Builtin(_important_ticket_share, fill=None),
    "recent_ces": Builtin(_recent_ces, fill=None),
    "mean_nps": Builtin(_mean_nps, fill=None),
}


def record_override(
    ws: Workspace, account_id: str, score: float, set_at: dt.datetime | None = None
) -> None:
    """Record a manual health score 0-100 for an account (read by the ``override`` signal).

    The latest override inside the signal's lookback window before the as-of date counts.
    """
    import pyarrow as pa

    from cxpulse.errors import ConfigError

    if not 0 <= float(score) <= 100:
        raise ConfigError(
            key="health.error.override_score", values={"account": account_id, "score": score}
        )
    when = set_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    row = pa.table(
        {
            "account_id": pa.array([str(account_id)]),
            "set_at": pa.array([when], pa.timestamp("us")),
            "score": pa.array([float(score)]),
        }
    )
    if OVERRIDES_TABLE in ws.con.list_tables():
        ws.con.insert(OVERRIDES_TABLE, row)
        ws.changed()
    else:
        ws.write_table(OVERRIDES_TABLE, row)
