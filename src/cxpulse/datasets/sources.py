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
    """A public data file is missing or does not have the columns its loader maps.

    ``parts`` fills placeholders with catalogue messages of their own (what the file is), in
    the language the error is shown in.

    >>> err = DatasetError(key="data.error.dataset_missing", values={"path": "x.csv"},
    ...                    parts={"what": ("data.dataset.bank_churn", {})})
    >>> err.message_in("es")[:52]
    'x.csv: no se encontró el CSV de abandono de clientes'
    """

    def __init__(
        self,
        message: str = "",
        *args: object,
        key: str | None = None,
        values: dict[str, object] | None = None,
        parts: dict[str, tuple[str, dict[str, object]]] | None = None,
        numbers: dict[str, float | int] | None = None,
    ) -> None:
        self.parts = dict(parts or {})
        super().__init__(message, *args, key=key, values=values, numbers=numbers)

    def _values_in(self, lang: str) -> dict[str, object]:
        from cxpulse.locale import gettext

        values = super()._values_in(lang)
        filled = {name: gettext(k, lang, **fill) for name, (k, fill) in self.parts.items()}
        return {**values, **filled}


def require(path: str | Path, what: str, **values: object) -> Path:
    """``path`` as a Path, or a DatasetError saying which file is missing and what it is
    (``what``: the catalogue key of its description, filled with ``values``)."""
    p = Path(path)
    if not p.exists():
        raise DatasetError(
            key="data.error.dataset_missing",
            values={"path": str(p)},
            parts={"what": (what, dict(values))},
        )
    return p


def sql_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def run(con: duckdb.DuckDBPyConnection, sql: str, where: Path) -> pa.Table:
    try:
        return con.sql(sql).to_arrow_table()
    except duckdb.Error as exc:
        raise DatasetError(
            key="data.error.dataset_mapping",
            values={"path": str(where), "detail": str(exc).splitlines()[0]},
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
