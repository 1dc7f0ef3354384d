"""A person's way through the app in Chromium: sign in, read and filter the overview, export
the at-risk list, open an account, switch to English and play a round of the training board.

Screenshots (desktop 1366 wide, phone 390 wide) go to test-output/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import pytest

from cxpulse.web.i18n import format_number
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, serve_test_company, shot

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own: other browser tests add answers to the shared one."""
    server = serve_test_company(tmp_path_factory.mktemp("journey") / "proj")
    yield server
    server.stop()


def library_nps(live: LiveServer, start: date | None, segment: str | None) -> float:
    ctx = live.app.state.ctx
    with ctx.workspace_lock:
        rows = ctx.workspace.metrics("nps", by="segment" if segment else None, start=start).rows
    if segment:
        rows = [r for r in rows if r.group["segment"] == segment]
    assert len(rows) == 1
    return float(rows[0].value)


def new_page(chromium: Any, live: LiveServer, viewport: dict[str, int]) -> Any:
    context = chromium.new_context(viewport=viewport, accept_downloads=True, locale="es-ES")
    page = context.new_page()
    page.outside_requests = []  # type: ignore[attr-defined]
    page.console_errors = []  # type: ignore[attr-defined]

    def on_request(request: Any) -> None:
        host = urlsplit(request.url).hostname
        if host not in ("127.0.0.1", None):
            page.outside_requests.append(request.url)

    page.on("request", on_request)
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    return page


def sign_in(page: Any, live: LiveServer, email: str = "admin@example.com") -> None:
    page.goto(live.url + "/")
    assert "/login" in page.url
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")


def kpi(page: Any, metric: str) -> tuple[str, float]:
    card = page.locator(f'[data-metric="{metric}"]')
    return card.locator('[data-role="kpi-value"]').inner_text(), float(
        card.get_attribute("data-value")
    )


def wait_for_charts(page: Any) -> None:
    page.wait_for_function(
        "() => { const c = document.querySelectorAll('[data-chart]');"
        " return c.length > 0 && [...c].every(n => n.classList.contains('chart-ready')"
        " && n.querySelector('svg')); }",
        timeout=15000,
    )


def test_user_journey_on_desktop(chromium: Any, journey: LiveServer) -> None:
    live = journey
    page = new_page(chromium, live, DESKTOP)
    page.goto(live.url + "/login")
    shot(page, "login-desktop")
    sign_in(page, live)

    # the overview's NPS is the library's NPS for the same filter (12 months = all data here)
    wait_for_charts(page)
    text, value = kpi(page, "nps")
    expected = library_nps(live, date(2025, 9, 1), None)
    assert value == pytest.approx(expected, abs=1e-9)
    assert text == format_number(expected, "es", 1)
    shot(page, "overview-desktop")

    # the period filter updates in place (HTMX) and the URL follows
    page.select_option("#filter-period", "3m")
    page.wait_for_url("**period=3m**")
    page.wait_for_load_state("networkidle")
    text, value = kpi(page, "nps")
    expected = library_nps(live, date(2026, 6, 1), None)
    assert value == pytest.approx(expected, abs=1e-9)
    assert text == format_number(expected, "es", 1)

    page.select_option("#filter-segment", "Enterprise")
    page.wait_for_url("**segment=Enterprise**")
    page.wait_for_load_state("networkidle")
    wait_for_charts(page)
    text, value = kpi(page, "nps")
    expected = library_nps(live, date(2026, 6, 1), "Enterprise")
    assert value == pytest.approx(expected, abs=1e-9)
    assert text == format_number(expected, "es", 1)
    assert page.locator('#changes tr[data-significant="1"]').count() >= 1
    shot(page, "overview-enterprise-desktop")

    # health: export the at-risk list, the file holds what the API lists
    page.click("nav.mainnav >> text=Salud")
    page.wait_for_url(live.url + "/health")
    wait_for_charts(page)
    shot(page, "health-desktop")
    with page.expect_download() as download_info:
        page.click("#export-csv")
    download = download_info.value
    # a Spanish export: headers in Spanish, ';' between fields (what Excel in Spanish reads)
    exported = pd.read_csv(download.path(), encoding="utf-8-sig", sep=";", dtype=str)
    listed = page.locator("#at-risk-table tbody tr[data-account]")
    assert len(exported) == listed.count() > 0
    assert list(exported["ID de cuenta"]) == [
        listed.nth(i).get_attribute("data-account") for i in range(listed.count())
    ]
    with page.expect_download() as xlsx_info:
        page.click("#export-xlsx")
    assert xlsx_info.value.suggested_filename.endswith(".xlsx")

    # sort by name in place
    page.click('#at-risk-table th a[data-sort="name"]')
    page.wait_for_url("**sort=name**")
    names = page.locator("#at-risk-table tbody tr[data-account] td:nth-child(2) strong")
    shown = [names.nth(i).inner_text() for i in range(names.count())]
    assert shown == sorted(shown)

    # open an account from the list
    first = listed.first.get_attribute("data-account")
    listed.first.locator("a").click()
    page.wait_for_url(f"**/accounts/{first}")
    assert page.locator("#account-score").get_attribute("data-score") is not None
    assert page.locator("#drivers li").count() > 0
    wait_for_charts(page)
    shot(page, "account-desktop")

    # switch to English: same page, English words, English number format
    page.click('header [data-lang="en"]')
    page.wait_for_url("**lang=en**")
    assert page.locator("h2", has_text="Why this score").count() == 1
    page.goto(live.url + "/")
    assert page.locator("h1").inner_text() == "Experience overview"
    shot(page, "overview-english-desktop")

    # one round of the training board
    page.goto(live.url + "/training")
    page.evaluate("localStorage.clear()")
    page.reload()
    tile = page.locator('.tile[data-tile="nps"]')
    tile.click()
    assert page.locator("#clue").is_visible()
    assert "promoters" in page.locator("#clue-text").inner_text()
    page.click("#reveal")
    assert page.locator("#clue-answer").inner_text() == "What is NPS (Net Promoter Score)?"
    shot(page, "training-clue-desktop")
    page.click('#award button[data-award="0"][data-result="right"]')
    assert page.locator('#teams [data-team="0"] [data-role="score"]').inner_text() == "100"
    assert tile.is_disabled()
    page.locator('.tile[data-tile="empathy"]').click()
    page.click('#award button[data-award="1"][data-result="wrong"]')
    page.click("#nobody")
    assert page.locator('#teams [data-team="1"] [data-role="score"]').inner_text() == "-100"
    page.fill("#add-team input[name=team]", "Soporte")
    page.click("#add-team button")
    assert page.locator("#teams .team").count() == 3
    shot(page, "training-desktop")

    assert page.outside_requests == []  # type: ignore[attr-defined]
    assert page.console_errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_pages_on_a_phone(chromium: Any, journey: LiveServer) -> None:
    live = journey
    page = new_page(chromium, live, PHONE)
    page.goto(live.url + "/login")
    shot(page, "login-phone")
    sign_in(page, live, "analyst@example.com")
    wait_for_charts(page)
    # nothing wider than the screen: the page does not scroll sideways
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    shot(page, "overview-phone")
    for path, name in (
        ("/health", "health-phone"),
        ("/accounts/A002", "account-phone"),
        ("/training", "training-phone"),
        ("/accounts", "accounts-phone"),
    ):
        page.goto(live.url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        shot(page, name)
    assert page.outside_requests == []  # type: ignore[attr-defined]
    page.context.close()
