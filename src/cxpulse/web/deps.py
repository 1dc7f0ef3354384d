"""Dependency aliases for pages and API endpoints.

>>> # in a router module
>>> # @router.get("/api/v1/things")
>>> # def things(ws: WorkspaceDep, user: CurrentUser, lang: Lang) -> ...
>>> # @router.post("/things", dependencies=[require_role("admin", "analyst")])

``WorkspaceDep`` the analytics workspace (hold ``ctx.workspace_lock`` for long reads, or use
:mod:`cxpulse.web.readings`, which caches); ``DbSessionDep`` a store session committed at the
end of the request; ``CurrentUser`` the signed-in user (401 otherwise); ``Lang`` ``"es"`` or
``"en"``. Every POST/PUT/PATCH/DELETE is checked for the session's CSRF token (form field
``csrf_token`` or header ``X-CSRF-Token``) by :func:`verify_csrf`, which ``create_app``
installs on the whole app; requests authenticated by an API token need none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from cxpulse import store
from cxpulse.errors import CxpulseError
from cxpulse.web.context import WebContext
from cxpulse.web.session import (
    CSRF_FIELD,
    CSRF_HEADER,
    SignedInUser,
    answer_form_token,
    answer_token_of,
    csrf_matches,
    session_of,
)
from cxpulse.web.templating import language_of
from cxpulse.workspace import Workspace

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def get_context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


def get_workspace(request: Request) -> Workspace:
    return get_context(request).workspace


def get_db_session(request: Request) -> Iterator[Session]:
    with store.session(get_context(request).store_engine()) as s:
        yield s


def get_current_user(request: Request) -> SignedInUser:
    user = request.scope.get("cxpulse.user")
    if not isinstance(user, SignedInUser):
        raise HTTPException(status_code=401, detail=CxpulseError(key="sec.error.auth_required"))
    return user


def get_optional_user(request: Request) -> SignedInUser | None:
    user = request.scope.get("cxpulse.user")
    return user if isinstance(user, SignedInUser) else None


def get_language(request: Request) -> str:
    return language_of(request)


# The dependencies below only read the request: as coroutines they run in the event loop
# (FastAPI sends a plain function to the thread pool, a hop costing more than the work).
async def _context_dep(request: Request) -> WebContext:
    return get_context(request)


async def _workspace_dep(request: Request) -> Workspace:
    return get_workspace(request)


async def _current_user_dep(request: Request) -> SignedInUser:
    return get_current_user(request)


async def _optional_user_dep(request: Request) -> SignedInUser | None:
    return get_optional_user(request)


async def _language_dep(request: Request) -> str:
    return get_language(request)


ContextDep = Annotated[WebContext, Depends(_context_dep)]
WorkspaceDep = Annotated[Workspace, Depends(_workspace_dep)]
# scope="function": the session commits when the endpoint returns, before the response is
# sent, so a 2xx is only ever sent for writes that are already durable.
DbSessionDep = Annotated[Session, Depends(get_db_session, scope="function")]
CurrentUser = Annotated[SignedInUser, Depends(_current_user_dep)]
OptionalUser = Annotated[SignedInUser | None, Depends(_optional_user_dep)]
Lang = Annotated[str, Depends(_language_dep)]


def require_role(*roles: str) -> Any:
    """A dependency that lets through only users with one of ``roles`` (admin always passes).

    Use as ``dependencies=[require_role("analyst")]`` on a route or router.
    """

    async def check(request: Request) -> SignedInUser:
        user = get_current_user(request)
        if user.role != "admin" and user.role not in roles:
            raise HTTPException(
                status_code=403,
                detail=CxpulseError(
                    key="sec.error.role",
                    values={"roles": " / ".join(roles or ("admin",)), "role": user.role},
                ),
            )
        return user

    return Depends(check)


async def verify_csrf(request: Request) -> None:
    """Reject a state-changing request from a browser session without its CSRF token."""
    if request.method in SAFE_METHODS:
        return
    user = request.scope.get("cxpulse.user")
    if isinstance(user, SignedInUser) and user.via_token:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            # bounded: BodyLimitMiddleware has already refused anything over the route's limit
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    invitation = answer_token_of(request.url.path)
    expected: str | None
    if invitation is not None:  # public answer page: the token is bound to the invitation
        expected = answer_form_token(get_context(request).secret_key, invitation)
    else:
        expected = session_of(request).get(CSRF_FIELD)
    if not csrf_matches(expected, sent):
        raise HTTPException(
            status_code=403,
            detail=CxpulseError(key="sec.error.csrf"),
        )


CsrfProtected = Depends(verify_csrf)
