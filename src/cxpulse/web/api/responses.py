"""``/api/v1/responses``: ingest answers with an API token and an ``Idempotency-Key``.

``POST`` is durable: the answer is committed before the 201 (or the 200 of a replay) is
sent. A retry with the same key and body returns the first answer; the same key with
another body is a 409. Malformed JSON, an unknown survey, a score off the scale or an
oversized comment get a 4xx that says what to fix, and store nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse import collect
from cxpulse.collect.batching import submit_response
from cxpulse.collect.errors import CollectError
from cxpulse.collect.sync import (
    DEFAULT_INTERVAL,
    RESPONSE_ID_PREFIX,
    start_sync_task,
    stop_sync_task,
)
from cxpulse.errors import CxpulseError
from cxpulse.store.tables import Survey, SurveyResponse
from cxpulse.web.api.paging import Offset
from cxpulse.web.api.text_rules import NO_NUL, NOT_BLANK_STRIPPED
from cxpulse.web.deps import ContextDep, CurrentUser, get_db_session, require_role


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Keep the analytics workspace up to date with stored answers while the app runs."""
    ctx = getattr(app.state, "ctx", None)
    interval = float(ctx.config.surveys.get("sync_interval_s", DEFAULT_INTERVAL)) if ctx else 0
    if ctx is not None and interval > 0:
        start_sync_task(app, interval=interval)
    try:
        yield
    finally:
        await stop_sync_task(app)


router = APIRouter(prefix="/api/v1", tags=["responses"], lifespan=_lifespan)
# Commit when the endpoint returns, before the response is sent: a 2xx means it is stored.
DbSession = Annotated[Session, Depends(get_db_session, scope="function")]

MAX_BODY_BYTES = 64 * 1024
IDEMPOTENCY_HEADER = "Idempotency-Key"


class ResponseCreate(collect.ResponseInput):
    """One answer to ingest (``survey`` is the survey's slug)."""


def _documented_body() -> dict[str, Any]:
    """The answer's JSON schema, with what stripping and the NUL check refuse written in."""
    schema = ResponseCreate.model_json_schema()
    properties = schema["properties"]
    for name in ("survey", "account_id"):
        properties[name]["pattern"] = NOT_BLANK_STRIPPED
    for option in properties["contact_id"].get("anyOf", []):
        if option.get("type") == "string":
            option["pattern"] = NOT_BLANK_STRIPPED
    for name in ("comment", "channel", "touchpoint"):
        for option in properties[name].get("anyOf", []):
            if option.get("type") == "string":
                option["pattern"] = NO_NUL
    return schema


class ResponsePublic(BaseModel):
    """A stored answer. ``response_id`` is its key in the analytics workspace."""

    id: int
    response_id: str = Field(description="'op-<id>': the key in the canonical responses table")
    survey: str
    kind: str
    score: int
    account_id: str
    contact_id: str | None
    comment: str | None
    language: str | None
    channel: str | None
    touchpoint: str | None
    source: str
    responded_at: datetime
    created_at: datetime
    updated_at: datetime


class ResponseList(BaseModel):
    items: list[ResponsePublic]
    total: int


def to_public(response: SurveyResponse, slug: str) -> ResponsePublic:
    """The API view of a stored answer."""
    return ResponsePublic(
        id=response.id,
        response_id=f"{RESPONSE_ID_PREFIX}{response.id}",
        survey=slug,
        kind=response.kind,
        score=response.score,
        account_id=response.account_id,
        contact_id=response.contact_id,
        comment=response.comment,
        language=response.language,
        channel=response.channel,
        touchpoint=response.touchpoint,
        source=response.source,
        responded_at=response.responded_at,
        created_at=response.created_at,
        updated_at=response.updated_at,
    )


def _decode(body: bytes) -> Any:
    if len(body) > MAX_BODY_BYTES:
        raise HTTPException(
            status_code=413,
            detail=CxpulseError(
                key="collect.error.body_too_large",
                values={"size": len(body), "most": MAX_BODY_BYTES},
            ),
        )
    if not body.strip():
        raise HTTPException(
            status_code=400,
            detail=CxpulseError(key="collect.error.body_empty"),
        )
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise HTTPException(
            status_code=400,
            detail=CxpulseError(
                key="collect.error.malformed_json",
                values={"line": exc.lineno, "column": exc.colno, "reason": exc.msg},
            ),
        ) from None
    except UnicodeDecodeError:
        raise HTTPException(
            status_code=400, detail=CxpulseError(key="collect.error.body_not_utf8")
        ) from None


def _public(result: collect.RecordResult, slug: str) -> dict[str, Any]:
    return to_public(result.response, slug).model_dump(mode="json")


@router.post(
    "/responses",
    status_code=201,
    response_model=ResponsePublic,
    dependencies=[require_role("analyst")],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _documented_body()}},
        }
    },
    responses={
        200: {"model": ResponsePublic, "description": "replay of an earlier request"},
        400: {"description": "malformed or empty JSON"},
        404: {"description": "unknown survey"},
        409: {"description": "Idempotency-Key reused with another body, or survey closed"},
        422: {"description": "invalid answer (score off the scale, comment too long ...)"},
    },
)
async def create_response(
    request: Request,
    ctx: ContextDep,
    user: CurrentUser,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            min_length=1,
            max_length=280,
            description="any unique string per answer; retries with it never duplicate",
        ),
    ] = None,
) -> Any:
    """Store one answer; 201 when new, 200 when replaying the same ``Idempotency-Key``."""
    payload = _decode(await request.body())
    # keys belong to the caller: another user's identical key is another answer, and can
    # neither replay nor block this one
    scoped_key = f"u{user.id}:{idempotency_key}" if idempotency_key is not None else None
    try:
        data = collect.parse_response_input(payload)
        # the writer commits this answer with the others pending and resolves the future
        # only after that commit: a 2xx still means stored
        result = await asyncio.wrap_future(
            submit_response(ctx.store_engine(), data, scoped_key, source="api")
        )
    except CollectError as exc:
        raise HTTPException(status_code=exc.http_status, detail=exc) from None
    slug = result.survey.slug if result.survey is not None else data.survey
    headers = {} if result.created else {"Idempotent-Replayed": "true"}
    return JSONResponse(
        _public(result, slug), status_code=201 if result.created else 200, headers=headers
    )


@router.get("/responses", response_model=ResponseList, dependencies=[require_role("analyst")])
def list_responses(
    db: DbSession,
    survey: Annotated[str | None, Query(description="survey slug")] = None,
    account_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> ResponseList:
    """Stored answers, newest first."""
    from sqlalchemy import func

    query = select(SurveyResponse, Survey.slug).join(Survey, Survey.id == SurveyResponse.survey_id)
    if survey is not None:
        try:
            target = collect.get_survey(db, survey)
        except CollectError as exc:
            raise HTTPException(status_code=exc.http_status, detail=exc) from None
        query = query.where(SurveyResponse.survey_id == target.id)
    if account_id is not None:
        if "\x00" in account_id:
            raise HTTPException(
                status_code=422,
                detail=CxpulseError(key="collect.error.field_nul", values={"field": "account_id"}),
            )
        query = query.where(SurveyResponse.account_id == account_id)
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.execute(query.order_by(SurveyResponse.id.desc()).limit(limit).offset(offset)).all()
    return ResponseList(items=[to_public(r, slug) for r, slug in rows], total=int(total))
