"""The accounts list (search) and one page per account."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from cxpulse import store
from cxpulse.web import charts
from cxpulse.web.account_profile import (
    AccountNotFoundError,
    AccountProfile,
    account_profile,
    add_cases,
    find_accounts,
)
from cxpulse.web.deps import ContextDep, Lang
from cxpulse.web.pages.health import load_summary
from cxpulse.web.templating import render

router = APIRouter(include_in_schema=False)


def search_accounts(ctx: Any, q: str, limit: int = 50) -> list[dict[str, Any]]:
    """Accounts matching ``q`` with their latest score and band, if scored."""
    rows = ctx.cached(("accounts", q, limit), lambda: find_accounts(ctx.workspace, q, limit))
    summary = load_summary(ctx, None)
    by_id = {r.account_id: (r.score, r.band) for r in summary.scores.itertuples(index=False)}
    out = []
    for r in rows:
        score, band = by_id.get(r["account_id"], (None, None))
        scored = score is not None
        out.append(
            {
                **r,
                "score": score,
                "band": band,
                "model": summary.model if scored else None,
                "as_of": summary.as_of if scored else None,
            }
        )
    return out


def load_profile(ctx: Any, account_id: str, lang: str) -> AccountProfile:
    """An account's profile with its cases; 404 for an unknown id."""
    from cxpulse.health import active_model_name

    try:
        profile: AccountProfile = ctx.cached(
            ("account", account_id, lang, active_model_name(ctx.workspace)),
            lambda: account_profile(ctx.workspace, account_id, lang),
        )
    except AccountNotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    profile = replace(profile)  # the cached one stays without cases (they change often)
    with store.session(ctx.store_engine()) as s:
        add_cases(profile, s)
    return profile


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, ctx: ContextDep, q: str = "") -> HTMLResponse:
    rows = search_accounts(ctx, q)
    template = "_accounts_list.html" if request.headers.get("hx-request") else "accounts.html"
    return render(request, template, rows=rows, q=q)


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(request: Request, ctx: ContextDep, lang: Lang, account_id: str) -> HTMLResponse:
    profile = load_profile(ctx, account_id, lang)
    spec = charts.score_history_spec(profile.history, lang) if profile.history else None
    return render(request, "account.html", p=profile, spec=spec)
