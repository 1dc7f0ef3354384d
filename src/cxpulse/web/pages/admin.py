"""User administration (admins only): users, their sessions and tokens, the auth event log.

Admins add users, deactivate or reactivate them (a deactivation ends every session and stops
every token at once), end all sessions of a user, and revoke any API token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse import store
from cxpulse.errors import CxpulseError
from cxpulse.store.users import MAX_ROW_ID
from cxpulse.web.deps import CurrentUser, DbSessionDep, require_role
from cxpulse.web.session import ROLES, flash
from cxpulse.web.templating import language_of, render

router = APIRouter(include_in_schema=False, dependencies=[require_role("admin")])
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
EVENTS_SHOWN = 50


def _page(request: Request, db: Session, status_code: int = 200, **extra: Any) -> HTMLResponse:
    users = list(db.scalars(select(store.User).order_by(store.User.email)))
    sessions = {u.id: len(store.live_sessions(db, u.id)) for u in users}
    return render(
        request,
        "admin_users.html",
        status_code=status_code,
        users=users,
        roles=ROLES,
        sessions=sessions,
        tokens=store.list_all_api_tokens(db),
        events=store.recent_events(db, limit=EVENTS_SHOWN),
        error=extra.pop("error", None),
        form=extra.pop("form", {}),
        **extra,
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, db: DbSessionDep) -> HTMLResponse:
    return _page(request, db)


@router.post("/admin/users")
def add_user(
    request: Request,
    db: DbSessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "analyst",
    language: Annotated[str, Form(max_length=8)] = "es",
    password: Annotated[str, Form(max_length=store.users.MAX_PASSWORD_CHARS)] = "",
) -> Response:
    try:
        with db.begin_nested():
            store.create_user(db, email, password, role=role, name=name or None, language=language)
    except store.UserError as exc:
        form = {"email": email, "name": name, "role": role, "language": language}
        error = exc.message_in(language_of(request))
        return _page(request, db, status_code=400, error=error, form=form)
    flash(request, "web.users.added", "success", email=email.strip().lower())
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/active")
def set_active(
    user_id: RowId,
    request: Request,
    db: DbSessionDep,
    admin: CurrentUser,
    active: Annotated[str, Form(pattern="^[01]$")] = "0",
) -> Response:
    """Deactivate (ends every session and token use at once) or reactivate a user."""
    if user_id == admin.id and active == "0":
        flash(request, "sec.users.not_yourself", "error")
        return RedirectResponse("/admin/users", status_code=303)
    try:
        user = store.set_user_active(db, user_id, active == "1", actor=admin.email)
    except store.UserError:
        raise HTTPException(
            status_code=404, detail=CxpulseError(key="sec.error.no_user", values={"id": user_id})
        ) from None
    key = "sec.users.activated" if active == "1" else "sec.users.deactivated"
    flash(request, key, "success", email=user.email)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/sessions")
def end_sessions(
    user_id: RowId, request: Request, db: DbSessionDep, admin: CurrentUser
) -> Response:
    """End every session of a user (they sign in again)."""
    user = db.get(store.User, user_id)
    if user is None:
        raise HTTPException(
            status_code=404, detail=CxpulseError(key="sec.error.no_user", values={"id": user_id})
        )
    ended = store.end_user_sessions(db, user_id)
    store.record_event(
        db,
        "sessions_revoked",
        user_id=user_id,
        email=user.email,
        detail=f"{ended} by {admin.email}",
    )
    flash(request, "sec.users.sessions_ended", "success", email=user.email, n=ended)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    token_id: RowId, request: Request, db: DbSessionDep, admin: CurrentUser
) -> Response:
    """Revoke anyone's API token; it stops working at once."""
    if not store.revoke_api_token(db, token_id, actor=admin.email):
        raise HTTPException(
            status_code=404, detail=CxpulseError(key="sec.error.no_token", values={"id": token_id})
        )
    flash(request, "sec.tokens.revoked", "success", id=token_id)
    return RedirectResponse("/admin/users", status_code=303)
