"""The model report page (``/health/report``): what the active health model learned from, its
settings, its backtest beside the other models (ROC and PR AUC, Brier, calibration curve,
lift by decile) and calibration drift with the refit advice.

The page shows the report stored beside the model (computed when it was fitted), read by
:func:`cxpulse.health.stored_report.report_view`, the function behind ``cxpulse health report``:
both show one document, with when it was computed and whether it is stale. Nothing here
computes a figure: an admin's "recompute" starts the ``model_report`` job in the background
and the page shows the new report once the job has stored it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxpulse.errors import CxpulseError
from cxpulse.web.deps import ContextDep, Lang, require_role
from cxpulse.web.i18n import translate
from cxpulse.web.session import flash
from cxpulse.web.templating import current_user, language_of, render

router = APIRouter(include_in_schema=False)
# a run still "running" after this long died with its process: another may start
STUCK_AFTER = dt.timedelta(hours=2)


def load_report(ctx: Any) -> dict[str, Any] | None:
    """The active model's stored report as :func:`report_view` shows it (None: not computed
    yet). Reads a file and fingerprints the data: milliseconds, never the backtest."""
    from cxpulse.health.stored_report import report_view

    with ctx.workspace_lock:
        return report_view(ctx.workspace)


def refresh_state(ctx: Any) -> dict[str, Any]:
    """The latest run of the ``model_report`` job: running (since when) or failed (why)."""
    from cxpulse.jobs import history

    ctx.store_engine()  # migrated
    runs = history(ctx.store_url, "model_report", limit=1)
    if not runs:
        return {"running": False, "failed": None}
    last = runs[0]
    started = (
        last.started_at.replace(tzinfo=dt.UTC)
        if last.started_at.tzinfo is None
        else last.started_at
    )
    running = last.outcome == "running" and dt.datetime.now(dt.UTC) - started < STUCK_AFTER
    failed = None
    if last.outcome == "failed":
        failed = {"at": started.strftime("%Y-%m-%d %H:%M"), "error": last.error or ""}
    return {"running": running, "since": started.strftime("%H:%M"), "failed": failed}


def calibration_spec(doc: dict[str, Any], lang: str) -> dict[str, Any]:
    """Predicted against observed risk of the bad outcome per bin, one line per model, with
    the diagonal of a perfectly calibrated model."""
    import altair as alt
    import pandas as pd

    from cxpulse.locale import term
    from cxpulse.web.charts import _finish

    rows = [
        {
            "model": term("model", m["model"], lang),
            "predicted": round(100 * (1 - c["mean_predicted"]), 2),
            "observed": round(100 * (1 - c["observed"]), 2),
            "n": c["n"],
        }
        for m in doc["evaluation"]["models"]
        for c in m["calibration"]
    ]
    frame = pd.DataFrame(rows, columns=["model", "predicted", "observed", "n"])
    top = float(max(frame[["predicted", "observed"]].max().max(), 1.0)) if len(frame) else 100.0
    x_title = translate("health.report.predicted", lang)
    y_title = translate("health.report.observed", lang)
    diagonal = (
        alt.Chart(pd.DataFrame({"v": [0.0, top]}))
        .mark_line(strokeDash=[4, 4], color="#94a3b8")
        .encode(x="v:Q", y="v:Q")
    )
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("predicted:Q", title=x_title),
            y=alt.Y("observed:Q", title=y_title),
            color=alt.Color("model:N", title=None),
            tooltip=["model", "predicted", "observed", "n"],
        )
    )
    return _finish(alt.layer(diagonal, lines), height=260)


def deciles_spec(doc: dict[str, Any], lang: str) -> dict[str, Any]:
    """Bad-outcome rate per decile of predicted risk (riskiest first) and the average."""
    import altair as alt
    import pandas as pd

    from cxpulse.web.charts import BAD, _finish

    frame = pd.DataFrame(
        [
            {"decile": d["decile"], "rate": round(100 * d["bad_rate"], 2), "lift": d["lift"]}
            for d in doc["lift_by_decile"]
        ],
        columns=["decile", "rate", "lift"],
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(color=BAD, cornerRadiusTopLeft=3, cornerRadiusTopRight=3)
        .encode(
            x=alt.X(
                "decile:O",
                title=translate("health.report.decile", lang),
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("rate:Q", title=translate("health.report.bad_rate", lang)),
            tooltip=["decile", "rate", "lift"],
        )
    )
    base = doc["evaluation"]["models"]
    active = next((m for m in base if m["model"] == doc["model"]), None)
    layers: list[Any] = [bars]
    if active and active.get("bad_rate") is not None:
        rule = (
            alt.Chart(pd.DataFrame({"v": [round(100 * active["bad_rate"], 2)]}))
            .mark_rule(strokeDash=[4, 4], color="#475569")
            .encode(y="v:Q")
        )
        layers.append(rule)
    return _finish(alt.layer(*layers), height=220)


@router.get("/health/report", response_class=HTMLResponse, dependencies=[require_role("analyst")])
def model_report_page(request: Request, ctx: ContextDep, lang: Lang) -> HTMLResponse:
    """The active model's stored report (analysts and admins); admins may recompute it."""
    from cxpulse.health import active_model_name

    error = None
    doc: dict[str, Any] | None = None
    try:
        doc = load_report(ctx)
    except CxpulseError as exc:
        error = exc.message_in(lang)
    specs = {}
    if doc is not None:
        specs = {"calibration": calibration_spec(doc, lang), "deciles": deciles_spec(doc, lang)}
    user = current_user(request)
    return render(
        request,
        "health_report.html",
        doc=doc,
        error=error,
        specs=specs,
        model_name=active_model_name(ctx.workspace),
        refresh=refresh_state(ctx),
        can_refresh=user is not None and user.role == "admin",
    )


@router.post("/health/report/refresh", dependencies=[require_role("admin")])
def refresh_report(request: Request, ctx: ContextDep) -> Response:
    """Start the ``model_report`` job in the background (never in the request) and go back."""
    from cxpulse.jobs.running import start_job

    if refresh_state(ctx)["running"]:
        flash(request, "health.report.refresh_already", "info")
    else:
        start_job("model_report", ctx.config, store_url=ctx.store_url)
        flash(request, "health.report.refresh_started", "success")
    return RedirectResponse(f"/health/report?lang={language_of(request)}", status_code=303)
