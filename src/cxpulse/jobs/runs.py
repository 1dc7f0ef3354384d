"""Job runs in the operational store: claiming a slot, recording the outcome, history.

A run is claimed by inserting its ``(job, slot)`` row; the unique constraint lets exactly
one of several schedulers that wake for the same slot win, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import os
import socket
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import desc, func, select
from sqlalchemy.exc import IntegrityError

from cxpulse import store
from cxpulse.store.tables import JobRun

MAX_ERROR = 4000


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class RunRecord:
    """One run as shown by ``cxpulse jobs history`` and the admin page."""

    id: int
    job: str
    slot: datetime
    trigger: str
    worker: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    rows: int | None
    error: str | None
    details: dict[str, Any] | None = None

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


def _record(row: JobRun) -> RunRecord:
    return RunRecord(
        row.id, row.job, row.slot, row.trigger, row.worker, row.started_at,
        row.finished_at, row.outcome, row.rows, row.error, row.details,
    )  # fmt: skip


def claim(store_url: str, job: str, slot: datetime, trigger: str) -> int | None:
    """Insert the run of ``job`` for ``slot``; its id, or None when another worker has it."""
    try:
        with store.session(store_url) as s:
            row = JobRun(
                job=job, slot=slot, trigger=trigger, worker=worker_name(),
                started_at=datetime.now(UTC), outcome="running",
            )  # fmt: skip
            s.add(row)
            s.flush()
            return int(row.id)
    except IntegrityError:
        return None


def finish(
    store_url: str,
    run_id: int,
    *,
    error: BaseException | None = None,
    rows: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record how a claimed run ended."""
    with store.session(store_url) as s:
        row = s.get(JobRun, run_id)
        if row is None:
            return
        row.finished_at = datetime.now(UTC)
        row.outcome = "failed" if error is not None else "ok"
        row.rows = rows
        row.details = details
        if error is not None:
            text = "".join(traceback.format_exception_only(type(error), error)).strip()
            row.error = text[:MAX_ERROR]


def history(store_url: str, job: str | None = None, limit: int = 50) -> list[RunRecord]:
    """The latest runs, newest first (of one job, or of all)."""
    with store.read_session(store_url) as s:
        query = select(JobRun).order_by(desc(JobRun.started_at), desc(JobRun.id)).limit(limit)
        if job is not None:
            query = query.where(JobRun.job == job)
        return [_record(r) for r in s.scalars(query)]


def last_slot(store_url: str, job: str) -> datetime | None:
    """The newest slot recorded for ``job`` (any trigger but manual)."""
    with store.read_session(store_url) as s:
        value = s.scalar(
            select(func.max(JobRun.slot)).where(JobRun.job == job, JobRun.trigger != "manual")
        )
    return value  # type: ignore[no-any-return]


def has_runs(store_url: str, job: str) -> bool:
    with store.read_session(store_url) as s:
        return s.scalar(select(func.count(JobRun.id)).where(JobRun.job == job)) != 0


def latest_by_job(store_url: str) -> dict[str, RunRecord]:
    """Each job's newest run."""
    out: dict[str, RunRecord] = {}
    for record in history(store_url, limit=500):
        out.setdefault(record.job, record)
    return out
