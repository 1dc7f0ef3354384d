"""``/api/v1/tokens``: API tokens (the plaintext is shown once; every token expires).

Everyone manages their own tokens; admins also list every token and revoke any of them,
and read the auth event log (``/api/v1/auth-events``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from cxpulse import store
from cxpulse.errors import CxpulseError
from cxpulse.store.tables import AUTH_EVENT_KINDS
from cxpulse.store.users import MAX_ROW_ID, MAX_TOKEN_LIFETIME
from cxpulse.web.deps import CurrentUser, get_db_session, require_role

router = APIRouter(prefix="/api/v1", tags=["tokens"])
# Commit when the endpoint returns, before the response is sent: a 2xx means it is stored.
DbSession = Annotated[Session, Depends(get_db_session, scope="function")]
TokenId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="id of the token")]


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=200, examples=["survey import job"])]
    expires_in_days: Annotated[
        int,
        Field(ge=1, le=MAX_TOKEN_LIFETIME.days, description="the token stops working after"),
    ] = 90


class TokenPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class TokenOwned(TokenPublic):
    user_email: str


class TokenCreated(TokenPublic):
    token: str = Field(description="send as 'Authorization: Bearer <token>'; shown only now")


class AuthEventPublic(BaseModel):
    id: int
    at: datetime
    kind: str
    user_id: int | None
    email: str | None
    client: str | None
    detail: str | None


def _public(t: store.ApiToken) -> TokenPublic:
    return TokenPublic(
        id=t.id,
        name=t.name,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        expires_at=t.expires_at,
    )


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(user: CurrentUser, db: DbSession) -> list[TokenPublic]:
    """Your API tokens (names, dates, expiry and last use; the secrets are never stored)."""
    return [_public(t) for t in store.list_api_tokens(db, user.id)]


@router.post("/tokens", status_code=201, response_model=TokenCreated)
def create_token(
    request: Request, body: TokenCreate, user: CurrentUser, db: DbSession
) -> TokenCreated:
    """Create an API token for yourself. Copy it now: it cannot be shown again."""
    from cxpulse.web.auth import client_of

    plain = store.create_api_token(
        db,
        user.id,
        body.name,
        expires_in=timedelta(days=body.expires_in_days),
        client=client_of(request),
    )
    row = store.list_api_tokens(db, user.id)[0]
    return TokenCreated(**_public(row).model_dump(), token=plain)


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    responses={404: {"description": "no such token (of yours, unless you are an admin)"}},
)
def revoke_token(token_id: TokenId, user: CurrentUser, db: DbSession) -> Response:
    """Revoke a token; it stops working at once. Admins may revoke anyone's."""
    owner = None if user.role == "admin" else user.id
    if not store.revoke_api_token(db, token_id, user_id=owner, actor=user.email):
        raise HTTPException(
            status_code=404,
            detail=CxpulseError(key="sec.error.no_own_token", values={"id": token_id}),
        )
    return Response(status_code=204)


@router.get("/admin/tokens", response_model=list[TokenOwned], dependencies=[require_role("admin")])
def list_all_tokens(db: DbSession) -> list[TokenOwned]:
    """Every API token of every user, newest first (admins)."""
    return [
        TokenOwned(**_public(t).model_dump(), user_email=u.email)
        for t, u in store.list_all_api_tokens(db)
    ]


@router.get(
    "/auth-events", response_model=list[AuthEventPublic], dependencies=[require_role("admin")]
)
def auth_events(
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    kind: Annotated[str | None, Query(pattern="^(" + "|".join(AUTH_EVENT_KINDS) + ")$")] = None,
) -> list[AuthEventPublic]:
    """Sign-ins, failures, lockouts, password changes and token use, newest first (admins)."""
    return [
        AuthEventPublic.model_validate(e, from_attributes=True)
        for e in store.recent_events(db, limit=limit, kind=kind)
    ]
