"""Bodies are bounded before parsing; pages carry the security headers and run no inline script."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import httpx

from cxpulse import store
from tests.security.conftest import LiveServer, signed_in, store_url_of


def _raw(live: LiveServer, head: str, body_chunks: list[bytes]) -> tuple[int, float]:
    """Send a request over a plain socket; the status line and how long the answer took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", live.port), timeout=20) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped listening early: what we want
        answer = sock.recv(4096)
    status = int(answer.split(b" ", 2)[1])
    return status, time.monotonic() - started


def test_a_250_mb_sign_in_is_refused_from_its_length_alone(live: LiveServer) -> None:
    head = (
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {250 * 1024 * 1024}\r\n\r\n"
    )
    status, took = _raw(live, head, [b"email=a"])
    assert status == 413
    assert took < 2


def test_a_streamed_body_without_length_is_cut_at_the_limit(live: LiveServer) -> None:
    head = (
        "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"a" * 8192
    frames = [f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(64)]  # 512 KB
    status, _ = _raw(live, head, frames)
    assert status == 413


def test_big_and_deeply_nested_json_are_refused(live: LiveServer, sec_project: Path) -> None:
    with store.session(store_url_of(sec_project)) as s:
        from sqlalchemy import select

        user = s.scalar(select(store.User).where(store.User.email == "admin@example.com"))
        plain = store.create_api_token(s, user, "limits")
    api = httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {plain}"}, timeout=30)
    deep = api.post(
        "/api/v1/surveys",
        content=b"[" * 10_000 + b"]" * 10_000,
        headers={"content-type": "application/json"},
    )
    assert deep.status_code == 400 and deep.json()["key"] == "sec.body.too_deep"
    big = api.post(
        "/api/v1/surveys",
        content=b'{"slug": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 413


def test_uploads_have_their_own_configurable_limit() -> None:
    from cxpulse.web.protection import MIB, BodyLimitMiddleware, default_rules

    guard = BodyLimitMiddleware(None, rules=default_rules(upload_limit=300 * MIB))  # type: ignore[arg-type]
    assert guard.limit_for("POST", "/api/v1/tables/accounts") == 300 * MIB
    assert guard.limit_for("POST", "/login") == 16 * 1024
    assert guard.limit_for("POST", "/api/v1/surveys") == 1024 * 1024


SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_pages_send_a_strict_csp_and_run_no_inline_script(live: LiveServer) -> None:
    admin = signed_in(live.url, "admin@example.com")
    for path in ("/", "/health", "/accounts", "/admin/users", "/me/password", "/api/docs"):
        page = admin.get(path)
        assert page.status_code == 200, path
        csp = page.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
        for attrs in SCRIPT.findall(page.text):
            assert "src=" in attrs or 'type="application/json"' in attrs, (path, attrs)
        assert not HANDLER.search(page.text), path
        assert "cdn" not in page.text.lower(), path


def test_swagger_ui_is_served_from_the_package(live: LiveServer) -> None:
    admin = signed_in(live.url, "admin@example.com")
    page = admin.get("/api/docs").text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/static/") for s in sources)
    for source in sources:
        assert admin.get(source).status_code == 200, source


def test_cookies_are_secure_behind_https(sec_project: Path) -> None:
    from cxpulse.web import create_app

    direct = LiveServer(create_app(sec_project, https_only=True)).start()
    proxied = LiveServer(
        create_app(sec_project), proxy_headers=True, forwarded_allow_ips="127.0.0.1"
    ).start()
    try:
        cookie = httpx.get(direct.url + "/login").headers["set-cookie"].lower()
        assert "secure" in cookie
        answer = httpx.get(proxied.url + "/login", headers={"X-Forwarded-Proto": "https"})
        assert "secure" in answer.headers["set-cookie"].lower()
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        plain = httpx.get(proxied.url + "/login")
        assert "secure" not in plain.headers["set-cookie"].lower()
    finally:
        direct.stop()
        proxied.stop()
