"""User administration (admins only): list users and add one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from cxpulse import store
from cxpulse.web.deps import DbSessionDep, require_role
from cxpulse.web.session import ROLES, flash
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[require_role("admin")])


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, db: DbSessionDep) -> HTMLResponse:
    users = list(db.scalars(select(store.User).order_by(store.User.email)))
    return render(request, "admin_users.html", users=users, roles=ROLES, error=None, form={})


@router.post("/admin/users")
def add_user(
    request: Request,
    db: DbSessionDep,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "analyst",
    language: Annotated[str, Form()] = "es",
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        store.create_user(db, email, password, role=role, name=name or None, language=language)
    except store.UserError as exc:
        users = list(db.scalars(select(store.User).order_by(store.User.email)))
        form = {"email": email, "name": name, "role": role, "language": language}
        return render(
            request,
            "admin_users.html",
            status_code=400,
            users=users,
            roles=ROLES,
            error=str(exc),
            form=form,
        )
    flash(request, "web.users.added", "success", email=email.strip().lower())
    return RedirectResponse("/admin/users", status_code=303)
