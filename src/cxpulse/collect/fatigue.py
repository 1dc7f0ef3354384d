"""Survey fatigue: a contact invited to a survey is not invited to it again within N days
(the survey's ``fatigue_days``, else ``[surveys] fatigue_days``, else 30).

A contact is the same person when the contact id matches, or the e-mail (case-insensitive).

>>> from cxpulse import store
>>> from cxpulse.collect.invitations import Contact
>>> from cxpulse.collect.surveys import create_survey
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     survey = create_survey(s, "rel", "nps")
...     first = invite_respecting_fatigue(s, survey, [Contact("A1", "c1")], base_url="http://x")
...     again = invite_respecting_fatigue(s, survey, [Contact("A1", "c1")], base_url="http://x")
...     len(first.issued), len(again.issued), len(again.skipped)
(1, 0, 1)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from cxpulse.collect.invitations import Contact, IssuedInvitation, create_invitation
from cxpulse.store.tables import Invitation, Survey, utcnow

DEFAULT_DAYS = 30


def fatigue_days(survey: Survey, project_default: int | None = None) -> int:
    """Days during which a contact is not invited again to ``survey`` (0: no limit)."""
    if survey.fatigue_days is not None:
        return int(survey.fatigue_days)
    return int(project_default) if project_default is not None else DEFAULT_DAYS


@dataclass
class FatigueReport:
    """Who was invited now, and who was left out because of a recent invitation."""

    days: int
    issued: list[IssuedInvitation] = field(default_factory=list)
    skipped: list[tuple[Contact, datetime]] = field(default_factory=list)  # with last invite


def last_invited(
    session: Session, survey: Survey, contact: Contact, since: datetime
) -> datetime | None:
    """When ``contact`` was last invited to ``survey`` after ``since``, if at all."""
    same = []
    if contact.contact_id:
        same.append(Invitation.contact_id == contact.contact_id)
    if contact.email:
        same.append(func.lower(Invitation.email) == contact.email.strip().lower())
    if not same:
        return None
    return session.scalar(
        select(func.max(Invitation.created_at)).where(
            Invitation.survey_id == survey.id, Invitation.created_at >= since, or_(*same)
        )
    )


def invite_respecting_fatigue(
    session: Session,
    survey: Survey,
    contacts: Iterable[Contact],
    *,
    base_url: str,
    days: int | None = None,
    now: datetime | None = None,
) -> FatigueReport:
    """Invite each contact unless invited to this survey within the fatigue window."""
    window = fatigue_days(survey) if days is None else days
    at = now or utcnow()
    report = FatigueReport(days=window)
    since = at - timedelta(days=window)
    seen: set[str] = set()
    for c in contacts:
        ident = (c.contact_id or "") + "|" + (c.email or "").lower()
        last = last_invited(session, survey, c, since) if window > 0 else None
        if last is not None or (window > 0 and ident in seen and ident != "|"):
            report.skipped.append((c, last or at))
            continue
        seen.add(ident)
        report.issued.append(
            create_invitation(
                session,
                survey,
                account_id=c.account_id,
                contact_id=c.contact_id,
                email=c.email,
                base_url=base_url,
            )
        )
    return report
