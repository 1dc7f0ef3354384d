"""The CX team's day in Chromium: from the at-risk list to a case opened, assigned, resolved
and followed up, with the loop indicators updated; the inbox filters; the comment insights
page; a manual override with its audit entry. Spanish on a desktop, English on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cxpulse import store
from cxpulse.collect.invitations import create_invitation
from cxpulse.collect.surveys import create_survey
from cxpulse.store import Case
from tests.e2e.conftest import DESKTOP, PHONE, shot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


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


def test_from_risk_to_a_resolved_case_and_an_audited_override_in_spanish(live, chromium) -> None:
    ctx, page = _sign_in(chromium, live.url, "analyst@example.com", DESKTOP, "es-ES")
    try:
        page.goto(f"{live.url}/health?risk=all&lang=es")
        first = page.locator("#at-risk-table tbody tr").first
        account = first.get_attribute("data-account")
        assert first.locator("td.reasons").inner_text().strip()  # the top reasons are listed
        shot(page, "cxday-health-es-desktop")
        with page.expect_navigation():
            first.locator("button[data-open-case]").click()
        assert re.search(r"/cases/\d+", page.url)
        assert "Plan para la cuenta" in page.locator("#case-title").inner_text()
        assert "Luis Analista" in page.locator("#case-history").inner_text()  # actor by name
        page.fill('#form-assign input[name="owner"]', "agent@example.com")
        with page.expect_navigation():
            page.locator('#form-assign button[type="submit"]').click()
        assert page.locator("#case-owner").inner_text().strip() == "agent@example.com"
        page.select_option('#form-touchpoint select[name="kind"]', "call")
        page.fill('#form-touchpoint textarea[name="note"]', "Llamada con la gerente de compras")
        with page.expect_navigation():
            page.locator('#form-touchpoint button[type="submit"]').click()
        page.fill('#form-resolve input[name="category"]', "retention")
        with page.expect_navigation():
            page.locator('#form-resolve button[type="submit"]').click()
        assert page.locator("#case-status").inner_text().strip() == "Resuelto"
        kinds = page.locator("#case-history li").evaluate_all("els => els.map(e => e.dataset.kind)")
        assert {"opened", "assigned", "contacted", "status_changed"} <= set(kinds)
        assert "asignado" in page.locator("#case-history").inner_text().lower()
        shot(page, "cxday-case-es-desktop")
        # a manual override on the account page, with its audit entry
        page.goto(f"{live.url}/accounts/{account}?lang=es")
        page.select_option('#form-override select[name="band"]', "green")
        page.fill('#form-override textarea[name="reason"]', "Renovación firmada por tres años")
        with page.expect_navigation():
            page.locator('#form-override button[type="submit"]').click()
        note = page.locator("#override-active")
        assert "Renovación firmada por tres años" in note.inner_text()
        assert "Luis Analista" in note.inner_text()
        assert page.locator('#timeline li[data-kind="override"]').count() == 1
        assert page.locator('#timeline li[data-kind="touchpoint"]').count() >= 1
        shot(page, "cxday-account-es-desktop")
        page.goto(f"{live.url}/health?risk=all&lang=es")
        row = page.locator(f'#at-risk-table tr[data-account="{account}"]')
        assert "Ajuste manual" in row.inner_text()
    finally:
        ctx.close()


def test_inbox_follow_up_and_insights_on_a_phone_in_english(live, chromium) -> None:
    url = f"sqlite:///{live.project_dir / 'cxpulse.sqlite'}"
    with store.session(url) as s:
        survey = create_survey(s, "e2e-day-nps", "nps", language="en")
        issued = create_invitation(
            s, survey, account_id="A002", contact_id="c-a002", base_url=live.url
        )
    customer = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
    page = customer.new_page()
    page.goto(issued.url)
    page.locator('button[data-score="3"]').tap()
    page.get_by_test_id("thanks").wait_for()
    customer.close()
    with store.session(url) as s:
        case_id = s.query(Case).filter_by(account_id="A002", trigger="detractor").one().id
    ctx, page = _sign_in(chromium, live.url, "agent@example.com", PHONE, "en-US")
    try:
        before = None
        page.goto(f"{live.url}/cases?lang=en")
        recovery = page.locator('[data-indicator="recovery"]')
        before = int(recovery.get_attribute("data-n") or 0)
        # the menu reaches every page on a phone
        page.locator(".navmenu summary").tap()
        links = page.locator(".navmenu nav a").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        assert {"/cases", "/health", "/accounts", "/insights"} <= set(links)
        page.locator(".navmenu summary").tap()
        page.goto(f"{live.url}/cases?origin=detractor&status=open&lang=en")
        row = page.locator(f'tr[data-case-id="{case_id}"]')
        row.wait_for()
        assert "Detractor" in row.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        shot(page, "cxday-inbox-en-phone")
        page.goto(f"{live.url}/cases?origin=health_red&lang=en")
        assert page.locator(f'tr[data-case-id="{case_id}"]').count() == 0
        page.goto(f"{live.url}/cases?q=A002&lang=en")
        assert page.locator(f'tr[data-case-id="{case_id}"]').count() == 1
        page.goto(f"{live.url}/cases/{case_id}?lang=en")
        assert "from account" in page.locator("#case-title").inner_text()
        page.locator("#form-touchpoint select").select_option("call")
        with page.expect_navigation():
            page.locator('#form-touchpoint button[type="submit"]').tap()
        with page.expect_navigation():
            page.locator('#form-resolve button[type="submit"]').tap()
        with page.expect_navigation():
            page.locator('#form-followup button[type="submit"]').tap()
        link = re.search(r"/s/([A-Za-z0-9_-]{20,})", page.locator("#case-history").inner_text())
        assert link, "the follow-up link is in the case history"
        # the link is made with CXPULSE_BASE_URL; this test server listens on another port
        shot(page, "cxday-case-en-phone")
        answer = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        customer_page = answer.new_page()
        customer_page.goto(f"{live.url}/s/{link.group(1)}")
        customer_page.locator('button[data-score="10"]').tap()
        customer_page.get_by_test_id("thanks").wait_for()
        answer.close()
        page.goto(f"{live.url}/cases?lang=en")
        after = int(page.locator('[data-indicator="recovery"]').get_attribute("data-n") or 0)
        assert after == before + 1  # the follow-up answer reached the loop indicator
    finally:
        ctx.close()
    ctx, page = _sign_in(chromium, live.url, "analyst@example.com", PHONE, "en-US")
    try:
        page.goto(f"{live.url}/insights?lang=en")
        if page.locator("#themes-table").count() == 0:
            with page.expect_navigation(timeout=120_000):
                page.locator("#insights-analyse").tap()
            page.goto(f"{live.url}/insights?lang=en")
        assert page.locator("#themes-table tbody tr").count() >= 1
        page.select_option("#insights-kind", "nps")
        with page.expect_navigation():
            page.locator('#insights-filters button[type="submit"]').tap()
        assert "kind=nps" in page.url and page.locator("#themes-table").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
        shot(page, "cxday-insights-en-phone")
    finally:
        ctx.close()
