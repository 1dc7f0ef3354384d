"""Liveness, readiness and Prometheus metrics: ``/healthz``, ``/readyz``, ``/metrics``.

- ``/healthz``: the process answers (no store or workspace touched).
- ``/readyz``: the operational store answers ``SELECT 1`` and the workspace lists its tables
  (waiting at most 2 s for the embedded file); 503 with what failed otherwise.
- ``/metrics``: request latency by route (histogram), answers stored in the operational store,
  and job runs by job and outcome with each job's last success, read from the store at scrape
  time, so every app worker and ``cxpulse worker`` agree. With several app workers set
  ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder so the latency of all workers is summed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter(include_in_schema=False)
_LATENCY: Any = None


def _latency() -> Any:
    global _LATENCY
    if _LATENCY is None:
        from prometheus_client import Histogram

        _LATENCY = Histogram(
            "cxpulse_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route and status class.",
            ["method", "route", "status"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
    return _LATENCY


class LatencyMiddleware:
    """Observes every request's duration under its route template (not the raw path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            _latency().labels(scope.get("method", "?"), template, f"{status['code'] // 100}xx")\
                .observe(time.perf_counter() - started)  # fmt: skip


class StoreCollector:
    """Figures read from the operational store when Prometheus scrapes."""

    def __init__(self, store_url: str) -> None:
        self.store_url = store_url

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
        from sqlalchemy import func, select

        from cxpulse import store
        from cxpulse.store.tables import JobRun

        with store.read_session(self.store_url) as s:
            answers = s.scalar(select(func.count(store.SurveyResponse.id))) or 0
            by_outcome = s.execute(
                select(JobRun.job, JobRun.outcome, func.count(JobRun.id)).group_by(
                    JobRun.job, JobRun.outcome
                )
            ).all()
            last_ok = s.execute(
                select(JobRun.job, func.max(JobRun.finished_at))
                .where(JobRun.outcome == "ok")
                .group_by(JobRun.job)
            ).all()
        stored = CounterMetricFamily(
            "cxpulse_answers_stored", "Survey answers stored in the operational store."
        )
        stored.add_metric([], float(answers))
        yield stored
        runs = CounterMetricFamily(
            "cxpulse_job_runs", "Recorded job runs by job and outcome.", labels=["job", "outcome"]
        )
        for job, outcome, n in by_outcome:
            runs.add_metric([job, outcome], float(n))
        yield runs
        success = GaugeMetricFamily(
            "cxpulse_job_last_success_timestamp_seconds",
            "When each job last finished successfully (Unix time).",
            labels=["job"],
        )
        for job, when in last_ok:
            if when is not None:
                success.add_metric([job], when.timestamp())
        yield success


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> Response:
    from sqlalchemy import text

    ctx = request.app.state.ctx
    checks: dict[str, str] = {}
    try:
        with ctx.store_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["store"] = "ok"
    except Exception as exc:  # reported to the probe, not raised
        checks["store"] = f"failed: {exc}"[:300]
    try:
        with ctx.workspace.lease(wait=2.0):
            ctx.workspace.con.list_tables()
        checks["workspace"] = "ok"
    except Exception as exc:
        checks["workspace"] = f"failed: {exc}"[:300]
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics")
def metrics(request: Request) -> Response:
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    registry: Any = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    _latency()
    body = generate_latest(registry)
    extra = CollectorRegistry()
    extra.register(StoreCollector(request.app.state.ctx.store_url))  # type: ignore[arg-type]
    body += generate_latest(extra)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def install(app: Any) -> None:
    """Add the latency middleware to an app (the routes come with :data:`router`)."""
    app.add_middleware(LatencyMiddleware)
