"""Uploads (page and API), the jobs admin page, /healthz, /readyz and /metrics."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from cxpulse import Workspace
from tests.ops.conftest import bank_accounts
from tests.web.webdata import add_users, csrf_of, make_project, sign_in


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CXPULSE_WORKSPACE_URL", "CXPULSE_DATABASE_URL", "CXPULSE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    project = make_project(tmp_path / "proj", None)
    add_users(project)
    return project


@pytest.fixture
def app(folder: Path) -> Iterator[object]:
    from cxpulse.web import create_app

    yield create_app(folder)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def _count(folder: Path, table: str) -> int:
    with Workspace.open(folder) as ws:
        return ws.count(table)


def test_api_loads_a_file_through_the_same_validation_as_the_cli(
    app: object, folder: Path, shared_data: Path
) -> None:
    accounts = bank_accounts(shared_data, 60)
    client = sign_in(TestClient(app), "analyst@example.com")  # type: ignore[arg-type]
    token_page = client.get("/upload")
    headers = {"X-CSRF-Token": csrf_of(token_page.text)}
    ok = client.post(
        "/api/v1/tables/accounts",
        files={"file": ("accounts.csv", _csv(accounts), "text/csv")},
        headers=headers,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["inserted"] == accounts["account_id"].nunique() == 60
    assert _count(folder, "accounts") == 60

    bad = bank_accounts(shared_data, 80)
    bad.loc[70, "start_date"] = "31/31/2020"
    bad.loc[75, "account_id"] = None
    rejected = client.post(
        "/api/v1/tables/accounts",
        files={"file": ("more.csv", _csv(bad), "text/csv")},
        headers={**headers, "Accept-Language": "es"},
    )
    assert rejected.status_code == 422
    body = rejected.json()
    where = {(p["row"], p["column"]) for p in body["problems"]}
    assert {c for _, c in where} == {"start_date", "account_id"}
    # the same problems, at the same places, as loading the file with the library (the CLI)
    from cxpulse.errors import ValidationError

    path = folder / "more.csv"
    path.write_bytes(_csv(bad))
    with Workspace.open(folder) as ws, pytest.raises(ValidationError) as direct:
        ws.load("accounts", path)
    assert where == {(p.row, p.column) for p in direct.value.problems}
    assert _count(folder, "accounts") == 60  # nothing written

    agent = sign_in(TestClient(app), "agent@example.com")  # type: ignore[arg-type]
    page = agent.get("/")
    refused = agent.post(
        "/api/v1/tables/accounts",
        files={"file": ("a.csv", _csv(accounts), "text/csv")},
        headers={"X-CSRF-Token": csrf_of(page.text) if "csrf_token" in page.text else ""},
    )
    assert refused.status_code == 403


def test_upload_page_shows_the_problems_in_the_users_language(
    app: object, folder: Path, shared_data: Path
) -> None:
    client = sign_in(TestClient(app), "analyst@example.com")  # type: ignore[arg-type]
    bad = bank_accounts(shared_data, 10)
    bad.loc[3, "start_date"] = "mañana"
    for lang, header, word in (("es", "Problema", "rechazado"), ("en", "Problem", "rejected")):
        page = client.get(f"/upload?lang={lang}")
        response = client.post(
            "/upload",
            data={"table": "accounts", "csrf_token": csrf_of(page.text)},
            files={"file": ("cuentas.csv", _csv(bad), "text/csv")},
        )
        assert response.status_code == 422
        assert f"<th>{header}</th>" in response.text and word in response.text
        assert "mañana" in response.text
    assert _count(folder, "accounts") == 0
    page = client.get("/upload")
    good = client.post(
        "/upload",
        data={"table": "accounts", "csrf_token": csrf_of(page.text)},
        files={"file": ("cuentas.csv", io.BytesIO(_csv(bank_accounts(shared_data, 10))),
                        "text/csv")},
    )  # fmt: skip
    assert good.status_code == 200 and "10" in good.text
    assert _count(folder, "accounts") == 10


def test_jobs_page_lists_jobs_and_runs_one_for_admins_only(app: object, folder: Path) -> None:
    import time

    from cxpulse.jobs import history

    admin = sign_in(TestClient(app), "admin@example.com")  # type: ignore[arg-type]
    page = admin.get("/admin/jobs?lang=en")
    assert page.status_code == 200 and "model_check" in page.text and "No runs yet." in page.text
    done = admin.post("/admin/jobs/deliver/run", data={"csrf_token": csrf_of(page.text)},
                      follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    url = f"sqlite:///{folder / 'cxpulse.sqlite'}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not [r for r in history(url) if r.outcome == "ok"]:
        time.sleep(0.2)
    assert [(r.job, r.outcome, r.trigger) for r in history(url)] == [("deliver", "ok", "manual")]
    assert "manual" in admin.get("/admin/jobs?lang=en").text
    analyst = sign_in(TestClient(app), "analyst@example.com")  # type: ignore[arg-type]
    assert analyst.get("/admin/jobs").status_code == 403


def test_health_readiness_and_prometheus_metrics(app: object) -> None:
    client = TestClient(app)  # type: ignore[arg-type]
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"store": "ok", "workspace": "ok"}
    client.get("/login")
    text = client.get("/metrics").text
    assert 'cxpulse_http_request_duration_seconds_count{method="GET",route="/login"' in text
    assert "cxpulse_answers_stored_total 0.0" in text
