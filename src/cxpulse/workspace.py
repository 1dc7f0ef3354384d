"""The analytics workspace: one ibis connection holding the canonical tables.

The embedded default is a DuckDB file in the project folder; the same code runs on SQLite,
PostgreSQL and PySpark (and any backend ibis supports) by changing the URL.

>>> ws = Workspace.connect("duckdb://")
>>> ws.table("responses").count().execute()
0
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
from ibis.backends import BaseBackend

from cxpulse.changes import mark_changed
from cxpulse.config import ProjectConfig, load_config
from cxpulse.errors import UnknownTableError, WorkspaceBusyError, WorkspaceError
from cxpulse.schema import TABLES, ibis_schema

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from cxpulse.metrics.engine import MetricComparison, MetricTable
    from cxpulse.schema.loading import LoadReport
    from cxpulse.schema.options import ReadOptions


def _connect_url(url: str) -> BaseBackend:
    if url.startswith("pyspark://"):
        import os

        from pyspark.sql import SparkSession

        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

        session = (
            SparkSession.builder.master("local[2]")
            .appName("cxpulse")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate()
        )
        return ibis.pyspark.connect(session)
    if url.startswith("duckdb:///"):
        from cxpulse.private_files import private_dir, private_file

        database = Path(url.removeprefix("duckdb:///").split("?")[0])
        private_dir(database.parent)
        if "?" in url:  # DuckDB settings in the URL: a plain connection held by this process
            connection = ibis.connect(url)
        else:
            # the embedded file: held query by query so other processes can use it too
            from cxpulse.embedded import connect_shared

            connection = connect_shared(database)
        private_file(database)  # DuckDB creates it with the umask's mode
        return connection
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("postgresql+psycopg://"):
        url = "postgres://" + url.removeprefix("postgresql+psycopg://")
    return ibis.connect(url)


class Workspace:
    """The analytics workspace. Create with :meth:`connect` or :meth:`open`."""

    def __init__(self, con: BaseBackend, config: ProjectConfig | None = None) -> None:
        self.con = con
        self.config = config or ProjectConfig()
        with self.lease():
            self.ensure_tables()

    # ---- opening ---------------------------------------------------------------------
    @classmethod
    def connect(
        cls, url: str | BaseBackend | None = None, *, config: ProjectConfig | None = None
    ) -> Workspace:
        """Connect to a workspace by ibis URL or backend object (default: in-memory DuckDB)."""
        if isinstance(url, BaseBackend):
            return cls(url, config)
        target = url or "duckdb://"
        try:
            con = _connect_url(target)
        except WorkspaceBusyError:
            raise  # the URL is right; another process has the file (the message says who)
        except Exception as exc:  # the backend's own errors vary; say which URL failed
            raise WorkspaceError(
                key="workspace.error.open", values={"target": target, "error": exc}
            ) from exc
        return cls(con, config)

    @classmethod
    def open(cls, project_dir: str | Path = ".", *, require_config: bool = False) -> Workspace:
        """Open the workspace of a project folder (reads its ``cxpulse.toml``).

        With ``require_config``, a folder without ``cxpulse.toml`` is an error (a mistyped
        ``-p`` must not silently create an empty project).
        """
        if require_config and not (Path(project_dir) / "cxpulse.toml").is_file():
            from cxpulse.errors import ConfigError

            raise ConfigError(key="data.config.no_project", values={"path": str(project_dir)})
        cfg = load_config(project_dir)
        return cls.connect(cfg.workspace_url(), config=cfg)

    def close(self) -> None:
        disconnect = getattr(self.con, "disconnect", None)
        if disconnect is not None:
            # closing twice, or a backend without a real disconnect, is not an error
            with contextlib.suppress(Exception):
                disconnect()

    def lease(self, wait: float | None = None) -> contextlib.AbstractContextManager[Any]:
        """Hold the workspace for a block of work that must not be interleaved.

        On the embedded DuckDB file each query already holds the file for itself; statements
        that belong together (a transaction, temporary tables) go inside one lease. Other
        engines share themselves between processes: there this does nothing.

        >>> with Workspace.connect().lease():
        ...     pass
        """
        lease = getattr(self.con, "lease", None)
        if lease is None:
            return contextlib.nullcontext()
        return lease(wait)  # type: ignore[no-any-return]

    @contextlib.contextmanager
    def writing(self, table: str) -> Iterator[None]:
        """One writer of ``table`` at a time across processes (and the lease on DuckDB).

        PostgreSQL keeps readers going during a load, but two loads of the same keys at once
        would each find the key absent and both insert it: a session advisory lock per table
        orders them.
        """
        try:
            with self.lease():
                if self.backend_name != "postgres":
                    yield
                    return
                key = zlib.crc32(f"cxpulse.load.{table}".encode())
                self.con.raw_sql(f"SELECT pg_advisory_lock({key})").close()  # type: ignore[attr-defined]
                try:
                    yield
                finally:
                    self.con.raw_sql(f"SELECT pg_advisory_unlock({key})").close()  # type: ignore[attr-defined]
        finally:
            self.changed()

    def changed(self) -> None:
        """Tell every process reading this project (app workers, notebooks) that the data
        may have changed, so they re-check it on their next read instead of answering from
        a cache (see :mod:`cxpulse.web.cache`). Nothing to do without a project folder."""
        folder = getattr(self.config, "project_dir", None)
        if folder is not None:
            mark_changed(Path(folder))

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- tables ----------------------------------------------------------------------
    @property
    def backend_name(self) -> str:
        return str(self.con.name)

    def ensure_tables(self) -> None:
        """Create every canonical table that does not exist yet, empty and typed, with the
        attributes declared in cxpulse.toml."""
        from cxpulse.schema.attributes import add_missing_columns, check_attribute_table, table_spec

        existing = set(self.con.list_tables())
        for name in TABLES:
            binding = self.config.tables.get(name)
            declared = dict(binding.attributes) if binding else {}
            check_attribute_table(name, declared)
            if name not in existing:
                self.con.create_table(name, schema=ibis_schema(table_spec(name, declared)))
            elif declared:
                add_missing_columns(self, table_spec(name, declared))

    def table(self, name: str) -> ir.Table:
        """A canonical (or result) table as an ibis expression."""
        if name not in TABLES and name not in self.con.list_tables():
            raise UnknownTableError(
                key="workspace.error.unknown_table",
                values={"name": name, "tables": ", ".join(TABLES)},
            )
        return self.con.table(name)

    def write_table(self, name: str, frame: Any, *, overwrite: bool = True) -> ir.Table:
        """Write a non-canonical result table (e.g. score snapshots)."""
        if name in TABLES:
            raise WorkspaceError(key="workspace.error.canonical", values={"name": name})
        try:
            return self.con.create_table(name, frame, overwrite=overwrite)
        finally:
            self.changed()

    def count(self, name: str) -> int:
        return int(self.table(name).count().execute())

    # ---- loading ---------------------------------------------------------------------
    def load(
        self,
        table: str,
        source: Any,
        *,
        options: ReadOptions | dict[str, Any] | None = None,
        mapping: dict[str, str] | None = None,
        preset: str | None = None,
        progress: bool = False,
    ) -> LoadReport:
        """Validate ``source`` against the canonical ``table`` and upsert it by key.

        How the file is read is one :class:`~cxpulse.schema.options.ReadOptions`: the preset
        (``preset``, else ``[tables.X] preset``), then ``[tables.X]`` of cxpulse.toml, then
        the fields ``options`` sets. ``mapping`` alone (without ``options``) reads the source
        with that column mapping and nothing from cxpulse.toml.

        All or nothing: a source with any problem raises :class:`ValidationError` and the
        workspace is left exactly as it was. Loading the same rows again changes nothing.
        """
        from cxpulse.schema.loading import load_into

        if table not in TABLES:
            raise UnknownTableError(
                key="workspace.error.unknown_table",
                values={"name": table, "tables": ", ".join(TABLES)},
            )
        with self.writing(table):
            return load_into(
                self, table, source, options=self.read_options(table, options, mapping, preset)
            )

    def read_options(
        self,
        table: str,
        options: ReadOptions | dict[str, Any] | None = None,
        mapping: dict[str, str] | None = None,
        preset: str | None = None,
    ) -> ReadOptions:
        """The read options a load of ``table`` uses (see :meth:`load`)."""
        from cxpulse.schema.options import ReadOptions
        from cxpulse.schema.presets import preset_options

        if mapping is not None and options is None and preset is None:
            return ReadOptions(columns=dict(mapping))
        binding = self.config.tables.get(table)
        resolved = ReadOptions()
        name = preset or (binding.preset if binding else None)
        if name:
            resolved = preset_options(name, table)
        if binding is not None:
            resolved = resolved.merged(binding.options())
        if options is not None:
            given = (
                options if isinstance(options, ReadOptions) else ReadOptions.model_validate(options)
            )
            resolved = resolved.merged(given)
        if mapping is not None:
            resolved = resolved.merged(ReadOptions(columns=dict(mapping)))
        return resolved

    # ---- metrics ---------------------------------------------------------------------
    def metrics(
        self,
        names: list[str] | str,
        *,
        by: list[str] | str | None = None,
        grain: str | None = None,
        start: Any = None,
        end: Any = None,
        where: Mapping[str, Any] | None = None,
    ) -> MetricTable:
        """Compute indicators with n, interval and method, in the engine.

        ``where`` keeps the rows whose columns (built-in or attributes, of the metric's table
        or of ``accounts``) have the given values, e.g. ``where={"gender": "Female"}``.
        """
        from cxpulse.metrics.engine import query

        return query(self, names, by=by, grain=grain, start=start, end=end, where=where)

    def explain(
        self,
        name: str,
        *,
        by: list[str] | str | None = None,
        grain: str | None = None,
        start: Any = None,
        end: Any = None,
        where: Mapping[str, Any] | None = None,
    ) -> str:
        """The SQL the engine runs for a metric, without running it."""
        from cxpulse.metrics.engine import explain

        return explain(self, name, by=by, grain=grain, start=start, end=end, where=where)

    def compare(
        self,
        name: str,
        *,
        period: str,
        vs: str,
        by: list[str] | str | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> list[MetricComparison]:
        """Difference of a metric between two periods, with interval and p-value."""
        from cxpulse.metrics.engine import compare

        return compare(self, name, period=period, vs=vs, by=by, where=where)
