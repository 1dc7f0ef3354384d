"""The authentication event log: sign-ins, failures, lockouts, password changes, token use.

Admins read it on ``/admin/users`` and from ``GET /api/v1/auth-events``. Events never hold
a password or a token, only who, when, from where and what happened.

>>> from cxpulse import store
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     _ = record_event(s, "signin_failed", email="eve@example.com", client="203.0.113.9")
...     [e.kind for e in recent_events(s)]
['signin_failed']
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse.store.tables import AUTH_EVENT_KINDS, AuthEvent, utcnow

DETAIL_CHARS = 300


def record_event(
    session: Session,
    kind: str,
    *,
    user_id: int | None = None,
    email: str | None = None,
    client: str | None = None,
    detail: str | None = None,
) -> AuthEvent:
    """Add one event (``kind`` is one of :data:`AUTH_EVENT_KINDS`)."""
    if kind not in AUTH_EVENT_KINDS:
        raise ValueError(f"unknown auth event kind {kind!r}; use one of {AUTH_EVENT_KINDS}")
    event = AuthEvent(
        at=utcnow(),
        kind=kind,
        user_id=user_id,
        email=(email or "").strip().lower()[:320] or None,
        client=(client or None) and client[:100],
        detail=(detail or None) and detail[:DETAIL_CHARS],
    )
    session.add(event)
    session.flush()
    return event


def recent_events(
    session: Session, *, limit: int = 100, user_id: int | None = None, kind: str | None = None
) -> list[AuthEvent]:
    """The newest events first (only ``user_id``'s or one ``kind`` when given)."""
    query = select(AuthEvent)
    if user_id is not None:
        query = query.where(AuthEvent.user_id == user_id)
    if kind is not None:
        query = query.where(AuthEvent.kind == kind)
    return list(session.scalars(query.order_by(AuthEvent.id.desc()).limit(limit)))
