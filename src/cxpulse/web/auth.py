"""Signing in and out: the login page, the logout form and who a request comes from.

Passwords are checked by :func:`cxpulse.store.authenticate` (argon2) behind the throttle of
:mod:`cxpulse.web.signin_guard`; a sign-in opens a server-side session
(:mod:`cxpulse.store.sessions`) whose random id is all the cookie carries, so signing out
ends it for every copy of the cookie. API clients send ``Authorization: Bearer <token>``
(:func:`cxpulse.store.verify_api_token`). Every outcome is written to the auth event log.
"""

from __future__ import annotations

import math
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from cxpulse import store
from cxpulse.store import users as store_users
from cxpulse.web.session import (
    CSRF_FIELD,
    SESSION_ID,
    SignedInUser,
    csrf_matches,
    flash,
    new_csrf_token,
    session_of,
)
from cxpulse.web.signin_guard import SigninGuard
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False)


def _user_from_row(row: Any, *, via_token: bool = False) -> SignedInUser:
    return SignedInUser(
        id=int(row.id), email=row.email, role=row.role, name=row.name, via_token=via_token
    )


def client_of(request: Request) -> str:
    """The client's address (uvicorn puts the proxy's forwarded one here when trusted)."""
    return request.client.host if request.client else "?"


def _load_user(request: Request, sid: str | None, token: str | None) -> SignedInUser | None:
    ctx = request.app.state.ctx
    with store.session(ctx.store_engine()) as s:
        if token:
            found = store.verify_api_token(s, token)
            return _user_from_row(found, via_token=True) if found is not None else None
        if not sid:
            return None
        row = store.session_user(s, sid)
        return _user_from_row(row) if row is not None else None


def _remembered_token_user(request: Request, token: str) -> SignedInUser | None:
    """The user of a token :func:`cxpulse.store.verify_api_token` checked moments ago, read
    from its cache without a store session (so without a thread); ``None`` when the cache
    cannot answer and the store must be asked."""
    engine = getattr(request.app.state.ctx, "_engine", None)
    if engine is None:
        return None
    row = store_users.remembered_api_token_user(str(engine.url), token)
    if row is None:
        return None
    return SignedInUser(
        id=int(row["id"]), email=row["email"], role=row["role"], name=row["name"], via_token=True
    )


async def resolve_user(request: Request) -> SignedInUser | None:
    """The user behind a request: an API bearer token, else the session cookie.

    A token checked in the last seconds answers here, in the event loop; anything needing
    the store goes to the thread pool.
    """
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if token:
        remembered = _remembered_token_user(request, token)
        if remembered is not None:
            return remembered
    sid = session_of(request).get(SESSION_ID)
    if not token and not isinstance(sid, str):
        return None
    user = await run_in_threadpool(
        _load_user, request, sid if isinstance(sid, str) else None, token
    )
    if user is None and not token:
        session_of(request).pop(SESSION_ID, None)  # ended, expired, or the user deactivated
    return user


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if request.scope.get("cxpulse.user") is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", next=_safe_next(next), error=None)


def _guard(request: Request) -> SigninGuard:
    guard: SigninGuard | None = getattr(request.app.state, "signin_guard", None)
    if guard is None:
        guard = request.app.state.signin_guard = SigninGuard()
    return guard


def _locked_page(request: Request, email: str, next: str, wait: int) -> Response:
    response = render(
        request,
        "login.html",
        status_code=429,
        next=_safe_next(next),
        error="sec.signin.locked",
        error_values={"minutes": max(1, math.ceil(wait / 60))},
        email=email,
    )
    response.headers["Retry-After"] = str(wait)
    return response


@router.post("/login")
def login_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=store_users.MAX_PASSWORD_CHARS)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    ctx = request.app.state.ctx
    client = client_of(request)
    guard = _guard(request)
    wait = guard.wait_seconds(email, client)
    if wait:  # locked out: not even the right password is checked
        return _locked_page(request, email, next, wait)
    with store.session(ctx.store_engine()) as s:
        user = store.authenticate(s, email, password) if email and password else None
        found = _user_from_row(user) if user is not None else None
        language = getattr(user, "language", None)
        if found is None:
            locked = guard.failed(email, client)
            store.record_event(s, "signin_failed", email=email, client=client)
            if locked:
                wait = guard.wait_seconds(email, client)
                store.record_event(s, "lockout", email=email, client=client, detail=f"{wait} s")
            sid = None
        else:
            guard.succeeded(email)
            sid = store.open_session(s, found.id, client=client)
            store.record_event(s, "signin_ok", user_id=found.id, email=found.email, client=client)
    if found is None or sid is None:
        if wait:
            return _locked_page(request, email, next, wait)
        return render(
            request,
            "login.html",
            status_code=401,
            next=_safe_next(next),
            error="web.login.failed",
            email=email,
        )
    session = session_of(request)
    session.clear()
    session[SESSION_ID] = sid
    session[CSRF_FIELD] = new_csrf_token()  # a fresh token for the signed-in session
    request.scope["cxpulse.user"] = found
    flash(request, "web.login.welcome", "success", name=found.display_name)
    response = RedirectResponse(_safe_next(next), status_code=303)
    if language in ("es", "en") and "cxpulse_lang" not in request.cookies:
        response.set_cookie("cxpulse_lang", language, max_age=365 * 86400, samesite="lax")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    session = session_of(request)
    sid = session.get(SESSION_ID)
    if isinstance(sid, str):  # ended on the server: a saved copy of the cookie opens nothing
        with store.session(request.app.state.ctx.store_engine()) as s:
            user_id = store.end_session(s, sid)
            if user_id is not None:
                store.record_event(s, "signout", user_id=user_id, client=client_of(request))
    session.clear()
    session["_clear"] = True
    return RedirectResponse("/login", status_code=303)


def check_csrf(request: Request, sent: str | None) -> bool:
    """Whether ``sent`` is this session's CSRF token."""
    return csrf_matches(session_of(request).get(CSRF_FIELD), sent)
