"""Who a case is about: the contact's name, e-mail and language, and a reply in that language.

Contacts live in the operational store (``contacts``); a case finds its contact by
``contact_id``, else by the e-mail of the invitation the answer came through.

>>> from cxpulse import store
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     _ = save_contacts(s, [ContactInfo("c1", "A1", "María Pérez", "maria@acme.example", "es")])
...     find_contact(s, "c1").email
'maria@acme.example'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from cxpulse.locale import LANGUAGES, gettext
from cxpulse.store.tables import Case, Contact, Invitation, SurveyResponse


@dataclass(frozen=True)
class ContactInfo:
    """A person at a customer account."""

    contact_id: str
    account_id: str
    name: str | None = None
    email: str | None = None
    language: str | None = None
    role: str | None = None


def save_contacts(session: Session, contacts: Iterable[ContactInfo]) -> int:
    """Insert or update contacts by ``contact_id``; returns how many were written."""
    count = 0
    for c in contacts:
        row = session.get(Contact, c.contact_id) or Contact(contact_id=c.contact_id)
        row.account_id = c.account_id
        row.name = c.name
        row.email = c.email
        row.language = c.language if c.language in LANGUAGES else None
        row.role = c.role
        session.add(row)
        count += 1
    session.flush()
    return count


def find_contact(session: Session, contact_id: str | None) -> ContactInfo | None:
    """The stored contact with this id, if any."""
    if not contact_id:
        return None
    row = session.get(Contact, contact_id)
    if row is None:
        return None
    return ContactInfo(row.contact_id, row.account_id, row.name, row.email, row.language, row.role)


def contact_of_case(session: Session, case: Case) -> ContactInfo | None:
    """The contact behind a case: the stored contact, else what its answer's invitation knew."""
    found = find_contact(session, case.contact_id)
    if found is not None:
        return found
    email: str | None = None
    language: str | None = None
    if case.response_id is not None:
        response = session.get(SurveyResponse, case.response_id)
        if response is not None:
            language = response.language
            if response.invitation_id is not None:
                invitation = session.get(Invitation, response.invitation_id)
                if invitation is not None:
                    email = invitation.email
    if email is None and case.contact_id and "@" in case.contact_id:
        email = case.contact_id
    if email is None and case.contact_id is None:
        return primary_contact(session, case.account_id)
    return ContactInfo(
        contact_id=case.contact_id or email or "",
        account_id=case.account_id or "",
        email=email,
        language=language if language in LANGUAGES else None,
    )


def primary_contact(session: Session, account_id: str | None) -> ContactInfo | None:
    """The account's sponsor (else its first contact by id): who hears about account cases."""
    if not account_id:
        return None
    from sqlalchemy import case, select

    rank = case((Contact.role == "sponsor", 0), else_=1)
    row = session.scalars(
        select(Contact).where(Contact.account_id == account_id).order_by(rank, Contact.contact_id)
    ).first()
    if row is None:
        return None
    return ContactInfo(row.contact_id, row.account_id, row.name, row.email, row.language, row.role)


@dataclass(frozen=True)
class Reply:
    """A reply to the customer, ready to copy into an e-mail."""

    language: str
    to: str | None
    subject: str
    body: str


def reply_template(
    case: Case,
    contact: ContactInfo | None,
    *,
    sender: str,
    company: str,
    default_language: str = "es",
) -> Reply:
    """A first reply to the customer in the contact's language (else the project's)."""
    lang = (contact.language if contact and contact.language else None) or default_language
    first = (contact.name or "").split(" ")[0] if contact and contact.name else ""
    greeting = (
        gettext("cx.reply.greeting.named", lang, name=first)
        if first
        else gettext("cx.reply.greeting.plain", lang)
    )
    kind = "response" if case.response_id is not None else "account"
    body = gettext(f"cx.reply.body.{kind}", lang, sender=sender, company=company)
    return Reply(
        language=lang,
        to=contact.email if contact else None,
        subject=gettext(f"cx.reply.subject.{kind}", lang, company=company),
        body=f"{greeting}\n\n{body}",
    )
