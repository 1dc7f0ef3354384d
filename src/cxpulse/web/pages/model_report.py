"""The model report page (``/health/report``): what the active health model learned from, its
settings, its backtest beside the other models (ROC and PR AUC, Brier, calibration curve,
lift by decile) and calibration drift with the refit advice.

The figures are those of :func:`cxpulse.health.report.model_report`, the function behind
``cxpulse health report``: the page shows ``ModelReport.to_dict()``, so both agree.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cxpulse.errors import CxpulseError
from cxpulse.web.deps import ContextDep, Lang, require_role
from cxpulse.web.i18n import translate
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False)


def load_report(ctx: Any) -> dict[str, Any]:
    """The active model's report as plain figures, cached per data version and model file."""
    from cxpulse.health import active_model_name
    from cxpulse.health.report import model_report

    name = active_model_name(ctx.workspace)
    folder = ctx.config.project_dir
    stamp = None
    if folder is not None:
        from cxpulse.health.persistence import model_path

        path = model_path(folder, name)
        stamp = path.stat().st_mtime if path.exists() else None
    return ctx.cached(  # type: ignore[no-any-return]
        ("health.report", name, stamp), lambda: model_report(ctx.workspace).to_dict()
    )


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
    """The active model's report (analysts and admins)."""
    error = None
    doc: dict[str, Any] | None = None
    try:
        doc = load_report(ctx)
    except CxpulseError as exc:
        error = exc.message_in(lang)
    specs = {}
    if doc is not None:
        specs = {"calibration": calibration_spec(doc, lang), "deciles": deciles_spec(doc, lang)}
    return render(request, "health_report.html", doc=doc, error=error, specs=specs)
