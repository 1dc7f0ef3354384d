"""Load a validated source into a canonical table of the workspace: all or nothing, by key.

Validation runs in DuckDB (the workspace's own connection when it is DuckDB, a private
in-memory one otherwise). Only a source without a single problem is written, and it is
written inside one transaction (DuckDB, SQLite, PostgreSQL) as an upsert on the table's key:
rows whose key exists are replaced, new keys are added. Loading the same file twice leaves
the table as it was after the first load.

How the source is read (encoding, delimiter, separators, dates, mapping, constants, value
maps, attributes, reshaping) is one :class:`~cxpulse.schema.options.ReadOptions` object.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from cxpulse.errors import ConfigError, Problem, ValidationError, WorkspaceError, group_problems
from cxpulse.schema.attributes import (
    add_missing_columns,
    check_attribute_table,
    snapshot_spec,
    table_spec,
    workspace_attributes,
)
from cxpulse.schema.options import ReadOptions
from cxpulse.schema.parsing import detect_number_formats
from cxpulse.schema.reshape import aggregate_lines, reshape_wide
from cxpulse.schema.sources import stage_source
from cxpulse.schema.tables import TABLES, TableSpec
from cxpulse.schema.types import arrow_schema
from cxpulse.schema.validation import (
    find_problems,
    infer_types,
    match_columns,
    normalise_name,
    plan_columns,
    quote,
    stage_select,
)

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

ORPHAN_EXAMPLES = 5


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
    attributes: tuple[tuple[str, str], ...] = ()  # (name, type) of the attributes written
    inferred: tuple[str, ...] = ()  # attributes whose type was inferred (--keep-extra)
    notes: tuple[str, ...] = ()  # settings that were detected
    normalised_ids: int = 0  # IDs read as floats ("17850.0") stored as "17850"
    orphans: int = 0  # rows whose account_id is not in accounts
    orphan_examples: tuple[tuple[int, str], ...] = ()  # (row, account_id)
    snapshot_rows: int = 0  # rows written to <table>_snapshots
    not_applicable: int = 0  # rows left out: their required value was an N/A code

    def text_in(self, lang: str) -> str:
        from cxpulse.locale import format_number, gettext

        def count(n: int) -> str:
            return format_number(n, lang, 0)

        parts = [
            gettext(
                "data.report.loaded",
                lang,
                source=self.source,
                table=self.table,
                rows=count(self.rows),
                new=count(self.inserted),
                changed=count(self.updated - self.unchanged),
                unchanged=count(self.unchanged),
                seconds=format_number(self.seconds, lang, 2),
            )
        ]
        if self.notes:
            parts.append(gettext("data.report.detected", lang, settings=", ".join(self.notes)))
        if self.attributes:
            inferred = ", " + gettext("data.report.inferred", lang)
            shown = ", ".join(
                f"{n} ({t}{inferred if n in self.inferred else ''})" for n, t in self.attributes
            )
            parts.append(gettext("data.report.attributes", lang, attributes=shown))
        if self.normalised_ids:
            parts.append(gettext("data.report.float_ids", lang, n=count(self.normalised_ids)))
        if self.orphans:
            examples = ", ".join(
                f"'{a}' ({gettext('data.where.row', lang, row=r)})" for r, a in self.orphan_examples
            )
            parts.append(
                gettext("data.report.orphans", lang, n=count(self.orphans), examples=examples)
            )
        if self.not_applicable:
            parts.append(gettext("data.report.not_applicable", lang, n=count(self.not_applicable)))
        if self.snapshot_rows:
            parts.append(
                gettext(
                    "data.report.snapshot",
                    lang,
                    n=count(self.snapshot_rows),
                    table=self.table + "_snapshots",
                )
            )
        if self.ignored_columns:
            parts.append(
                gettext("data.report.ignored", lang, columns=", ".join(self.ignored_columns))
            )
        return "; ".join(parts)

    def __str__(self) -> str:
        return self.text_in("en")


def _staging_connection(ws: Workspace) -> tuple[duckdb.DuckDBPyConnection, bool]:
    if ws.backend_name == "duckdb":
        return ws.con.con, True  # type: ignore[attr-defined]
    return duckdb.connect(), False


def _check_timezone(options: ReadOptions) -> None:
    if options.timezone is None:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(options.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(key="data.config.timezone", values={"value": options.timezone}) from None


def _snapshot_date(options: ReadOptions, table: str) -> dt.date | None:
    if options.snapshot_date is None:
        return None
    if table != "accounts":
        raise ConfigError(key="data.config.snapshot_table", values={"table": table})
    try:
        return dt.date.fromisoformat(options.snapshot_date)
    except ValueError:
        raise ConfigError(
            key="data.config.snapshot_date", values={"value": options.snapshot_date}
        ) from None


def _extra_attributes(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    table: str,
    columns: dict[str, str],
    attrs: dict[str, str],
    options: ReadOptions,
) -> tuple[ReadOptions, dict[str, str], list[str], list[Problem]]:
    """With ``keep_extra``: every unmatched column becomes an attribute of inferred type."""
    visible = {c: t for c, t in columns.items() if not c.startswith("__")}
    spec = table_spec(table, attrs)
    by_target, _ = match_columns(spec, visible, options)
    used = set(by_target.values())
    unused = {c: t for c, t in visible.items() if c not in used and c not in options.exclude}
    problems: list[Problem] = []
    if not unused:
        return options, attrs, [], problems
    types = infer_types(con, relation, unused, options)
    mapping = dict(options.columns)
    inferred = []
    for source in unused:
        name = normalise_name(source)
        if name in TABLES[table].column_names or name in mapping.values():
            problems.append(Problem.of("data.problem.extra_name_taken", column=source, name=name))
            continue
        attrs[name] = attrs.get(name) or types[source]
        mapping[source] = name
        inferred.append(name)
    return options.model_copy(update={"columns": mapping}), attrs, inferred, problems


def load_into(
    ws: Workspace, table: str, source: Any, *, options: ReadOptions | None = None
) -> LoadReport:
    """Validate ``source`` against canonical ``table`` and upsert it (see module docstring)."""
    started = time.perf_counter()
    options = options or ReadOptions()
    _check_timezone(options)
    snapshot_day = _snapshot_date(options, table)
    staged = stage_source(source, options, table)
    con, shared = _staging_connection(ws)
    tag = uuid.uuid4().hex[:10]
    src_view, stage = f"__cx_src_{tag}", f"__cx_stage_{tag}"
    arrow_view = f"__cx_arrow_{tag}"
    views = [src_view]
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
        if options.reshape is not None:
            relation, options = reshape_wide(con, relation, table, options, staged.label)
            views.append(relation)
        if options.aggregate is not None:
            relation, options = aggregate_lines(con, relation, table, options, staged.label)
            views.append(relation)
        described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        columns = {str(r[0]): str(r[1]) for r in described}
        attrs = workspace_attributes(ws, table)
        attrs.update(options.attributes)
        check_attribute_table(table, dict(options.attributes))
        inferred: list[str] = []
        if options.keep_extra:
            check_attribute_table(table, {"*": "string"})
            options, attrs, inferred, extra_problems = _extra_attributes(
                con, relation, table, columns, attrs, options
            )
            if extra_problems:
                raise ValidationError(staged.label, table, extra_problems)
        spec = table_spec(table, attrs)
        plans, file_problems, ignored = plan_columns(spec, columns, options)
        if file_problems:
            raise ValidationError(staged.label, table, file_problems)
        numeric = {
            p.column.name: p.raw
            for p in plans
            if p.column.type in ("int", "float")
            and p.is_text
            and (p.source is not None or p.constant is not None)
        }
        formats, number_problems = detect_number_formats(
            con, relation, numeric, options.decimal, options.thousands
        )
        if number_problems:
            raise ValidationError(
                staged.label, table, number_problems, kinds=group_problems(number_problems)
            )
        plans, _, _ = plan_columns(spec, columns, options, formats)
        relation, skipped = _skip_not_applicable(con, relation, plans)
        if skipped:
            views.append(relation)
        notes = list(staged.notes)
        notes += [
            f"{name}: decimal '{f.decimal}'"
            + (f" thousands '{f.thousands}'" if f.thousands else "")
            for name, f in formats.items()
            if f.detected
        ]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {stage} AS SELECT {stage_select(plans)} FROM {relation}"
        )
        kinds, total = find_problems(con, relation, stage, spec, plans)
        if total:
            examples = [p for k in kinds for p in k.examples]
            raise ValidationError(staged.label, table, examples, total, kinds)
        counted = con.execute(f"SELECT count(*), sum(__float_ids) FROM {stage}").fetchone()
        assert counted is not None
        rows, normalised = int(counted[0]), int(counted[1] or 0)
        orphans, orphan_examples = _orphans(ws, con, stage, table, plans)
        add_missing_columns(ws, spec)
        written_attrs = tuple(
            (c.name, c.type)
            for c in spec.columns
            if c.name not in TABLES[table].column_names
            and any(p.column.name == c.name and (p.source or p.constant) for p in plans)
        )
        snapshot_rows = 0
        if shared and _is_empty(con, spec):
            # Nothing to replace: one INSERT, atomic by itself.
            cols = ", ".join(quote(c) for c in spec.column_names)
            con.execute(f"INSERT INTO {quote(spec.name)} ({cols}) SELECT {cols} FROM {stage}")
            inserted, updated, unchanged = rows, 0, 0
        else:
            inserted, updated, unchanged = _write(ws, con, shared, spec, stage)
        if snapshot_day is not None:
            snapshot_rows = _write_snapshot(ws, con, shared, spec, stage, snapshot_day)
    finally:
        for view in reversed(views):
            con.execute(f"DROP VIEW IF EXISTS {view}")
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
        attributes=written_attrs,
        inferred=tuple(inferred),
        notes=tuple(notes),
        normalised_ids=normalised,
        orphans=orphans,
        orphan_examples=orphan_examples,
        snapshot_rows=snapshot_rows,
        not_applicable=skipped,
    )


def _write(
    ws: Workspace, con: duckdb.DuckDBPyConnection, shared: bool, spec: TableSpec, stage: str
) -> tuple[int, int, int]:
    if shared:
        return _upsert_duckdb(con, spec, stage)
    cols = ", ".join(quote(c) for c in spec.column_names)
    frame = con.execute(f"SELECT {cols} FROM {stage}").arrow()
    if isinstance(frame, pa.RecordBatchReader):
        frame = frame.read_all()
    frame = frame.cast(arrow_schema(spec))
    return _upsert_other(ws, spec, frame)


def _write_snapshot(
    ws: Workspace,
    con: duckdb.DuckDBPyConnection,
    shared: bool,
    spec: TableSpec,
    stage: str,
    day: dt.date,
) -> int:
    snap = snapshot_spec(spec)
    add_missing_columns(ws, snap)
    snap_stage = stage + "_snap"
    others = ", ".join(quote(c.name) for c in snap.columns[2:])
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {snap_stage} AS SELECT account_id, "
        f"DATE '{day.isoformat()}' AS observed_at{', ' + others if others else ''} FROM {stage}"
    )
    try:
        inserted, updated, _ = _write(ws, con, shared, snap, snap_stage)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {snap_stage}")
    return inserted + updated


def _skip_not_applicable(
    con: duckdb.DuckDBPyConnection, relation: str, plans: list[Any]
) -> tuple[str, int]:
    """Rows whose required value is an N/A code (e.g. a rating 0 = not applicable) hold no
    answer: they are left out, and counted in the report."""
    conds = []
    for p in plans:
        if p.column.required and p.na_values and (p.source is not None):
            codes = ", ".join("'" + v.replace("'", "''") + "'" for v in p.na_values)
            conds.append(f"coalesce({p.original} IN ({codes}), false)")
    if not conds:
        return relation, 0
    where = " OR ".join(conds)
    found = con.execute(f"SELECT count(*) FROM {relation} WHERE {where}").fetchone()
    skipped = int(found[0]) if found else 0
    if not skipped:
        return relation, 0
    view = f"__cx_answered_{uuid.uuid4().hex[:8]}"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {relation} WHERE NOT ({where})"
    )
    return view, skipped


def _orphans(
    ws: Workspace,
    con: duckdb.DuckDBPyConnection,
    relation: str,
    table: str,
    plans: list[Any],
) -> tuple[int, tuple[tuple[int, str], ...]]:
    """Rows whose account_id is not in the workspace's accounts: count and first examples."""
    if table == "accounts":
        return 0, ()
    plan = next((p for p in plans if p.column.name == "account_id"), None)
    if plan is None or (plan.source is None and plan.constant is None):
        return 0, ()
    name = f"__cx_accounts_{uuid.uuid4().hex[:8]}"
    if ws.backend_name == "duckdb":
        known = "accounts"
    else:
        ids = ws.table("accounts").select("account_id").to_pyarrow()
        con.register(name, ids)
        known = name
    try:
        missing = (
            f"FROM {relation} s WHERE s.account_id IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {known} k WHERE k.account_id = s.account_id)"
        )
        found = con.execute(f"SELECT count(*) {missing}").fetchone()
        n = int(found[0] or 0) if found else 0
        first = (
            con.execute(
                f"SELECT __row, s.account_id {missing} ORDER BY __row LIMIT {ORPHAN_EXAMPLES}"
            ).fetchall()
            if n
            else []
        )
    finally:
        if known == name:
            con.unregister(name)
    return n, tuple((int(r), str(a)) for r, a in first)


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
        # Join on the key against (key, hash of the other columns) of the target: the join
        # holds two values per existing row instead of whole rows. Both sides hash the same
        # declared types; a 64-bit collision hiding a change is about 1 in 1.8e19 per row.
        from cxpulse.schema.types import DUCKDB_TYPES

        others = [c for c in spec.columns if c.name not in spec.key]
        keys = ", ".join(quote(k) for k in spec.key)
        first_key = quote(spec.key[0])

        def row_hash(alias: str) -> str:
            if not others:
                return "0"
            cols = ", ".join(
                f"CAST({alias}.{quote(c.name)} AS {DUCKDB_TYPES[c.type]})" for c in others
            )
            return f"hash({cols})"

        con.execute(
            f"CREATE TEMP TABLE {changed} AS SELECT s.* FROM {stage} s "
            f"LEFT JOIN (SELECT {keys}, {row_hash('t')} AS __h FROM {target} t) t "
            f"ON {_match(spec, 't', 's')} "
            f"WHERE t.{first_key} IS NULL OR t.__h <> {row_hash('s')}"
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
        import ibis

        from cxpulse.schema.types import IBIS_TYPES

        old = ws.con.table(spec.name)
        # New attributes: the old rows get them empty, typed.
        missing = {
            c.name: ibis.null().cast(IBIS_TYPES[c.type])
            for c in spec.columns
            if c.name not in old.columns
        }
        if missing:
            old = old.mutate(**missing)
        columns = list(dict.fromkeys([*old.columns, *spec.column_names]))
        old = old.select(*columns)
        updated = int(old.semi_join(new, list(spec.key)).count().execute())
        same = [old[c].identical_to(new[c]) for c in spec.column_names]  # NULL matches NULL
        unchanged = int(old.semi_join(new, same).count().execute())
        kept = old.anti_join(new, list(spec.key))
        ws.con.create_table(rebuilt, kept.union(new.select(*columns)))
        ws.con.create_table(spec.name, ws.con.table(rebuilt), overwrite=True)
    except Exception as exc:
        raise WorkspaceError(
            key="data.error.write",
            values={"table": spec.name, "backend": ws.backend_name, "detail": str(exc)},
        ) from exc
    finally:
        if ws.backend_name == "pyspark":
            ws.con._session.catalog.dropTempView(stage)  # type: ignore[attr-defined]
        else:
            ws.con.drop_table(stage, force=True)
        ws.con.drop_table(rebuilt, force=True)
    return frame.num_rows - updated, updated, unchanged
