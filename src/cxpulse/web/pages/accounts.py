"""The accounts list (search, paged) and one page per account: its score, timeline and the
actions a CS team takes from it (open a case with the band's playbook, log a touchpoint, set
a manual health override with a reason and an expiry)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from cxpulse import store
from cxpulse.loop.errors import LoopError
from cxpulse.web import charts
from cxpulse.web.account_profile import (
    RECENT,
    AccountNotFoundError,
    AccountProfile,
    account_profile,
    add_cases,
    find_accounts,
)
from cxpulse.web.deps import ContextDep, CurrentUser, Lang, require_role
from cxpulse.web.pages.health import load_summary
from cxpulse.web.session import flash
from cxpulse.web.templating import language_of, render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
TIMELINE_PAGE = 10  # timeline entries shown at first; "show more" reveals the next ones


def search_accounts(ctx: Any, q: str, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Accounts matching ``q`` with their latest score and band, if scored."""
    rows = ctx.cached(
        ("accounts", q, limit, offset), lambda: find_accounts(ctx.workspace, q, limit + offset)
    )[offset:]
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


def count_accounts(ctx: Any, q: str) -> int:
    """How many accounts match ``q`` (the list says so instead of stopping silently)."""

    def count() -> int:
        t = ctx.workspace.table("accounts")
        text = "".join(ch for ch in q if ch.isprintable()).strip().lower()
        if text:
            t = t.filter(t.account_id.lower().contains(text) | t.name.lower().contains(text))
        return int(t.count().execute())

    return ctx.cached(("accounts.count", q), count)  # type: ignore[no-any-return]


def load_profile(ctx: Any, account_id: str, lang: str) -> AccountProfile:
    """An account's profile with its cases; 404 for an unknown id."""
    from cxpulse.health import active_model_name

    try:
        profile: AccountProfile = ctx.cached(
            ("account", account_id, lang, active_model_name(ctx.workspace)),
            lambda: account_profile(ctx.workspace, account_id, lang),
        )
    except AccountNotFoundError as exc:
        raise HTTPException(status_code=404, detail=exc) from exc
    profile = replace(profile)  # the cached one stays without cases (they change often)
    with store.session(ctx.store_engine()) as s:
        add_cases(profile, s)
    return profile


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, ctx: ContextDep, q: str = "", page: int = 1) -> HTMLResponse:
    total = count_accounts(ctx, q)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = search_accounts(ctx, q, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    template = "_accounts_list.html" if request.headers.get("hx-request") else "accounts.html"
    from cxpulse.web.directory import people

    with store.read_session(ctx.store_engine()) as s:  # owners by name, as on the health page
        who = people(s)
    return render(
        request, template, rows=rows, q=q, page=page, pages=pages, total=total, people=who
    )


def _workspace_touchpoints(ctx: Any, account_id: str) -> list[dict[str, Any]]:
    from cxpulse.errors import CxpulseError
    from cxpulse.web.account_profile import _recent

    def read() -> list[dict[str, Any]]:
        try:
            return _recent(ctx.workspace, "touchpoints", account_id, "occurred_at")
        except CxpulseError:
            return []

    return ctx.cached(("account.touchpoints", account_id), read)  # type: ignore[no-any-return]


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(
    request: Request, ctx: ContextDep, user: CurrentUser, lang: Lang, account_id: str
) -> HTMLResponse:
    from cxpulse.loop import CaseFilter, list_cases
    from cxpulse.loop.inbox import owners as case_owners
    from cxpulse.loop.overrides import BANDS, MAX_DAYS, active_overrides, override_history
    from cxpulse.loop.titles import case_title
    from cxpulse.loop.touchpoints import account_touchpoints
    from cxpulse.store.tables import TOUCHPOINT_KINDS
    from cxpulse.web.directory import people
    from cxpulse.web.timeline import account_timeline

    profile = load_profile(ctx, account_id, lang)
    spec = charts.score_history_spec(profile.history, lang) if profile.history else None
    with store.session(ctx.store_engine()) as s:
        who = people(s)
        cases = list_cases(s, CaseFilter(account_id=account_id), limit=RECENT)
        case_rows = [
            {
                "id": c.id,
                "title": case_title(c, lang, profile.name),
                "status": c.status,
                "created_at": c.created_at,
                "due_at": c.due_at,
                "breached": next((x["breached"] for x in profile.cases if x["id"] == c.id), False),
            }
            for c in sorted(cases, key=lambda c: c.created_at, reverse=True)
        ]
        logged = [
            {
                "occurred_at": tp.occurred_at,
                "kind": tp.kind,
                "owner": tp.actor,
                "rating": tp.rating,
                "note": tp.note,
            }
            for tp in account_touchpoints(s, account_id)
        ]
        history = override_history(s, account_id)
        active = active_overrides(s, [account_id]).get(account_id)
        for o in history:
            s.expunge(o)
        owners = sorted(set(case_owners(s)) | set(who))
    timeline = account_timeline(
        lang=lang,
        responses=profile.responses,
        tickets=profile.tickets,
        cases=case_rows,
        touchpoints=logged + _workspace_touchpoints(ctx, account_id),
        history=profile.history,
        overrides=history,
        people=who,
    )
    return render(
        request,
        "account.html",
        p=profile,
        spec=spec,
        cases=case_rows,
        timeline=timeline,
        timeline_page=TIMELINE_PAGE,
        override=active,
        overrides=history,
        bands=BANDS,
        max_days=MAX_DAYS,
        touchpoint_kinds=TOUCHPOINT_KINDS,
        owners=owners,
        people=who,
    )


def _back(account_id: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"/accounts/{quote(account_id, safe='')}", status_code=303)


@router.post("/accounts/{account_id}/touchpoint")
def account_touchpoint_form(
    request: Request,
    ctx: ContextDep,
    user: CurrentUser,
    account_id: str,
    kind: Annotated[str, Form(max_length=20)],
    note: Annotated[str | None, Form(max_length=5000)] = None,
    rating: Annotated[str | None, Form(max_length=2)] = None,
) -> RedirectResponse:
    """Log a call, meeting or QBR with the account."""
    from cxpulse.loop.touchpoints import log_touchpoint

    load_profile(ctx, account_id, language_of(request))  # 404 for an unknown account
    try:
        with store.session(ctx.store_engine()) as s:
            log_touchpoint(
                s,
                account_id,
                kind,
                actor=user.email,
                note=note,
                rating=int(rating) if rating and rating.isdigit() else None,
            )
    except LoopError as exc:
        flash(request, "loop.flash.error", "error", detail=exc.message_in(language_of(request)))
    else:
        flash(request, "cx.flash.touchpoint", "success")
    return _back(account_id)


@router.post("/accounts/{account_id}/override", dependencies=[require_role("analyst")])
def account_override_form(
    request: Request,
    ctx: ContextDep,
    user: CurrentUser,
    account_id: str,
    band: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=2000)],
    days: Annotated[int, Form()] = 30,
) -> RedirectResponse:
    """Set a manual health band for ``days`` days, with a reason (kept in the history)."""
    from cxpulse.loop.overrides import set_override

    lang = language_of(request)
    profile = load_profile(ctx, account_id, lang)
    try:
        with store.session(ctx.store_engine()) as s:
            set_override(
                s, account_id, band, reason=reason, days=days, actor=user.email, score=None
            )
    except LoopError as exc:
        flash(request, "loop.flash.error", "error", detail=exc.message_in(lang))
    else:
        flash(request, "cx.flash.override", "success", name=profile.name or account_id)
    return _back(account_id)


@router.post(
    "/accounts/{account_id}/override/{override_id}/end", dependencies=[require_role("analyst")]
)
def account_override_end_form(
    request: Request, ctx: ContextDep, user: CurrentUser, account_id: str, override_id: int
) -> RedirectResponse:
    """End a manual override before its expiry (who and when are recorded)."""
    from cxpulse.loop.overrides import end_override

    try:
        with store.session(ctx.store_engine()) as s:
            end_override(s, override_id, actor=user.email)
    except LoopError as exc:
        flash(request, "loop.flash.error", "error", detail=exc.message_in(language_of(request)))
    else:
        flash(request, "cx.flash.override_ended", "success")
    return _back(account_id)
