"""Incremental, idempotent sync of stored answers into the analytics workspace.

Answers are read in (updated_at, id) order after a watermark kept in ``sync_state`` and
upserted into the canonical ``responses`` table by ``response_id`` (``op-<id>``), so running
a sync twice, or after a crash between the load and the watermark update, changes nothing.

Invitations follow the same way into the canonical ``invitations`` table (``invitation_id``
``op-<id>``, own watermark ``invitations``): created, sent and answered links move their
``updated_at``, so the response rate (answers / invitations) is computed on the workspace
like every other indicator.

Only rows older than :data:`SETTLE` are taken: a transaction that stamped ``updated_at`` just
before another one committed may still be committing, and a watermark that passed it would
skip it forever. Transactions here last milliseconds; the settle time is a wide margin (it
also absorbs small clock differences between app servers).

>>> import os, tempfile
>>> from cxpulse import store
>>> from cxpulse.workspace import Workspace
>>> url = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "store.sqlite")
>>> store.migrate(url)
>>> sync(url, Workspace.connect("duckdb://")).rows
0
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine, and_, or_, select

from cxpulse.schema.types import arrow_schema
from cxpulse.store.connections import engine as store_engine
from cxpulse.store.connections import read_session
from cxpulse.store.connections import session as store_session
from cxpulse.store.tables import Invitation, Survey, SurveyResponse, SyncState, utcnow
from cxpulse.workspace import Workspace

log = logging.getLogger(__name__)

SYNC_NAME = "responses"
INVITATIONS_SYNC = "invitations"
SETTLE = timedelta(seconds=1)
BATCH_SIZE = 5000
DEFAULT_INTERVAL = 2.0
RESPONSE_ID_PREFIX = "op-"


@dataclass(frozen=True)
class SyncReport:
    """What one sync moved: rows upserted, batches, the watermark before and after."""

    rows: int
    batches: int
    watermark_before: str | None
    watermark_after: str | None
    seconds: float
    invitations: int = 0

    def __str__(self) -> str:
        return (
            f"synced {self.rows} answers and {self.invitations} invitations in {self.batches} "
            f"batches ({self.seconds:.2f}s); watermark {self.watermark_after or '-'}"
        )


def encode_watermark(updated_at: datetime, row_id: int) -> str:
    """``'2026-01-02T03:04:05.000006+00:00|42'``: the last (updated_at, id) synced."""
    return f"{updated_at.isoformat()}|{row_id}"


def decode_watermark(text: str | None) -> tuple[datetime, int] | None:
    """The (updated_at, id) of a stored watermark, or ``None`` before the first sync."""
    if not text:
        return None
    stamp, _, row_id = text.rpartition("|")
    return datetime.fromisoformat(stamp), int(row_id)


def _read_watermark(eng: Engine, name: str) -> str | None:
    with read_session(eng) as s:
        state = s.get(SyncState, name)
        return state.watermark if state is not None else None


def _write_watermark(eng: Engine, name: str, watermark: str) -> None:
    with store_session(eng) as s:
        state = s.get(SyncState, name)
        if state is None:
            s.add(SyncState(name=name, watermark=watermark))
        else:
            state.watermark = watermark


def _fetch_page(
    eng: Engine,
    model: Any,
    columns: list[Any],
    after: tuple[datetime, int] | None,
    until: datetime,
    limit: int,
) -> list[Any]:
    """The next ``limit`` rows of a store table changed up to ``until``, after the keyset
    ``(updated_at, id)`` of the last row synced, with the survey's slug."""
    query = (
        select(*columns)
        .join(Survey, Survey.id == model.survey_id)
        .where(model.updated_at <= until)
        .order_by(model.updated_at, model.id)
        .limit(limit)
    )
    if after is not None:
        stamp, row_id = after
        query = query.where(
            or_(model.updated_at > stamp, and_(model.updated_at == stamp, model.id > row_id))
        )
    with read_session(eng) as s:
        return list(s.execute(query).all())


def _fetch(
    eng: Engine, after: tuple[datetime, int] | None, until: datetime, limit: int
) -> list[Any]:
    columns = [
        SurveyResponse.id,
        SurveyResponse.updated_at,
        SurveyResponse.account_id,
        SurveyResponse.contact_id,
        Survey.slug,
        SurveyResponse.kind,
        SurveyResponse.score,
        SurveyResponse.responded_at,
        SurveyResponse.touchpoint,
        SurveyResponse.channel,
        SurveyResponse.language,
        SurveyResponse.comment,
    ]
    return _fetch_page(eng, SurveyResponse, columns, after, until, limit)


def _naive(value: datetime | None) -> datetime | None:
    # the workspace keeps UTC as naive timestamps
    return None if value is None else value.replace(tzinfo=None)


def _to_arrow(rows: list[Any]) -> pa.Table:
    naive = _naive

    columns = {
        "response_id": [f"{RESPONSE_ID_PREFIX}{r.id}" for r in rows],
        "account_id": [r.account_id for r in rows],
        "contact_id": [r.contact_id for r in rows],
        "survey_id": [r.slug for r in rows],
        "kind": [r.kind for r in rows],
        "score": [r.score for r in rows],
        "responded_at": [naive(r.responded_at) for r in rows],
        "touchpoint": [r.touchpoint for r in rows],
        "channel": [r.channel for r in rows],
        "language": [r.language for r in rows],
        "comment": [r.comment for r in rows],
    }
    return pa.table(columns, schema=arrow_schema_of_responses())


def arrow_schema_of_responses() -> pa.Schema:
    """The Arrow schema of the canonical ``responses`` table."""
    from cxpulse.schema import TABLES

    return arrow_schema(TABLES["responses"])


def _fetch_invitations(
    eng: Engine, after: tuple[datetime, int] | None, until: datetime, limit: int
) -> list[Any]:
    columns = [
        Invitation.id,
        Invitation.updated_at,
        Invitation.account_id,
        Invitation.contact_id,
        Survey.slug,
        Invitation.channel,
        Invitation.created_at,
        Invitation.sent_at,
        Invitation.responded_at,
        Invitation.response_id,
    ]
    return _fetch_page(eng, Invitation, columns, after, until, limit)


def _invitations_to_arrow(rows: list[Any]) -> pa.Table:
    from cxpulse.schema import TABLES

    columns = {
        "invitation_id": [f"{RESPONSE_ID_PREFIX}{r.id}" for r in rows],
        "account_id": [r.account_id for r in rows],
        "contact_id": [r.contact_id for r in rows],
        "survey_id": [r.slug for r in rows],
        "channel": [r.channel for r in rows],
        "invited_at": [_naive(r.sent_at or r.created_at) for r in rows],
        "answered": [r.response_id is not None for r in rows],
        "responded_at": [_naive(r.responded_at) for r in rows],
        "response_id": [
            None if r.response_id is None else f"{RESPONSE_ID_PREFIX}{r.response_id}" for r in rows
        ],
    }
    return pa.table(columns, schema=arrow_schema(TABLES["invitations"]))


def _sync_table(
    eng: Engine,
    ws: Workspace,
    name: str,
    table: str,
    fetch: Any,
    to_arrow: Any,
    batch_size: int,
    until: datetime,
    guard: AbstractContextManager[Any],
) -> tuple[int, int, str | None, str | None]:
    """Move one store table's changed rows into the workspace, batch by batch."""
    before = _read_watermark(eng, name)
    after = decode_watermark(before)
    total = batches = 0
    current = before
    while True:
        rows = fetch(eng, after, until, batch_size)
        if not rows:
            break
        frame = to_arrow(rows)
        with guard:
            ws.load(table, frame, mapping={})
        last = rows[-1]
        after = (last.updated_at, last.id)
        current = encode_watermark(last.updated_at, last.id)
        _write_watermark(eng, name, current)
        total += len(rows)
        batches += 1
        if len(rows) < batch_size:
            break
    return total, batches, before, current


def sync(
    store_url: str | Engine | None,
    ws: Workspace,
    *,
    name: str = SYNC_NAME,
    batch_size: int = BATCH_SIZE,
    settle: timedelta = SETTLE,
    workspace_lock: AbstractContextManager[Any] | None = None,
) -> SyncReport:
    """Upsert answers (and invitations) changed since the last sync into ``ws``'s
    ``responses`` (and ``invitations``) table.

    Idempotent and incremental: each batch is loaded, then the watermark moves past it.
    ``workspace_lock`` is held only while writing to the workspace, never while reading the
    store: a request that holds the store's write lock and waits for the workspace (the
    closed loop looks up account owners there) can then never wait on us in a circle.
    """
    guard = workspace_lock if workspace_lock is not None else contextlib.nullcontext()
    started = time.perf_counter()
    eng = store_url if isinstance(store_url, Engine) else store_engine(store_url)
    until = utcnow() - settle
    total, batches, before, current = _sync_table(
        eng, ws, name, "responses", _fetch, _to_arrow, batch_size, until, guard
    )
    invited, more, _, _ = _sync_table(
        eng,
        ws,
        INVITATIONS_SYNC if name == SYNC_NAME else f"{name}-invitations",
        "invitations",
        _fetch_invitations,
        _invitations_to_arrow,
        batch_size,
        until,
        guard,
    )
    return SyncReport(
        total, batches + more, before, current, time.perf_counter() - started, invited
    )


def start_sync_task(app: Any, interval: float = DEFAULT_INTERVAL) -> asyncio.Task[None]:
    """Run :func:`sync` every ``interval`` seconds for a cxpulse web app.

    Call it from the app's lifespan (inside the running event loop); it reads
    ``app.state.ctx`` (store URL, workspace and its lock) and keeps the task on
    ``app.state.sync_task``. Stop it with :func:`stop_sync_task`.
    """
    existing: asyncio.Task[None] | None = getattr(app.state, "sync_task", None)
    if existing is not None and not existing.done():
        return existing
    ctx = app.state.ctx
    lock: Any = getattr(ctx, "workspace_lock", None) or threading.RLock()

    def once() -> SyncReport:
        return sync(ctx.store_engine(), ctx.workspace, workspace_lock=lock)

    async def loop() -> None:
        while True:
            try:
                report = await asyncio.to_thread(once)
                if report.rows:
                    log.info("%s", report)
            except Exception:  # keep syncing: the next round retries the same rows
                log.exception("syncing answers into the workspace failed; retrying")
            await asyncio.sleep(interval)

    task = asyncio.get_running_loop().create_task(loop(), name="cxpulse-sync")
    app.state.sync_task = task
    return task


async def stop_sync_task(app: Any) -> None:
    """Cancel the sync task started by :func:`start_sync_task` and wait for it."""
    task: asyncio.Task[None] | None = getattr(app.state, "sync_task", None)
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    app.state.sync_task = None
