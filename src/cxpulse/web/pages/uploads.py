"""Uploading a CSV, Excel or Parquet file into a canonical table (admins and analysts).

The file goes through :meth:`cxpulse.Workspace.load`, exactly as ``cxpulse load`` does: the
same validation, column mapping of ``[tables.<name>.columns]`` and all-or-nothing upsert. A
rejected file writes nothing; its problems are shown as a table in the user's language.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from cxpulse.errors import CxpulseError, ValidationError
from cxpulse.web.deps import ContextDep, require_role
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[require_role("analyst")])
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")
MAX_PROBLEMS = 200


def accept_upload(
    ctx: Any, table: str, filename: str, data: BinaryIO, preset: str | None = None
) -> Any:
    """Save an uploaded file under its own name in a temporary folder and load it.

    Returns the :class:`~cxpulse.schema.loading.LoadReport`; raises the loader's errors
    (``ValidationError`` with its problems, ``UnknownTableError``...) with nothing written.
    ``preset`` names a read-options preset (else ``[tables.<name>]`` of cxpulse.toml decides).
    """
    from cxpulse.errors import UnknownTableError
    from cxpulse.schema import TABLES

    if table not in TABLES:
        raise UnknownTableError(
            key="data.error.unknown_table",
            values={"table": repr(table), "tables": ", ".join(TABLES)},
        )
    name = Path(filename or "upload.csv").name
    if not name.lower().endswith(SUFFIXES):
        raise CxpulseError(key="ops.upload.bad_type", values={"name": name,
                           "types": ", ".join(SUFFIXES)})  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="cxpulse-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            shutil.copyfileobj(data, out, length=1024 * 1024)
        with ctx.workspace_lock:
            report = ctx.workspace.load(table, path, preset=preset or None)
    ctx.cache.clear()
    return report


def problem_rows(exc: ValidationError, lang: str) -> list[dict[str, Any]]:
    """The problems of a rejected file, each with its reason in ``lang``."""
    rows = []
    for p in exc.problems[:MAX_PROBLEMS]:
        reason = p.reason_in(lang)
        rows.append(
            {"row": p.row, "column": p.column, "value": p.value, "reason": reason,
             "file": p.file}
        )  # fmt: skip
    return rows


def _tables() -> list[str]:
    from cxpulse.schema import TABLES

    return list(TABLES)


def _presets() -> list[str]:
    from cxpulse.schema.presets import list_presets

    return [p.name for p in list_presets()]


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> HTMLResponse:
    return render(request, "upload.html", tables=_tables(), presets=_presets(), chosen=None,
                  report=None, problems=None, error=None)  # fmt: skip


@router.post("/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    ctx: ContextDep,
    table: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    preset: Annotated[str, Form()] = "",
) -> HTMLResponse:
    from cxpulse.web.templating import language_of

    lang = language_of(request)
    page: dict[str, Any] = {"tables": _tables(), "presets": _presets(), "chosen": table,
            "report": None, "problems": None, "error": None,
            "filename": file.filename}  # fmt: skip
    try:
        page["report"] = accept_upload(ctx, table, file.filename or "", file.file, preset)
    except ValidationError as exc:
        page["problems"] = problem_rows(exc, lang)
        page["total"] = exc.total
        return render(request, "upload.html", status_code=422, **page)
    except CxpulseError as exc:
        page["error"] = exc.message_in(lang)
        return render(request, "upload.html", status_code=400, **page)
    return render(request, "upload.html", **page)
