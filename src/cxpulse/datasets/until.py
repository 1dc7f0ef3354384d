"""Cut a generated company at a date: nothing observable happens after ``until``.

The simulation runs whole months, so its last month reaches past a mid-month "today". Rows
that start after ``until`` are dropped; a ticket resolved or an invoice paid after it is
still open on that day; an account that churns later is still a customer (its churn stays
in the truth files, which describe the whole simulated window).

>>> import pyarrow as pa
>>> from datetime import date
>>> t = pa.table({"ordered_at": pa.array([date(2026, 1, 1), date(2026, 2, 1)], pa.date32())})
>>> clip_table("orders", t, date(2026, 1, 15)).num_rows
1
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pyarrow as pa
import pyarrow.compute as pc

# the column that says when a row happened
WHEN = {
    "responses": "responded_at",
    "usage_events": "occurred_at",
    "tickets": "opened_at",
    "invoices": "issued_at",
    "orders": "ordered_at",
    "touchpoints": "occurred_at",
    "outcomes": "occurred_at",
    "accounts": "start_date",
    "invitations": "invited_at",
}
# columns that are empty on ``until`` when their date comes after it, and what else changes
LATER = {
    "tickets": (("first_response_at", None), ("resolved_at", ("status", "open"))),
    "invoices": (("paid_at", ("status", "open")),),
    "accounts": (("end_date", None),),
    # an answer after the cut did not happen yet: the invitation is still unanswered
    "invitations": (("responded_at", ("answered", False)), ("response_id", None)),
}


def _limit(column: pa.ChunkedArray, until: date) -> pa.Scalar:
    """The last moment of ``until`` (a date: its end; a datetime in UTC: that instant)."""
    if pa.types.is_timestamp(column.type):
        if isinstance(until, datetime):
            end = until.astimezone(UTC).replace(tzinfo=None) if until.tzinfo else until
        else:
            end = datetime.combine(until, time(23, 59, 59))
        if column.type.tz is not None:
            end = end.replace(tzinfo=UTC)
        return pa.scalar(end, type=pa.timestamp(column.type.unit, tz=column.type.tz))
    day = until.date() if isinstance(until, datetime) else until
    return pa.scalar(day, type=column.type)


def clip_table(name: str, table: pa.Table, until: date) -> pa.Table:
    """``table`` as it looked at the end of ``until`` (a date, or a UTC datetime)."""
    when = WHEN.get(name)
    if when is None or when not in table.column_names:
        return table
    column = table.column(when)
    table = table.filter(pc.fill_null(pc.less_equal(column, _limit(column, until)), True))
    answered_after = None
    for later, also in LATER.get(name, ()):
        if later not in table.column_names:
            continue
        values = table.column(later)
        if not pa.types.is_temporal(values.type):  # emptied with the date before it
            if answered_after is not None:
                emptied = pc.if_else(answered_after, pa.scalar(None, values.type), values)
                table = table.set_column(table.column_names.index(later), later, emptied)
            continue
        after = pc.fill_null(pc.greater(values, _limit(values, until)), False)
        answered_after = after
        emptied = pc.if_else(after, pa.scalar(None, values.type), values)
        table = table.set_column(table.column_names.index(later), later, emptied)
        if also is not None and also[0] in table.column_names:
            other, value = also
            current = table.column(other)
            changed = pc.if_else(after, pa.scalar(value, current.type), current)
            table = table.set_column(table.column_names.index(other), other, changed)
    return table
