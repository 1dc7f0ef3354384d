"""Load a validated source into a canonical table of the workspace: all or nothing, by key.

Validation runs in DuckDB (the workspace's own connection when it is DuckDB, a private
in-memory one otherwise). Only a source without a single problem is written, and it is
written inside one transaction (DuckDB, SQLite, PostgreSQL) as an upsert on the table's key:
rows whose key exists are replaced, new keys are added. Loading the same file twice leaves
the table as it was after the first load.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from cxpulse.errors import ValidationError, WorkspaceError
from cxpulse.schema.sources import stage_source
from cxpulse.schema.tables import TABLES, TableSpec
from cxpulse.schema.types import arrow_schema
from cxpulse.schema.validation import find_problems, plan_columns, quote

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace


@dataclass(frozen=True)
class LoadReport:
    """What a load did."""

    table: str
    source: str
    rows: int
    inserted: int
    updated: int
    unchanged: int = 0
    ignored_columns: tuple[str, ...] = field(default=())
    seconds: float = 0.0

    def __str__(self) -> str:
        text = (
            f"{self.source} -> {self.table}: {self.rows} rows "
            f"({self.inserted} new, {self.updated - self.unchanged} changed, "
            f"{self.unchanged} unchanged) in {self.seconds:.2f}s"
        )
        if self.ignored_columns:
            text += f"; ignored columns: {', '.join(self.ignored_columns)}"
        return text


def _staging_connection(ws: Workspace) -> tuple[duckdb.DuckDBPyConnection, bool]:
    if ws.backend_name == "duckdb":
        return ws.con.con, True  # type: ignore[attr-defined]
    return duckdb.connect(), False


def load_into(
    ws: Workspace, table: str, source: Any, *, mapping: dict[str, str] | None = None
) -> LoadReport:
    """Validate ``source`` against canonical ``table`` and upsert it (see module docstring)."""
    started = time.perf_counter()
    spec = TABLES[table]
    staged = stage_source(source)
    con, shared = _staging_connection(ws)
    tag = uuid.uuid4().hex[:10]
    src_view, stage = f"__cx_src_{tag}", f"__cx_stage_{tag}"
    arrow_view = f"__cx_arrow_{tag}"
    try:
        if staged.arrow is not None:
            con.register(arrow_view, staged.arrow)
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {src_view} AS "
                f"SELECT *, NULL::VARCHAR AS __file FROM {arrow_view}"
            )
        else:
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {src_view} AS SELECT * EXCLUDE "
                f"(file_row_number, filename), file_row_number + 1 AS __row, "
                f"filename AS __file FROM {staged.sql}"
            )
        relation = src_view
        described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        columns = {str(r[0]): str(r[1]) for r in described}
        plans, file_problems, ignored = plan_columns(spec, columns, mapping or {})
        if file_problems:
            raise ValidationError(staged.label, table, file_problems)
        problems, total = find_problems(con, relation, spec, plans)
        if total:
            raise ValidationError(staged.label, table, problems, total)
        select = ", ".join(f"{p.typed} AS {quote(p.column.name)}" for p in plans)
        if shared and _is_empty(con, spec):
            # Nothing to replace: one INSERT, atomic by itself.
            cols = ", ".join(quote(c) for c in spec.column_names)
            con.execute(f"INSERT INTO {quote(spec.name)} ({cols}) SELECT {select} FROM {relation}")
            rows = int(con.execute(f"SELECT count(*) FROM {quote(spec.name)}").fetchone()[0])  # type: ignore[index]
            return LoadReport(
                table=table,
                source=staged.label,
                rows=rows,
                inserted=rows,
                updated=0,
                ignored_columns=tuple(ignored),
                seconds=time.perf_counter() - started,
            )
        con.execute(f"CREATE OR REPLACE TEMP TABLE {stage} AS SELECT {select} FROM {relation}")
        rows = int(con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0])  # type: ignore[index]
        if shared:
            inserted, updated, unchanged = _upsert_duckdb(con, spec, stage)
        else:
            frame = con.execute(f"SELECT * FROM {stage}").arrow()
            if isinstance(frame, pa.RecordBatchReader):
                frame = frame.read_all()
            frame = frame.cast(arrow_schema(spec))
            inserted, updated, unchanged = _upsert_other(ws, spec, frame)
    finally:
        con.execute(f"DROP VIEW IF EXISTS {src_view}")
        if staged.arrow is not None:
            con.unregister(arrow_view)
        con.execute(f"DROP TABLE IF EXISTS {stage}")
        if not shared:
            con.close()
    return LoadReport(
        table=table,
        source=staged.label,
        rows=rows,
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        ignored_columns=tuple(ignored),
        seconds=time.perf_counter() - started,
    )


def _is_empty(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> bool:
    return con.execute(f"SELECT 1 FROM {quote(spec.name)} LIMIT 1").fetchone() is None


def _match(spec: TableSpec, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{quote(k)} = {right}.{quote(k)}" for k in spec.key)


def _same_row(spec: TableSpec, left: str, right: str, op: str) -> str:
    return " AND ".join(f"{left}.{quote(c)} {op} {right}.{quote(c)}" for c in spec.column_names)


def _replace_statements(spec: TableSpec, stage: str, same_op: str) -> tuple[str, str, str, str]:
    """SQL to count staged keys already present, count staged rows already identical,
    delete the present keys, and insert the staged rows (``same_op`` is the engine's
    NULL-safe equality: ``IS NOT DISTINCT FROM``, or ``IS`` on SQLite)."""
    target, staged = quote(spec.name), quote(stage)
    cols = ", ".join(quote(c) for c in spec.column_names)
    present = (
        f"SELECT count(*) FROM {staged} s WHERE EXISTS "
        f"(SELECT 1 FROM {target} t WHERE {_match(spec, 't', 's')})"
    )
    identical = (
        f"SELECT count(*) FROM {staged} s WHERE EXISTS "
        f"(SELECT 1 FROM {target} t WHERE {_same_row(spec, 't', 's', same_op)})"
    )
    delete = (
        f"DELETE FROM {target} WHERE EXISTS (SELECT 1 FROM {staged} s WHERE "
        + " AND ".join(f"{target}.{quote(k)} = s.{quote(k)}" for k in spec.key)
        + ")"
    )
    insert = f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {staged}"
    return present, identical, delete, insert


def _upsert_duckdb(
    con: duckdb.DuckDBPyConnection, spec: TableSpec, stage: str
) -> tuple[int, int, int]:
    """Replace only what changed: identical rows are neither deleted nor re-inserted."""
    target = quote(spec.name)
    changed = f"{stage}_changed"
    con.execute("BEGIN TRANSACTION")
    try:
        # A hash join on the key, then a column-by-column comparison: far less memory than
        # matching on every column at once.
        first_key = quote(spec.key[0])
        differs = " OR ".join(
            f"s.{quote(c)} IS DISTINCT FROM t.{quote(c)}"
            for c in spec.column_names
            if c not in spec.key
        )
        con.execute(
            f"CREATE TEMP TABLE {changed} AS SELECT s.* FROM {stage} s "
            f"LEFT JOIN {target} t ON {_match(spec, 't', 's')} "
            f"WHERE t.{first_key} IS NULL OR {differs or 'false'}"
        )
        total = int(con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0])  # type: ignore[index]
        n_changed = int(con.execute(f"SELECT count(*) FROM {changed}").fetchone()[0])  # type: ignore[index]
        replaced = 0
        if n_changed:
            present, _, delete, insert = _replace_statements(spec, changed, "IS NOT DISTINCT FROM")
            replaced = int(con.execute(present).fetchone()[0])  # type: ignore[index]
            if replaced:
                con.execute(delete)
            con.execute(insert)
        con.execute(f"DROP TABLE {changed}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    unchanged = total - n_changed
    return n_changed - replaced, replaced + unchanged, unchanged


def _upsert_other(ws: Workspace, spec: TableSpec, frame: pa.Table) -> tuple[int, int, int]:
    if ws.backend_name == "sqlite":
        return _upsert_sqlite(ws, spec, frame)
    if ws.backend_name == "postgres":
        return _upsert_postgres(ws, spec, frame)
    return _upsert_rebuild(ws, spec, frame)


def _upsert_postgres(ws: Workspace, spec: TableSpec, frame: pa.Table) -> tuple[int, int, int]:
    """PostgreSQL: stage with ibis, then replace in one transaction."""
    stage = f"cx_stage_{uuid.uuid4().hex[:10]}"
    ws.con.create_table(stage, frame)
    present, identical, delete, insert = _replace_statements(spec, stage, "IS NOT DISTINCT FROM")
    raw = ws.con.con  # type: ignore[attr-defined]
    try:
        with raw.transaction(), raw.cursor() as cur:
            cur.execute(present)
            updated = int(cur.fetchone()[0])
            cur.execute(identical)
            unchanged = int(cur.fetchone()[0])
            cur.execute(delete)
            cur.execute(insert)
    finally:
        ws.con.drop_table(stage, force=True)
    return frame.num_rows - updated, updated, unchanged


def _sqlite_values(frame: pa.Table) -> list[tuple[Any, ...]]:
    """Rows as SQLite values, written the way ibis writes them (ISO text for dates)."""
    columns = []
    for column in frame.columns:
        values = column.to_pylist()
        if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            values = [None if v is None else v.isoformat() for v in values]
        elif pa.types.is_boolean(column.type):
            values = [None if v is None else int(v) for v in values]
        columns.append(values)
    return list(zip(*columns, strict=True))


def _upsert_sqlite(ws: Workspace, spec: TableSpec, frame: pa.Table) -> tuple[int, int, int]:
    """SQLite: stage through the connection itself (one transaction, NULLs kept as NULL)."""
    raw = ws.con.con  # type: ignore[attr-defined]
    stage = f"cx_stage_{uuid.uuid4().hex[:10]}"
    target = quote(spec.name)
    cols = ", ".join(quote(c) for c in spec.column_names)
    marks = ", ".join("?" for _ in spec.column_names)
    with raw:  # commit on success, roll back on any error
        raw.execute(f"CREATE TEMP TABLE {quote(stage)} AS SELECT {cols} FROM {target} WHERE 0")
        raw.executemany(
            f"INSERT INTO {quote(stage)} ({cols}) VALUES ({marks})", _sqlite_values(frame)
        )
        present, identical, delete, insert = _replace_statements(spec, stage, "IS")
        updated = int(raw.execute(present).fetchone()[0])
        unchanged = int(raw.execute(identical).fetchone()[0])
        raw.execute(delete)
        raw.execute(insert)
        raw.execute(f"DROP TABLE {quote(stage)}")
    return frame.num_rows - updated, updated, unchanged


def _upsert_rebuild(ws: Workspace, spec: TableSpec, frame: pa.Table) -> tuple[int, int, int]:
    """Engines without multi-statement transactions (Spark): build the new table, then swap."""
    stage = f"cx_stage_{uuid.uuid4().hex[:10]}"
    rebuilt = f"cx_rebuilt_{uuid.uuid4().hex[:10]}"
    try:
        if ws.backend_name == "pyspark":
            # Straight from Arrow: going through pandas would turn NULL strings into 'NaN'.
            session = ws.con._session  # type: ignore[attr-defined]
            session.createDataFrame(frame).createOrReplaceTempView(stage)
            new = ws.con.table(stage)
        else:
            new = ws.con.create_table(stage, frame)
        old = ws.con.table(spec.name)
        updated = int(old.semi_join(new, list(spec.key)).count().execute())
        same = [old[c].identical_to(new[c]) for c in old.columns]  # NULL matches NULL
        unchanged = int(old.semi_join(new, same).count().execute())
        kept = old.anti_join(new, list(spec.key))
        ws.con.create_table(rebuilt, kept.union(new.select(*old.columns)))
        ws.con.create_table(spec.name, ws.con.table(rebuilt), overwrite=True)
    except Exception as exc:
        raise WorkspaceError(f"could not write {spec.name!r} on {ws.backend_name}: {exc}") from exc
    finally:
        if ws.backend_name == "pyspark":
            ws.con._session.catalog.dropTempView(stage)  # type: ignore[attr-defined]
        else:
            ws.con.drop_table(stage, force=True)
        ws.con.drop_table(rebuilt, force=True)
    return frame.num_rows - updated, updated, unchanged
