"""On a phone: a customer answers a survey link as a detractor, an agent sees the case appear
with the account owner assigned, and resolves it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cxpulse import store
from cxpulse.collect.invitations import create_invitation
from cxpulse.collect.surveys import create_survey
from cxpulse.store import Case

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
REPO = Path(__file__).resolve().parents[2]


def _phone(chromium: Any) -> Any:
    return chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="es-ES")


def test_detractor_answer_opens_a_case_that_an_agent_resolves_on_a_phone(live, chromium) -> None:
    url = f"sqlite:///{live.project_dir / 'cxpulse.sqlite'}"
    with store.session(url) as s:
        survey = create_survey(s, "e2e-loop-nps", "nps", language="es")
        issued = create_invitation(
            s, survey, account_id="A001", contact_id="maria", base_url=live.url
        )
    customer = _phone(chromium)
    try:
        page = customer.new_page()
        page.goto(issued.url)
        page.locator('button[data-score="2"]').tap()
        page.get_by_test_id("thanks").wait_for()
        page.fill("#comment", "Tardaron dos semanas en responder")
        page.get_by_role("button", name="Enviar").click()
        page.wait_for_load_state()
    finally:
        customer.close()

    with store.session(url) as s:
        case = s.query(Case).filter_by(account_id="A001", trigger="detractor").one()
        case_id, owner = case.id, case.owner
    assert owner == "csm1@example.com"  # A001's owner in the workspace accounts table

    agent = _phone(chromium)
    try:
        page = agent.new_page()
        page.goto(f"{live.url}/login")
        page.fill('input[name="email"]', "agent@example.com")
        page.fill('input[name="password"]', "correct horse battery")
        page.locator('button[type="submit"]').click()
        page.wait_for_load_state()
        page.goto(f"{live.url}/cases?lang=es")
        card = page.locator(f'tr[data-case-id="{case_id}"]')
        card.wait_for()
        assert "NPS 2" in card.inner_text()
        # the card fits the phone screen: no horizontal scrolling needed
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1
        shots = REPO / "test-output" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "cases-list-phone.png"), full_page=True)
        card.locator("a.case-title").tap()
        page.wait_for_url(f"**/cases/{case_id}")
        assert "Tardaron dos semanas" in page.content()
        form = page.locator("#form-resolve")
        form.locator('input[name="category"]').fill("tiempo de respuesta")
        form.locator('textarea[name="note"]').fill("Llamé a María y acordamos un plan")
        with page.expect_navigation():
            form.locator('button[type="submit"]').tap()
        page.locator(".flash").wait_for()
        status = page.locator("#case-status")
        assert status.get_attribute("data-status") == "resolved"
        assert status.inner_text().strip() == "Resuelto"
        history = page.locator("#case-history li").all_inner_texts()
        assert any("en curso" in h.lower() or "resuelto" in h.lower() for h in history)
        page.screenshot(path=str(shots / "case-resolved-phone.png"), full_page=True)
    finally:
        agent.close()

    with store.session(url) as s:
        case = s.get(Case, case_id)
        assert case is not None
        assert case.status == "resolved" and case.category == "tiempo de respuesta"
        assert case.first_contact_at is not None and case.resolved_at is not None
