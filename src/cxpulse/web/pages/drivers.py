"""The key-drivers page: which ratings drive the outcome set in ``[metrics.drivers]``, with
intervals, and the importance-versus-performance quadrant."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cxpulse.errors import CxpulseError
from cxpulse.web.deps import ContextDep, Lang
from cxpulse.web.i18n import translate
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False)

QUADRANT_COLORS = {
    "fix_first": "#dc2626",
    "keep_up": "#16a34a",
    "overkill": "#d97706",
    "low_priority": "#94a3b8",
}


def load_drivers(ctx: Any) -> Any:
    """The configured analysis (cached per data version), or None when none is configured."""
    from cxpulse.metrics.drivers import table_drivers

    cfg = ctx.config.metrics.drivers
    if cfg is None:
        return None
    return ctx.cached(
        ("drivers", cfg.model_dump_json()),
        lambda: table_drivers(
            ctx.workspace,
            cfg.table,
            cfg.outcome,
            cfg.columns,
            success=cfg.success or None,
            missing_values=cfg.missing_values,
        ),
    )


def quadrant_spec(analysis: Any, lang: str) -> dict[str, Any]:
    """Vega-Lite scatter: importance (share of R^2) against performance, with the averages."""
    import altair as alt
    import pandas as pd

    from cxpulse.web.charts import _finish

    frame = pd.DataFrame(
        {
            "driver": [d.driver for d in analysis.drivers],
            "share": [round(d.share, 2) for d in analysis.drivers],
            "performance": [round(d.performance, 3) for d in analysis.drivers],
            "quadrant": [
                translate(f"metrics.drivers.quadrant_short.{d.quadrant}", lang)
                for d in analysis.drivers
            ],
        }
    )
    x_title = translate("metrics.drivers.col.share", lang) + " (%)"
    y_title = translate("metrics.drivers.col.performance", lang)
    colors = alt.Scale(
        domain=[translate(f"metrics.drivers.quadrant_short.{k}", lang) for k in QUADRANT_COLORS],
        range=list(QUADRANT_COLORS.values()),
    )
    base = alt.Chart(frame)
    points = base.mark_circle(size=90, opacity=0.85).encode(
        x=alt.X("share:Q", title=x_title),
        y=alt.Y("performance:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("quadrant:N", scale=colors, title=None),
        tooltip=["driver", "share", "performance", "quadrant"],
    )
    labels = base.mark_text(align="left", dx=7, fontSize=10, color="#4a5a70").encode(
        x="share:Q", y="performance:Q", text="driver:N"
    )
    mean_x = (
        alt.Chart(pd.DataFrame({"v": [frame.share.mean()]}))
        .mark_rule(strokeDash=[4, 4], color="#94a3b8")
        .encode(x="v:Q")
    )
    mean_y = (
        alt.Chart(pd.DataFrame({"v": [frame.performance.mean()]}))
        .mark_rule(strokeDash=[4, 4], color="#94a3b8")
        .encode(y="v:Q")
    )
    return _finish(alt.layer(mean_x, mean_y, points, labels), height=340)


@router.get("/drivers", response_class=HTMLResponse)
def drivers_page(request: Request, ctx: ContextDep, lang: Lang) -> HTMLResponse:
    error = None
    try:
        analysis = load_drivers(ctx)
    except CxpulseError as exc:
        analysis, error = None, exc.message_in(lang)
    spec = quadrant_spec(analysis, lang) if analysis is not None else None
    level = f"{100 * analysis.confidence:g}" if analysis is not None else ""
    return render(
        request,
        "drivers.html",
        analysis=analysis,
        spec=spec,
        error=error,
        level=level,
        config=ctx.config.metrics.drivers,
    )
