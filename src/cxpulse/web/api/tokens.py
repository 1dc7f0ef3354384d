"""``/api/v1/tokens``: API tokens of the signed-in user (the plaintext is shown once)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from cxpulse import store
from cxpulse.web.deps import CurrentUser, get_db_session

router = APIRouter(prefix="/api/v1", tags=["tokens"])
# Commit when the endpoint returns, before the response is sent: a 2xx means it is stored.
DbSession = Annotated[Session, Depends(get_db_session, scope="function")]


class TokenCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200, examples=["survey import job"])]


class TokenPublic(BaseModel):
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="send as 'Authorization: Bearer <token>'; shown only now")


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(user: CurrentUser, db: DbSession) -> list[TokenPublic]:
    """Your API tokens (names and dates; the secrets are never stored)."""
    return [
        TokenPublic(id=t.id, name=t.name, created_at=t.created_at, last_used_at=t.last_used_at)
        for t in store.list_api_tokens(db, user.id)
    ]


@router.post("/tokens", status_code=201, response_model=TokenCreated)
def create_token(body: TokenCreate, user: CurrentUser, db: DbSession) -> TokenCreated:
    """Create an API token for yourself. Copy it now: it cannot be shown again."""
    plain = store.create_api_token(db, user.id, body.name)
    row = store.list_api_tokens(db, user.id)[0]
    return TokenCreated(
        id=row.id, name=row.name, created_at=row.created_at, last_used_at=None, token=plain
    )


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, user: CurrentUser, db: DbSession) -> Response:
    """Revoke one of your tokens; it stops working at once."""
    if not store.revoke_api_token(db, token_id, user_id=user.id):
        raise HTTPException(status_code=404, detail=f"you have no API token with id {token_id}")
    return Response(status_code=204)
