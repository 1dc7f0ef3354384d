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
from cxpulse.locale import gettext
from cxpulse.web.deps import ContextDep, require_role
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[require_role("analyst")])
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".parquet")
MAX_PROBLEMS = 200


def accept_upload(ctx: Any, table: str, filename: str, data: BinaryIO) -> Any:
    """Save an uploaded file under its own name in a temporary folder and load it.

    Returns the :class:`~cxpulse.schema.loading.LoadReport`; raises the loader's errors
    (``ValidationError`` with its problems, ``UnknownTableError``...) with nothing written.
    """
    from cxpulse.errors import UnknownTableError
    from cxpulse.schema import TABLES

    if table not in TABLES:
        raise UnknownTableError(
            f"unknown table {table!r}; canonical tables are: {', '.join(TABLES)}"
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
            report = ctx.workspace.load(table, path)
    ctx.cache.clear()
    return report


def problem_rows(exc: ValidationError, lang: str) -> list[dict[str, Any]]:
    """The problems of a rejected file, each with its reason in ``lang`` when it has one."""
    rows = []
    for p in exc.problems[:MAX_PROBLEMS]:
        message_in = getattr(p, "message_in", None)
        key = getattr(p, "key", None)
        if callable(message_in):
            reason = message_in(lang)
        elif key:
            reason = gettext(key, lang, **(getattr(p, "values", None) or {}))
        else:  # a problem without a catalogue key is shown as the loader wrote it
            reason = p.reason
        rows.append(
            {"row": p.row, "column": p.column, "value": p.value, "reason": reason,
             "file": p.file}
        )  # fmt: skip
    return rows


def _tables() -> list[str]:
    from cxpulse.schema import TABLES

    return list(TABLES)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> HTMLResponse:
    return render(request, "upload.html", tables=_tables(), chosen=None, report=None,
                  problems=None, error=None)  # fmt: skip


@router.post("/upload", response_class=HTMLResponse)
def upload(
    request: Request,
    ctx: ContextDep,
    table: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> HTMLResponse:
    from cxpulse.web.templating import language_of

    lang = language_of(request)
    page: dict[str, Any] = {"tables": _tables(), "chosen": table, "report": None, "problems": None,
            "error": None, "filename": file.filename}  # fmt: skip
    try:
        page["report"] = accept_upload(ctx, table, file.filename or "", file.file)
    except ValidationError as exc:
        page["problems"] = problem_rows(exc, lang)
        page["total"] = exc.total
        return render(request, "upload.html", status_code=422, **page)
    except CxpulseError as exc:
        page["error"] = exc.message_in(lang)
        return render(request, "upload.html", status_code=400, **page)
    return render(request, "upload.html", **page)
