"""Full-page screenshots of every page of the web app, in Spanish and English, on a desktop
(1366 px) and a phone (390 px), to look at before a release.

    .venv/bin/cxpulse demo --dir demo                  # once: the demo company
    .venv/bin/python scripts/screenshots.py --dir demo [--out test-output/screenshots/pages]

The app is served on 127.0.0.1 (a free port) and driven by Debian's Chromium
(/usr/bin/chromium). Each page is saved as ``<page>-<lang>-<desktop|phone>.png``; the script
prints one line per shot with what a reader should check first: a page wider than the screen
(horizontal scrolling on a phone), a table that scrolls sideways inside its box, and
catalogue strings of the other language on the page (English in Spanish, Spanish in English).
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ADMIN = ("admin@example.com", "cxpulse-demo")
FATIGUED = "fatigued.contact@example.com"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(folder: Path) -> tuple[Any, str]:
    import uvicorn

    from cxpulse.web import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(folder), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the web app did not start")
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _targets(folder: Path, base: str) -> list[tuple[str, str]]:
    """(name, path) of every page, with real ids from the demo's stores."""
    from sqlalchemy import select

    from cxpulse import collect, store
    from cxpulse.store.tables import Case, Survey
    from cxpulse.workspace import Workspace

    with Workspace.open(folder) as ws:
        url = ws.config.store_url()
        risky = ws.table("accounts").select("account_id").order_by("account_id").limit(1).execute()
    account = str(risky["account_id"].iloc[0])
    with store.session(url) as s:
        case = s.scalars(select(Case).order_by(Case.id)).first()
        followed = s.scalars(
            select(Case).where(Case.status.in_(("resolved", "closed"))).order_by(Case.id.desc())
        ).first()
        survey = s.scalars(select(Survey).order_by(Survey.id)).first()
        token = None
        if survey is not None:
            # side effect on the demo: one invitation (to show survey fatigue) per run
            issued = collect.create_invitation(
                s, survey, account_id=account, base_url=base, email=FATIGUED, contact_id="c-shot"
            )
            token = issued.token
    pages = [
        ("overview", "/"),
        ("health", "/health"),
        ("model-report", "/health/report"),  # a backtest on first view: minutes on the demo
        ("accounts", "/accounts"),
        ("account", f"/accounts/{account}"),
        ("cases", "/cases"),
        ("insights", "/insights"),
        ("drivers", "/drivers"),
        ("surveys", "/surveys"),
        ("upload", "/upload"),
        ("training", "/training"),
        ("users", "/admin/users"),
        ("jobs", "/admin/jobs"),
        ("password", "/me/password"),
    ]
    if case is not None:
        pages.append(("case", f"/cases/{case.id}"))
    if followed is not None:
        pages.append(("case-closed", f"/cases/{followed.id}"))
    if survey is not None:
        pages.append(("survey", f"/surveys/{survey.slug}"))
        # inviting the contact just invited again: the page lists who fatigue skipped
        pages.append(("survey-fatigue", f"/surveys/{survey.slug}#invite {account}"))
    if token is not None:
        pages.append(("answer", f"/s/{token}"))
    pages.append(("answer-bad-link", "/s/not-a-real-link"))
    return pages


# The innermost elements that stick out of the viewport on the right (what makes a page scroll).
WIDEST = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right <= window.innerWidth + 1 || r.width === 0) continue;
    const edge = window.innerWidth + 1;
    if ([...el.children].some(c => c.getBoundingClientRect().right > edge)) continue;
    if (el.closest('.table-wrap')) continue;  // tables scroll inside their own box
    const cls = typeof el.className === 'string' && el.className ? el.className.split(' ')[0] : '';
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (cls ? '.' + cls : '') +
             ' ' + Math.round(r.right) + 'px');
  }
  return out.slice(0, 4);
}"""


# Tables wider than their box: the box scrolls, so the page does not, but on a phone the
# reader has to swipe sideways inside the table to see its last columns.
TABLES_SCROLLING = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(w => w.offsetParent !== null && w.scrollWidth > w.clientWidth + 1)
  .map(w => '#' + ((w.querySelector('table') || w).id || '?') + ' ' + w.scrollWidth + 'px')"""


def _foreign_strings(lang: str) -> set[str]:
    """Catalogue strings of the other language (a Spanish page showing English text, or an
    English page showing Spanish)."""
    es = json.loads((ROOT / "src/cxpulse/locale/messages_es.json").read_text("utf-8"))
    en = json.loads((ROOT / "src/cxpulse/locale/messages_en.json").read_text("utf-8"))
    mine, other = (es, en) if lang == "es" else (en, es)
    # Only strings that differ between the languages and are long enough to mean something.
    return {
        v
        for k, v in other.items()
        if mine.get(k) != v and len(v) >= 12 and "{" not in v and not k.startswith("cli.")
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", type=Path, default=Path("demo"))
    parser.add_argument("--out", type=Path, default=ROOT / "test-output" / "screenshots" / "pages")
    parser.add_argument("--only", nargs="*", help="page names to shoot (default: all)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    server, base = _serve(args.dir)
    foreign = {lang: _foreign_strings(lang) for lang in ("es", "en")}
    try:
        targets = _targets(args.dir, base)
        if args.only:
            targets = [t for t in targets if t[0] in args.only]
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
            )
            for lang in ("es", "en"):
                for size, viewport in SIZES.items():
                    context = browser.new_context(viewport=viewport, locale=lang)
                    context.add_cookies([{"name": "cxpulse_lang", "value": lang, "url": base}])
                    page = context.new_page()
                    page.goto(base + "/login")
                    if not args.only or "login" in args.only:
                        page.screenshot(path=str(args.out / f"login-{lang}-{size}.png"))
                        print(f"login-{lang}-{size}.png")
                    page.fill("input[name=email]", ADMIN[0])
                    page.fill("input[name=password]", ADMIN[1])
                    page.click("button[type=submit]")
                    page.wait_for_load_state("networkidle")
                    for name, path in targets:
                        path, _, invite = path.partition("#invite ")
                        page.goto(base + path, timeout=900_000)
                        if invite:
                            page.fill(
                                'textarea[name="contacts"]',
                                f"{invite}, {FATIGUED}, c-shot\n"
                                f"{invite}, new.{lang}.{size}@example.com",
                            )
                            page.locator('form[action$="/invitations"] button').click()
                        page.wait_for_load_state("networkidle")
                        page.wait_for_timeout(400)  # charts draw after load
                        file = args.out / f"{name}-{lang}-{size}.png"
                        page.screenshot(path=str(file), full_page=True)
                        wide = page.evaluate(
                            "document.documentElement.scrollWidth > window.innerWidth + 1"
                        )
                        height = page.evaluate("document.documentElement.scrollHeight")
                        notes = []
                        if wide:
                            culprits = page.evaluate(WIDEST)
                            notes.append("WIDER THAN THE SCREEN: " + ", ".join(culprits))
                        text = page.inner_text("body")
                        found = sorted(s for s in foreign[lang] if s in text)
                        if found:
                            other = "English" if lang == "es" else "Spanish"
                            notes.append(f"{other}: " + "; ".join(found[:5]))
                        tables = page.evaluate(TABLES_SCROLLING)
                        if tables:
                            notes.append("TABLE SCROLLS SIDEWAYS: " + ", ".join(tables))
                        print(f"{file.name}\t{height}px\t{' | '.join(notes) or 'ok'}")
                    context.close()
            browser.close()
    finally:
        server.should_exit = True


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
