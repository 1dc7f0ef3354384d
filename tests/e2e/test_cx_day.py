"""The CX team's day in Chromium, in Spanish and English, on a desktop and on a phone: from
the at-risk list to a case opened, assigned, resolved and followed up, with the loop indicators
updated; a manual override with its audit entry; the inbox filters; the comment insights page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cxpulse import store
from cxpulse.collect.invitations import create_invitation
from cxpulse.collect.surveys import create_survey
from cxpulse.locale import gettext
from cxpulse.store import Case
from tests.e2e.conftest import DESKTOP, PHONE, shot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
# (language, screen, index): every journey runs in both languages on both screens; the index
# keeps the variants on different accounts of the one shared test company.
VARIANTS = [
    pytest.param("es", DESKTOP, 0, id="es-desktop"),
    pytest.param("en", PHONE, 1, id="en-phone"),
    pytest.param("es", PHONE, 2, id="es-phone"),
    pytest.param("en", DESKTOP, 3, id="en-desktop"),
]


def _sign_in(browser: Any, base: str, email: str, viewport: dict[str, int], locale: str) -> Any:
    phone = viewport["width"] < 500
    ctx = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone, locale=locale)
    page = ctx.new_page()
    page.goto(f"{base}/login")
    page.fill('input[name="email"]', email)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    return ctx, page


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _indicator(page: Any, base: str, lang: str, name: str) -> int:
    page.goto(f"{base}/cases?lang={lang}")
    return int(page.locator(f'[data-indicator="{name}"]').get_attribute("data-n") or 0)


def _unfold(page: Any, selector: str) -> None:
    """Open a folded section (folded on a phone, open on a desktop)."""
    fold = page.locator(selector)
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()


@pytest.mark.parametrize(("lang", "screen", "index"), VARIANTS)
def test_from_risk_to_a_followed_up_case_and_an_audited_override(
    live: Any, chromium: Any, lang: str, screen: dict[str, int], index: int
) -> None:
    where = "phone" if screen is PHONE else "desktop"
    url = f"sqlite:///{live.project_dir / 'cxpulse.sqlite'}"
    slug = f"e2e-followup-{lang}-{where}"
    with store.session(url) as s:
        create_survey(s, slug, "nps", language=lang)
    locale = "es-ES" if lang == "es" else "en-US"
    ctx, page = _sign_in(chromium, live.url, "analyst@example.com", screen, locale)
    try:
        page.goto(f"{live.url}/health?risk=all&lang={lang}")
        row = page.locator("#at-risk-table tbody tr").nth(index)
        account = row.get_attribute("data-account")
        assert row.locator("td.reasons").inner_text().strip()  # the top reasons are listed
        assert page.evaluate("document.documentElement.scrollWidth") <= screen["width"] + 1
        shot(page, f"cxday-health-{lang}-{where}")
        with page.expect_navigation():
            row.locator("button[data-open-case]").click()
        assert re.search(r"/cases/\d+", page.url)
        plan = gettext("loop.title.at_risk", lang).split("{")[0].strip()
        assert plan in page.locator("#case-title").inner_text()
        assert "Luis Analista" in page.locator("#case-history").inner_text()  # actor by name
        page.fill('#form-assign input[name="owner"]', "agent@example.com")
        with page.expect_navigation():
            page.locator('#form-assign button[type="submit"]').click()
        assert page.locator("#case-owner").inner_text().strip() == "agent@example.com"
        page.select_option('#form-touchpoint select[name="kind"]', "call")
        page.fill('#form-touchpoint textarea[name="note"]', "Llamada / call with purchasing")
        with page.expect_navigation():
            page.locator('#form-touchpoint button[type="submit"]').click()
        page.fill('#form-resolve input[name="category"]', "retention")
        with page.expect_navigation():
            page.locator('#form-resolve button[type="submit"]').click()
        resolved = _upper(gettext("term.status.resolved", lang))
        assert page.locator("#case-status").inner_text().strip() == resolved
        history = page.locator("#case-history")
        kinds = history.locator("li").evaluate_all("els => els.map(e => e.dataset.kind)")
        assert {"opened", "assigned", "contacted", "status_changed"} <= set(kinds)
        assigned = gettext("term.event.assigned", lang).split()[0].lower()  # "asignado"
        assert assigned in history.inner_text().lower()
        # follow up: a survey to the customer, answered as a promoter
        page.select_option('#form-followup select[name="survey"]', slug)
        with page.expect_navigation():
            page.locator('#form-followup button[type="submit"]').click()
        link = re.search(r"/s/([A-Za-z0-9_-]{20,})", page.locator("#case-history").inner_text())
        assert link, "the follow-up link is in the case history"
        assert page.evaluate("document.documentElement.scrollWidth") <= screen["width"] + 1
        shot(page, f"cxday-case-{lang}-{where}")
        customer = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        answer = customer.new_page()
        answer.goto(f"{live.url}/s/{link.group(1)}")
        answer.locator('button[data-score="10"]').tap()
        answer.get_by_test_id("thanks").wait_for()
        customer.close()
        # a manual override on the account page, with its audit entry
        page.goto(f"{live.url}/accounts/{account}?lang={lang}")
        _unfold(page, "#override-fold")
        page.select_option('#form-override select[name="band"]', "green")
        page.fill('#form-override textarea[name="reason"]', f"Renewal signed / renovación {index}")
        with page.expect_navigation():
            page.locator('#form-override button[type="submit"]').click()
        note = page.locator("#override-active")
        assert f"Renewal signed / renovación {index}" in note.inner_text()
        assert "Luis Analista" in note.inner_text()
        assert page.locator('#timeline li[data-kind="override"]:not([hidden])').count() == 1
        assert page.locator('#timeline li[data-kind="touchpoint"]').count() >= 1
        _unfold(page, "#override-history")
        assert f"renovación {index}" in page.locator("#override-history").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= screen["width"] + 1
        shot(page, f"cxday-account-{lang}-{where}")
        page.goto(f"{live.url}/health?risk=all&lang={lang}")
        flagged = page.locator(f'#at-risk-table tr[data-account="{account}"]')
        assert gettext("cx.override.chip", lang).split(":")[0] in flagged.inner_text()
    finally:
        ctx.close()


@pytest.mark.parametrize(("lang", "screen", "index"), VARIANTS)
def test_inbox_filters_and_insights(
    live: Any, chromium: Any, lang: str, screen: dict[str, int], index: int
) -> None:
    where = "phone" if screen is PHONE else "desktop"
    locale = "es-ES" if lang == "es" else "en-US"
    account = ("A002", "A003", "A004", "A006")[index]
    url = f"sqlite:///{live.project_dir / 'cxpulse.sqlite'}"
    with store.session(url) as s:
        survey_slug = f"e2e-day-nps-{lang}-{where}"
        survey = create_survey(s, survey_slug, "nps", language=lang)
        issued = create_invitation(s, survey, account_id=account, base_url=live.url)
    phone = screen is PHONE
    customer = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)
    page = customer.new_page()
    page.goto(issued.url)
    page.locator('button[data-score="3"]').tap()
    page.get_by_test_id("thanks").wait_for()
    customer.close()
    with store.session(url) as s:
        case_id = (
            s.query(Case)
            .filter_by(account_id=account, trigger="detractor")
            .order_by(Case.id.desc())
            .first()
            .id
        )
    ctx, page = _sign_in(chromium, live.url, "agent@example.com", screen, locale)
    try:
        # the inbox's loop indicators read detractor cases: this one will move them
        closed_before = _indicator(page, live.url, lang, "time_to_close")
        recovered_before = _indicator(page, live.url, lang, "recovery")
        page.goto(f"{live.url}/cases?lang={lang}")
        if phone:  # the menu reaches every page on a phone
            page.locator(".navmenu summary").tap()
            links = page.locator(".navmenu nav a").evaluate_all(
                "els => els.map(e => e.getAttribute('href'))"
            )
            page.locator(".navmenu summary").tap()
        else:  # every section is visible in the bar on a desktop, none cut off
            links = page.locator(".mainnav a").evaluate_all(
                "els => els.filter(e => e.getBoundingClientRect().right <= innerWidth)"
                ".map(e => e.getAttribute('href'))"
            )
        assert {"/cases", "/health", "/accounts", "/insights"} <= set(links)
        page.goto(f"{live.url}/cases?origin=detractor&status=open&lang={lang}")
        row = page.locator(f'tr[data-case-id="{case_id}"]')
        row.wait_for()
        assert gettext("term.origin.detractor", lang).lower() in row.inner_text().lower()
        assert page.evaluate("document.documentElement.scrollWidth") <= screen["width"] + 1
        shot(page, f"cxday-inbox-{lang}-{where}")
        page.goto(f"{live.url}/cases?origin=health_red&lang={lang}")
        assert page.locator(f'tr[data-case-id="{case_id}"]').count() == 0
        page.goto(f"{live.url}/cases?q={account}&lang={lang}")
        assert page.locator(f'tr[data-case-id="{case_id}"]').count() == 1
        # worked from the inbox: contacted, resolved, followed up, answered as a promoter
        page.goto(f"{live.url}/cases/{case_id}?lang={lang}")
        page.locator("#form-touchpoint select").select_option("call")
        with page.expect_navigation():
            page.locator('#form-touchpoint button[type="submit"]').click()
        with page.expect_navigation():
            page.locator('#form-resolve button[type="submit"]').click()
        page.select_option('#form-followup select[name="survey"]', survey_slug)
        with page.expect_navigation():
            page.locator('#form-followup button[type="submit"]').click()
        link = re.search(r"/s/([A-Za-z0-9_-]{20,})", page.locator("#case-history").inner_text())
        assert link, "the follow-up link is in the case history"
        answer = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        customer_page = answer.new_page()
        customer_page.goto(f"{live.url}/s/{link.group(1)}")
        customer_page.locator('button[data-score="10"]').tap()
        customer_page.get_by_test_id("thanks").wait_for()
        answer.close()
        assert _indicator(page, live.url, lang, "time_to_close") == closed_before + 1
        assert _indicator(page, live.url, lang, "recovery") == recovered_before + 1
        shot(page, f"cxday-indicators-{lang}-{where}")
    finally:
        ctx.close()
    ctx, page = _sign_in(chromium, live.url, "analyst@example.com", screen, locale)
    try:
        page.goto(f"{live.url}/insights?lang={lang}")
        if page.locator("#themes-table").count() == 0:
            with page.expect_navigation(timeout=120_000):
                page.locator("#insights-analyse").click()
            page.goto(f"{live.url}/insights?lang={lang}")
        names = page.locator("#themes-table tbody tr").all_inner_texts()
        assert len(names) >= 1 and all(n.strip() for n in names)
        page.select_option("#insights-kind", "nps")
        with page.expect_navigation():
            page.locator('#insights-filters button[type="submit"]').click()
        assert "kind=nps" in page.url and page.locator("#themes-table").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= screen["width"] + 1
        shot(page, f"cxday-insights-{lang}-{where}")
    finally:
        ctx.close()
