"""The admin and analysis pages that used to scroll sideways on a phone, in Chromium at 390 px
(and 1366 px): users, key drivers, upload (its file picker in the page's language) and jobs
(job names in words). Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from cxpulse import Workspace, store
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer, shot
from tests.ops.conftest import bank_accounts
from tests.web.webdata import PASSWORD, add_scores, add_users, build_frames, make_project

pytestmark = pytest.mark.browser
CATALOGUE = Path(__file__).resolve().parents[2] / "src" / "cxpulse" / "locale"

RATINGS = ["Inflight wifi service", "Online boarding", "Seat comfort", "Leg room service",
           "Inflight entertainment", "Baggage handling", "Gate location"]  # fmt: skip
DRIVERS_TOML = """
[metrics.drivers]
table = "airline_survey"
outcome = "satisfaction"
success = ["satisfied"]
columns = [
  "Inflight wifi service", "Online boarding", "Seat comfort", "Leg room service",
  "Inflight entertainment", "Baggage handling", "Gate location",
]
missing_values = [0]
"""
# long e-mail addresses, as a real team has them: they are what pushed the table off-screen
TEAM = [
    ("valentina.rojas@andescloud.example", "Valentina Rojas", "agent"),
    ("santiago.perez@andescloud.example", "Santiago Pérez", "analyst"),
    ("mateo.gonzalez@andescloud.example", "Mateo González", "agent"),
]


def catalogue(lang: str) -> dict[str, str]:
    return json.loads((CATALOGUE / f"messages_{lang}.json").read_text("utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def airline(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "airline" / "airline_satisfaction_test.csv")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, airline: pd.DataFrame) -> Iterator[LiveServer]:
    from cxpulse.jobs import run_job
    from cxpulse.web import create_app

    folder = tmp_path_factory.mktemp("phone") / "proj"
    make_project(folder, build_frames(), toml=DRIVERS_TOML)
    with Workspace.open(folder) as ws:
        ws.write_table("airline_survey", airline[["satisfaction", *RATINGS]])
    url = add_users(folder)
    with store.session(url) as s:
        for email, name, role in TEAM:
            store.create_user(s, email, PASSWORD, role=role, name=name)
        admin = s.scalars(select(store.User).where(store.User.email == "admin@example.com")).one()
        store.create_api_token(s, admin, "nightly import from the CRM")
    add_scores(folder)
    run_job("deliver", folder)
    live = LiveServer(create_app(folder)).start()
    live.project_dir = folder  # type: ignore[attr-defined]
    yield live
    live.stop()


def open_page(chromium: Any, live: LiveServer, lang: str, viewport: dict[str, int]) -> Any:
    context = chromium.new_context(viewport=viewport, locale=lang)
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live.url}/login?lang={lang}")
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live.url + "/")
    return page


def assert_fits(page: Any) -> None:
    """Nothing scrolls sideways: not the page, not a table inside its box."""
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), f"the page is {width} px wide"
    wide = page.evaluate(
        "() => [...document.querySelectorAll('.table-wrap')]"
        ".filter(w => w.scrollWidth > w.clientWidth + 1)"
        ".map(w => (w.querySelector('table') || w).id + ' ' + w.scrollWidth)"
    )
    assert wide == [], f"tables scrolling inside their box: {wide}"


def assert_on_screen(page: Any, locator: Any) -> None:
    """Visible, and inside the viewport's width (not cut off on the right)."""
    assert locator.is_visible(), locator
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0
    assert box["x"] + box["width"] <= page.evaluate("window.innerWidth") + 1, (locator, box)


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_users_page_reads_without_sideways_scroll(
    chromium: Any, server: LiveServer, lang: str, size: str
) -> None:
    page = open_page(chromium, server, lang, PHONE if size == "phone" else DESKTOP)
    page.goto(f"{server.url}/admin/users")
    assert_fits(page)
    words = catalogue(lang)
    with store.session(f"sqlite:///{server.project_dir / 'cxpulse.sqlite'}") as s:  # type: ignore[attr-defined]
        users = [(u.email, u.name, u.role) for u in s.scalars(select(store.User))]
    assert len(users) == 6
    for email, name, role in users:
        row = page.locator(f'#users tr[data-user="{email}"]')
        assert_on_screen(page, row.locator("td").first)
        assert row.locator("td").first.inner_text() == email
        assert_on_screen(page, row.get_by_text(name or "—", exact=True))
        assert_on_screen(page, row.get_by_text(words[f"web.role.{role}"], exact=True))
        if email != "admin@example.com":  # one can deactivate anybody but oneself
            assert_on_screen(page, row.get_by_role("button", name=words["sec.users.deactivate"]))
    token = page.locator("#tokens tbody tr[data-token]")
    assert token.count() == 1
    assert_on_screen(page, token.get_by_text("nightly import from the CRM"))
    assert_on_screen(page, token.get_by_role("button", name=words["sec.tokens.revoke"]))
    signins = page.locator('#auth-events tr[data-kind="signin_ok"]')
    assert signins.count() >= 1
    assert_on_screen(page, signins.first.get_by_text(words["term.auth_event.signin_ok"]))
    assert_on_screen(page, page.locator("#add-user button[type=submit]"))
    shot(page, f"phone-users-{lang}-{size}")
    assert page.console_errors == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize("lang", ["es", "en"])
def test_drivers_table_reads_on_a_phone(
    chromium: Any, server: LiveServer, airline: pd.DataFrame, lang: str
) -> None:
    from cxpulse.metrics.drivers import key_drivers
    from cxpulse.web.i18n import format_number

    want = key_drivers(airline, "satisfaction", RATINGS, success=["satisfied"], missing_values=[0])
    page = open_page(chromium, server, lang, PHONE)
    page.goto(f"{server.url}/drivers")
    page.wait_for_selector("#drivers-table")
    assert_fits(page)
    words = catalogue(lang)
    rows = page.locator("#drivers-table tbody tr")
    assert rows.count() == len(RATINGS)
    for i, d in enumerate(want.drivers):
        row = rows.nth(i)
        assert row.get_attribute("data-driver") == d.driver
        title = row.locator("td.stack-title")
        assert_on_screen(page, title)
        assert title.inner_text().strip() == f"{d.rank}. {d.driver}"
        share = f"{format_number(d.share, lang, 1)} %"
        assert_on_screen(page, row.get_by_text(share, exact=True))
        quadrant = words[f"metrics.drivers.quadrant_short.{d.quadrant}"]
        cell = row.locator("td").last
        assert_on_screen(page, cell)
        assert cell.inner_text().strip() == quadrant  # the short name: the long one is hidden
    # each value says what it is: the column's name is shown beside it
    first = rows.first.locator("td[data-label]").first
    label = page.evaluate("e => getComputedStyle(e, '::before').content", first.element_handle())
    assert label.strip('"') == words["metrics.drivers.col.share"]
    shot(page, f"phone-drivers-{lang}")
    page.context.close()


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_upload_file_picker_speaks_the_page_language_and_works_by_keyboard(
    chromium: Any, server: LiveServer, shared_data: Path, tmp_path: Path, lang: str, size: str
) -> None:
    words = catalogue(lang)
    page = open_page(chromium, server, lang, PHONE if size == "phone" else DESKTOP)
    page.goto(f"{server.url}/upload")
    assert_fits(page)
    button = page.locator("label[for=upload-file]")
    assert_on_screen(page, button)
    assert button.inner_text().strip() == words["web.upload.choose"]
    chosen = page.locator("#upload-file-name")
    assert chosen.inner_text() == words["web.upload.none_chosen"]
    # the browser's own text ("Choose file / No file chosen") is not what the user sees
    assert (
        not page.locator("#upload-file").is_visible()
        or page.evaluate("getComputedStyle(document.getElementById('upload-file')).opacity") == "0"
    )
    # the table list names tables in the page's language
    assert (
        page.locator("#upload-table option[value=accounts]").inner_text()
        == words["term.table.accounts"]
    )
    # sending without a file: the browser refuses with the page's words, nothing is posted
    page.click("#upload-form button[type=submit]")
    message = page.evaluate("document.getElementById('upload-file').validationMessage")
    assert message == words["web.upload.pick_first"]
    assert page.locator("#upload-result .flash").count() == 0

    # by keyboard: Tab from the table list reaches the picker, which shows focus and opens
    # the file chooser with Space; the chosen file's name appears; Enter sends the form
    offset = {"es": 0, "en": 60}[lang] + {"desktop": 0, "phone": 30}[size]
    good = bank_accounts(shared_data, 250).iloc[offset : offset + 30].copy()
    path = tmp_path / f"cuentas-{lang}-{size}.csv"
    good.to_csv(path, index=False)
    page.focus("#upload-table")
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "upload-file":
            break
    assert page.evaluate("document.activeElement.id") == "upload-file"
    outline = page.evaluate(
        "getComputedStyle(document.getElementById('upload-file-button')).outlineStyle"
    )
    assert outline == "solid"  # the button shows where the keyboard is
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    picker = None
    for key in ("Space", "Enter"):  # either key opens a focused file input
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.locator("#upload-file").press(key)
            picker = chooser.value
            break
        except PlaywrightTimeout:  # a busy machine may swallow the first key
            continue
    assert picker is not None, "the keyboard did not open the file chooser"
    picker.set_files(str(path))
    assert chosen.inner_text() == path.name
    assert page.evaluate("document.getElementById('upload-file').validationMessage") == ""
    with Workspace.open(server.project_dir) as ws:  # type: ignore[attr-defined]
        before = set(ws.table("accounts").select("account_id").execute()["account_id"])
    page.locator("#upload-form button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".flash-success")
    with Workspace.open(server.project_dir) as ws:  # type: ignore[attr-defined]
        after = set(ws.table("accounts").select("account_id").execute()["account_id"])
    assert after == before | set(good["account_id"])  # loaded, nothing else lost or added
    flash = page.locator(".flash-success").inner_text()
    assert words["term.table.accounts"] in flash and path.name in flash
    assert_fits(page)
    shot(page, f"phone-upload-{lang}-{size}")
    page.context.close()


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_jobs_page_names_jobs_in_words(
    chromium: Any, server: LiveServer, lang: str, size: str
) -> None:
    from cxpulse.jobs import JOBS

    words = catalogue(lang)
    page = open_page(chromium, server, lang, PHONE if size == "phone" else DESKTOP)
    page.goto(f"{server.url}/admin/jobs")
    assert_fits(page)
    rows = page.locator("#jobs tbody tr[data-job]")
    assert rows.count() == len(JOBS) >= 6
    for i in range(rows.count()):
        row = rows.nth(i)
        job = row.get_attribute("data-job")
        shown = row.locator(".job-name")
        assert_on_screen(page, shown)
        name = words[f"term.job.{job}"]
        assert shown.inner_text() == name[:1].upper() + name[1:]
        assert shown.inner_text().lower() != job.lower()  # the identifier is not the name
        assert_on_screen(
            page, row.get_by_role("button", name=f"{words['ops.jobs.run_now']}: {name}")
        )
    daily = rows.locator('xpath=self::*[@data-job="score"]').locator("td").nth(1)
    assert daily.inner_text().strip() == words["web.jobs.daily"].format(time="06:00")
    runs = page.locator("#job-runs tbody tr[data-job]")
    assert runs.count() >= 1
    for i in range(runs.count()):
        cell = runs.nth(i).locator("td").first
        job = runs.nth(i).get_attribute("data-job")
        assert_on_screen(page, cell)
        assert cell.inner_text().strip().lower() == words[f"term.job.{job}"].lower()
    shot(page, f"phone-jobs-{lang}-{size}")
    # "run now" answers with the job's name in words too
    deliver = rows.locator('xpath=self::*[@data-job="deliver"]')
    with page.expect_navigation():
        deliver.get_by_role("button").click()
    flash = page.locator(".flash-success").inner_text()
    assert words["term.job.deliver"].lower() in flash.lower() and "deliver" not in flash
    page.context.close()
