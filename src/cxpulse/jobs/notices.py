"""Who the team is, in which language each member reads, and sending them a message."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any

from cxpulse.locale import LANGUAGES, gettext

if TYPE_CHECKING:
    from cxpulse.config import Settings
    from cxpulse.jobs.running import JobContext


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str | None = None


def _users(store_url: str) -> dict[str, Any]:
    from sqlalchemy import select

    from cxpulse import store

    with store.read_session(store_url) as s:
        return {
            u.email.lower(): (u.language, u.name, u.role)
            for u in s.scalars(select(store.User).where(store.User.active))
        }


def language_of(email: str, users: dict[str, Any], default: str) -> str:
    found = users.get(email.lower())
    lang = found[0] if found else default
    return lang if lang in LANGUAGES else default


def team(ctx: JobContext) -> list[Recipient]:
    """``team`` of the job's options, else every active admin and analyst."""
    users = _users(ctx.store_url)
    default = ctx.config.locale.language
    listed = ctx.spec.options.get("team")
    if listed:
        emails = [str(e).strip() for e in listed if str(e).strip()]
    else:
        emails = sorted(e for e, (_, _, role) in users.items() if role in ("admin", "analyst"))
    return [
        Recipient(e, language_of(e, users, default), (users.get(e.lower()) or (None, None))[1])
        for e in emails
    ]


def send(message: EmailMessage, settings: Settings) -> None:
    """Send one message through the configured SMTP server."""
    message["From"] = settings.smtp_from
    if "Message-ID" not in message:
        message["Message-ID"] = make_msgid(domain="cxpulse")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


def notify_team(ctx: JobContext, key: str, values: dict[str, Any]) -> list[str]:
    """A plain-text notice ``key.subject``/``key.body`` to each team member, in their language."""
    sent = []
    shown = {k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in values.items()}
    for person in team(ctx):
        msg = EmailMessage()
        msg["To"] = person.email
        msg["Subject"] = gettext(f"{key}.subject", person.language, **shown)
        msg.set_content(gettext(f"{key}.body", person.language, **shown))
        send(msg, ctx.settings)
        sent.append(person.email)
    return sent
