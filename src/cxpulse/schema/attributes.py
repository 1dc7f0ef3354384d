"""Custom attributes: extra typed columns of a canonical table, kept in the workspace table.

A project declares them (``[tables.accounts.attributes] contract = "string"``) or keeps every
extra column of a file (``cxpulse load ... --keep-extra``, types inferred). They are ordinary
columns of the workspace table, so everything that takes a column name takes an attribute
name: ``metrics --by``, filters, health signals, on every backend.

Attributes that change over time can be stored as dated snapshots (``accounts_snapshots``:
one row per account and ``observed_at`` date), so that the value known at a past date is the
one a backtest sees.

>>> spec = table_spec("accounts", {"contract": "string"})
>>> spec.column("contract").type, spec.column("account_id").required
('string', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from cxpulse.errors import ConfigError
from cxpulse.schema.tables import TABLES, Column, TableSpec

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

ATTRIBUTE_TABLES = ("accounts", "responses", "tickets", "orders")
SNAPSHOT_SUFFIX = "_snapshots"


def logical_type(dtype: Any) -> str:
    """The logical column type of an ibis data type."""
    if dtype.is_boolean():
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_floating() or dtype.is_decimal():
        return "float"
    if dtype.is_timestamp():
        return "timestamp"
    if dtype.is_date():
        return "date"
    return "string"


def table_spec(name: str, attributes: Mapping[str, str] | None = None) -> TableSpec:
    """The canonical declaration of ``name`` extended with its attributes."""
    spec = TABLES[name]
    extra = []
    for attr, typ in (attributes or {}).items():
        if attr in spec.column_names:
            continue
        extra.append(Column(attr, typ, description="attribute"))  # type: ignore[arg-type]
    return replace(spec, columns=spec.columns + tuple(extra)) if extra else spec


def workspace_attributes(ws: Workspace, name: str) -> dict[str, str]:
    """Attributes of ``name``: columns of the workspace table beyond the canonical ones, and
    those declared in cxpulse.toml (declared types win over what the engine reports)."""
    canonical = set(TABLES[name].column_names)
    found: dict[str, str] = {}
    if name in ws.con.list_tables():
        schema = ws.con.table(name).schema()
        for col, dtype in schema.items():
            if col not in canonical:
                found[col] = logical_type(dtype)
    binding = ws.config.tables.get(name)
    if binding is not None:
        for attr, typ in binding.attributes.items():
            if attr in canonical:
                raise ConfigError(
                    key="data.config.attribute_is_canonical", values={"table": name, "name": attr}
                )
            found[attr] = typ
    return found


def check_attribute_table(name: str, attributes: Mapping[str, str]) -> None:
    if attributes and name not in ATTRIBUTE_TABLES:
        raise ConfigError(
            key="data.config.attributes_table",
            values={"table": name, "tables": ", ".join(ATTRIBUTE_TABLES)},
        )


def snapshot_spec(spec: TableSpec) -> TableSpec:
    """Dated values of a table's columns: key (account_id, observed_at)."""
    columns = [Column("account_id", "string", required=True)]
    columns.append(Column("observed_at", "date", required=True, description="date the values held"))
    columns += [replace(c, required=False) for c in spec.columns if c.name != "account_id"]
    return TableSpec(
        name=spec.name + SNAPSHOT_SUFFIX,
        columns=tuple(columns),
        key=("account_id", "observed_at"),
        description=f"{spec.name} as known on each observed_at date (point-in-time values)",
    )


def add_missing_columns(ws: Workspace, spec: TableSpec) -> list[str]:
    """Create ``spec``'s table if absent, and add the columns it lacks (typed, empty)."""
    from cxpulse.schema.types import IBIS_TYPES, ibis_schema

    if spec.name not in ws.con.list_tables():
        ws.con.create_table(spec.name, schema=ibis_schema(spec))
        return []
    have = set(ws.con.table(spec.name).columns)
    missing = [c for c in spec.columns if c.name not in have]
    if not missing or ws.backend_name == "pyspark":
        # Spark rebuilds the table on every load, with the new columns.
        return [c.name for c in missing]
    import ibis

    for col in missing:
        sql_type = ibis.dtype(IBIS_TYPES[col.type])
        type_sql = _sql_type(ws.backend_name, sql_type)
        statement = f'ALTER TABLE "{spec.name}" ADD COLUMN "{col.name}" {type_sql}'
        raw = ws.con.con  # type: ignore[attr-defined]
        if ws.backend_name == "postgres":
            with raw.transaction(), raw.cursor() as cur:
                cur.execute(statement)
        else:
            raw.execute(statement)
            if ws.backend_name == "sqlite":
                raw.commit()
    return [c.name for c in missing]


def _sql_type(backend: str, dtype: Any) -> str:
    if backend == "sqlite":
        if dtype.is_integer() or dtype.is_boolean():
            return "INTEGER"
        if dtype.is_floating():
            return "REAL"
        if dtype.is_timestamp():
            return "TIMESTAMP"
        if dtype.is_date():
            return "DATE"
        return "TEXT"
    names = {
        "string": "VARCHAR" if backend == "duckdb" else "TEXT",
        "int64": "BIGINT",
        "float64": "DOUBLE" if backend == "duckdb" else "DOUBLE PRECISION",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "timestamp": "TIMESTAMP",
    }
    return names[str(dtype).removeprefix("!")]
