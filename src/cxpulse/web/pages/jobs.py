"""Admin page of the scheduled jobs: schedule, last runs, "run now". The scheduler itself
runs in the app when ``cxpulse serve`` asks for it (``CXPULSE_RUN_JOBS=1``)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxpulse.errors import CxpulseError
from cxpulse.web.deps import ContextDep, require_role
from cxpulse.web.session import flash
from cxpulse.web.templating import render

log = logging.getLogger("cxpulse.jobs")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    scheduler = None
    ctx = getattr(app.state, "ctx", None)
    if ctx is not None and os.environ.get("CXPULSE_RUN_JOBS") == "1":
        from cxpulse.jobs import Scheduler

        try:
            scheduler = Scheduler(ctx.config, store_url=ctx.store_url)
            scheduler.start()
            app.state.scheduler = scheduler
        except Exception:  # the app serves even when [jobs] is wrong; the page says so
            log.exception("the job scheduler did not start")
    try:
        yield
    finally:
        if scheduler is not None:
            scheduler.stop()


router = APIRouter(include_in_schema=False, dependencies=[require_role("admin")],
                   lifespan=_lifespan)  # fmt: skip


@router.get("/admin/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, ctx: ContextDep) -> HTMLResponse:
    from cxpulse.jobs import history, latest_by_job
    from cxpulse.jobs.running import jobs_config

    ctx.store_engine()  # migrated
    error = None
    specs = {}
    try:
        specs = jobs_config(ctx.config).jobs
    except CxpulseError as exc:
        error = exc.message_in(ctx.language)
    from cxpulse.locale import term
    from cxpulse.web.templating import language_of

    lang = language_of(request)
    scheduler = getattr(request.app.state, "scheduler", None)
    upcoming = scheduler.next_runs() if scheduler is not None else {}
    return render(
        request,
        "admin_jobs.html",
        specs=specs,
        last=latest_by_job(ctx.store_url),
        runs=history(ctx.store_url, limit=50),
        upcoming=upcoming,
        in_app=scheduler is not None,
        error=error,
        term=lambda kind, value: term(kind, value, lang),
    )


@router.post("/admin/jobs/{name}/run")
def run_now(name: str, request: Request, ctx: ContextDep) -> Response:
    from cxpulse.jobs import JOBS
    from cxpulse.jobs.running import start_job

    if name not in JOBS:
        raise HTTPException(
            status_code=404, detail=CxpulseError(key="ops.error.no_job", values={"job": repr(name)})
        )
    start_job(name, ctx.config, store_url=ctx.store_url)
    flash(request, "ops.jobs.started", "success", job=name)
    return RedirectResponse("/admin/jobs", status_code=303)
