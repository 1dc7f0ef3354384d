"""E-mailing invitation links: through the closed-loop outbox when it is installed (retries,
nothing lost while the SMTP server is down), else directly over SMTP.

The message is in the survey's language (or ``lang``) and carries only the question and the
personal link.
"""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy.orm import Session

from cxpulse.collect.invitations import IssuedInvitation
from cxpulse.collect.surveys import question_text
from cxpulse.config import Settings
from cxpulse.locale import gettext_addressed
from cxpulse.store.tables import Invitation, Survey, utcnow

SMTP_TIMEOUT_S = 10.0


@dataclass
class MailReport:
    """What happened to each invitation: queued in the outbox, sent, failed or skipped."""

    queued: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    without_email: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.queued)} queued, {len(self.sent)} sent, {len(self.failed)} failed, "
            f"{len(self.without_email)} without e-mail"
        )


def invitation_message(
    survey: Survey, issued: IssuedInvitation, lang: str, formality: str = "tu"
) -> dict[str, Any]:
    """The outbox payload ``{"to", "subject", "body"}`` of one invitation e-mail, addressing
    the reader as ``formality`` ("tu" or "usted") says."""
    question = question_text(survey, lang, formality)
    body = gettext_addressed(
        "collect.email.body", lang, formality, question=question, url=issued.url
    )
    return {
        "to": [issued.invitation.email],
        "subject": gettext_addressed("collect.email.subject", lang, formality),
        "body": body,
        "kind": "survey_invitation",
        "invitation_id": issued.invitation.id,
    }


def _outbox_enqueue() -> Any:
    try:
        from cxpulse.loop.outbox import enqueue
    except ImportError:
        return None
    return enqueue


def _send_direct(payload: dict[str, Any], settings: Settings) -> None:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = ", ".join(payload["to"])
    msg["Subject"] = payload["subject"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="cxpulse")
    msg.set_content(payload["body"])
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(msg)


def email_invitations(
    session: Session,
    survey: Survey,
    issued: Sequence[IssuedInvitation],
    *,
    settings: Settings | None = None,
    lang: str | None = None,
    direct: bool = False,
    formality: str = "tu",
) -> MailReport:
    """E-mail each invitation that has an address.

    With the outbox (``cxpulse.loop``) the messages are written in the caller's transaction
    and delivered by the outbox worker; ``sent_at`` then means "handed to delivery".
    ``direct=True`` (or no outbox) sends now over SMTP (``CXPULSE_SMTP_*``) and records
    per invitation whether it went out. ``formality`` is the project's ``[surveys]
    formality`` (tú or usted in Spanish).
    """
    language = lang or survey.language
    report = MailReport()
    enqueue = None if direct else _outbox_enqueue()
    smtp_settings = settings or Settings()
    for item in issued:
        # the invitations may come from an earlier, committed session: write through this one
        invitation = session.get(Invitation, item.invitation.id) or item.invitation
        if not invitation.email:
            report.without_email.append(invitation.id)
            continue
        payload = invitation_message(survey, item, language, formality)
        if enqueue is not None:
            enqueue(session, "email", payload)
            invitation.sent_at = utcnow()
            invitation.channel = "email"
            report.queued.append(invitation.id)
            continue
        try:
            _send_direct(payload, smtp_settings)
        except (OSError, smtplib.SMTPException) as exc:
            report.failed[invitation.id] = (
                f"SMTP {smtp_settings.smtp_host}:{smtp_settings.smtp_port}: {exc}"
            )
            continue
        invitation.sent_at = utcnow()
        invitation.channel = "email"
        report.sent.append(invitation.id)
    session.flush()
    return report
