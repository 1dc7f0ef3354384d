"""Case pages and /api/v1/cases on a real project (DuckDB workspace, SQLite store)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from webdata import PASSWORD, add_users, make_project

from cxpulse import store
from cxpulse.loop import on_response
from cxpulse.store import Case, CaseEvent, Survey, SurveyResponse

LOOP_TOML = '[loop]\ndeliver_in_app = false\nemail_to = ["lead@example.com"]\n'


def _accounts() -> dict[str, pd.DataFrame]:
    frame = pd.DataFrame(
        {
            "account_id": ["ACME", "BETA"],
            "name": ["Acme", "Beta"],
            "owner": ["csm-acme@example.com", None],
            "start_date": [pd.Timestamp("2025-01-01").date()] * 2,
        }
    )
    return {"accounts": frame}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CXPULSE_WORKSPACE_URL", "CXPULSE_DATABASE_URL", "CXPULSE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    folder = make_project(tmp_path / "proj", _accounts(), toml=LOOP_TOML)
    add_users(folder)
    return folder


@pytest.fixture
def app(project: Path) -> Iterator[Any]:
    from cxpulse.web import create_app

    application = create_app(project)
    yield application
    store.dispose_engines()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _sign_in(client: TestClient, email: str) -> TestClient:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "next": "/", "csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


def _detractor(project: Path, score: int = 2, account: str = "ACME") -> int:
    """Store a detractor answer the way the collector does (its hook calls on_response)."""
    url = f"sqlite:///{project / 'cxpulse.sqlite'}"
    with store.session(url) as s:
        survey = s.query(Survey).filter_by(slug="rel").one_or_none()
        if survey is None:
            survey = Survey(slug="rel", kind="nps")
            s.add(survey)
            s.flush()
        row = SurveyResponse(
            survey_id=survey.id,
            account_id=account,
            contact_id="c-1",
            kind="nps",
            score=score,
            comment="Muy lento",
        )
        s.add(row)
        s.flush()
        cases = on_response(s, row)
        return cases[0].id


def test_lifespan_registers_project_rules_so_collector_answers_use_them(app, project) -> None:
    with TestClient(app) as client:  # runs the lifespan
        cid = _detractor(project)
        _sign_in(client, "agent@example.com")
        data = client.get(f"/api/v1/cases/{cid}").json()
    assert data["owner"] == "csm-acme@example.com"  # from the workspace accounts table
    assert [h["kind"] for h in data["history"]] == ["opened", "assigned"]


def test_api_workflow_and_errors(app, project) -> None:
    # an English-speaking client: error details follow Accept-Language
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        cid = _detractor(project, account="BETA")
        assert client.get("/api/v1/cases").status_code == 401
        _sign_in(client, "agent@example.com")
        listed = client.get("/api/v1/cases", params={"open": "true"}).json()["cases"]
        assert [c["id"] for c in listed] == [cid] and listed[0]["owner"] is None
        token = _csrf(client.get("/cases").text)
        headers = {"X-CSRF-Token": token}
        assert (
            client.post(
                f"/api/v1/cases/{cid}/assign", json={"owner": "bob@example.com"}
            ).status_code
            == 403
        )
        r = client.post(
            f"/api/v1/cases/{cid}/assign", json={"owner": "bob@example.com"}, headers=headers
        )
        assert r.status_code == 200 and r.json()["owner"] == "bob@example.com"
        r = client.post(
            f"/api/v1/cases/{cid}/comment", json={"text": "Llamé", "contact": True}, headers=headers
        )
        assert r.json()["first_contact_at"] is not None
        r = client.post(f"/api/v1/cases/{cid}/status", json={"status": "closed"}, headers=headers)
        assert r.status_code == 200 and r.json()["status"] == "closed"
        r = client.post(f"/api/v1/cases/{cid}/status", json={"status": "open"}, headers=headers)
        assert r.status_code == 409 and "cannot move to 'open'" in r.json()["detail"]
        r = client.post(f"/api/v1/cases/{cid}/status", json={"status": "done"}, headers=headers)
        assert r.status_code == 422
        assert client.get("/api/v1/cases/999").status_code == 404
        made = client.post(
            "/api/v1/cases",
            json={
                "account_id": "ACME",
                "title": "Renovación en riesgo",
                "priority": "urgent",
                "sla_hours": 4,
            },
            headers=headers,
        )
        assert made.status_code == 201 and made.json()["trigger"] == "manual"
        ind = client.get("/api/v1/cases/indicators").json()
        assert ind["contacted_within_sla"]["n"] == 1 and ind["contacted_within_sla"]["value"] == 1.0
    with store.session(f"sqlite:///{project / 'cxpulse.sqlite'}") as s:
        kinds = [e.kind for e in s.query(CaseEvent).filter_by(case_id=cid).order_by(CaseEvent.id)]
    assert kinds == ["opened", "assigned", "contacted", "status_changed"]


def test_pages_list_detail_and_forms_in_both_languages(app, project) -> None:
    with TestClient(app) as client:
        cid = _detractor(project)
        _sign_in(client, "analyst@example.com")
        page = client.get("/cases?lang=en")
        assert page.status_code == 200
        assert (
            f'data-case-id="{cid}"' in page.text and "Detractors contacted within SLA" in page.text
        )
        detail = client.get(f"/cases/{cid}")
        assert "Muy lento" in detail.text and "History" in detail.text
        token = _csrf(detail.text)
        # no CSRF token: refused, nothing changes
        assert client.post(f"/cases/{cid}/comment", data={"text": "x"}).status_code == 403
        r = client.post(
            f"/cases/{cid}/comment",
            data={"text": "Llamada hecha", "contact": "true", "csrf_token": token},
            follow_redirects=False,
        )
        assert r.status_code == 303 and r.headers["location"] == f"/cases/{cid}"
        r = client.post(
            f"/cases/{cid}/resolve",
            data={"note": "Resuelto", "category": "soporte", "csrf_token": token},
        )
        assert r.status_code == 200 and "Case resolved." in r.text
        es = client.get(f"/cases/{cid}?lang=es")
        assert "Resuelto" in es.text and "Historial" in es.text
        bad = client.post(f"/cases/{cid}/status", data={"status": "open", "csrf_token": token})
        assert "No se pudo" in bad.text
        resolved = client.get("/cases", params={"status": "resolved"})
        assert f'data-case-id="{cid}"' in resolved.text
        assert f'data-case-id="{cid}"' not in client.get("/cases").text  # default: open ones
    with store.session(f"sqlite:///{project / 'cxpulse.sqlite'}") as s:
        case = s.get(Case, cid)
        assert case is not None and case.status == "resolved" and case.category == "soporte"


def test_cases_api_conforms_to_its_openapi_spec(app, project) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from sqlalchemy import select

    url = f"sqlite:///{project / 'cxpulse.sqlite'}"
    _detractor(project)
    with store.session(url) as s:
        user = s.scalar(select(store.User).where(store.User.email == "agent@example.com"))
        token = store.create_api_token(s, user, "schemathesis")
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)
    checked = []
    for result in schema.include(path_regex=r"^/api/v1/cases").get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers)

        check()
        checked.append(operation.label)
    assert len(checked) == 9, checked
