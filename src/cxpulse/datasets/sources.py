"""Shared plumbing of the public-data loaders: run mapping SQL in DuckDB, return canonical Arrow.

Each loader states its mapping as one SQL query per canonical table (the engine does the
joins and aggregates); this module checks the input exists and casts the result to the exact
Arrow schema of the canonical table.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from cxpulse.errors import CxpulseError
from cxpulse.schema.tables import TABLES
from cxpulse.schema.types import arrow_schema


class DatasetError(CxpulseError):
    """A public data file is missing or does not have the columns its loader maps."""


def require(path: str | Path, what: str) -> Path:
    """``path`` as a Path, or a DatasetError saying which file is missing and what it is."""
    p = Path(path)
    if not p.exists():
        raise DatasetError(f"{p}: not found ({what}); pass the path of the downloaded file")
    return p


def sql_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def run(con: duckdb.DuckDBPyConnection, sql: str, where: Path) -> pa.Table:
    try:
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as exc:
        raise DatasetError(
            f"{where}: cannot be mapped ({str(exc).splitlines()[0]}); "
            "check it is the original, unmodified file"
        ) from exc


def canonical(table: pa.Table, name: str) -> pa.Table:
    """Select and cast the columns of canonical table ``name`` (absent ones become null)."""
    schema = arrow_schema(TABLES[name])
    columns = []
    for f in schema:
        if f.name in table.column_names:
            columns.append(table.column(f.name).cast(f.type))
        else:
            columns.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(columns, schema=schema)
