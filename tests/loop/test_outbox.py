"""Notification delivery through the outbox against a real SMTP server and a real HTTP server
on 127.0.0.1: a down server delays messages, never loses or repeats them."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from cxpulse import store
from cxpulse.config import Settings
from cxpulse.loop.notify import DELIVERY_HEADER, SIGNATURE_HEADER, verify_signature
from cxpulse.loop.outbox import backoff_delay, deliver_pending, enqueue, retry_dead
from cxpulse.store import OutboxMessage

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
SECRET = "a-webhook-secret-for-tests"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """aiosmtpd handler keeping every message it accepted."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


class SmtpServer:
    """A real SMTP server on a fixed loopback port that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def _settings(port: int) -> Settings:
    return Settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_from="cx@example.com", secret_key=SECRET
    )


def _email(s: Any, to: str = "ana@example.com", subject: str = "Caso #1") -> int:
    msg = enqueue(s, "email", {"to": [to], "subject": subject, "body": "Llamar hoy"}, now=T0)
    return msg.id


def _row(url: str, message_id: int) -> OutboxMessage:
    with store.session(url) as s:
        row = s.get(OutboxMessage, message_id)
        assert row is not None
        return row


def test_backoff_doubles_and_is_capped() -> None:
    delays = [backoff_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == 6 * 3600
    assert all(b >= a for a, b in itertools.pairwise(delays))


def test_stopped_smtp_delays_then_restarted_delivers_exactly_once(store_url, smtp) -> None:
    with store.session(store_url) as s:
        mid = _email(s)
    settings = _settings(smtp.port)
    worker = store.session_factory(store_url)()
    try:
        # server down: the attempt fails, the message waits for its backoff
        report = deliver_pending(worker, settings, T0)
        assert report.retrying == [mid] and report.sent == []
        row = _row(store_url, mid)
        assert row.status == "pending" and row.attempts == 1
        assert row.next_attempt_at == T0 + timedelta(seconds=30)
        assert "SMTP 127.0.0.1" in (row.last_error or "")
        # not due yet: nothing is attempted even though the server is back
        smtp.start()
        assert deliver_pending(worker, settings, T0 + timedelta(seconds=10)).attempted == 0
        report = deliver_pending(worker, settings, T0 + timedelta(seconds=31))
        assert report.sent == [mid]
        # later runs find nothing to send
        for minutes in (1, 10, 600):
            assert deliver_pending(worker, settings, T0 + timedelta(minutes=minutes)).attempted == 0
    finally:
        worker.close()
    assert len(smtp.inbox.messages) == 1
    rcpt, message = smtp.inbox.messages[0]
    assert rcpt == ["ana@example.com"]
    assert message["Subject"] == "Caso #1"
    assert message["Message-ID"] == f"<outbox-{mid}@cxpulse>"
    assert "Llamar hoy" in message.get_payload()
    row = _row(store_url, mid)
    assert row.status == "sent" and row.attempts == 2 and row.sent_at is not None


def test_after_max_attempts_a_message_is_dead_and_can_be_retried(store_url, smtp) -> None:
    with store.session(store_url) as s:
        mid = _email(s)
    settings = _settings(smtp.port)
    worker = store.session_factory(store_url)()
    try:
        now = T0
        for attempt in range(1, 4):
            report = deliver_pending(worker, settings, now, max_attempts=3)
            now += backoff_delay(attempt) + timedelta(seconds=1)
        assert report.dead == [mid]
        assert _row(store_url, mid).status == "dead"
        smtp.start()
        assert deliver_pending(worker, settings, now + timedelta(days=1)).attempted == 0
        with store.session(store_url) as s:
            assert retry_dead(s, [mid], now=now) == 1
        assert deliver_pending(worker, settings, now).sent == [mid]
    finally:
        worker.close()
    assert len(smtp.inbox.messages) == 1


def test_message_without_recipient_is_dead_at_once(store_url, smtp) -> None:
    smtp.start()
    with store.session(store_url) as s:
        mid = enqueue(s, "email", {"to": [], "subject": "x", "body": "y"}, now=T0).id
    worker = store.session_factory(store_url)()
    try:
        assert deliver_pending(worker, _settings(smtp.port), T0).dead == [mid]
    finally:
        worker.close()
    assert "no recipient" in (_row(store_url, mid).last_error or "")


class HookRecorder(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    fail_next: ClassVar[int] = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        if cls.fail_next > 0:
            cls.fail_next -= 1
            self.send_response(503)
            self.end_headers()
            self.wfile.write(b"busy")
            return
        cls.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hook_server() -> Iterator[tuple[str, type[HookRecorder]]]:
    handler = type("Recorder", (HookRecorder,), {"received": [], "fail_next": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()
    server.server_close()


def test_webhook_retries_on_503_then_delivers_once_signed(store_url, hook_server) -> None:
    url, handler = hook_server
    handler.fail_next = 1
    data = {"event": "case.opened", "case": {"id": 7, "title": "NPS 2 — cuenta Ñandú"}}
    with store.session(store_url) as s:
        mid = enqueue(s, "webhook", {"url": url, "event": "case.opened", "data": data}, now=T0).id
    worker = store.session_factory(store_url)()
    try:
        first = deliver_pending(worker, _settings(1), T0)
        assert first.retrying == [mid]
        assert "HTTP 503" in (_row(store_url, mid).last_error or "")
        second = deliver_pending(worker, _settings(1), T0 + timedelta(minutes=1))
        assert second.sent == [mid]
        assert deliver_pending(worker, _settings(1), T0 + timedelta(hours=1)).attempted == 0
    finally:
        worker.close()
    assert len(handler.received) == 1
    headers, body = handler.received[0]
    assert json.loads(body) == data
    assert headers[DELIVERY_HEADER] == str(mid)
    assert verify_signature(body, SECRET, headers[SIGNATURE_HEADER])
    assert not verify_signature(body + b" ", SECRET, headers[SIGNATURE_HEADER])


def test_two_workers_at_once_send_each_message_once(store_url, smtp) -> None:
    smtp.start()
    with store.session(store_url) as s:
        ids = [_email(s, to=f"u{i}@example.com", subject=f"m{i}") for i in range(12)]
    settings = _settings(smtp.port)
    reports: list[Any] = []

    def work() -> None:
        worker = store.session_factory(store_url)()
        try:
            reports.append(deliver_pending(worker, settings, T0, limit=5))
            reports.append(deliver_pending(worker, settings, T0, limit=5))
            reports.append(deliver_pending(worker, settings, T0, limit=5))
        finally:
            worker.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sent = sorted(i for r in reports for i in r.sent)
    assert sent == ids
    subjects = sorted(m["Subject"] for _, m in smtp.inbox.messages)
    assert subjects == sorted(f"m{i}" for i in range(12))
    with store.session(store_url) as s:
        rows = s.scalars(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}


def test_detractor_answer_reaches_the_owner_by_email_and_webhook(
    store_url, answer, smtp, hook_server
) -> None:
    from cxpulse.loop import LoopContext, on_response
    from cxpulse.loop.rules import parse_loop_config

    url, handler = hook_server
    ctx = LoopContext(
        config=parse_loop_config(
            {
                "webhook_url": url,
                "rules": [
                    {
                        "name": "detractors",
                        "trigger": {"kind": "detractor"},
                        "action": {"notify": ["email", "webhook"]},
                    }
                ],
            }
        ),
        language="es",
        base_url="https://cx.example",
        owner_of={"ACME": "csm@acme.example"}.get,
    )
    with store.session(store_url) as s:
        (case,) = on_response(s, answer(s, 0, account_id="ACME", comment="Pésimo"), ctx, now=T0)
    smtp.start()
    worker = store.session_factory(store_url)()
    try:
        report = deliver_pending(worker, _settings(smtp.port), T0)
    finally:
        worker.close()
    assert len(report.sent) == 2
    ((rcpt, message),) = smtp.inbox.messages
    assert rcpt == ["csm@acme.example"]
    assert message["Subject"] == f"[cxpulse] Caso #{case.id}: NPS 0 de la cuenta ACME"
    body = message.get_payload(decode=True).decode("utf-8")
    assert f"https://cx.example/cases/{case.id}" in body and "Pésimo" in body
    ((headers, raw),) = handler.received
    sent = json.loads(raw)
    assert sent["event"] == "case.opened" and sent["case"]["id"] == case.id
    assert sent["case"]["owner"] == "csm@acme.example"
    assert verify_signature(raw, SECRET, headers[SIGNATURE_HEADER])


def _wait_for(condition: Any, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_delivery_thread_keeps_retrying_while_smtp_is_down_then_sends_once(store_url, smtp) -> None:
    from cxpulse.loop import start_delivery_thread

    with store.session(store_url) as s:
        mid = enqueue(s, "email", {"to": ["ana@example.com"], "subject": "s", "body": "b"}).id
    thread, stop = start_delivery_thread(
        store_url,
        _settings(smtp.port),
        interval_s=0.05,
        max_attempts=50,
        retry_base=timedelta(milliseconds=100),
    )
    try:
        _wait_for(lambda: _row(store_url, mid).attempts >= 3)  # down: failed, still pending
        assert _row(store_url, mid).status == "pending" and smtp.inbox.messages == []
        smtp.start()
        _wait_for(lambda: _row(store_url, mid).status == "sent")
        rounds_after = _row(store_url, mid).attempts
        time.sleep(0.5)  # several more rounds: nothing is sent again
    finally:
        stop.set()
        thread.join(timeout=10)
    assert len(smtp.inbox.messages) == 1
    assert _row(store_url, mid).attempts == rounds_after
