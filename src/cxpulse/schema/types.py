"""Logical column types mapped to ibis, DuckDB and Arrow types."""

from __future__ import annotations

import ibis
import ibis.expr.schema as sch
import pyarrow as pa

from cxpulse.schema.tables import ColumnType, TableSpec

IBIS_TYPES: dict[str, str] = {
    "string": "string",
    "int": "int64",
    "float": "float64",
    "bool": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}

DUCKDB_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}

ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}


def ibis_schema(spec: TableSpec) -> sch.Schema:
    """The ibis schema of a canonical table (every column nullable at the engine level)."""
    return ibis.schema({c.name: IBIS_TYPES[c.type] for c in spec.columns})


def arrow_schema(spec: TableSpec) -> pa.Schema:
    """The Arrow schema of a canonical table."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in spec.columns])
