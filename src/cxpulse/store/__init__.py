"""The operational store: what the app writes (users, surveys, responses, cases, outbox).

SQLAlchemy 2 tables in :mod:`cxpulse.store.tables`, Alembic migrations inside the package,
SQLite in WAL mode by default and PostgreSQL (psycopg 3) in production.

>>> from cxpulse import store
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     user = store.create_user(s, "ana@example.com", "a long secret", role="admin")
>>> with store.session("sqlite://") as s:
...     store.authenticate(s, "ana@example.com", "a long secret").role
'admin'
"""

from __future__ import annotations

from cxpulse.store.auth_events import recent_events, record_event
from cxpulse.store.connections import (
    StoreError,
    create_store_engine,
    dispose_engines,
    engine,
    normalize_url,
    read_session,
    session,
    session_factory,
)
from cxpulse.store.revisions import current_revision, head_revision, migrate
from cxpulse.store.sessions import (
    end_session,
    end_user_sessions,
    live_sessions,
    open_session,
    session_user,
)
from cxpulse.store.tables import (
    ApiToken,
    AuthEvent,
    Base,
    Case,
    CaseEvent,
    Invitation,
    OutboxMessage,
    Survey,
    SurveyResponse,
    SyncState,
    User,
    UserSession,
    metadata,
    utcnow,
)
from cxpulse.store.users import (
    UserError,
    authenticate,
    change_password,
    create_api_token,
    create_user,
    forget_api_tokens,
    hash_password,
    list_all_api_tokens,
    list_api_tokens,
    revoke_api_token,
    set_password,
    set_user_active,
    verify_api_token,
    verify_password,
)

__all__ = [
    "ApiToken",
    "AuthEvent",
    "Base",
    "Case",
    "CaseEvent",
    "Invitation",
    "OutboxMessage",
    "StoreError",
    "Survey",
    "SurveyResponse",
    "SyncState",
    "User",
    "UserError",
    "UserSession",
    "authenticate",
    "change_password",
    "create_api_token",
    "create_store_engine",
    "create_user",
    "current_revision",
    "dispose_engines",
    "end_session",
    "end_user_sessions",
    "engine",
    "forget_api_tokens",
    "hash_password",
    "head_revision",
    "list_all_api_tokens",
    "list_api_tokens",
    "live_sessions",
    "metadata",
    "migrate",
    "normalize_url",
    "open_session",
    "read_session",
    "recent_events",
    "record_event",
    "revoke_api_token",
    "session",
    "session_factory",
    "session_user",
    "set_password",
    "set_user_active",
    "utcnow",
    "verify_api_token",
    "verify_password",
]
