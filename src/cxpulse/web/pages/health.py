"""The health page: score distribution, bands, movement and the at-risk list (CSV/Excel)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cxpulse.web import charts
from cxpulse.web.deps import ContextDep, Lang, require_role
from cxpulse.web.health_summary import (
    RISK_CHOICES,
    HealthSummary,
    at_risk,
    export_frame,
    health_summary,
    records,
    to_csv,
    to_excel,
)
from cxpulse.web.i18n import translate
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_ROWS = 100


def load_summary(ctx: Any, model: str | None) -> HealthSummary:
    """The health summary, cached per data version and active model (a promotion shows at once)."""
    from cxpulse.health import active_model_name

    key = ("health", model, active_model_name(ctx.workspace))
    return ctx.cached(key, lambda: health_summary(ctx.workspace, model))  # type: ignore[no-any-return]


def _risk(value: str | None) -> str:
    return value if value in RISK_CHOICES else "red"


@router.get("/health", response_class=HTMLResponse)
def health_page(
    request: Request,
    ctx: ContextDep,
    lang: Lang,
    model: str | None = None,
    risk: str | None = None,
    sort: str = "score",
    desc: bool = False,
) -> HTMLResponse:
    summary = load_summary(ctx, model)
    rows = at_risk(summary, risk=_risk(risk), sort=sort, descending=desc)
    spec = None
    if summary.has_scores:
        spec = ctx.cached(
            ("health.hist", summary.model, lang),
            lambda: charts.histogram_spec(
                summary.histogram(),
                lang,
                x_title=translate("web.health.score", lang),
                y_title=translate("web.health.accounts", lang),
            ),
        )
    template = "_health_list.html" if request.headers.get("hx-request") else "health.html"
    return render(
        request,
        template,
        summary=summary,
        rows=records(rows.head(PAGE_ROWS)),
        total_rows=len(rows),
        risk=_risk(risk),
        risks=RISK_CHOICES,
        sort=sort,
        desc=desc,
        spec=spec,
    )


@router.get("/health/at-risk.{fmt}", dependencies=[require_role("analyst")])
def export_at_risk(
    ctx: ContextDep,
    fmt: str,
    model: str | None = None,
    risk: str | None = None,
    sort: str = "score",
    desc: bool = False,
) -> Response:
    """Download the at-risk list as CSV or Excel (analysts and admins: it lists customers)."""
    summary = load_summary(ctx, model)
    frame = export_frame(
        at_risk(summary, risk=_risk(risk), sort=sort, descending=desc), summary.as_of, summary.model
    )
    stamp = summary.as_of.isoformat() if summary.as_of else "none"
    if fmt == "csv":
        return Response(
            to_csv(frame),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="at-risk-{stamp}.csv"'},
        )
    if fmt == "xlsx":
        return Response(
            to_excel(frame),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="at-risk-{stamp}.xlsx"'},
        )
    return Response("use .csv or .xlsx", status_code=404)
