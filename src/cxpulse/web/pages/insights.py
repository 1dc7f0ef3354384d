"""The comment insights page: themes with counts, sentiment, trend and examples, and which
themes go with detractors, by segment and indicator. It reads the stored comment analysis
(:mod:`cxpulse.text.insights`); analysts run the analysis again with one button."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cxpulse.web import charts
from cxpulse.web.deps import ContextDep, Lang, require_role
from cxpulse.web.session import flash
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False)
PERIODS = {"all": None, "12m": 365, "6m": 182, "3m": 91}
KINDS = ("nps", "csat", "ces")


def load_insights(ctx: Any, lang: str, segment: str, kind: str, period: str) -> Any:
    """Insights of the stored analysis, cached per data version and selection."""
    from cxpulse.text.insights import analysis_stamp, is_analysed, theme_insights

    with ctx.workspace_lock:
        if not is_analysed(ctx.workspace):
            return None  # not cached: the analysis may be stored any moment
        stamp = analysis_stamp(ctx.workspace)

    def compute() -> Any:
        days = PERIODS.get(period)
        start = date.today() - timedelta(days=days) if days else None
        return theme_insights(
            ctx.workspace,
            lang=lang,
            segment=segment or None,
            kind=kind or None,
            start=start,
            confidence=ctx.config.metrics.confidence,
            small_n=ctx.config.metrics.small_sample_n,
        )

    # a new analysis (its computed_at) makes a new key: no stale themes after re-analysing
    return ctx.cached(("insights", stamp, lang, segment, kind, period), compute)


@router.get("/insights", response_class=HTMLResponse)
def insights_page(
    request: Request,
    ctx: ContextDep,
    lang: Lang,
    segment: str = "",
    kind: str = "",
    period: str = "all",
) -> HTMLResponse:
    period = period if period in PERIODS else "all"
    kind = kind if kind in KINDS else ""
    got = load_insights(ctx, lang, segment, kind, period)
    spec = None
    if got is not None and not got.empty and not got.trend.empty:
        top = [t.name for t in got.themes[:5]]
        spec = ctx.cached(
            ("insights.trend", got.computed_at, lang, segment, kind, period),
            lambda: charts.theme_trend_spec(got.trend, top, lang),
        )
    matrix: dict[str, dict[int, Any]] = {}
    if got is not None and not got.by_segment.empty:
        for row in got.by_segment.itertuples(index=False):
            matrix.setdefault(str(row.segment), {})[int(row.theme_id)] = row
    return render(
        request,
        "insights.html",
        ins=got,
        spec=spec,
        matrix=matrix,
        filters={"segment": segment, "kind": kind, "period": period},
        periods=list(PERIODS),
        kinds=KINDS,
    )


@router.post("/insights/analyse", dependencies=[require_role("analyst")])
def analyse_form(request: Request, ctx: ContextDep, lang: Lang) -> RedirectResponse:
    """Run the comment analysis again (embeddings, themes, sentiment) and store it."""
    from cxpulse.errors import CxpulseError
    from cxpulse.text import comment_analysis

    try:
        with ctx.workspace_lock:
            comment_analysis(ctx.workspace, lang=ctx.language)
    except CxpulseError as exc:
        flash(request, "loop.flash.error", "error", detail=exc.message_in(lang))
    else:
        flash(request, "cx.insights.analysed", "success")
    return RedirectResponse("/insights", status_code=303)
