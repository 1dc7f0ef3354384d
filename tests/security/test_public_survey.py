"""A respondent answers without any cookie; the form token is bound to the invitation, and
errors are pages in the respondent's language."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from cxpulse import collect, store
from tests.security.conftest import LiveServer, store_url_of


def _invitation(project: Path, slug: str, account: str = "A001") -> str:
    with store.session(store_url_of(project)) as s:
        try:
            survey = collect.get_survey(s, slug)
        except collect.CollectError:
            survey = collect.create_survey(s, slug, "nps", language="es")
        issued = collect.invite_contacts(
            s, survey, [collect.Contact(account)], base_url="http://127.0.0.1"
        )
        return issued[0].token


def _form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_an_answer_needs_no_cookie(live: LiveServer, sec_project: Path) -> None:
    token = _invitation(sec_project, "sec-nocookie")
    page = httpx.get(f"{live.url}/s/{token}")  # a fresh client each time: no cookie kept
    assert page.status_code == 200
    form = _form_token(page.text)
    answer = httpx.post(f"{live.url}/s/{token}", data={"csrf_token": form, "score": "9"})
    assert answer.status_code == 303, answer.text
    with store.session(store_url_of(sec_project)) as s:
        invitation = collect.find_invitation(s, token)
        assert invitation.response_id is not None
    # the comment form works the same, still without a cookie
    comment = httpx.post(f"{live.url}/s/{token}", data={"csrf_token": form, "comment": "muy bien"})
    assert comment.status_code == 303


def test_a_form_token_of_another_invitation_is_refused_with_a_page(
    live: LiveServer, sec_project: Path
) -> None:
    mine = _invitation(sec_project, "sec-bound", "A002")
    other = _invitation(sec_project, "sec-bound", "A003")
    other_form = _form_token(httpx.get(f"{live.url}/s/{other}").text)
    refused = httpx.post(f"{live.url}/s/{mine}", data={"csrf_token": other_form, "score": "3"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "Este formulario caducó" in refused.text  # the survey's language, not JSON
    english = httpx.post(f"{live.url}/s/{mine}?lang=en", data={"csrf_token": "nope", "score": "3"})
    assert english.status_code == 403 and "This form has expired" in english.text
    with store.session(store_url_of(sec_project)) as s:
        assert collect.find_invitation(s, mine).response_id is None  # nothing was stored
