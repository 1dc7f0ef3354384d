"""Sending one notification: an e-mail through SMTP or a signed JSON webhook.

These functions do the network part only; :mod:`cxpulse.loop.outbox` decides when to call
them, retries and records the outcome. Webhooks carry ``X-Cxpulse-Signature: sha256=<hex>``,
the HMAC-SHA256 of the exact body bytes keyed with ``CXPULSE_SECRET_KEY``, and
``X-Cxpulse-Delivery: <outbox id>`` so receivers can drop a repeated delivery.

>>> sign_body(b'{"a":1}', "s3cret")
'sha256=5910e62016ef5034272c926c27071992a465c2335cecf41851bda071577f4f6d'
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any, Protocol

import httpx

from cxpulse.loop.errors import DeliveryError, PermanentDeliveryError

SIGNATURE_HEADER = "X-Cxpulse-Signature"
DELIVERY_HEADER = "X-Cxpulse-Delivery"
EVENT_HEADER = "X-Cxpulse-Event"
NETWORK_TIMEOUT_S = 10.0


class SmtpSettings(Protocol):
    """The SMTP part of :class:`cxpulse.config.Settings` (``CXPULSE_SMTP_*``)."""

    smtp_host: str
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_from: str
    smtp_starttls: bool


def sign_body(body: bytes, secret: str) -> str:
    """The signature header value for ``body``: ``sha256=`` + hex HMAC-SHA256."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(body: bytes, secret: str, header: str) -> bool:
    """Receiver side: whether ``header`` is the signature of ``body`` (constant time)."""
    return hmac.compare_digest(sign_body(body, secret), header)


def encode_body(data: Mapping[str, Any]) -> bytes:
    """The canonical JSON bytes sent (and signed) for a webhook payload."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def build_email(payload: Mapping[str, Any], sender: str, message_id: str) -> EmailMessage:
    """An e-mail from an outbox payload ``{"to": [...], "subject": str, "body": str}``."""
    to = [str(a) for a in payload.get("to") or []]
    if not to:
        raise PermanentDeliveryError(key="loop.error.no_recipient")
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = str(payload.get("subject") or "cxpulse")
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id  # stable per outbox row: a rare repeat is recognisable
    msg.set_content(str(payload.get("body") or ""))
    return msg


def send_email(payload: Mapping[str, Any], settings: SmtpSettings, message_id: str) -> None:
    """Send one e-mail; raises :class:`DeliveryError` when the server refuses or is down."""
    msg = build_email(payload, settings.smtp_from, message_id)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=NETWORK_TIMEOUT_S
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            key="loop.error.smtp_failed",
            values={
                "host": settings.smtp_host,
                "port": settings.smtp_port,
                "error": f"{type(exc).__name__}: {exc}",
            },
        ) from exc
    if refused:
        raise DeliveryError(
            key="loop.error.smtp_refused", values={"recipients": ", ".join(sorted(refused))}
        )


def send_webhook(
    payload: Mapping[str, Any], secret: str | None, delivery_id: str, client: httpx.Client
) -> None:
    """POST ``payload["data"]`` as JSON to ``payload["url"]``; any non-2xx is a failure."""
    url = str(payload.get("url") or "")
    if not url:
        raise PermanentDeliveryError(key="loop.error.no_webhook_url")
    body = encode_body(payload.get("data") or {})
    headers = {
        "Content-Type": "application/json",
        DELIVERY_HEADER: delivery_id,
        EVENT_HEADER: str(payload.get("event") or "case.opened"),
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign_body(body, secret)
    try:
        response = client.post(url, content=body, headers=headers, timeout=NETWORK_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise DeliveryError(
            key="loop.error.webhook_failed",
            values={"url": url, "error": f"{type(exc).__name__}: {exc}"},
        ) from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(
            key="loop.error.webhook_status",
            values={"url": url, "status": response.status_code, "text": response.text[:200]},
        )
