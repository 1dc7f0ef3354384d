"""Invitation e-mails reach a real SMTP server on 127.0.0.1, directly or via the outbox."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from cxpulse import collect, store
from cxpulse.config import Settings
from cxpulse.store import Invitation, OutboxMessage


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, Settings]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="cx@example.com")
    controller.stop()


def _issue(url: str, emails: list[str | None]) -> list[collect.IssuedInvitation]:
    with store.session(url) as s:
        survey = collect.get_survey(s, "csat-support")
        contacts = [collect.Contact(f"acc{i}", None, e) for i, e in enumerate(emails)]
        return collect.invite_contacts(s, survey, contacts, base_url="https://cx.example")


def test_direct_smtp_sends_each_link_in_the_survey_language(
    store_url: str, nps_survey: str, smtp: tuple[Inbox, Settings]
) -> None:
    inbox, settings = smtp
    issued = _issue(store_url, ["ana@acme.example", None, "bo@beta.example"])
    with store.session(store_url) as s:
        survey = collect.get_survey(s, "csat-support")
        report = collect.email_invitations(s, survey, issued, settings=settings, direct=True)
    assert len(report.sent) == 2 and report.without_email == [issued[1].invitation.id]
    assert sorted(m["To"] for m in inbox.messages) == ["ana@acme.example", "bo@beta.example"]
    by_to = {m["To"]: m.get_payload(decode=True).decode() for m in inbox.messages}  # type: ignore[union-attr]
    assert issued[0].url in by_to["ana@acme.example"]
    assert issued[2].url in by_to["bo@beta.example"]
    assert "How satisfied" in by_to["ana@acme.example"]  # the survey is in English
    with store.session(store_url) as s:
        sent = s.scalars(select(Invitation).where(Invitation.sent_at.is_not(None))).all()
    assert len(sent) == 2


def test_direct_smtp_failure_is_reported_and_leaves_sent_at_empty(
    store_url: str, nps_survey: str
) -> None:
    issued = _issue(store_url, ["ana@acme.example"])
    down = Settings(smtp_host="127.0.0.1", smtp_port=_free_port())
    with store.session(store_url) as s:
        survey = collect.get_survey(s, "csat-support")
        report = collect.email_invitations(s, survey, issued, settings=down, direct=True)
    assert list(report.failed) == [issued[0].invitation.id]
    with store.session(store_url) as s:
        assert s.scalars(select(Invitation.sent_at)).one() is None


def test_outbox_path_queues_messages_that_the_worker_delivers(
    store_url: str, nps_survey: str, smtp: tuple[Inbox, Settings]
) -> None:
    outbox = pytest.importorskip("cxpulse.loop.outbox")
    inbox, settings = smtp
    issued = _issue(store_url, ["ana@acme.example"])
    with store.session(store_url) as s:
        survey = collect.get_survey(s, "csat-support")
        report = collect.email_invitations(s, survey, issued, settings=settings)
    assert report.queued == [issued[0].invitation.id]
    assert inbox.messages == []
    with store.session(store_url) as s:
        row = s.scalars(select(OutboxMessage)).one()
        assert row.status == "pending" and row.payload["to"] == ["ana@acme.example"]
    with store.session_factory(store_url)() as s:
        outbox.deliver_pending(s, settings)
    assert len(inbox.messages) == 1 and issued[0].url in str(inbox.messages[0].get_payload())
