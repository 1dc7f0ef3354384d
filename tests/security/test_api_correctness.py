"""The 500s hostile input used to cause are clear 4xx answers; unknown fields are refused;
idempotency keys belong to their user; agents cannot fetch what they cannot export."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from cxpulse import collect, store
from tests.security.conftest import LiveServer, store_url_of


def _api(live: LiveServer, project: Path, email: str) -> httpx.Client:
    with store.session(store_url_of(project)) as s:
        user = s.scalar(select(store.User).where(store.User.email == email))
        plain = store.create_api_token(s, user, "api test")
    return httpx.Client(
        base_url=live.url,
        headers={"Authorization": f"Bearer {plain}", "Accept-Language": "en"},
        timeout=60,
    )


@pytest.fixture(scope="module")
def analyst_api(live: LiveServer, sec_project: Path) -> httpx.Client:
    return _api(live, sec_project, "analyst@example.com")


@pytest.mark.parametrize(
    ("path", "status", "said"),
    [
        ("/api/v1/metrics?metric=nps&by=segment&by=segment", 400, "more than once"),
        ("/api/v1/metrics/explain?metric=nps&by=segment&by=segment", 400, "more than once"),
        ("/api/v1/metrics?metric=nps&end=9999-12-31", 400, "9998-12-31"),
        ("/api/v1/metrics?metric=nps&start=0", 422, "YYYY-MM-DD"),
        ("/api/v1/metrics/compare?metric=nps&period=9999-12&vs=9999-11", 400, "'9999-12'"),
        ("/api/v1/metrics/compare?metric=nps&period=9999-W52&vs=2026", 400, "'9999-W52'"),
        ("/api/v1/metrics/compare?metric=nps&period=10000&vs=2026", 422, "pattern"),
        ("/api/v1/health/at-risk?limit=-1", 422, "greater than or equal"),
    ],
)
def test_hostile_queries_get_a_clear_client_error(
    analyst_api: httpx.Client, path: str, status: int, said: str
) -> None:
    answer = analyst_api.get(path)
    assert answer.status_code == status, answer.text
    assert said in answer.text


def test_a_normal_query_still_answers(analyst_api: httpx.Client) -> None:
    answer = analyst_api.get("/api/v1/metrics", params={"metric": "nps", "by": "segment"})
    assert answer.status_code == 200 and answer.json()["rows"]


def test_unknown_body_fields_are_refused_everywhere(analyst_api: httpx.Client) -> None:
    survey = analyst_api.post("/api/v1/surveys", json={"slug": "s-x", "kind": "nps", "colour": 1})
    assert survey.status_code == 422
    assert survey.json()["detail"][0]["loc"] == ["body", "colour"]
    created = analyst_api.post("/api/v1/surveys", json={"slug": "s-ok", "kind": "nps"})
    assert created.status_code == 201
    invite = analyst_api.post(
        "/api/v1/surveys/s-ok/invitations",
        json={"contacts": [{"account_id": "A001", "nickname": "x"}]},
    )
    assert invite.status_code == 422 and "nickname" in invite.text
    answer = analyst_api.post(
        "/api/v1/responses",
        json={"survey": "s-ok", "score": 9, "account_id": "A001", "mood": "happy"},
    )
    assert answer.status_code == 422 and "mood" in answer.text
    token = analyst_api.post("/api/v1/tokens", json={"name": "t", "forever": True})
    assert token.status_code == 422


def test_idempotency_keys_belong_to_their_user(
    live: LiveServer, sec_project: Path, analyst_api: httpx.Client
) -> None:
    admin_api = _api(live, sec_project, "admin@example.com")
    with store.session(store_url_of(sec_project)) as s:
        if s.scalar(select(store.Survey).where(store.Survey.slug == "s-idem")) is None:
            collect.create_survey(s, "s-idem", "nps")
    body = {"survey": "s-idem", "score": 9, "account_id": "A001"}
    key = {"Idempotency-Key": "same-key-1"}
    first = analyst_api.post("/api/v1/responses", json=body, headers=key)
    assert first.status_code == 201
    assert analyst_api.post("/api/v1/responses", json=body, headers=key).status_code == 200
    # the same key from another user is a new answer, not a replay of the analyst's
    other = admin_api.post("/api/v1/responses", json={**body, "score": 3}, headers=key)
    assert other.status_code == 201, other.text
    assert other.json()["id"] != first.json()["id"]


def test_agents_cannot_fetch_the_at_risk_list_they_cannot_export(
    live: LiveServer, sec_project: Path, analyst_api: httpx.Client
) -> None:
    agent_api = _api(live, sec_project, "agent@example.com")
    assert agent_api.get("/api/v1/health/at-risk").status_code == 403
    assert agent_api.get("/health/at-risk.csv").status_code == 403
    assert analyst_api.get("/api/v1/health/at-risk").status_code == 200


def test_survey_scale_is_valid_openapi_31(analyst_api: httpx.Client) -> None:
    import schemathesis

    spec = analyst_api.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(spec).validate()  # the OpenAPI 3.1 meta-schema
    scale = spec["components"]["schemas"]["SurveyPublic"]["properties"]["scale"]
    assert scale["type"] == "array" and scale["minItems"] == scale["maxItems"] == 2
