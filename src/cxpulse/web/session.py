"""The signed session cookie and the gate in front of every page.

The cookie holds the signed-in user's id, a CSRF token and pending flash messages; it is
signed (itsdangerous) with the project's secret and expires after :data:`MAX_AGE` seconds.
Nothing but the public survey pages (``/s/...``), static files and the login page answers
without a signed-in user (or an API token in ``Authorization: Bearer``).
"""

from __future__ import annotations

import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp

COOKIE_NAME = "cxpulse_session"
MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
PUBLIC_PREFIXES = ("/s/", "/static/", "/login", "/favicon.ico")
ROLES = ("admin", "analyst", "agent")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class SignedInUser:
    """Who is making a request (from the session cookie or an API token)."""

    id: int
    email: str
    role: str
    name: str | None = None
    via_token: bool = False

    @property
    def display_name(self) -> str:
        return self.name or self.email


def is_public(path: str) -> bool:
    """Whether ``path`` answers without a signed-in user."""
    return path == "/s" or any(path.startswith(p) for p in PUBLIC_PREFIXES)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one a form sent."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def session_of(request: Request) -> dict[str, Any]:
    """The mutable session dict of a request (set by :class:`SessionMiddleware`)."""
    data: dict[str, Any] = request.scope.setdefault("cxpulse.session", {})
    return data


def flash(request: Request, message_key: str, kind: str = "info", **values: Any) -> None:
    """Queue a message (a locale key) shown once on the next page."""
    session_of(request).setdefault("flash", []).append(
        {"key": message_key, "kind": kind, "values": values}
    )


def pop_flashes(request: Request) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = session_of(request).pop("flash", [])
    return messages


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


class SessionMiddleware(BaseHTTPMiddleware):
    """Load and save the signed session; send anonymous visitors to the login page."""

    def __init__(self, app: ASGIApp, secret_key: str, *, https_only: bool = False) -> None:
        super().__init__(app)
        self.serializer = URLSafeTimedSerializer(secret_key, salt="cxpulse.session")
        self.https_only = https_only

    def _load(self, request: Request) -> dict[str, Any]:
        raw = request.cookies.get(COOKIE_NAME)
        if not raw:
            return {}
        try:
            data = self.serializer.loads(raw, max_age=MAX_AGE)
        except BadSignature:  # expired or forged: start over as anonymous
            return {}
        return data if isinstance(data, dict) else {}

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        session = self._load(request)
        if CSRF_FIELD not in session:
            session[CSRF_FIELD] = new_csrf_token()
        before = json.dumps(session, sort_keys=True)
        request.scope["cxpulse.session"] = session

        from cxpulse.web.auth import resolve_user

        user = await resolve_user(request)
        request.scope["cxpulse.user"] = user
        if user is None and not is_public(request.url.path):
            if _wants_json(request):
                response: Response = JSONResponse(
                    {"detail": "authentication required: sign in or send an API token"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            else:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                from urllib.parse import quote

                response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        else:
            response = await call_next(request)

        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        session = request.scope["cxpulse.session"]
        if session.get("_clear"):
            response.delete_cookie(COOKIE_NAME, path="/")
        elif json.dumps(session, sort_keys=True) != before or COOKIE_NAME not in request.cookies:
            response.set_cookie(
                COOKIE_NAME,
                self.serializer.dumps(session),
                max_age=MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=self.https_only,
                path="/",
            )
        return response
