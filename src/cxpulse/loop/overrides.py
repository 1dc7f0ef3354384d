"""Manual health overrides: a person sets an account's band for a while, with a reason.

An override never changes a model's score: readers show the model's score and band next to
the override (who, why, until when). Rows are only ever added, or stamped when ended early,
so ``band_overrides`` (operational store) is its own audit trail and the account's history
lists every one. (The ``override`` health signal is another thing: a manual score that a
model reads from the workspace.)

>>> from datetime import UTC, datetime
>>> from cxpulse import store
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     o = set_override(s, "A1", "yellow", reason="Renewal signed yesterday", days=30,
...                      actor="ana@example.com", now=datetime(2026, 1, 5, tzinfo=UTC))
...     sorted(active_overrides(s, now=datetime(2026, 1, 6, tzinfo=UTC)))
['A1']
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse.loop.errors import LoopError
from cxpulse.loop.workflow import as_utc
from cxpulse.store.tables import HealthOverride, utcnow

BANDS = ("red", "yellow", "green")
MAX_DAYS = 365


class OverrideError(LoopError):
    """An override that cannot be set as asked (the message says what to change)."""


def set_override(
    session: Session,
    account_id: str,
    band: str,
    *,
    reason: str,
    days: int,
    actor: str,
    score: float | None = None,
    now: datetime | None = None,
) -> HealthOverride:
    """Set ``account_id``'s band to ``band`` for ``days`` days; an active one is ended first."""
    at = as_utc(now) if now is not None else utcnow()
    if band not in BANDS:
        raise OverrideError(
            key="cx.error.override_band", values={"band": band, "allowed": ", ".join(BANDS)}
        )
    text = (reason or "").strip()
    if len(text) < 5:
        raise OverrideError(key="cx.error.override_reason")
    if not 1 <= int(days) <= MAX_DAYS:
        raise OverrideError(key="cx.error.override_days", values={"days": days, "max": MAX_DAYS})
    if score is not None and not 0 <= score <= 100:
        raise OverrideError(key="cx.error.override_score", values={"score": score})
    for current in _active_rows(session, [account_id], at):
        current.ended_at = at
        current.ended_by = actor
    row = HealthOverride(
        account_id=account_id,
        band=band,
        score=score,
        reason=text,
        created_by=actor,
        created_at=at,
        expires_at=at + timedelta(days=int(days)),
    )
    session.add(row)
    session.flush()
    return row


def end_override(
    session: Session, override_id: int, *, actor: str, now: datetime | None = None
) -> HealthOverride:
    """End an override before its expiry (who and when are recorded)."""
    row = session.get(HealthOverride, override_id)
    if row is None:
        raise OverrideError(key="cx.error.override_missing", values={"id": override_id})
    if row.ended_at is None:
        row.ended_at = as_utc(now) if now is not None else utcnow()
        row.ended_by = actor
        session.flush()
    return row


def _active_rows(
    session: Session, account_ids: Iterable[str] | None, at: datetime
) -> list[HealthOverride]:
    query = select(HealthOverride).where(
        HealthOverride.ended_at.is_(None), HealthOverride.expires_at > at
    )
    if account_ids is not None:
        query = query.where(HealthOverride.account_id.in_(list(account_ids)))
    return list(session.scalars(query.order_by(HealthOverride.created_at)))


def active_overrides(
    session: Session, account_ids: Iterable[str] | None = None, *, now: datetime | None = None
) -> dict[str, HealthOverride]:
    """The override in force per account (not ended, not expired)."""
    at = as_utc(now) if now is not None else utcnow()
    return {row.account_id: row for row in _active_rows(session, account_ids, at)}


def override_history(session: Session, account_id: str) -> list[HealthOverride]:
    """Every override of an account, newest first (the audit trail)."""
    query = (
        select(HealthOverride)
        .where(HealthOverride.account_id == account_id)
        .order_by(HealthOverride.created_at.desc(), HealthOverride.id.desc())
    )
    return list(session.scalars(query))
