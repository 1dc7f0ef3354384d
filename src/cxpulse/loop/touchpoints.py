"""Touchpoints logged from the app: a call, a meeting, a QBR with a customer.

Logging one against a case also records on the case that the customer was reached (which
is what the SLA measures).

>>> from cxpulse import store
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     tp = log_touchpoint(s, "A1", "call", actor="ana@example.com", note="Renewal talk")
...     [t.kind for t in account_touchpoints(s, "A1")]
['call']
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse.loop.cases import comment_case
from cxpulse.loop.errors import LoopError
from cxpulse.loop.workflow import as_utc
from cxpulse.store.tables import TOUCHPOINT_KINDS, LoggedTouchpoint, utcnow


class TouchpointError(LoopError):
    """A touchpoint that cannot be logged as given."""


def log_touchpoint(
    session: Session,
    account_id: str,
    kind: str,
    *,
    actor: str,
    note: str | None = None,
    rating: int | None = None,
    case_id: int | None = None,
    at: datetime | None = None,
) -> LoggedTouchpoint:
    """Record a contact with ``account_id``; with ``case_id`` the case records the contact."""
    if kind not in TOUCHPOINT_KINDS:
        raise TouchpointError(
            key="cx.error.touchpoint_kind",
            values={"kind": kind, "allowed": ", ".join(TOUCHPOINT_KINDS)},
        )
    if rating is not None and not 1 <= rating <= 5:
        raise TouchpointError(key="cx.error.touchpoint_rating", values={"rating": rating})
    when = as_utc(at) if at is not None else utcnow()
    row = LoggedTouchpoint(
        account_id=account_id,
        case_id=case_id,
        kind=kind,
        occurred_at=when,
        actor=actor,
        rating=rating,
        note=(note or "").strip() or None,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    if case_id is not None:
        comment_case(session, case_id, note or kind, actor=actor, at=when, contact=True)
    return row


def account_touchpoints(
    session: Session, account_id: str, limit: int = 100
) -> list[LoggedTouchpoint]:
    """The account's logged touchpoints, newest first."""
    query = (
        select(LoggedTouchpoint)
        .where(LoggedTouchpoint.account_id == account_id)
        .order_by(LoggedTouchpoint.occurred_at.desc(), LoggedTouchpoint.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
