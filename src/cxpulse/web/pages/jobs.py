"""Admin page of the scheduled jobs: schedule, last runs, "run now". The scheduler itself
runs in the app when ``cxpulse serve`` asks for it (``CXPULSE_RUN_JOBS=1``)."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxpulse.errors import CxpulseError
from cxpulse.locale import term
from cxpulse.web.deps import ContextDep, require_role
from cxpulse.web.i18n import translate
from cxpulse.web.session import flash
from cxpulse.web.templating import language_of, render

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


_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def describe_schedule(spec: Any, lang: str) -> str | None:
    """A job's schedule in words ("every day at 06:00", "every 30 seconds") in ``lang``, or
    None when the cron expression is not one of the common forms (the page shows it as is).

    >>> from cxpulse.jobs import parse_jobs_config
    >>> jobs = parse_jobs_config({"sync": {"every": "5m"}}).jobs
    >>> describe_schedule(jobs["digest"], "es"), describe_schedule(jobs["sync"], "en")
    ('cada lunes a las 07:00', 'every 5 minutes')
    """
    if spec.every is not None:
        seconds = int(spec.every.total_seconds())
        for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
            if seconds % size == 0:
                n = seconds // size
                key = f"web.jobs.every_{unit}" + ("_1" if n == 1 else "")
                return translate(key, lang, n=n)
    fields = (spec.schedule or "").split()
    if len(fields) != 5 or not (fields[0].isdigit() and fields[1].isdigit()):
        return None
    minute, hour, day, month, weekday = fields
    if month != "*" or int(hour) > 23 or int(minute) > 59:
        return None
    at = f"{int(hour):02d}:{int(minute):02d}"
    if day == "*" and weekday == "*":
        return translate("web.jobs.daily", lang, time=at)
    if day == "*":
        index = _WEEKDAYS.get(weekday.lower())
        if index is None and weekday.isdigit() and int(weekday) <= 7:
            index = (int(weekday) - 1) % 7  # cron: 0 and 7 are Sunday, 1 Monday
        if index is None:
            return None
        from babel.dates import get_day_names

        name = get_day_names("wide", locale=lang)[index]
        return translate("web.jobs.weekly", lang, day=name, time=at)
    if weekday == "*" and day.isdigit() and 1 <= int(day) <= 31:
        return translate("web.jobs.monthly", lang, day=int(day), time=at)
    return None


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
        schedule={name: describe_schedule(spec, lang) for name, spec in specs.items()},
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
    job = term("job", name, language_of(request))
    flash(request, "web.jobs.started", "success", job=job[:1].upper() + job[1:])
    return RedirectResponse("/admin/jobs", status_code=303)
