"""The signed session cookie and the gate in front of every page.

The cookie holds the id of a server-side session (:mod:`cxpulse.store.sessions`), a CSRF
token and pending flash messages; it is signed (itsdangerous) with the project's secret and
expires after :data:`MAX_AGE` seconds. Whether the session is still live is decided by the
store on every request, so signing out ends it for every copy of the cookie.
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
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxpulse.web.protection import HSTS, SECURITY_HEADERS

COOKIE_NAME = "cxpulse_session"
MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"
SESSION_ID = "sid"  # the server-side session (cxpulse.store.sessions) the cookie points to
CSRF_HEADER = "x-csrf-token"
# probes and the Prometheus scrape answer without a session (docs/deploy.md: keep /metrics
# internal at the proxy)
PUBLIC_PREFIXES = ("/s/", "/static/", "/login", "/favicon.ico", "/healthz", "/readyz", "/metrics")
ROLES = ("admin", "analyst", "agent")


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


ANSWER_PREFIX = "/s/"


def answer_form_token(secret: str, invitation_token: str) -> str:
    """The form token of a public answer page: an HMAC of its invitation link, so the page
    works without any cookie (a respondent's browser may drop it, or come back days later)
    and a token for one invitation is worthless for another."""
    mac = hmac.new(secret.encode(), b"cxpulse.answer:" + invitation_token.encode(), "sha256")
    return mac.hexdigest()


def answer_token_of(path: str) -> str | None:
    """The invitation token of a public answer page path (``/s/<token>``), else ``None``."""
    if not path.startswith(ANSWER_PREFIX):
        return None
    token = path[len(ANSWER_PREFIX) :]
    return token if token and "/" not in token else None


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


def _bearer_api_call(scope: Scope) -> bool:
    """An API request carrying ``Authorization: Bearer``: the token decides who it is, so
    the session cookie is neither read nor written."""
    if not scope["path"].startswith("/api/"):
        return False
    for name, value in scope["headers"]:
        if name == b"authorization":
            return value[:7].lower() == b"bearer "
    return False


class SessionMiddleware:
    """Load and save the signed session; send anonymous visitors to the login page.

    Plain ASGI (no per-request task or body streaming wrapper): the session is read before
    the app runs and the cookie is written on the response start message, after the
    endpoint has returned. Requests to ``/api/`` with a bearer token skip the cookie.
    """

    def __init__(self, app: ASGIApp, secret_key: str, *, https_only: bool = False) -> None:
        self.app = app
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        stateless = _bearer_api_call(scope)
        if stateless:
            session: dict[str, Any] = {}
            before = ""
        else:
            session = self._load(request)
            if CSRF_FIELD not in session:
                session[CSRF_FIELD] = new_csrf_token()
            before = json.dumps(session, sort_keys=True)
        scope["cxpulse.session"] = session

        from cxpulse.web.auth import resolve_user

        user = await resolve_user(request)
        scope["cxpulse.user"] = user
        had_cookie = COOKIE_NAME in request.cookies
        # behind HTTPS (--https, or a trusted proxy saying so) cookies are Secure and HSTS on
        secure = self.https_only or scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for header, value in SECURITY_HEADERS.items():
                    if header not in headers:
                        headers[header] = value
                if secure:
                    headers["Strict-Transport-Security"] = HSTS
                if not stateless:
                    for cookie in self._cookie_headers(scope, before, had_cookie, secure):
                        headers.append("set-cookie", cookie)
            await send(message)

        if user is None and not is_public(request.url.path):
            await self._refuse(request)(scope, receive, send_wrapper)
            return
        await self.app(scope, receive, send_wrapper)

    @staticmethod
    def _refuse(request: Request) -> Response:
        if _wants_json(request):
            from cxpulse.locale import gettext
            from cxpulse.web.app import error_language  # the app imports this module

            return JSONResponse(
                {"detail": gettext("sec.error.auth_required", error_language(request))},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    def _cookie_headers(
        self, scope: Scope, before: str, had_cookie: bool, secure: bool
    ) -> list[str]:
        """The Set-Cookie values for the session as the app left it (none if unchanged)."""
        session = scope["cxpulse.session"]
        carrier = Response()
        if session.get("_clear"):
            carrier.delete_cookie(COOKIE_NAME, path="/", secure=secure, httponly=True)
        elif json.dumps(session, sort_keys=True) != before or not had_cookie:
            carrier.set_cookie(
                COOKIE_NAME,
                self.serializer.dumps(session),
                max_age=MAX_AGE,
                httponly=True,
                samesite="lax",
                secure=secure,
                path="/",
            )
        else:
            return []
        return [
            value.decode("latin-1") for name, value in carrier.raw_headers if name == b"set-cookie"
        ]
