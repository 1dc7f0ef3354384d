"""The notification outbox: messages are written in the same transaction as the case that
caused them, then delivered by a worker with retries and exponential backoff.

A down SMTP server or webhook only delays a message: it stays ``pending`` with a later
``next_attempt_at``; after ``max_attempts`` failures it becomes ``dead`` (and stays visible).
Each message is claimed (attempt counted, leased for :data:`LEASE`) and committed *before*
the network call, so two workers never send the same message at once and a crashed worker's
message is retried after the lease. Delivery is at-least-once: only a crash between a
successful send and its commit can repeat one (e-mails keep a stable Message-ID and webhooks
an ``X-Cxpulse-Delivery`` id for that case).

>>> backoff_delay(1), backoff_delay(3)
(datetime.timedelta(seconds=30), datetime.timedelta(seconds=120))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cxpulse.loop.errors import DeliveryError, PermanentDeliveryError
from cxpulse.loop.notify import SmtpSettings, send_email, send_webhook
from cxpulse.loop.workflow import as_utc
from cxpulse.store.tables import OUTBOX_CHANNELS, OutboxMessage, utcnow

BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
LEASE = timedelta(minutes=5)
DEFAULT_MAX_ATTEMPTS = 8
MAX_ERROR_CHARS = 2000


def backoff_delay(attempts: int, base: timedelta = BASE_DELAY) -> timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, ... capped at 6 h."""
    if attempts < 1:
        return timedelta(0)
    seconds = base.total_seconds() * 2 ** min(attempts - 1, 30)
    return min(timedelta(seconds=seconds), MAX_DELAY)


def enqueue(
    session: Session, channel: str, payload: Mapping[str, Any], *, now: datetime | None = None
) -> OutboxMessage:
    """Add a pending message (flushed, not committed: it commits with the caller's work)."""
    if channel not in OUTBOX_CHANNELS:
        raise DeliveryError(
            key="loop.error.unknown_channel",
            values={"channel": repr(channel), "channels": ", ".join(OUTBOX_CHANNELS)},
        )
    at = as_utc(now) if now is not None else utcnow()
    message = OutboxMessage(
        channel=channel,
        payload=dict(payload),
        status="pending",
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )
    session.add(message)
    session.flush()
    return message


@dataclass
class DeliveryReport:
    """Outbox ids by outcome of one :func:`deliver_pending` run."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return len(self.sent) + len(self.retrying) + len(self.dead)


def _claim(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .where(or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    for row in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
    session.commit()
    return rows


def deliver_pending(
    session: Session,
    smtp_settings: SmtpSettings,
    now: datetime | None = None,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    limit: int = 100,
    webhook_secret: str | None = None,
    client: httpx.Client | None = None,
    retry_base: timedelta = BASE_DELAY,
) -> DeliveryReport:
    """Send every due pending message once; record sent / retry later / dead.

    ``session`` must be a plain session (not inside ``with session.begin()``): it commits the
    claim before sending and each outcome right after, so a slow server blocks no writer.
    ``webhook_secret`` defaults to ``smtp_settings.secret_key`` (``CXPULSE_SECRET_KEY``);
    ``retry_base`` is the wait after the first failure (doubled after each next one).
    """
    at = as_utc(now) if now is not None else utcnow()
    if session.in_transaction():
        session.commit()  # the caller's pending work is not ours to hold across the network
    secret = webhook_secret or getattr(smtp_settings, "secret_key", None)
    report = DeliveryReport()
    rows = _claim(session, at, limit)
    if not rows:
        return report
    own_client = client is None
    http = client or httpx.Client(follow_redirects=False)
    try:
        for row in rows:
            _deliver_one(row, smtp_settings, secret, http, at, max_attempts, retry_base, report)
            session.commit()
    finally:
        if own_client:
            http.close()
    return report


def _deliver_one(
    row: OutboxMessage,
    smtp_settings: SmtpSettings,
    secret: str | None,
    client: httpx.Client,
    at: datetime,
    max_attempts: int,
    retry_base: timedelta,
    report: DeliveryReport,
) -> None:
    try:
        if row.channel == "email":
            send_email(row.payload, smtp_settings, f"<outbox-{row.id}@cxpulse>")
        else:
            send_webhook(row.payload, secret, str(row.id), client)
    except DeliveryError as exc:
        row.last_error = str(exc)[:MAX_ERROR_CHARS]
        if isinstance(exc, PermanentDeliveryError) or row.attempts >= max_attempts:
            row.status = "dead"
            row.next_attempt_at = None
            report.dead.append(row.id)
        else:
            row.next_attempt_at = at + backoff_delay(row.attempts, retry_base)
            report.retrying.append(row.id)
        return
    row.status = "sent"
    row.sent_at = at
    row.next_attempt_at = None
    report.sent.append(row.id)


def retry_dead(session: Session, message_ids: list[int], *, now: datetime | None = None) -> int:
    """Put dead messages back in the queue (after fixing the cause); returns how many."""
    at = as_utc(now) if now is not None else utcnow()
    rows = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.id.in_(message_ids), OutboxMessage.status == "dead"
        )
    )
    count = 0
    for row in rows:
        row.status = "pending"
        row.attempts = 0
        row.next_attempt_at = at
        count += 1
    session.flush()
    return count
