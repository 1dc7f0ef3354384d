"""Canonical tables: declarations, validation and loading."""

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
