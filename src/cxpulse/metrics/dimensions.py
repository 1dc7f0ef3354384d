"""The columns a metric can be split and filtered by, with their values: built-in columns and
the project's attributes, of the metric's own table and of ``accounts``.

A page or a report offers these as filters and "by" choices. Only columns with few distinct
values qualify (text, booleans, small integer codes), and only those that hold data; the
values are those stored, read in the engine (one small aggregate per column). A column
with a single value splits nothing and is left out.

>>> from cxpulse.workspace import Workspace
>>> dimension_choices(Workspace.connect("duckdb://"), "responses")
[]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cxpulse.schema import TABLES

MAX_VALUES = 50
# built-in columns worth splitting a survey or account metric by (ids and dates are not)
BUILTIN_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "accounts": ("segment", "plan", "industry", "country", "owner"),
    "responses": ("touchpoint", "channel", "language", "survey_id"),
    "tickets": ("channel", "priority", "category"),
    "orders": ("channel", "status"),
}
CATEGORICAL = ("string", "bool", "int")


@dataclass(frozen=True)
class Dimension:
    """A column one can split or filter a metric by."""

    name: str
    table: str  # the table holding it: the metric's own or "accounts"
    attribute: bool  # a project attribute (labelled by its name) or a built-in column
    type: str
    values: tuple[Any, ...]  # the distinct stored values, sorted (missing left out)


def _candidates(ws: Any, table: str) -> list[tuple[str, str, bool]]:
    from cxpulse.schema.attributes import workspace_attributes

    if table not in ws.con.list_tables():
        return []
    have = set(ws.con.table(table).columns)
    out: list[tuple[str, str, bool]] = [
        (c.name, c.type, False)
        for c in TABLES[table].columns
        if c.name in BUILTIN_DIMENSIONS.get(table, ()) and c.name in have
    ]
    out += [
        (name, typ, True)
        for name, typ in workspace_attributes(ws, table).items()
        if typ in CATEGORICAL and name in have
    ]
    return out


def _values(ws: Any, table: str, column: str) -> tuple[Any, ...] | None:
    """The distinct non-missing values of ``column``, or None when there are too many."""
    from cxpulse.metrics.frame import clean

    t = ws.table(table)
    col = t[column]
    expr = t.filter(col.notnull()).group_by(column).aggregate(n=col.count()).limit(MAX_VALUES + 1)
    frame = expr.execute()
    values = [clean(v) for v in frame[column].tolist()]
    if len(values) > MAX_VALUES:
        return None
    values = [v for v in values if not (isinstance(v, str) and not v.strip())]
    return tuple(sorted(values, key=lambda v: (str(type(v)), v)))


def dimension_choices(ws: Any, table: str) -> list[Dimension]:
    """The dimensions of a metric on ``table``: its own columns first, then ``accounts``'
    (a name in both is the metric table's, as :func:`~cxpulse.metrics.frame.split_dimensions`
    resolves it)."""
    seen: set[str] = set()
    out: list[Dimension] = []
    sources = [table] if table == "accounts" else [table, "accounts"]
    for source in sources:
        for name, typ, attribute in _candidates(ws, source):
            if name in seen:
                continue
            seen.add(name)
            values = _values(ws, source, name)
            if values and len(values) > 1:  # one value splits nothing
                out.append(Dimension(name, source, attribute, typ, values))
    return out
