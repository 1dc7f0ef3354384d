"""The public answer page and the team's survey screens, through the real app."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cxpulse import collect, store
from cxpulse.config import Settings
from cxpulse.store import SurveyResponse
from cxpulse.web import create_app

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture
def client(store_url: str, nps_survey: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=store_url,
        workspace_url=f"duckdb:///{tmp_path / 'ws.duckdb'}",
        secret_key="s" * 40,
    )
    with TestClient(create_app(tmp_path, settings=settings)) as c:
        yield c


def _link(url: str, slug: str = "nps-rel", **kw: object) -> str:
    with store.session(url) as s:
        survey = collect.get_survey(s, slug)
        issued = collect.create_invitation(s, survey, account_id="acme", base_url="http://t", **kw)
    return f"/s/{issued.token}"


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def test_one_tap_answer_then_comment_updates_one_row(
    client: TestClient, store_url: str, stored: Callable[[], int]
) -> None:
    path = _link(store_url)
    page = client.get(path)
    assert page.status_code == 200
    assert "recomiende" in page.text  # Spanish survey, Spanish wording
    assert len(re.findall(r'name="score" value="\d+"', page.text)) == 11
    token = _csrf(page.text)
    tapped = client.post(path, data={"score": "3", "csrf_token": token}, follow_redirects=False)
    assert tapped.status_code == 303
    thanks = client.get(tapped.headers["location"])
    assert "Gracias" in thanks.text and 'name="comment"' in thanks.text
    client.post(path, data={"comment": "Tardaron mucho", "csrf_token": token})
    client.post(path, data={"score": "4", "csrf_token": token})
    assert stored() == 1
    with store.session(store_url) as s:
        row = s.scalars(select(SurveyResponse)).one()
    assert (row.score, row.comment, row.channel) == (4, "Tardaron mucho", "link")


def test_answer_page_speaks_english_on_request(client: TestClient, store_url: str) -> None:
    page = client.get(_link(store_url) + "?lang=en")
    assert "How likely are you to recommend" in page.text
    assert "Not at all likely" in page.text


def test_bad_links_and_bad_scores_get_a_clear_page_and_store_nothing(
    client: TestClient, store_url: str, stored: Callable[[], int]
) -> None:
    missing = client.get("/s/not-a-real-token")
    assert missing.status_code == 404 and "no es válido" in missing.text
    expired = client.get(_link(store_url, expires_in=timedelta(seconds=-5)))
    assert expired.status_code == 410
    path = _link(store_url, "csat-support")
    token = _csrf(client.get(path).text)
    bad = client.post(path, data={"score": "9", "csrf_token": token})
    assert bad.status_code == 422 and "1 to 5" in bad.text
    no_csrf = client.post(path, data={"score": "4"})
    assert no_csrf.status_code == 403
    assert stored() == 0


def _login(client: TestClient, store_url: str) -> str:
    with store.session(store_url) as s:
        store.create_user(s, "ana@example.com", "password-123", "analyst")
    token = _csrf(client.get("/login").text)
    done = client.post(
        "/login",
        data={"email": "ana@example.com", "password": "password-123", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    return _csrf(client.get("/surveys").text)


def test_team_creates_a_survey_and_invites_contacts_from_the_screens(
    client: TestClient, store_url: str
) -> None:
    assert client.get("/surveys", follow_redirects=False).status_code == 303  # sign in first
    token = _login(client, store_url)
    made = client.post(
        "/surveys",
        data={"slug": "post-onboarding", "kind": "ces", "language": "en", "csrf_token": token},
    )
    assert made.status_code == 200 and "post-onboarding" in made.text
    dup = client.post(
        "/surveys", data={"slug": "post-onboarding", "kind": "ces", "csrf_token": token}
    )
    assert dup.status_code == 409 and "already exists" in dup.text
    invited = client.post(
        "/surveys/post-onboarding/invitations",
        data={"contacts": "acme, ana@acme.example, c1\nbeta", "csrf_token": token},
    )
    links = re.findall(r'href="(http://testserver/s/[^"]+)"', invited.text)
    assert len(links) == 2
    listing = client.get("/surveys")
    assert "post-onboarding" in listing.text
    assert client.get("/surveys/none").status_code == 404


def test_hostile_form_values_on_the_answer_page_store_nothing_and_do_not_crash(
    client: TestClient, store_url: str, stored: Callable[[], int]
) -> None:
    path = _link(store_url)
    token = _csrf(client.get(path).text)
    assert client.post(path, data={"score": "x", "csrf_token": token}).status_code == 422
    assert (
        client.post(path, data={"score": "99999999999999999999", "csrf_token": token}).status_code
        == 422
    )
    weird_lang = client.post(
        path + "?lang=xxxxxxxxxxxxxxxx", data={"score": "7", "csrf_token": token}
    )
    assert weird_lang.status_code == 200
    nul = client.post(path, data={"comment": "a\x00b", "csrf_token": token})
    assert nul.status_code == 422
    with store.session(store_url) as s:
        row = s.scalars(select(SurveyResponse)).one()
    assert (row.score, row.comment, row.language) == (7, None, "es")
    assert stored() == 1
