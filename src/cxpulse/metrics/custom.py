"""Custom indicators declared as data in ``[[metrics.custom]]`` of cxpulse.toml.

Each entry becomes a :class:`MetricDefinition` like the built-ins and runs through the same
engine (so on every backend), with the same intervals, ``explain`` and comparisons. Columns
may be built-in columns or any other column of the workspace table (custom attributes); they
are checked against the table when the metric is used.

>>> from cxpulse.config import MetricsConfig
>>> cfg = MetricsConfig.model_validate({"custom": [{
...     "name": "wifi_ok", "label_es": "Wifi bien", "label_en": "Wifi OK",
...     "table": "responses", "statistic": "proportion",
...     "filters": [{"column": "kind", "op": "==", "value": "csat"}],
...     "value_column": "score", "success": {"column": "score", "op": ">=", "value": 4}}]})
>>> custom_definitions(cfg)["wifi_ok"].statistic
'proportion'
"""

from __future__ import annotations

from typing import Any

from cxpulse.config import TIME_COLUMNS, CustomMetricConfig, MetricCondition, MetricsConfig
from cxpulse.metrics.definitions import REGISTRY, Condition, MetricDefinition, get_definition
from cxpulse.metrics.errors import MetricQueryError, UnknownMetricError

UNITS = {"proportion": "%", "mean": "score", "nps": "score"}


def _condition(c: MetricCondition) -> Condition:
    value = tuple(c.value) if isinstance(c.value, list) else c.value
    return Condition(c.column, c.op, value)  # type: ignore[arg-type]


def to_definition(c: CustomMetricConfig) -> MetricDefinition:
    """The engine definition of one ``[[metrics.custom]]`` entry."""
    if c.name in REGISTRY:
        raise MetricQueryError(key="metrics.error.custom_builtin_name", values={"name": c.name})
    return MetricDefinition(
        name=c.name,
        table=c.table,
        statistic=c.statistic,  # type: ignore[arg-type]
        time_column=c.time_column or TIME_COLUMNS[c.table],
        label_es=c.label_es.replace("{", "{{").replace("}", "}}"),
        label_en=c.label_en.replace("{", "{{").replace("}", "}}"),
        unit=c.unit or UNITS[c.statistic],
        filters=tuple(_condition(f) for f in c.filters),
        value_column=c.value_column,
        success=None if c.success is None else _condition(c.success),
        description=c.description_en or c.description_es,
        description_es=c.description_es or c.description_en,
        custom=True,
    )


def custom_definitions(options: MetricsConfig) -> dict[str, MetricDefinition]:
    """The project's custom metrics by name."""
    return {c.name: to_definition(c) for c in options.custom}


def resolve(options: MetricsConfig | None, name: str) -> MetricDefinition:
    """A built-in or custom metric of the project by name."""
    if options is not None:
        found = custom_definitions(options).get(name)
        if found is not None:
            return found
    try:
        return get_definition(name)
    except UnknownMetricError:
        if options is not None and options.custom:
            raise UnknownMetricError(
                key="metrics.error.custom_unknown",
                values={
                    "name": name,
                    "own": ", ".join(c.name for c in options.custom),
                    "known": ", ".join(REGISTRY),
                },
            ) from None
        raise


def all_definitions(options: MetricsConfig | None) -> list[MetricDefinition]:
    """Built-in metrics, then the project's custom ones."""
    from cxpulse.metrics.definitions import list_definitions

    extra = list(custom_definitions(options).values()) if options is not None else []
    return [*list_definitions(), *extra]


def check_columns(ws: Any, d: MetricDefinition) -> None:
    """A custom metric's columns exist in its workspace table (built-in or attribute)."""
    if not d.custom:
        return
    have = set(ws.table(d.table).columns)
    used = {d.time_column, *(c.column for c in d.filters)}
    used |= {c for c in (d.value_column,) if c}
    if d.success is not None:
        used.add(d.success.column)
    missing = sorted(used - have)
    if missing:
        raise MetricQueryError(
            key="metrics.error.custom_column"
            if len(missing) == 1
            else "metrics.error.custom_columns",
            values={
                "name": d.name,
                "columns": ", ".join(missing),
                "table": d.table,
                "known": ", ".join(sorted(have)),
            },
        )
