"""Row filters of a metric query: ``where={"gender": "Female", "plan": "Eco"}``.

A filter column is resolved like a ``by`` dimension (the metric's own table first, then
``accounts``; attributes count as columns), so anything one can split by one can filter on.
The engine computes the metric split by the filter columns and keeps the groups whose values
match: every statistic is computed within its group, so a kept group is exactly the metric of
the filtered rows (n, interval and method included), on every backend and for every metric
kind (survey scores, churn cohorts, revenue, tickets).

Values match as stored, compared as text (``"True"`` matches a boolean true, ``"3"`` an
integer 3), which is how a page or a URL writes them; ``None`` matches a missing value.

>>> spec = where_spec({"gender": "Female", "plan": "Eco"})
>>> spec
(('gender', 'Female'), ('plan', 'Eco'))
>>> dimensions(["segment"], spec)
['segment', 'gender', 'plan']
>>> keep({"segment": "SMB", "gender": "Female", "plan": "Eco"}, spec)
True
>>> narrowed({"segment": "SMB", "gender": "Female", "plan": "Eco"}, ["segment"], spec)
{'segment': 'SMB'}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cxpulse.metrics.errors import MetricQueryError

Where = Mapping[str, Any]
WhereSpec = tuple[tuple[str, Any], ...]


def where_spec(where: Where | None) -> WhereSpec:
    """``where`` as a hashable, validated spec: each column with the one value it must have.

    One value per column: several values of one column would be several groups, which a
    filter must not merge silently (split by the column instead).
    """
    out: list[tuple[str, Any]] = []
    for column, value in (where or {}).items():
        if not isinstance(column, str) or not column.strip():
            raise MetricQueryError(key="metrics.error.filter_column", values={"column": column})
        if isinstance(value, list | tuple | set | frozenset):
            items = list(value)
            if len(items) != 1:
                raise MetricQueryError(
                    key="metrics.error.filter_values",
                    values={"column": column, "values": ", ".join(map(str, items)) or "-"},
                )
            value = items[0]
        out.append((column, value))
    return tuple(out)


def parse_filters(items: Sequence[str]) -> dict[str, str]:
    """``["gender=Female", "plan=Eco"]`` (as a URL or the CLI writes them) as ``where``;
    blank items are skipped, a column given twice with different values is refused.

    >>> parse_filters(["gender=Female", "", "plan=Eco"])
    {'gender': 'Female', 'plan': 'Eco'}
    """
    out: dict[str, str] = {}
    for item in items:
        if not item or not item.strip():
            continue
        column, sep, value = item.partition("=")
        column = column.strip()
        if not sep or not column:
            raise MetricQueryError(key="metrics.error.filter_syntax", values={"item": item})
        if column in out and out[column] != value:
            raise MetricQueryError(
                key="metrics.error.filter_values",
                values={"column": column, "values": f"{out[column]}, {value}"},
            )
        out[column] = value
    return out


def dimensions(by: Sequence[str] | str | None, spec: WhereSpec) -> list[str]:
    """The dimensions the engine groups by: ``by`` and then the filter columns."""
    dims = [by] if isinstance(by, str) else list(by or ())
    return list(dict.fromkeys([*dims, *(column for column, _ in spec)]))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 2**53 else str(value)
    return str(value)


def keep(group: Mapping[str, Any], spec: WhereSpec) -> bool:
    """Whether a group's values satisfy every filter."""
    return all(_text(group.get(column)) == _text(value) for column, value in spec)


def narrowed(
    group: Mapping[str, Any], by: Sequence[str] | str | None, spec: WhereSpec
) -> dict[str, Any]:
    """A kept group without the filter columns that were not asked for in ``by``."""
    asked = {by} if isinstance(by, str) else set(by or ())
    hidden = {column for column, _ in spec} - asked
    return {k: v for k, v in group.items() if k not in hidden}
