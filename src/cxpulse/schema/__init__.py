"""Canonical tables: declarations, validation and loading."""

from typing import TYPE_CHECKING, Any

from cxpulse.schema.tables import (
    OUTCOMES,
    SCORE_RANGES,
    SURVEY_KINDS,
    TABLES,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    Column,
    RangeRule,
    TableSpec,
)

if TYPE_CHECKING:
    from cxpulse.schema.types import ibis_schema

__all__ = [
    "OUTCOMES",
    "SCORE_RANGES",
    "SURVEY_KINDS",
    "TABLES",
    "TICKET_PRIORITIES",
    "TICKET_STATUSES",
    "Column",
    "RangeRule",
    "TableSpec",
    "ibis_schema",
]


def __getattr__(name: str) -> Any:
    # ibis loads only when a schema is built: the declarations stay cheap to import (the CLI's
    # help lists the canonical tables).
    if name == "ibis_schema":
        from cxpulse.schema.types import ibis_schema

        return ibis_schema
    raise AttributeError(f"module 'cxpulse.schema' has no attribute {name!r}")
