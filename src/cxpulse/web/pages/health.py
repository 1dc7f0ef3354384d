"""The health page: score distribution, bands, movement, MRR per band and the at-risk list
people act on (reasons, renewal, open cases, overrides; open a case, bulk assign; CSV/Excel)."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cxpulse import store
from cxpulse.locale import gettext, term
from cxpulse.web import charts
from cxpulse.web.deps import ContextDep, CurrentUser, Lang, require_role
from cxpulse.web.exports import ExportColumn, csv_bytes, xlsx_bytes
from cxpulse.web.health_summary import (
    RISK_CHOICES,
    HealthSummary,
    at_risk,
    health_summary,
    records,
)
from cxpulse.web.i18n import translate
from cxpulse.web.risk_list import enrich, mrr_by_band, renewal_dates
from cxpulse.web.session import flash
from cxpulse.web.templating import language_of, render

router = APIRouter(include_in_schema=False)
PAGE_ROWS = 50


def load_summary(ctx: Any, model: str | None) -> HealthSummary:
    """The health summary, cached per data version and active model (a promotion shows at once)."""
    from cxpulse.health import active_model_name

    key = ("health", model, active_model_name(ctx.workspace))
    return ctx.cached(key, lambda: health_summary(ctx.workspace, model))  # type: ignore[no-any-return]


def _risk(value: str | None) -> str:
    return value if value in RISK_CHOICES else "red"


def at_risk_rows(
    ctx: Any,
    summary: HealthSummary,
    *,
    risk: str,
    sort: str,
    desc: bool,
    lang: str,
) -> pd.DataFrame:
    """The at-risk list with reasons, renewal date, open cases and overrides: the one list the
    page, the exports and ``/api/v1/health/at-risk`` show."""
    from cxpulse.loop.overrides import active_overrides
    from cxpulse.loop.risk import accounts_with_open_cases

    frame = at_risk(summary, risk=risk, sort=sort, descending=desc)
    renewals = ctx.cached(
        ("renewals", summary.as_of), lambda: renewal_dates(ctx.workspace, summary.as_of)
    )
    with store.session(ctx.store_engine()) as s:
        open_cases = accounts_with_open_cases(s)
        overrides = active_overrides(s)
        for o in overrides.values():
            s.expunge(o)
    out = enrich(frame, lang=lang, renewals=renewals, open_cases=open_cases, overrides=overrides)
    if sort == "renewal":
        out = out.sort_values(
            ["renewal_date", "account_id"], ascending=[not desc, True], na_position="last"
        ).reset_index(drop=True)
    return out


@router.get("/health", response_class=HTMLResponse)
def health_page(
    request: Request,
    ctx: ContextDep,
    lang: Lang,
    model: str | None = None,
    risk: str | None = None,
    sort: str = "score",
    desc: bool = False,
    page: int = 1,
) -> HTMLResponse:
    summary = load_summary(ctx, model)
    rows = at_risk_rows(ctx, summary, risk=_risk(risk), sort=sort, desc=desc, lang=lang)
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
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    page = min(max(1, page), pages)
    shown = rows.iloc[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    template = "_health_list.html" if request.headers.get("hx-request") else "health.html"
    from cxpulse.loop.inbox import owners as case_owners
    from cxpulse.web.directory import people

    with store.session(ctx.store_engine()) as s:
        who = people(s)
        owners = sorted(set(case_owners(s)) | set(who))
    return render(
        request,
        template,
        summary=summary,
        rows=records(shown),
        total_rows=len(rows),
        page=page,
        pages=pages,
        risk=_risk(risk),
        risks=RISK_CHOICES,
        sort=sort,
        desc=desc,
        spec=spec,
        mrr=mrr_by_band(summary),
        currency=ctx.config.locale.currency,
        people=who,
        owners=owners,
    )


@router.post("/health/open-cases")
def open_cases_form(
    request: Request,
    ctx: ContextDep,
    user: CurrentUser,
    account_ids: Annotated[list[str] | None, Form()] = None,
    owner: Annotated[str | None, Form(max_length=320)] = None,
    back: Annotated[str, Form(max_length=2000)] = "/health",
    only: str | None = None,
) -> RedirectResponse:
    """Open (or reuse) an at-risk case with the band's playbook for each ticked account,
    assigned to ``owner`` when given; one account goes straight to its case."""
    from cxpulse.health.bands import playbook_text
    from cxpulse.health.features import health_config_of
    from cxpulse.loop.risk import open_risk_case

    lang = language_of(request)
    summary = load_summary(ctx, None)
    scores = summary.scores.set_index("account_id") if summary.has_scores else None
    config = health_config_of(ctx.workspace)
    opened: list[int] = []
    chosen = [only] if only else list(account_ids or [])
    if not chosen:
        flash(request, "cx.flash.pick_accounts", "error")
        return RedirectResponse(back if back.startswith("/health") else "/health", status_code=303)
    with store.session(ctx.store_engine()) as s:
        for account_id in chosen[:500]:
            known = scores is not None and account_id in scores.index
            band = str(scores.loc[account_id, "band"]) if known else "yellow"  # type: ignore[union-attr]
            score = float(scores.loc[account_id, "score"]) if known else None  # type: ignore[union-attr]
            case, _ = open_risk_case(
                s,
                account_id,
                band=band,
                score=score,
                actor=user.email,
                playbook=playbook_text(band, ctx.language, config),
                owner=(owner or "").strip() or None,
                lang=ctx.language,
            )
            opened.append(case.id)
    flash(request, "cx.flash.cases_opened", "success", n=len(opened))
    if len(opened) == 1:
        return RedirectResponse(f"/cases/{opened[0]}?lang={lang}", status_code=303)
    target = back if back.startswith("/health") or back.startswith("/accounts") else "/health"
    return RedirectResponse(target, status_code=303)


def export_columns() -> list[ExportColumn]:
    return [
        ExportColumn("as_of", "cx.export.as_of", "date"),
        ExportColumn("model_label", "web.health.model"),
        ExportColumn("account_id", "cx.export.account_id"),
        ExportColumn("name", "web.account.name"),
        ExportColumn("segment", "web.filter.segment"),
        ExportColumn("owner", "web.account.owner"),
        ExportColumn("country", "cx.export.country"),
        ExportColumn("mrr", "cx.export.mrr", "currency"),
        ExportColumn("score", "web.health.score", "score"),
        ExportColumn("band_label", "web.health.band"),
        ExportColumn("moved_from_label", "cx.export.moved_from"),
        ExportColumn("reasons_text", "cx.export.reasons"),
        ExportColumn("renewal_date", "cx.export.renewal"),
        ExportColumn("open_cases", "cx.export.open_cases", "int"),
        ExportColumn("override_label", "cx.export.override"),
    ]


def export_records(rows: pd.DataFrame, lang: str, summary: HealthSummary) -> list[dict[str, Any]]:
    """At-risk rows as export records: labels in ``lang``, reasons as one text."""
    out = []
    for r in records(rows):
        out.append(
            {
                **r,
                "as_of": summary.as_of,
                "model_label": term("model", summary.model, lang),
                "band_label": term("band", r["band"], lang),
                "moved_from_label": term("band", r["moved_from"], lang)
                if r.get("moved_from")
                else None,
                "reasons_text": "; ".join(x.label for x in r.get("reasons") or []),
                "renewal_date": r.get("renewal_date"),
                "override_label": (
                    gettext(
                        "cx.export.override_text",
                        lang,
                        band=term("band", r["override_band"], lang),
                        until=r["override_until"].date().isoformat(),
                        reason=r["override_reason"],
                    )
                    if r.get("override_band")
                    else None
                ),
            }
        )
    return out


@router.get("/health/at-risk.{fmt}", dependencies=[require_role("analyst")])
def export_at_risk(
    request: Request,
    ctx: ContextDep,
    fmt: str,
    model: str | None = None,
    risk: str | None = None,
    sort: str = "score",
    desc: bool = False,
) -> Response:
    """Download the at-risk list as CSV or Excel (analysts and admins: it lists customers)."""
    lang = language_of(request)
    summary = load_summary(ctx, model)
    rows = at_risk_rows(ctx, summary, risk=_risk(risk), sort=sort, desc=desc, lang=lang)
    data = export_records(rows, lang, summary)
    stamp = summary.as_of.isoformat() if summary.as_of else "none"
    name = gettext("cx.export.file.at_risk", lang)
    if fmt == "csv":
        return Response(
            csv_bytes(data, export_columns(), lang),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'},
        )
    if fmt == "xlsx":
        notes = [
            gettext(
                "cx.export.note.at_risk",
                lang,
                as_of=stamp,
                model=term("model", summary.model, lang),
            ),
            gettext("cx.export.note.renewal", lang),
        ]
        body = xlsx_bytes(
            data,
            export_columns(),
            lang,
            sheet_title=gettext("web.health.at_risk", lang),
            currency=ctx.config.locale.currency,
            notes=notes,
        )
        return Response(
            body,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.xlsx"'},
        )
    return Response(gettext("cx.export.bad_format", lang), status_code=404)
