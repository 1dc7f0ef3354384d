"""Server-side browser sessions: the cookie holds a random id, the store says if it is live.

Signing out ends the session; a password change or a deactivation ends every session of
the user; an admin can end them all. A cookie copied before any of these opens nothing.
Only a SHA-256 of the id is stored (like API tokens), so a copy of the database holds no
usable session.

>>> from cxpulse import store
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     u = store.create_user(s, "eva@example.com", "a long secret", role="analyst")
...     sid = open_session(s, u.id)
...     session_user(s, sid).email
...     _ = end_session(s, sid)
...     session_user(s, sid) is None
'eva@example.com'
True
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cxpulse.store.tables import User, UserSession, utcnow
from cxpulse.store.users import token_hash

SESSION_LIFETIME = timedelta(hours=12)
# last_seen_at is for people reading the session list: refresh it at most once a minute
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def open_session(
    session: Session,
    user_id: int,
    *,
    client: str | None = None,
    lifetime: timedelta = SESSION_LIFETIME,
) -> str:
    """Start a session for ``user_id`` and return its id (put it in the signed cookie)."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            sid_hash=token_hash(sid),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            client=(client or None) and client[:100],
        )
    )
    session.flush()
    return sid


def session_user(session: Session, sid: str) -> User | None:
    """The active user of a live session (not ended, not expired), else ``None``."""
    if not sid:
        return None
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.sid_hash == token_hash(sid))
    ).first()
    if row is None:
        return None
    live, user = row.tuple()
    now = utcnow()
    if live.revoked_at is not None or live.expires_at <= now or not user.active:
        return None
    if live.last_seen_at is None or now - live.last_seen_at > LAST_SEEN_RESOLUTION:
        live.last_seen_at = now
    return user


def end_session(session: Session, sid: str) -> int | None:
    """End one session; the id of its user, or ``None`` if it was not live."""
    live = session.scalar(select(UserSession).where(UserSession.sid_hash == token_hash(sid)))
    if live is None or live.revoked_at is not None:
        return None
    live.revoked_at = utcnow()
    session.flush()
    return live.user_id


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every live session of ``user_id``; how many were ended."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def live_sessions(session: Session, user_id: int) -> list[UserSession]:
    """The sessions of ``user_id`` that still open pages, newest first."""
    now = utcnow()
    query = select(UserSession).where(
        UserSession.user_id == user_id,
        UserSession.revoked_at.is_(None),
        UserSession.expires_at > now,
    )
    return list(session.scalars(query.order_by(UserSession.id.desc())))
