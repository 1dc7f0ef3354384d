"""Login, sessions, CSRF and roles."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.webdata import PASSWORD, csrf_of, sign_in


def test_pages_redirect_to_login_without_a_session(anon: TestClient) -> None:
    for path in ("/", "/health", "/accounts", "/training"):
        response = anon.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


def test_api_answers_401_without_a_session(anon: TestClient) -> None:
    response = anon.get("/api/v1/overview", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert "authentication required" in response.json()["detail"]
    spanish = anon.get("/api/v1/overview", headers={"Accept-Language": "es"})
    assert "hace falta iniciar sesión" in spanish.json()["detail"]


def test_openapi_needs_login(anon: TestClient, admin: TestClient) -> None:
    assert anon.get("/openapi.json").status_code == 401
    spec = admin.get("/openapi.json").json()
    assert "/api/v1/overview" in spec["paths"]


def test_static_files_and_login_page_are_public(anon: TestClient) -> None:
    assert anon.get("/static/css/app.css").status_code == 200
    assert anon.get("/static/vendor/vega-embed-7.1.0.min.js").status_code == 200
    page = anon.get("/login")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text


def test_login_with_right_password_opens_the_overview(admin: TestClient) -> None:
    page = admin.get("/")
    assert page.status_code == 200
    assert "Ana Admin" in page.text
    assert 'data-metric="nps"' in page.text


def test_login_with_wrong_password_is_refused(anon: TestClient) -> None:
    token = csrf_of(anon.get("/login").text)
    response = anon.post(
        "/login",
        data={"email": "admin@example.com", "password": "wrong one!", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "incorrectos" in response.text
    assert anon.get("/", follow_redirects=False).status_code == 303


def test_login_without_csrf_token_is_rejected(anon: TestClient) -> None:
    anon.get("/login")
    response = anon.post(
        "/login",
        data={"email": "admin@example.com", "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert anon.get("/", follow_redirects=False).status_code == 303


def test_form_post_with_a_forged_csrf_token_is_rejected(admin: TestClient) -> None:
    response = admin.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 403
    assert admin.get("/", follow_redirects=False).status_code == 200


def test_logout_needs_the_token_and_ends_the_session(admin: TestClient) -> None:
    token = csrf_of(admin.get("/").text)
    response = admin.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert admin.get("/", follow_redirects=False).status_code == 303


def test_a_tampered_session_cookie_is_ignored(app, anon: TestClient) -> None:  # type: ignore[no-untyped-def]
    signed = sign_in(TestClient(app), "admin@example.com")
    cookie = signed.cookies.get("cxpulse_session")
    assert cookie
    anon.cookies.set("cxpulse_session", cookie[:-3] + "abc")
    assert anon.get("/", follow_redirects=False).status_code == 303


def test_login_redirect_never_leaves_the_site(anon: TestClient) -> None:
    token = csrf_of(anon.get("/login").text)
    response = anon.post(
        "/login",
        data={
            "email": "admin@example.com",
            "password": PASSWORD,
            "next": "https://evil.example/",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


def test_api_token_authenticates_without_csrf(app, project_dir) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from cxpulse import store

    url = f"sqlite:///{project_dir / 'cxpulse.sqlite'}"
    with store.session(url) as s:
        user = s.scalar(select(store.User).where(store.User.email == "analyst@example.com"))
        token = store.create_api_token(s, user, "tests")
    client = TestClient(app)
    response = client.get("/api/v1/overview", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    bad = client.get("/api/v1/overview", headers={"Authorization": "Bearer cxp_nope"})
    assert bad.status_code == 401


def test_pages_forbid_framing_and_sniffing(anon: TestClient) -> None:
    response = anon.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_an_expired_session_sends_back_to_login(app, anon: TestClient) -> None:  # type: ignore[no-untyped-def]
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    from cxpulse.web.session import COOKIE_NAME, MAX_AGE

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - MAX_AGE - 60

    serializer = URLSafeTimedSerializer(
        app.state.ctx.secret_key, salt="cxpulse.session", signer=SignedLongAgo
    )
    from cxpulse import store

    with store.session(app.state.ctx.store_engine()) as s:
        sid = store.open_session(s, 1)  # a live session on the server
    fresh = URLSafeTimedSerializer(app.state.ctx.secret_key, salt="cxpulse.session")
    anon.cookies.set(COOKIE_NAME, fresh.dumps({"sid": sid, "csrf_token": "x"}))
    assert anon.get("/health", follow_redirects=False).status_code == 200  # the same, in time
    stale = serializer.dumps({"sid": sid, "csrf_token": "x"})
    anon.cookies.set(COOKIE_NAME, stale)
    response = anon.get("/health", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/health"
