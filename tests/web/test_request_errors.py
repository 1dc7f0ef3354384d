"""Invalid requests answer 422 in the asker's language with FastAPI's structure, and paging
parameters out of range are refused, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ES = {"Accept-Language": "es-ES,es;q=0.9"}
EN = {"Accept-Language": "en"}

# Every list of the API and of the pages that takes paging parameters.
PAGED = [
    ("/api/v1/responses", "offset"),
    ("/api/v1/responses", "limit"),
    ("/api/v1/cases", "offset"),
    ("/api/v1/cases", "limit"),
    ("/api/v1/accounts", "limit"),
    ("/api/v1/health/at-risk", "limit"),
    ("/api/v1/auth-events", "limit"),
    ("/accounts", "page"),
    ("/cases", "page"),
    ("/health", "page"),
]


def _english_pydantic(text: str) -> bool:
    return any(w in text for w in ("Input should", "Field required", "valid integer", "less than"))


@pytest.mark.parametrize(("path", "param"), PAGED)
@pytest.mark.parametrize("value", [10**20, -1, "abc", 2**63])
def test_paging_out_of_range_is_refused_in_spanish(
    admin: TestClient, path: str, param: str, value: object
):
    r = admin.get(path, params={param: value}, headers=ES)
    assert r.status_code < 500, (path, param, value, r.text[:500])
    if path.startswith("/api/") and r.status_code == 422:
        (error,) = r.json()["detail"]
        assert error["loc"] == ["query", param] and error["type"]
        assert not _english_pydantic(error["msg"]) and error["msg"].startswith("Debe ser"), error


def test_huge_offset_of_responses_is_a_clear_422(admin: TestClient):
    r = admin.get("/api/v1/responses", params={"offset": 10**20}, headers=ES)
    assert r.status_code == 422
    (error,) = r.json()["detail"]
    assert error == {
        "loc": ["query", "offset"],
        "msg": "Debe ser menor o igual que 2.147.483.647.",
        "type": "less_than_equal",
    }
    r = admin.get("/api/v1/responses", params={"offset": 10**20, "lang": "en"}, headers=EN)
    assert r.json()["detail"][0]["msg"] == "Must be less than or equal to 2,147,483,647."


@pytest.fixture(scope="module")
def admin_token(project_dir: Path) -> str:
    from sqlalchemy import select

    from cxpulse import store

    with store.session(f"sqlite:///{project_dir / 'cxpulse.sqlite'}") as s:
        user = s.scalar(select(store.User).where(store.User.email == "admin@example.com"))
        return store.create_api_token(s, user, "request errors")


def test_wrong_types_in_a_json_body_are_explained_in_spanish(anon: TestClient, admin_token: str):
    body = {"account_id": "A1", "title": "x", "sla_hours": "soon", "priority": "asap", "x": 1}
    headers = {**ES, "Authorization": f"Bearer {admin_token}"}
    r = anon.post("/api/v1/cases", json=body, headers=headers)
    assert r.status_code == 422, r.text
    found = {tuple(e["loc"]): (e["msg"], e["type"]) for e in r.json()["detail"]}
    assert found == {
        ("body", "sla_hours"): ("Debe ser un número.", "float_parsing"),
        ("body", "priority"): (
            "Debe ser uno de estos valores: 'low', 'normal', 'high' o 'urgent'.",
            "literal_error",
        ),
        ("body", "x"): ("Este campo no se admite.", "extra_forbidden"),
    }, found
    english = anon.post("/api/v1/cases", json=body, headers={**headers, **EN}).json()
    assert {e["msg"] for e in english["detail"]} >= {"This field is not allowed."}


def test_a_body_that_is_not_json_is_explained_in_spanish(anon: TestClient, admin_token: str):
    headers = {**ES, "Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"}
    r = anon.post("/api/v1/cases", content=b'{"account_id": ', headers=headers)
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "El cuerpo no es un JSON válido."
    assert r.json()["detail"][0]["type"] == "json_invalid"


def test_a_nul_byte_in_a_query_is_explained_in_spanish(analyst: TestClient):
    r = analyst.get("/api/v1/metrics", params={"metric": "nps\x00"}, headers=ES)
    assert r.status_code in (400, 422), r.text
    text = str(r.json()["detail"])
    assert not _english_pydantic(text), text
