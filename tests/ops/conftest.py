"""Fixtures of the operations tests: a real SMTP server on 127.0.0.1, small projects."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.ops import procs


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = procs.free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("CXPULSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CXPULSE_SMTP_PORT", str(port))
    monkeypatch.setenv("CXPULSE_SMTP_FROM", "cxpulse@example.com")
    try:
        yield inbox
    finally:
        controller.stop()


def bank_accounts(shared_data: Path, n: int = 40, owners: tuple[str, ...] = ()) -> pd.DataFrame:
    """Accounts made from the first rows of the public bank churn file."""
    bank = pd.read_csv(shared_data / "bank_churn.csv", nrows=n)
    frame = pd.DataFrame(
        {
            "account_id": "BANK-" + bank["CustomerId"].astype(str),
            "name": bank["Surname"],
            "country": bank["Geography"],
            "start_date": "2020-01-01",
        }
    )
    if owners:
        frame["owner"] = [owners[i % len(owners)] for i in range(len(frame))]
    return frame
