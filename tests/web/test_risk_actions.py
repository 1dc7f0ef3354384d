"""From risk to action through the web app: open a case from an at-risk row (the band's
playbook as its first note), bulk-open and assign, log a touchpoint, set and end a manual
override (audited, on the account's timeline), and the at-risk list/API showing all of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cxpulse import store
from cxpulse.store.tables import Case, CaseEvent, HealthOverride, LoggedTouchpoint
from tests.web.webdata import add_scores, add_users, build_frames, csrf_of, make_project, sign_in


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_project(tmp_path_factory.mktemp("risk") / "p", build_frames(accounts=40))
    add_users(folder)
    add_scores(folder)
    return folder


@pytest.fixture(scope="module")
def client(project: Path) -> Any:
    from cxpulse.web import create_app

    yield sign_in(TestClient(create_app(project)), "analyst@example.com")
    store.dispose_engines()


def _url(project: Path) -> str:
    return f"sqlite:///{project / 'cxpulse.sqlite'}"


def test_open_case_from_a_row_assign_in_bulk_and_see_the_flag(
    client: TestClient, project: Path
) -> None:
    listed = client.get("/api/v1/health/at-risk?risk=risk").json()["accounts"]
    first, second, third = (a["account_id"] for a in listed[:3])
    page = client.get("/health?risk=risk")
    token = csrf_of(page.text)
    opened = client.post(
        f"/health/open-cases?only={first}",
        data={"csrf_token": token, "back": "/health"},
        follow_redirects=False,
    )
    assert opened.status_code == 303 and opened.headers["location"].startswith("/cases/")
    case_id = int(opened.headers["location"].split("/")[2].split("?")[0])
    with store.session(_url(project)) as s:
        case = s.get(Case, case_id)
        assert case is not None and case.trigger == "at_risk" and case.account_id == first
        note = s.query(CaseEvent).filter_by(case_id=case_id, kind="opened").one().text
    assert note and ("CSM" in note or "revisar" in note.lower())  # the band's playbook (es)
    bulk = client.post(
        "/health/open-cases",
        data={
            "csrf_token": token,
            "account_ids": [first, second, third],
            "owner": "csm1@example.com",
            "back": "/health",
        },
        follow_redirects=False,
    )
    assert bulk.status_code == 303
    with store.session(_url(project)) as s:
        cases = s.query(Case).filter(Case.trigger == "at_risk").all()
        assert len(cases) == 3  # the first account's case was reused, not duplicated
        assert {c.owner for c in cases} == {"csm1@example.com"}
    rows = {
        a["account_id"]: a
        for a in client.get("/api/v1/health/at-risk?risk=risk").json()["accounts"]
    }
    assert rows[first]["open_cases"] == 1 and rows[second]["open_cases"] == 1
    html = client.get("/health?risk=risk").text
    assert 'data-open-cases="1"' in html


def test_override_and_touchpoint_are_audited_on_the_account_page(
    client: TestClient, project: Path
) -> None:
    account = client.get("/api/v1/health/at-risk?risk=all").json()["accounts"][0]["account_id"]
    page = client.get(f"/accounts/{account}?lang=es")
    token = csrf_of(page.text)
    bad = client.post(
        f"/accounts/{account}/override",
        data={"csrf_token": token, "band": "green", "reason": "no", "days": 10},
    )
    assert "Escribe el motivo" in bad.text  # refused with a message in Spanish; nothing saved
    client.post(
        f"/accounts/{account}/override",
        data={
            "csrf_token": token,
            "band": "green",
            "reason": "Renovación firmada ayer",
            "days": 10,
        },
    )
    client.post(
        f"/accounts/{account}/touchpoint",
        data={"csrf_token": token, "kind": "call", "note": "Llamada con la gerente", "rating": "4"},
    )
    with store.session(_url(project)) as s:
        override = s.query(HealthOverride).filter_by(account_id=account).one()
        assert override.created_by == "analyst@example.com" and override.band == "green"
        assert s.query(LoggedTouchpoint).filter_by(account_id=account).one().rating == 4
    html = client.get(f"/accounts/{account}?lang=es").text
    assert 'id="override-active"' in html and "Renovación firmada ayer" in html
    assert 'data-kind="override"' in html and 'data-kind="touchpoint"' in html
    assert "Llamada con la gerente" in html
    api = {
        a["account_id"]: a for a in client.get("/api/v1/health/at-risk?risk=all").json()["accounts"]
    }
    assert api[account]["override"]["band"] == "green"
    client.post(f"/accounts/{account}/override/{override.id}/end", data={"csrf_token": token})
    html = client.get(f"/accounts/{account}?lang=en").text
    assert 'id="override-active"' not in html
    assert "ended early by" in html  # the audit trail keeps who ended it
