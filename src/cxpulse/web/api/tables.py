"""``POST /api/v1/tables/{name}``: load a file into a canonical table (admin, analyst).

The same path as ``cxpulse load`` and the upload page: validation, mapping, all or nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Query, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from cxpulse.errors import CxpulseError, ValidationError
from cxpulse.web.deps import ContextDep, Lang, require_role
from cxpulse.web.pages.uploads import accept_upload, problem_rows

router = APIRouter(prefix="/api/v1", tags=["tables"], dependencies=[require_role("analyst")])


class LoadPublic(BaseModel):
    table: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    seconds: float


class ProblemPublic(BaseModel):
    row: int | None
    column: str | None
    value: str | None
    reason: str
    file: str | None = None


class RejectedPublic(BaseModel):
    """A rejected file (``total`` problems, the first ones listed), or, like every endpoint,
    a request that is not a valid upload at all (``detail`` lists what is wrong, no problems)."""

    detail: str | list[Any]
    total: int | None = None
    problems: list[ProblemPublic] = []


@router.post(
    "/tables/{name}",
    response_model=LoadPublic,
    responses={422: {"model": RejectedPublic, "description": "rejected: nothing was written"}},
)
def load_table(
    name: str,
    ctx: ContextDep,
    lang: Lang,
    file: Annotated[UploadFile, File()],
    preset: Annotated[str | None, Query(description="read-options preset")] = None,
) -> Any:
    """Validate the file against table ``name`` and upsert it by key (all or nothing)."""
    try:
        report = accept_upload(ctx, name, file.filename or "", file.file, preset)
    except ValidationError as exc:
        return JSONResponse(
            {"detail": exc.message_in(lang), "total": exc.total,
             "problems": problem_rows(exc, lang)},
            status_code=422,
        )  # fmt: skip
    except CxpulseError as exc:
        raise HTTPException(status_code=400, detail=exc.message_in(lang)) from exc
    return {
        "table": name, "rows": report.rows, "inserted": report.inserted,
        "updated": report.updated, "unchanged": report.unchanged, "seconds": report.seconds,
    }  # fmt: skip
