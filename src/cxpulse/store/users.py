"""Users (argon2 password hashes) and API tokens (shown once, stored as a SHA-256 hash).

API tokens are 256 random bits, so a fast hash is enough to make a stolen database useless
for calling the API, and checking one costs microseconds on every request (argon2 is for
passwords, which people choose and can be guessed).

>>> from cxpulse import store
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     u = create_user(s, "luis@example.com", "correct horse battery", role="agent")
...     plain = create_api_token(s, u, "ingest")
...     verify_api_token(s, plain).email
'luis@example.com'
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse.errors import CxpulseError
from cxpulse.store.tables import ROLES, ApiToken, User, utcnow

TOKEN_PREFIX = "cxp_"
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024  # argon2 takes any length; a megabyte "password" is an attack
# every token expires; 90 days unless asked otherwise, never more than ten years
DEFAULT_TOKEN_LIFETIME = timedelta(days=90)
MAX_TOKEN_LIFETIME = timedelta(days=3650)
MAX_ROW_ID = 2**63 - 1  # ids beyond a 64-bit integer exist nowhere (and crash SQLite's driver)
# last_used_at is a hint for people, not an audit log: refresh it at most once a minute so
# every API call does not turn into an extra write.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_HASHER = PasswordHasher()
TOKEN_CACHE_TTL = 10.0
TOKEN_CACHE_SIZE = 10_000
_TOKEN_CACHE: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}


class UserError(CxpulseError):
    """A user or token cannot be created as asked."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; never store the password itself)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _normalize_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    name: str | None = None,
    language: str = "es",
) -> User:
    """Add a user with an argon2-hashed password. Raises :class:`UserError` on bad input."""
    if "\x00" in email + password + (name or ""):
        raise UserError(key="store.error.user_nul")
    address = _normalize_email(email)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise UserError(key="store.error.email", values={"email": email})
    if role not in ROLES:
        raise UserError(key="store.error.role", values={"role": role, "roles": ", ".join(ROLES)})
    if language not in ("es", "en"):
        raise UserError(key="store.error.language", values={"language": language})
    check_password_rules(password, address)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise UserError(key="store.error.exists", values={"email": address})
    user = User(
        email=address,
        name=name,
        password_hash=hash_password(password),
        role=role,
        language=language,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def check_password_rules(password: str, address: str) -> None:
    """Raise :class:`UserError` when ``password`` is too short or too long."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(
            key="sec.password.too_short", values={"email": address, "n": MIN_PASSWORD_CHARS}
        )
    if len(password) > MAX_PASSWORD_CHARS or "\x00" in password:
        raise UserError(
            key="sec.password.too_long", values={"email": address, "n": MAX_PASSWORD_CHARS}
        )


def change_password(session: Session, user_id: int, current: str, new: str) -> User:
    """Set a new password after checking the current one; every session of the user ends.

    Raises :class:`UserError` (key ``sec.password.wrong_current``) when ``current`` is wrong.
    """
    from cxpulse.store.auth_events import record_event
    from cxpulse.store.sessions import end_user_sessions

    user = session.get(User, user_id) if 0 < user_id <= MAX_ROW_ID else None
    if user is None or not user.active:
        raise UserError(key="sec.user.not_found", values={"id": user_id})
    if not verify_password(user.password_hash, current):
        raise UserError(key="sec.password.wrong_current")
    check_password_rules(new, user.email)
    if verify_password(user.password_hash, new):
        raise UserError(key="sec.password.same")
    user.password_hash = hash_password(new)
    ended = end_user_sessions(session, user.id)
    record_event(
        session, "password_changed", user_id=user.id, email=user.email, detail=f"{ended} ended"
    )
    return user


def set_password(session: Session, user_id: int, new: str) -> User:
    """Set a password without the current one (an admin resetting it, or the CLI); every
    session of the user ends."""
    from cxpulse.store.auth_events import record_event
    from cxpulse.store.sessions import end_user_sessions

    user = session.get(User, user_id) if 0 < user_id <= MAX_ROW_ID else None
    if user is None:
        raise UserError(key="sec.user.not_found", values={"id": user_id})
    check_password_rules(new, user.email)
    user.password_hash = hash_password(new)
    end_user_sessions(session, user.id)
    record_event(session, "password_changed", user_id=user.id, email=user.email, detail="reset")
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else ``None``."""
    if len(password) > MAX_PASSWORD_CHARS or len(email) > 320:
        return None
    user = session.scalar(select(User).where(User.email == _normalize_email(email)))
    if user is None or not user.active:
        # Hash anyway so a missing user takes as long as a wrong password.
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def token_hash(token: str) -> str:
    """The stored form of an API token or invitation token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(
    session: Session,
    user: User | int,
    name: str,
    *,
    expires_in: timedelta = DEFAULT_TOKEN_LIFETIME,
    client: str | None = None,
) -> str:
    """Create an API token for ``user`` and return its plaintext. It is shown only now.

    The token stops working after ``expires_in`` (90 days by default, ten years at most).
    """
    from cxpulse.store.auth_events import record_event

    user_id = user if isinstance(user, int) else user.id
    if not name.strip() or "\x00" in name:
        raise UserError(key="store.error.token_name")
    if not timedelta(0) < expires_in <= MAX_TOKEN_LIFETIME:
        raise UserError(key="sec.token.lifetime", values={"days": MAX_TOKEN_LIFETIME.days})
    owner = session.get(User, user_id)
    if owner is None:
        raise UserError(key="store.error.no_user", values={"id": user_id})
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        name=name,
        token_hash=token_hash(plain),
        user_id=user_id,
        created_at=now,
        expires_at=now + expires_in,
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        "token_created",
        user_id=user_id,
        email=owner.email,
        client=client,
        detail=f"token {token.id} ({name[:100]})",
    )
    return plain


def verify_api_token(session: Session, token: str) -> User | None:
    """The active user owning ``token``, else ``None``. Records when it was last used.

    A valid token is remembered for :data:`TOKEN_CACHE_TTL` seconds, so an API client
    sending many requests costs one lookup per interval instead of a transaction per
    request. Revoking a token or deactivating a user here (:func:`revoke_api_token`,
    :func:`set_user_active`) takes effect at once in this process, and within that interval
    in other processes. The user returned from the cache is a detached copy for reading.
    """
    if not token:
        return None
    digest = token_hash(token)
    bind = session.get_bind()
    key = (str(bind.engine.url), digest)
    hit = _TOKEN_CACHE.get(key)
    if hit is not None and _fresh(hit):
        return User(**{k: v for k, v in hit[1].items() if k != "token_expires_at"})
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest)
    ).first()
    if row is None:
        return None
    api_token, user = row.tuple()
    now = utcnow()
    expired = api_token.expires_at is not None and api_token.expires_at <= now
    if not user.active or expired:
        _TOKEN_CACHE.pop(key, None)
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        from cxpulse.store.auth_events import record_event

        api_token.last_used_at = now
        # one event per token per resolution interval: a log of use, not of every request
        record_event(
            session,
            "token_used",
            user_id=user.id,
            email=user.email,
            detail=f"token {api_token.id} ({api_token.name[:100]})",
        )
    if len(_TOKEN_CACHE) >= TOKEN_CACHE_SIZE:
        _TOKEN_CACHE.clear()
    _TOKEN_CACHE[key] = (
        time.monotonic(),
        {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "language": user.language,
            "active": True,
            "password_hash": "",
            "created_at": user.created_at,
            "token_expires_at": api_token.expires_at,
        },
    )
    return user


def _fresh(hit: tuple[float, dict[str, Any]]) -> bool:
    """Whether a remembered token check may still answer (recent, and the token unexpired)."""
    if time.monotonic() - hit[0] >= TOKEN_CACHE_TTL:
        return False
    expires_at = hit[1].get("token_expires_at")
    return expires_at is None or expires_at > utcnow()


def remembered_api_token_user(engine_url: str, token: str) -> dict[str, Any] | None:
    """The user (id, email, name, role, language) of a token that :func:`verify_api_token`
    accepted in the last ``TOKEN_CACHE_TTL`` seconds on the store at ``engine_url``, without
    touching the store; ``None`` when the store must be asked."""
    hit = _TOKEN_CACHE.get((engine_url, token_hash(token)))
    if hit is None or not _fresh(hit):
        return None
    row = hit[1]
    return dict(row) if row.get("active", True) else None


def forget_api_tokens() -> None:
    """Drop every remembered token check (after revoking tokens or deactivating users)."""
    _TOKEN_CACHE.clear()


def set_user_active(
    session: Session, user_id: int, active: bool, *, actor: str | None = None
) -> User:
    """Activate or deactivate a user. A deactivated user's sessions end and tokens stop
    working at once here (within :data:`TOKEN_CACHE_TTL` in other processes)."""
    from cxpulse.store.auth_events import record_event
    from cxpulse.store.sessions import end_user_sessions

    user = session.get(User, user_id) if 0 < user_id <= MAX_ROW_ID else None
    if user is None:
        raise UserError(key="sec.user.not_found", values={"id": user_id})
    changed = user.active != active
    user.active = active
    if not active:
        end_user_sessions(session, user.id)
    forget_api_tokens()
    if changed:
        kind = "user_activated" if active else "user_deactivated"
        record_event(session, kind, user_id=user.id, email=user.email, detail=actor)
    return user


_DUMMY_HASH = hash_password("not a real password")


def list_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    """The API tokens of a user (hashes only; plaintexts are never kept), newest first."""
    query = select(ApiToken).where(ApiToken.user_id == user_id)
    return list(session.scalars(query.order_by(ApiToken.id.desc())))


def list_all_api_tokens(session: Session) -> list[tuple[ApiToken, User]]:
    """Every API token with its owner, newest first (for admins)."""
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    return [tuple(r) for r in session.execute(query.order_by(ApiToken.id.desc())).all()]  # type: ignore[misc]


def revoke_api_token(
    session: Session, token_id: int, user_id: int | None = None, *, actor: str | None = None
) -> bool:
    """Delete an API token (only ``user_id``'s when given). Whether one was deleted."""
    from cxpulse.store.auth_events import record_event

    if not 0 < token_id <= MAX_ROW_ID:
        return False
    token = session.get(ApiToken, token_id)
    if token is None or (user_id is not None and token.user_id != user_id):
        return False
    owner = session.get(User, token.user_id)
    detail = f"token {token.id} ({token.name[:100]})" + (f" by {actor}" if actor else "")
    session.delete(token)
    session.flush()
    forget_api_tokens()
    record_event(
        session,
        "token_revoked",
        user_id=token.user_id,
        email=owner.email if owner else None,
        detail=detail,
    )
    return True
