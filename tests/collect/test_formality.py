"""Surveys address people as the project says (`[surveys] formality`, tú or usted): the
standard questions, the public page's labels and errors, the invitation e-mail and the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cxpulse import collect, store
from cxpulse.config import Settings
from cxpulse.locale import catalog, gettext_addressed
from cxpulse.web import create_app

# What the customer reads, by key: the usted form and the tú form must each say it their way.
USTED = {
    "collect.question.nps": "recomiende a",
    "collect.question.csat": "está con",
    "collect.question.ces": "necesitaba?",
    "collect.page.tap_hint": "Toque",
    "collect.page.comment_label": "Quiere contarnos",
    "collect.email.subject": "Su opinión",
    "collect.email.body": "Responda",
    "collect.error.not_found": "Compruebe",
    "collect.error.score": "Elija",
}
TU = {
    "collect.question.nps": "recomiendes a",
    "collect.question.csat": "estás con",
    "collect.question.ces": "necesitabas?",
    "collect.page.tap_hint": "Toca",
    "collect.page.comment_label": "Quieres contarnos",
    "collect.email.subject": "Tu opinión",
    "collect.email.body": "Responde",
    "collect.error.not_found": "Comprueba",
    "collect.error.score": "Elige",
}


@pytest.mark.parametrize("key", sorted(USTED))
def test_both_forms_exist_in_the_catalogue_and_differ(key: str) -> None:
    es, en = catalog("es"), catalog("en")
    assert key in es and f"{key}.tu" in es
    assert key in en and f"{key}.tu" in en  # every key in both languages
    assert USTED[key] in es[key] and TU[key] not in es[key]
    assert TU[key] in es[f"{key}.tu"] and USTED[key] not in es[f"{key}.tu"]
    values = {"low": 1, "high": 5, "question": "¿?", "url": "http://t"}
    assert gettext_addressed(key, "es", "usted", **values) == es[key].format(**values)
    assert gettext_addressed(key, "es", "tu", **values) == es[f"{key}.tu"].format(**values)


def test_every_tu_variant_has_its_usted_original() -> None:
    for lang in ("es", "en"):
        texts = catalog(lang)
        for key in texts:
            if key.endswith(".tu"):
                assert key[:-3] in texts, (lang, key)


def _client(tmp_path: Path, store_url: str, formality: str | None) -> TestClient:
    if formality is not None:
        (tmp_path / "cxpulse.toml").write_text(f'[surveys]\nformality = "{formality}"\n')
    settings = Settings(
        database_url=store_url,
        workspace_url=f"duckdb:///{tmp_path / 'ws.duckdb'}",
        secret_key="s" * 40,
    )
    return TestClient(create_app(tmp_path, settings=settings))


@pytest.fixture(params=["tu", "usted", None], ids=["tu", "usted", "default"])
def formal_client(
    request: pytest.FixtureRequest, tmp_path: Path, store_url: str, nps_survey: str
) -> Iterator[tuple[TestClient, str]]:
    with _client(tmp_path, store_url, request.param) as c:
        yield c, request.param or "tu"  # tú is the default of [surveys] formality


def _link(url: str, slug: str) -> str:
    with store.session(url) as s:
        survey = collect.get_survey(s, slug)
        issued = collect.create_invitation(s, survey, account_id="acme", base_url="http://t")
    return f"/s/{issued.token}"


def test_public_page_questions_labels_and_errors_follow_the_setting(
    formal_client: tuple[TestClient, str], store_url: str
) -> None:
    client, formality = formal_client
    want, other = (TU, USTED) if formality == "tu" else (USTED, TU)
    for slug, key in (("nps-rel", "nps"), ("ces-onboarding", "ces")):
        page = client.get(_link(store_url, slug))
        assert page.status_code == 200
        text = page.text
        assert want[f"collect.question.{key}"] in text
        assert gettext_addressed(f"collect.question.{key}", "es", formality) in text
        assert want["collect.page.tap_hint"] in text
    # A score off the scale: the error speaks the same way.
    path = _link(store_url, "nps-rel")
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).text)
    assert token is not None
    bad = client.post(path, data={"score": "99", "csrf_token": token.group(1)})
    assert bad.status_code == 422 and want["collect.error.score"] in bad.text
    missing = client.get("/s/not-a-real-token")
    assert want["collect.error.not_found"] in missing.text
    assert other["collect.error.not_found"] + " que" not in missing.text


def test_api_questions_follow_the_setting_as_on_the_page(
    formal_client: tuple[TestClient, str], store_url: str
) -> None:
    client, formality = formal_client
    with store.session(store_url) as s:
        survey = collect.get_survey(s, "nps-rel")
        expected = collect.question_text(survey, "es", formality)
    # The API answers the same text as the page (one function: collect.question_text).
    page = client.get(_link(store_url, "nps-rel"))
    assert expected in page.text
    with store.session(store_url) as s:
        from cxpulse.web.api.surveys import survey_public

        shown = survey_public(collect.get_survey(s, "nps-rel"), formality)
    assert shown.question_es == expected
    assert (TU if formality == "tu" else USTED)["collect.question.nps"] in shown.question_es


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.mark.parametrize("formality", ["tu", "usted"])
def test_invitation_email_follows_the_setting(
    store_url: str, nps_survey: str, formality: str
) -> None:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="cx@example.com")
        with store.session(store_url) as s:
            survey = collect.get_survey(s, "nps-rel")
            issued = collect.invite_contacts(
                s, survey, [collect.Contact("acme", None, "ana@acme.example")], base_url="http://t"
            )
            report = collect.email_invitations(
                s, survey, issued, settings=settings, direct=True, formality=formality
            )
    finally:
        controller.stop()
    assert len(report.sent) == 1
    message = inbox.messages[0]
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    want = TU if formality == "tu" else USTED
    from email.header import decode_header, make_header

    subject = str(make_header(decode_header(message["Subject"])))
    assert want["collect.email.subject"] in subject
    assert want["collect.email.body"] in body and want["collect.question.nps"] in body
