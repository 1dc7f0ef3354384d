"""Backup and restore of a whole project: its folder, the operational store and the workspace.

One ``.tar.gz`` archive holds ``manifest.json`` (what was saved and how many rows), every
table of the operational store and of the analytics workspace as Parquet, and the project
folder's own files (cxpulse.toml, saved models, the session secret...) without the embedded
database files, which are saved table by table instead. Tables, not database files, so an
archive taken from SQLite + DuckDB restores into PostgreSQL and back, and a backup taken while
the app runs is consistent per table (each table is read in one statement).

>>> import tempfile, pathlib
>>> from cxpulse.project import init_project
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "p"
>>> _ = init_project(folder)
>>> archive = backup_project(folder, folder.parent / "b.tar.gz")
>>> restored = restore_project(archive, folder.parent / "q")
>>> restored.store_rows["users"]
0
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxpulse.changes import CHANGED_FILE
from cxpulse.config import load_config
from cxpulse.errors import CxpulseError

FORMAT = 1
# embedded database files and their side files: saved as tables, never copied live
SKIPPED_SUFFIXES = (
    ".duckdb", ".duckdb.wal", ".duckdb.holder", ".duckdb.waiting",
    ".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal",
)  # fmt: skip


class BackupError(CxpulseError):
    """An archive cannot be written or restored (what, and what to do)."""


@dataclass
class BackupSummary:
    """What an archive holds (or what a restore wrote): row counts per table."""

    path: Path
    store_revision: str | None
    store_rows: dict[str, int] = field(default_factory=dict)
    workspace_rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def _project_files(folder: Path) -> list[Path]:
    out = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.endswith(SKIPPED_SUFFIXES):
            continue
        if path.name.startswith(CHANGED_FILE):  # the change marker of running readers
            continue
        if any(part.startswith(".pytest") or part == "__pycache__" for part in path.parts):
            continue
        out.append(path)
    return out


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _parquet_bytes(table: Any) -> bytes:
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _store_tables(url: str) -> dict[str, Any]:
    import pyarrow as pa
    from sqlalchemy import select

    from cxpulse import store

    eng = store.engine(url)
    out = {}
    with eng.connect() as conn:
        for table in store.metadata.sorted_tables:
            result = conn.execute(select(table))
            rows = [dict(r._mapping) for r in result]
            columns = {c.name: [r[c.name] for r in rows] for c in table.columns}
            for name, values in columns.items():  # JSON columns are kept as their text
                if any(isinstance(v, (dict, list)) for v in values):
                    columns[name] = [None if v is None else json.dumps(v) for v in values]
            out[table.name] = (
                pa.table(columns)
                if rows
                else pa.table({c.name: pa.array([], type=pa.string()) for c in table.columns})
            )
    return out


def backup_project(project_dir: str | Path, archive: str | Path) -> Path:
    """Write the project's folder, store and workspace to the ``archive`` (.tar.gz)."""
    from cxpulse import store
    from cxpulse.workspace import Workspace

    folder = Path(project_dir).resolve()
    config = load_config(folder)
    url = config.store_url()
    store.migrate(url)
    target = Path(archive).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "store_revision": store.current_revision(url),
        "store": {},
        "workspace": {},
        "files": [],
    }
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as tmp:
        partial = Path(tmp.name)
    try:
        with tarfile.open(partial, "w:gz") as tar:
            for name, table in _store_tables(url).items():
                _add_bytes(tar, f"store/{name}.parquet", _parquet_bytes(table))
                manifest["store"][name] = table.num_rows
            with Workspace.open(folder) as ws, ws.lease():
                for name in sorted(ws.con.list_tables()):
                    table = ws.con.table(name).to_pyarrow()
                    _add_bytes(tar, f"workspace/{name}.parquet", _parquet_bytes(table))
                    manifest["workspace"][name] = table.num_rows
            for path in _project_files(folder):
                if path in (target, partial):
                    continue
                rel = path.relative_to(folder).as_posix()
                tar.add(path, arcname=f"project/{rel}")
                manifest["files"].append(rel)
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def read_manifest(archive: str | Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile("manifest.json")
            assert member is not None
            return dict(json.loads(member.read()))
    except (OSError, KeyError, tarfile.TarError, AssertionError) as exc:
        raise BackupError(key="ops.backup.unreadable", values={"path": str(archive),
                          "reason": str(exc)}) from None  # fmt: skip


def _restore_store(url: str, tables: dict[str, Any]) -> dict[str, int]:
    from sqlalchemy import JSON, delete, insert, text

    from cxpulse import store

    store.migrate(url)
    eng = store.engine(url)
    counts = {}
    with eng.begin() as conn:
        for table in reversed(store.metadata.sorted_tables):
            conn.execute(delete(table))
        for table in store.metadata.sorted_tables:
            data = tables.get(table.name)
            rows = data.to_pylist() if data is not None else []
            for row in rows:
                for col in table.columns:
                    if isinstance(col.type, JSON) and isinstance(row.get(col.name), str):
                        row[col.name] = json.loads(row[col.name])
            if rows:
                conn.execute(insert(table), rows)
            counts[table.name] = len(rows)
            if conn.dialect.name == "postgresql" and "id" in table.columns and rows:
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"
                ))  # fmt: skip
    store.forget_api_tokens()
    return counts


def restore_project(
    archive: str | Path, project_dir: str | Path, *, force: bool = False
) -> BackupSummary:
    """Restore an archive into ``project_dir``: its files, then the store and the workspace
    (the URLs of ``CXPULSE_DATABASE_URL``/``CXPULSE_WORKSPACE_URL`` when set, else the
    project's embedded files). Every table is replaced; counts are checked afterwards."""
    import pyarrow.parquet as pq

    from cxpulse import store
    from cxpulse.workspace import Workspace

    manifest = read_manifest(archive)
    if manifest.get("format") != FORMAT:
        raise BackupError(key="ops.backup.format", values={"path": str(archive)})
    head = store.head_revision()
    if manifest.get("store_revision") not in (None, head):
        raise BackupError(
            key="ops.backup.revision",
            values={"saved": manifest.get("store_revision"), "head": head},
        )
    folder = Path(project_dir).resolve()
    if folder.exists() and any(folder.iterdir()) and not force:
        raise BackupError(key="ops.backup.exists", values={"path": str(folder)})
    folder.mkdir(parents=True, exist_ok=True)
    store_tables: dict[str, Any] = {}
    ws_tables: dict[str, Any] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            handle = tar.extractfile(member)
            assert handle is not None
            data = handle.read()
            if member.name.startswith("project/"):
                rel = Path(member.name.removeprefix("project/"))
                if rel.is_absolute() or ".." in rel.parts:
                    raise BackupError(key="ops.backup.unsafe", values={"name": member.name})
                dest = folder / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)
            elif member.name.startswith("store/"):
                store_tables[Path(member.name).stem] = pq.read_table(io.BytesIO(data))
            elif member.name.startswith("workspace/"):
                ws_tables[Path(member.name).stem] = pq.read_table(io.BytesIO(data))
    config = load_config(folder)
    summary = BackupSummary(Path(archive), manifest.get("store_revision"))
    summary.store_rows = _restore_store(config.store_url(), store_tables)
    with Workspace.open(folder) as ws, ws.lease():
        for name, table in sorted(ws_tables.items()):
            ws.con.create_table(name, table, overwrite=True)
            summary.workspace_rows[name] = int(ws.con.table(name).count().execute())
        ws.changed()
    summary.files = list(manifest.get("files", []))
    expected = (manifest.get("store", {}), manifest.get("workspace", {}))
    if (summary.store_rows, summary.workspace_rows) != expected:
        raise BackupError(key="ops.backup.mismatch", values={"path": str(archive)})
    return summary


__all__ = ["BackupError", "BackupSummary", "backup_project", "read_manifest", "restore_project"]
