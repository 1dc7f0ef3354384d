"""Invitations: one unguessable link per contact; only a hash of its token is stored.

The token is 256 random bits (``secrets.token_urlsafe``), so a link cannot be guessed or
derived from another; a leaked database does not reveal working links.

>>> from cxpulse import store
>>> from cxpulse.collect.surveys import create_survey
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     survey = create_survey(s, "rel-nps", "nps")
...     issued = create_invitation(s, survey, account_id="acme", base_url="https://cx.example")
...     issued.url.startswith("https://cx.example/s/")
True
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse.collect.errors import (
    CollectError,
    InvitationExpiredError,
    InvitationNotFoundError,
    reject_nul,
)
from cxpulse.errors import Problem, ValidationError
from cxpulse.store.tables import Invitation, Survey, utcnow
from cxpulse.store.users import token_hash

DEFAULT_EXPIRY = timedelta(days=30)
CONTACT_COLUMNS = ("account_id", "contact_id", "email")
DEFAULT_CHANNEL = "link"
CHANNEL_MAX = 50


@dataclass(frozen=True)
class Contact:
    """Who to invite: the account answers are attributed to, and how to reach the person."""

    account_id: str
    contact_id: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation with its plaintext token and link (only available at creation)."""

    invitation: Invitation
    token: str
    url: str


def invitation_url(base_url: str, token: str) -> str:
    """The public answer link: ``{base_url}/s/{token}``."""
    return f"{base_url.rstrip('/')}/s/{token}"


def create_invitation(
    session: Session,
    survey: Survey,
    *,
    account_id: str,
    contact_id: str | None = None,
    email: str | None = None,
    base_url: str,
    expires_in: timedelta | None = DEFAULT_EXPIRY,
    channel: str | None = None,
) -> IssuedInvitation:
    """Issue one invitation link to ``survey`` for a contact of ``account_id``.

    ``channel`` says how the link reaches the contact (``link`` by default: handed over by
    you; :func:`cxpulse.collect.email_invitations` sets ``email``); response rates are
    reported by it.
    """
    for field, text in (
        ("account_id", account_id),
        ("contact_id", contact_id),
        ("email", email),
        ("channel", channel),
    ):
        reject_nul(field, text)
    if not account_id or not account_id.strip():
        raise CollectError(key="collect.error.invitation_account")
    if email is not None and "@" not in email:
        raise CollectError(key="collect.error.email", values={"email": email})
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(
        survey_id=survey.id,
        token_hash=token_hash(token),
        account_id=account_id.strip(),
        contact_id=(contact_id or None),
        email=(email.strip() if email else None),
        created_at=now,
        updated_at=now,
        expires_at=(now + expires_in) if expires_in is not None else None,
        channel=_channel(channel),
    )
    session.add(invitation)
    session.flush()
    return IssuedInvitation(invitation, token, invitation_url(base_url, token))


def _channel(channel: str | None) -> str:
    text = (channel or "").strip().lower()
    if len(text) > CHANNEL_MAX:
        raise CollectError(key="collect.error.channel", values={"channel": text[:80]})
    return text or DEFAULT_CHANNEL


def invite_contacts(
    session: Session,
    survey: Survey,
    contacts: Iterable[Contact],
    *,
    base_url: str,
    expires_in: timedelta | None = DEFAULT_EXPIRY,
    channel: str | None = None,
) -> list[IssuedInvitation]:
    """Issue one invitation per contact (all in the caller's transaction)."""
    return [
        create_invitation(
            session,
            survey,
            account_id=c.account_id,
            contact_id=c.contact_id,
            email=c.email,
            base_url=base_url,
            expires_in=expires_in,
            channel=channel,
        )
        for c in contacts
    ]


def read_contacts(path: str | Path, mapping: Mapping[str, str] | None = None) -> list[Contact]:
    """Contacts from a CSV with columns ``account_id`` (required), ``contact_id``, ``email``.

    ``mapping`` renames your columns (``{"Customer": "account_id"}``). The whole file is
    checked first; any problem raises :class:`cxpulse.errors.ValidationError` naming row and
    column, and no contact is returned.
    """
    source = Path(path)
    rename = dict(mapping or {})
    problems: list[Problem] = []
    contacts: list[Contact] = []
    try:
        with source.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [rename.get(h, h) for h in (reader.fieldnames or [])]
            if "account_id" not in header:
                raise ValidationError(
                    str(source),
                    "contacts",
                    [Problem(None, "account_id", "required column is missing")],
                )
            for number, raw in enumerate(reader, start=1):
                row = {rename.get(k, k): (v or "").strip() for k, v in raw.items() if k}
                if not row.get("account_id"):
                    problems.append(Problem(number, "account_id", "is empty"))
                    continue
                email = row.get("email") or None
                if email is not None and "@" not in email:
                    problems.append(Problem(number, "email", "not an e-mail address", email))
                    continue
                contacts.append(Contact(row["account_id"], row.get("contact_id") or None, email))
    except FileNotFoundError:
        raise CollectError(
            key="collect.error.contacts_missing", values={"source": source}
        ) from None
    except UnicodeDecodeError as exc:
        raise CollectError(
            key="collect.error.not_utf8", values={"source": source, "error": exc}
        ) from None
    if problems:
        raise ValidationError(str(source), "contacts", problems)
    return contacts


def find_invitation(session: Session, token: str, *, for_update: bool = False) -> Invitation:
    """The invitation behind a link token. Raises when unknown or expired."""
    query = select(Invitation).where(Invitation.token_hash == token_hash(token))
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    invitation = session.scalar(query)
    if invitation is None:
        raise InvitationNotFoundError(key="collect.error.link_invalid")
    if invitation.expires_at is not None and invitation.expires_at < utcnow():
        raise InvitationExpiredError(
            key="collect.error.link_expired", values={"date": f"{invitation.expires_at:%Y-%m-%d}"}
        )
    return invitation
