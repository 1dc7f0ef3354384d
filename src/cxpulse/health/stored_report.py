"""The model report as a stored artefact of the model, so nobody waits minutes to read it.

:func:`refresh_reports` computes the report (:func:`cxpulse.health.report.model_report`, a
backtest of every model) when the model is fitted, and writes it beside the model file
(``models/health-<model>.report.json``) with what it was computed for: a digest of every saved
model file, a fingerprint of the data the models read and a digest of the ``[health]``
settings. :func:`report_view` reads it back at once and says whether it is stale (and why);
``cxpulse health report``, the ``/health/report`` page and the ``model_report`` job show that
one document, and ``--refresh`` (or the job) recomputes it.

>>> import tempfile
>>> from cxpulse.workspace import Workspace
>>> from cxpulse.config import ProjectConfig
>>> ws = Workspace.connect(config=ProjectConfig(project_dir=tempfile.mkdtemp()))
>>> report_view(ws) is None  # nothing computed yet: no figure is made up
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxpulse.errors import ConfigError, CxpulseError
from cxpulse.health.current import MODEL_NAMES, active_model_name
from cxpulse.health.frame_reuse import reusing_frames
from cxpulse.health.persistence import model_digest, report_path
from cxpulse.health.report import ModelReport, model_reports

if TYPE_CHECKING:
    from cxpulse.workspace import Workspace

REPORT_FORMAT = 1
STALE_REASONS = ("model", "data", "settings")  # what changed since a report was computed


class ReportUnreadableError(CxpulseError):
    """A stored report file that cannot be read back."""


@dataclass(frozen=True)
class StoredReport:
    """A report as saved beside its model, with what it was computed for and when."""

    model: str
    computed_at: str  # ISO UTC
    seconds: float  # how long computing it took
    options: dict[str, Any]  # holdout (None: chosen from the data) and seed
    stamp: dict[str, Any]  # models (file digests), data (fingerprint), settings (digest)
    figures: dict[str, Any]  # ModelReport.to_dict(), as JSON keeps it
    path: Path

    def stale_because(self, current: dict[str, Any]) -> list[str]:
        """What changed since the report was computed (``STALE_REASONS``), given the stamp
        of now (:func:`current_stamp`)."""
        parts = {"model": "models", "data": "data", "settings": "settings"}
        return [r for r in STALE_REASONS if self.stamp.get(parts[r]) != current.get(parts[r])]


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def data_stamp(ws: Workspace) -> dict[str, list[Any]]:
    """A fingerprint of the data the health models read: per canonical table (and its dated
    attribute snapshots) the row count and a sum of row hashes computed in the engine, so a
    reload that replaces values with the same number of rows shows too. On an engine without
    a hash function the sum is None (rows added or removed still show)."""
    from cxpulse.schema import TABLES
    from cxpulse.schema.attributes import SNAPSHOT_SUFFIX

    existing = set(ws.con.list_tables())
    names = [n for n in TABLES if n in existing]
    names += sorted(
        n for n in existing if n.endswith(SNAPSHOT_SUFFIX) and n[: -len(SNAPSHOT_SUFFIX)] in TABLES
    )
    if not names:
        return {}
    if ws.backend_name == "duckdb":
        return _duckdb_stamp(ws, names)
    return {name: _portable_stamp(ws, name) for name in names}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duckdb_stamp(ws: Workspace, names: list[str]) -> dict[str, list[Any]]:
    """One query for every table: DuckDB hashes a whole row at once (tens of milliseconds for
    tens of thousands of rows, where casting each column to text takes ten times longer)."""
    parts = []
    for name in names:
        cols = ", ".join(_quoted(c) for c in ws.con.table(name).columns)
        parts.append(
            f"SELECT '{name.replace(chr(39), chr(39) * 2)}' AS name, count(*) AS n, "
            f"CAST(sum(hash({cols})) AS VARCHAR) AS h FROM {_quoted(name)}"
        )
    frame = ws.con.sql(" UNION ALL ".join(parts)).execute()
    return {
        str(r.name): [int(r.n), None if r.h is None or r.h != r.h else str(r.h)]
        for r in frame.itertuples(index=False)
    }


def _portable_stamp(ws: Workspace, name: str) -> list[Any]:
    from ibis.common.exceptions import OperationNotDefinedError, UnsupportedOperationError

    t = ws.con.table(name)
    text = None
    for column in t.columns:
        part = t[column].cast("string").fill_null("\x1e")
        text = part if text is None else text.concat("\x1f", part)
    count = t.count().name("n")
    try:
        if text is None:
            raise UnsupportedOperationError("no columns")
        row = t.aggregate([count, text.hash().sum().cast("string").name("h")]).execute()
    except (OperationNotDefinedError, UnsupportedOperationError):
        return [int(t.count().execute()), None]
    h = row["h"].iloc[0]
    return [int(row["n"].iloc[0]), None if h is None or h != h else str(h)]


def current_stamp(ws: Workspace) -> dict[str, Any]:
    """What a report computed now would be computed for (see :class:`StoredReport`)."""
    folder = ws.config.project_dir
    models = {n: model_digest(folder, n) if folder is not None else None for n in MODEL_NAMES}
    return {
        "models": models,
        "data": _digest(data_stamp(ws)),
        "settings": _digest(ws.config.health),
    }


def save_report(
    project_dir: str | Path,
    report: ModelReport,
    *,
    stamp: dict[str, Any],
    options: dict[str, Any],
    seconds: float,
) -> StoredReport:
    """Write ``report`` beside its model (the one writer of report files): to a temporary file
    in the same folder, then renamed over the old one, so a reader sees the old report or the
    new one, never half of one."""
    from cxpulse.private_files import FILE_MODE, private_dir

    path = report_path(project_dir, report.model)
    private_dir(path.parent)
    figures = json.loads(json.dumps(report.to_dict(), default=str))
    stored = StoredReport(
        report.model,
        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        round(seconds, 2),
        dict(options),
        stamp,
        figures,
        path,
    )
    doc = {
        "format": REPORT_FORMAT,
        "model": stored.model,
        "computed_at": stored.computed_at,
        "seconds": stored.seconds,
        "options": stored.options,
        "stamp": stored.stamp,
        "report": figures,
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, ensure_ascii=False, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return stored


def read_report(project_dir: str | Path, name: str) -> StoredReport | None:
    """The stored report of model ``name``, or None when none was computed yet."""
    path = report_path(project_dir, name)
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != REPORT_FORMAT or doc.get("model") != name:
            raise ValueError(f"format {doc.get('format')!r}, model {doc.get('model')!r}")
        return StoredReport(
            name, str(doc["computed_at"]), float(doc["seconds"]), dict(doc["options"]),
            dict(doc["stamp"]), dict(doc["report"]), path,
        )  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ReportUnreadableError(
            key="health.report.error.unreadable", values={"path": path, "error": exc}
        ) from None


def stored_options(project_dir: str | Path, name: str) -> dict[str, Any]:
    """The options (``holdout``, ``seed``) of model ``name``'s stored report, so a recompute
    keeps them; {} when there is none (or it cannot be read: it is about to be replaced)."""
    try:
        stored = read_report(project_dir, name)
    except ReportUnreadableError:
        return {}
    return dict(stored.options) if stored is not None else {}


def refresh_reports(
    ws: Workspace,
    names: Iterable[str] | None = None,
    *,
    holdout: float | None = None,
    seed: int = 0,
) -> list[StoredReport]:
    """Compute the reports of ``names`` (default: the active model) and store each beside its
    model. The stamp is taken before computing: data loaded meanwhile makes it stale."""
    folder = ws.config.project_dir
    if folder is None:
        raise ConfigError(key="health.report.error.no_folder")
    chosen = list(dict.fromkeys(names or [active_model_name(ws)]))
    stamp = current_stamp(ws)
    started = time.perf_counter()
    with reusing_frames():
        reports = model_reports(ws, chosen, holdout=holdout, seed=seed)
    seconds = time.perf_counter() - started
    options = {"holdout": holdout, "seed": seed}
    return [save_report(folder, r, stamp=stamp, options=options, seconds=seconds) for r in reports]


def report_document(stored: StoredReport, stale_because: list[str]) -> dict[str, Any]:
    """What the CLI (``--format json``), the page and the refresh job show: the figures and,
    under ``stored``, when they were computed and whether they are stale."""
    return {
        **stored.figures,
        "stored": {
            "computed_at": stored.computed_at,
            "seconds": stored.seconds,
            "options": stored.options,
            "stale": bool(stale_because),
            "stale_because": list(stale_because),
        },
    }


def report_view(ws: Workspace, name: str | None = None) -> dict[str, Any] | None:
    """The stored report of ``name`` (default: the active model) as :func:`report_document`
    shows it, without computing any figure; None when none is stored yet."""
    folder = ws.config.project_dir
    if folder is None:
        raise ConfigError(key="health.report.error.no_folder")
    stored = read_report(folder, name or active_model_name(ws))
    if stored is None:
        return None
    return report_document(stored, stored.stale_because(current_stamp(ws)))
