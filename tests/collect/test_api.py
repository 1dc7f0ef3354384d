"""HTTP API: ingestion with API tokens and idempotency keys, surveys, invitations, tokens."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cxpulse import store
from cxpulse.config import Settings
from cxpulse.web import create_app

SECRET = "k" * 40


@pytest.fixture
def api(
    store_url: str, nps_survey: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, str]]:
    monkeypatch.setenv("CXPULSE_BASE_URL", "https://cx.example")
    settings = Settings(
        database_url=store_url,
        workspace_url=f"duckdb:///{tmp_path / 'ws.duckdb'}",
        secret_key=SECRET,
    )
    with store.session(store_url) as s:
        user = store.create_user(s, "bot@example.com", "password-123", "analyst")
        token = store.create_api_token(s, user, "ingest")
        agent = store.create_user(s, "agent@example.com", "password-123", "agent")
        agent_token = store.create_api_token(s, agent, "no rights")
    app = create_app(tmp_path, settings=settings)
    # an English-speaking client: error details follow Accept-Language
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client, agent_token


def _post(client: TestClient, body: Any, key: str | None = None, raw: bytes | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    content = raw if raw is not None else json.dumps(body).encode()
    return client.post("/api/v1/responses", content=content, headers=headers)


GOOD = {"survey": "nps-rel", "score": 2, "account_id": "acme", "comment": "Lento"}


def test_post_answer_is_stored_and_acknowledged_with_201(
    api: tuple[TestClient, str], stored: Callable[[], int]
) -> None:
    client, _ = api
    r = _post(client, GOOD, key="a-1")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["response_id"] == f"op-{body['id']}"
    assert (body["score"], body["kind"], body["survey"], body["source"]) == (
        2,
        "nps",
        "nps-rel",
        "api",
    )
    assert stored() == 1
    listed = client.get("/api/v1/responses", params={"survey": "nps-rel"}).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]


def test_same_key_same_body_replays_and_different_body_conflicts(
    api: tuple[TestClient, str], stored: Callable[[], int]
) -> None:
    client, _ = api
    first = _post(client, GOOD, key="k-7")
    again = _post(client, GOOD, key="k-7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = _post(client, {**GOOD, "score": 10}, key="k-7")
    assert other.status_code == 409
    assert "k-7" in other.json()["detail"]
    assert stored() == 1


@pytest.mark.parametrize(
    ("body", "raw", "status", "fragment"),
    [
        ({**GOOD, "score": 11}, None, 422, "outside the NPS scale"),
        ({**GOOD, "survey": "nope"}, None, 404, "no survey 'nope'"),
        ({**GOOD, "comment": "x" * 5001}, None, 422, "comment"),
        ({**GOOD, "score": "10"}, None, 422, "score"),
        (None, b'{"survey": "nps-rel", "score": 9,', 400, "malformed JSON at line 1"),
        (None, b"", 400, "empty"),
        (None, b"[1, 2]", 422, "JSON object"),
    ],
)
def test_invalid_input_gets_a_clear_4xx_and_stores_nothing(
    api: tuple[TestClient, str],
    stored: Callable[[], int],
    body: Any,
    raw: bytes | None,
    status: int,
    fragment: str,
) -> None:
    client, _ = api
    r = _post(client, body, key="x", raw=raw)
    assert r.status_code == status, r.text
    assert fragment in r.json()["detail"]
    assert stored() == 0


def test_ingestion_needs_a_valid_token_with_the_right_role(
    api: tuple[TestClient, str], stored: Callable[[], int]
) -> None:
    client, agent_token = api
    anonymous = client.post(
        "/api/v1/responses", json=GOOD, headers={"Authorization": "Bearer cxp_wrong"}
    )
    assert anonymous.status_code == 401
    agent = client.post(
        "/api/v1/responses", json=GOOD, headers={"Authorization": f"Bearer {agent_token}"}
    )
    assert agent.status_code == 403
    assert stored() == 0


def test_survey_created_and_invited_through_the_api(api: tuple[TestClient, str]) -> None:
    client, _ = api
    made = client.post("/api/v1/surveys", json={"slug": "ces-app", "kind": "ces", "language": "en"})
    assert made.status_code == 201, made.text
    assert made.json()["scale"] == [1, 7]
    assert (
        client.post("/api/v1/surveys", json={"slug": "ces-app", "kind": "ces"}).status_code == 409
    )
    assert client.post("/api/v1/surveys", json={"slug": "x", "kind": "stars"}).status_code == 422
    inv = client.post(
        "/api/v1/surveys/ces-app/invitations",
        json={
            "contacts": [{"account_id": "acme", "email": "a@acme.example"}, {"account_id": "beta"}]
        },
    )
    assert inv.status_code == 201, inv.text
    links = [i["url"] for i in inv.json()["invitations"]]
    assert len(links) == 2 and all(u.startswith("https://cx.example/s/") for u in links)
    assert client.get("/api/v1/surveys/nope").status_code == 404
    closed = client.patch("/api/v1/surveys/ces-app", json={"active": False})
    assert closed.json()["active"] is False


def test_tokens_are_shown_once_listed_without_secret_and_revocable(
    api: tuple[TestClient, str],
) -> None:
    client, _ = api
    made = client.post("/api/v1/tokens", json={"name": "import job"})
    assert made.status_code == 201
    secret = made.json()["token"]
    listed = client.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"ingest", "import job"}
    assert secret not in json.dumps(listed)
    ok = client.post("/api/v1/responses", json=GOOD, headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 201
    assert client.delete(f"/api/v1/tokens/{made.json()['id']}").status_code == 204
    gone = client.post(
        "/api/v1/responses", json=GOOD, headers={"Authorization": f"Bearer {secret}"}
    )
    assert gone.status_code == 401


def test_answer_reaches_the_workspace_within_seconds(api: tuple[TestClient, str]) -> None:
    import time

    client, _ = api
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    assert _post(client, {**GOOD, "score": 9}, key="fresh").status_code == 201
    posted = time.monotonic()
    count = 0
    while time.monotonic() - posted < 10:
        with ctx.workspace_lock:
            count = ctx.workspace.count("responses")
        if count:
            break
        time.sleep(0.2)
    assert count == 1
    assert time.monotonic() - posted < 6


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({**GOOD, "comment": "nul\x00byte"}, "NUL"),
        ({**GOOD, "account_id": "a\x00"}, "NUL"),
        ({**GOOD, "responded_at": "0001-01-01T00:00:00+14:00"}, "before 1970"),
        ({**GOOD, "responded_at": "2999-01-01T00:00:00Z"}, "future"),
    ],
)
def test_hostile_values_get_a_4xx_not_a_server_error(
    api: tuple[TestClient, str], stored: Callable[[], int], body: Any, fragment: str
) -> None:
    client, _ = api
    r = _post(client, body, key="hostile")
    assert r.status_code == 422, r.text
    assert fragment in r.json()["detail"]
    assert client.get("/api/v1/surveys/99999999999999999999").status_code == 404
    assert client.get("/api/v1/surveys/nps%00rel").status_code == 404
    assert client.get("/api/v1/responses", params={"account_id": "a\x00"}).status_code == 422
    made = client.post(
        "/api/v1/surveys", json={"slug": "ok-slug", "kind": "nps", "touchpoint": "x\x00"}
    )
    assert made.status_code == 422, made.text  # the request schema refuses NUL characters
    assert made.json()["detail"][0]["loc"] == ["body", "touchpoint"]
    assert stored() == 0
