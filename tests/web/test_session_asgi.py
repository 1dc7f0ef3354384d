"""The session middleware: API calls with a bearer token carry no cookie; the token check
answers from the store's cache in the event loop, and revoking still applies at once."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from cxpulse import store
from cxpulse.web.session import COOKIE_NAME, SECURITY_HEADERS


def _token(project_dir: Path, name: str) -> tuple[str, int]:
    url = f"sqlite:///{project_dir / 'cxpulse.sqlite'}"
    with store.session(url) as s:
        user = s.scalar(select(store.User).where(store.User.email == "analyst@example.com"))
        token = store.create_api_token(s, user, name)
        token_id = max(t.id for t in store.list_api_tokens(s, user.id))
    return token, token_id


def test_bearer_api_calls_skip_the_cookie_but_keep_security_headers(app, project_dir) -> None:  # type: ignore[no-untyped-def]
    token, _ = _token(project_dir, "no-cookie")
    client = TestClient(app)
    for _ in range(3):  # the first asks the store, the next ones the token cache
        response = client.get("/api/v1/overview", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert "set-cookie" not in response.headers
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value
    refused = client.get("/api/v1/overview", headers={"Authorization": "Bearer cxp_wrong"})
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert "set-cookie" not in refused.headers
    assert COOKIE_NAME not in client.cookies


def test_a_remembered_token_needs_no_store_session(app, project_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.web import auth

    token, _ = _token(project_dir, "remembered")
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/overview", headers=headers).status_code == 200

    def no_store(*_args: object) -> None:
        raise AssertionError("the token cache should have answered")

    monkeypatch.setattr(auth, "_load_user", no_store)
    assert client.get("/api/v1/overview", headers=headers).status_code == 200


def test_pages_still_get_a_signed_session_cookie(anon: TestClient) -> None:
    first = anon.get("/login")
    assert COOKIE_NAME in first.headers["set-cookie"]
    again = anon.get("/login")  # unchanged session, cookie already sent: not rewritten
    assert "set-cookie" not in again.headers
    assert again.headers["x-frame-options"] == "DENY"


def test_a_revoked_token_stops_at_once_despite_the_cache(app, project_dir) -> None:  # type: ignore[no-untyped-def]
    token, token_id = _token(project_dir, "revoke-me")
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/overview", headers=headers).status_code == 200
    assert client.get("/api/v1/overview", headers=headers).status_code == 200  # cached
    url = f"sqlite:///{project_dir / 'cxpulse.sqlite'}"
    with store.session(url) as s:
        assert store.revoke_api_token(s, token_id)
    assert client.get("/api/v1/overview", headers=headers).status_code == 401
