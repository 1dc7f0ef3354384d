"""The overview: NPS, CSAT and CES with intervals, monthly trends and significant changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from cxpulse.web import charts
from cxpulse.web.dashboard import (
    OVERVIEW_METRICS,
    PERIOD_CHOICES,
    Overview,
    OverviewFilters,
    overview,
)
from cxpulse.web.deps import ContextDep, Lang
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False)


def load_overview(ctx: Any, filters: OverviewFilters) -> Overview:
    """The overview for ``filters``, cached per data version."""
    return ctx.cached(("overview", filters), lambda: overview(ctx.workspace, filters))  # type: ignore[no-any-return]


def chart_specs(data: Overview, lang: str) -> dict[str, dict[str, Any]]:
    """The Vega-Lite specs of the overview charts."""
    specs = {f"trend-{m}": charts.trend_spec(data.trend[m], m, lang) for m in OVERVIEW_METRICS}
    specs["split-nps"] = charts.split_spec(data.trend["nps"], lang)
    return specs


@router.get("/", response_class=HTMLResponse)
def overview_page(
    request: Request,
    ctx: ContextDep,
    lang: Lang,
    period: str | None = None,
    segment: str | None = None,
    filter: Annotated[list[str] | None, Query()] = None,
    by: str | None = None,
) -> HTMLResponse:
    filters = OverviewFilters.parse(period, segment, filter, by)
    data = load_overview(ctx, filters)
    template = "_overview_results.html" if request.headers.get("hx-request") else "overview.html"
    return render(
        request,
        template,
        data=data,
        specs=ctx.cached(("overview.specs", filters, lang), lambda: chart_specs(data, lang)),
        metrics=OVERVIEW_METRICS,
        periods=PERIOD_CHOICES,
        bench_label=benchmark_label(ctx.config.metrics.industry, lang),
    )


def benchmark_label(industry: str | None, lang: str) -> str | None:
    """The configured industry's name in ``lang`` (None without a known benchmark)."""
    if not industry:
        return None
    from cxpulse.metrics.benchmarks import nps_benchmark

    found = nps_benchmark(industry)
    return found.industry(lang) if found is not None else None
