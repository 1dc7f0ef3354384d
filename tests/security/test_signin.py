"""Sign-in is throttled per account and per client, logged, and sessions end on the server."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from cxpulse import store
from cxpulse.web import create_app
from tests.security.conftest import (
    LiveServer,
    csrf_of,
    new_user,
    sign_in_attempt,
    signed_in,
    store_url_of,
)
from tests.web.webdata import PASSWORD


def _events(project: Path, kind: str, email: str) -> int:
    with store.session(store_url_of(project)) as s:
        return sum(1 for e in store.recent_events(s, limit=1000, kind=kind) if e.email == email)


def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(
    live: LiveServer, sec_project: Path
) -> None:
    email = "target1@example.com"
    new_user(sec_project, email)
    client = httpx.Client(base_url=live.url, timeout=30)
    codes = [sign_in_attempt(client, email, f"wrong {i}").status_code for i in range(50)]
    assert codes[:4] == [401] * 4  # mistakes are allowed...
    assert set(codes[4:]) == {429}  # ...the fifth locks; then no password is even checked
    answer = sign_in_attempt(client, email, PASSWORD)
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 60
    assert "Demasiados intentos" in answer.text  # the project speaks Spanish
    assert _events(sec_project, "signin_failed", email) == 5
    assert _events(sec_project, "lockout", email) == 1
    # another account from the same client is not locked by this one's failures
    assert sign_in_attempt(client, "analyst@example.com", PASSWORD).status_code == 303


def test_one_client_guessing_many_accounts_is_locked_out(sec_project: Path) -> None:
    server = LiveServer(create_app(sec_project)).start()  # a guard of its own
    try:
        client = httpx.Client(base_url=server.url, timeout=30)
        codes = [
            sign_in_attempt(client, f"nobody{i}@example.com", "guess").status_code
            for i in range(31)
        ]
        assert codes[:29] == [401] * 29 and codes[29:] == [429, 429]
        # the right password of a real user from this client waits too
        assert sign_in_attempt(client, "admin@example.com", PASSWORD).status_code == 429
    finally:
        server.stop()


def test_admins_see_the_auth_events(live: LiveServer, sec_project: Path) -> None:
    email = "target2@example.com"
    new_user(sec_project, email)
    client = httpx.Client(base_url=live.url, timeout=30)
    assert sign_in_attempt(client, email, "wrong password").status_code == 401
    admin = signed_in(live.url, "admin@example.com")
    page = admin.get("/admin/users")
    assert page.status_code == 200
    assert 'data-kind="signin_failed"' in page.text and email in page.text
    events = admin.get("/api/v1/auth-events", params={"kind": "signin_failed"}).json()
    assert any(e["email"] == email for e in events)
    analyst = signed_in(live.url, "analyst@example.com")
    assert analyst.get("/api/v1/auth-events").status_code == 403


def test_a_cookie_saved_before_logout_opens_nothing(live: LiveServer, sec_project: Path) -> None:
    email = "leaver@example.com"
    new_user(sec_project, email, role="admin")
    client = signed_in(live.url, email)
    saved = dict(client.cookies)
    home = client.get("/admin/users")
    assert home.status_code == 200
    token = csrf_of(home.text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    thief = httpx.Client(base_url=live.url, cookies=saved, timeout=30)
    assert thief.get("/admin/users").status_code == 303  # back to the login page
    minted = thief.post("/api/v1/tokens", json={"name": "stolen"}, headers={"X-CSRF-Token": token})
    assert minted.status_code == 401
    assert _events(sec_project, "signout", "") == 0  # sign-outs carry the user id, not e-mail


def test_password_change_ends_every_other_session(live: LiveServer, sec_project: Path) -> None:
    email = "changer@example.com"
    new_user(sec_project, email)
    here = signed_in(live.url, email)
    elsewhere = signed_in(live.url, email)
    form = here.get("/me/password")
    assert form.status_code == 200
    new = "a brand new passphrase"
    wrong = here.post(
        "/me/password",
        data={"csrf_token": csrf_of(form.text), "current": "nope", "new": new, "confirm": new},
    )
    assert wrong.status_code == 400 and "actual no es correcta" in wrong.text
    changed = here.post(
        "/me/password",
        data={"csrf_token": csrf_of(wrong.text), "current": PASSWORD, "new": new, "confirm": new},
    )
    assert changed.status_code == 303
    assert here.get("/health").status_code == 200  # the one who changed it stays in
    assert elsewhere.get("/health").status_code == 303  # the other browser is out
    client = httpx.Client(base_url=live.url, timeout=30)
    assert sign_in_attempt(client, email, PASSWORD).status_code == 401
    assert sign_in_attempt(client, email, new).status_code == 303
    assert _events(sec_project, "password_changed", email) == 1


def test_deactivation_ends_sessions_and_tokens_and_admins_revoke_any_token(
    live: LiveServer, sec_project: Path
) -> None:
    email = "quitter@example.com"
    user_id = new_user(sec_project, email)
    browser = signed_in(live.url, email)
    with store.session(store_url_of(sec_project)) as s:
        plain = store.create_api_token(s, user_id, "job")
        spare = store.create_api_token(s, user_id, "spare")
    bearer = httpx.Client(
        base_url=live.url, headers={"Authorization": f"Bearer {plain}"}, timeout=30
    )
    assert bearer.get("/api/v1/tokens").status_code == 200
    admin = signed_in(live.url, "admin@example.com")
    page = admin.get("/admin/users")
    off = admin.post(
        f"/admin/users/{user_id}/active", data={"csrf_token": csrf_of(page.text), "active": "0"}
    )
    assert off.status_code == 303
    assert browser.get("/health").status_code == 303
    assert bearer.get("/api/v1/tokens").status_code == 401
    on = admin.post(
        f"/admin/users/{user_id}/active", data={"csrf_token": csrf_of(page.text), "active": "1"}
    )
    assert on.status_code == 303
    assert bearer.get("/api/v1/tokens").status_code == 200
    # an admin revokes someone else's token through the API
    tokens = admin.get("/api/v1/admin/tokens").json()
    mine = [t for t in tokens if t["user_email"] == email]
    assert len(mine) == 2 and all(t["expires_at"] for t in mine)
    job = next(t for t in mine if t["name"] == "job")
    assert job["last_used_at"] is not None  # the token's last use is recorded
    revoked = admin.delete(
        f"/api/v1/tokens/{job['id']}", headers={"X-CSRF-Token": csrf_of(page.text)}
    )
    assert revoked.status_code == 204
    assert bearer.get("/api/v1/tokens").status_code == 401
    assert _events(sec_project, "token_used", email) >= 1
    assert _events(sec_project, "user_deactivated", email) == 1
    spare_client = httpx.Client(
        base_url=live.url, headers={"Authorization": f"Bearer {spare}"}, timeout=30
    )
    assert spare_client.get("/api/v1/tokens").status_code == 200


def test_tokens_expire(live: LiveServer, sec_project: Path) -> None:
    from datetime import timedelta

    user_id = new_user(sec_project, "shortlived@example.com")
    with store.session(store_url_of(sec_project)) as s:
        plain = store.create_api_token(s, user_id, "brief", expires_in=timedelta(seconds=1.5))
    bearer = httpx.Client(
        base_url=live.url, headers={"Authorization": f"Bearer {plain}"}, timeout=30
    )
    assert bearer.get("/api/v1/tokens").status_code == 200
    time.sleep(1.6)
    assert bearer.get("/api/v1/tokens").status_code == 401  # the cache does not outlive it


def test_a_huge_token_id_is_refused_not_a_server_error(live: LiveServer) -> None:
    admin = signed_in(live.url, "admin@example.com")
    csrf = csrf_of(admin.get("/admin/users").text)
    answer = admin.delete(f"/api/v1/tokens/{10**30}", headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 422
    assert admin.post(f"/admin/tokens/{10**30}/revoke", data={"csrf_token": csrf}).status_code in (
        404,
        422,
    )
