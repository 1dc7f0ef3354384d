"""The signed-in user's own security: change the password (which ends every session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxpulse import store
from cxpulse.store.users import MAX_PASSWORD_CHARS
from cxpulse.web.auth import client_of
from cxpulse.web.deps import CurrentUser, DbSessionDep
from cxpulse.web.session import CSRF_FIELD, SESSION_ID, flash, new_csrf_token, session_of
from cxpulse.web.templating import language_of, render

router = APIRouter(include_in_schema=False)
Password = Annotated[str, Form(max_length=MAX_PASSWORD_CHARS)]


@router.get("/me/password", response_class=HTMLResponse)
def password_page(request: Request, user: CurrentUser) -> HTMLResponse:
    return render(request, "password.html", error=None)


@router.post("/me/password")
def change_password(
    request: Request,
    user: CurrentUser,
    db: DbSessionDep,
    current: Password = "",
    new: Password = "",
    confirm: Password = "",
) -> Response:
    """Set a new password; every session of the user ends and this one starts afresh."""
    lang = language_of(request)
    if new != confirm:
        message = store.UserError(key="sec.password.mismatch").message_in(lang)
        return render(request, "password.html", status_code=400, error=message)
    try:
        with db.begin_nested():
            store.change_password(db, user.id, current, new)
    except store.UserError as exc:
        return render(request, "password.html", status_code=400, error=exc.message_in(lang))
    # every session ended, this one included; the person who changed it stays signed in
    session = session_of(request)
    session[SESSION_ID] = store.open_session(db, user.id, client=client_of(request))
    session[CSRF_FIELD] = new_csrf_token()
    flash(request, "sec.password.changed", "success")
    return RedirectResponse("/", status_code=303)
