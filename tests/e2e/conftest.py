"""Browser tests: uvicorn on 127.0.0.1 (free port, own thread) and Debian's Chromium.

Chromium is launched from /usr/bin/chromium (``make browser`` installs Debian's package);
without it the tests skip locally and fail under CI=true.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "test-output" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def need(condition: bool, reason: str) -> None:
    """Skip when Chromium is missing, but fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A uvicorn server in a background thread, stopped at teardown."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.app = app
        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web app did not start on 127.0.0.1")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    need(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing (make browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot into test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serve_test_company(folder: Path) -> LiveServer:
    """Build the test company (data, users, two health snapshots) in ``folder`` and serve it."""
    from cxpulse.web import create_app
    from tests.web.webdata import add_scores, add_users, build_frames, make_project

    make_project(folder, build_frames())
    add_users(folder)
    add_scores(folder)
    server = LiveServer(create_app(folder)).start()
    server.project_dir = folder  # type: ignore[attr-defined]
    return server


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The web app of the test company, served on 127.0.0.1 (shared by browser tests)."""
    server = serve_test_company(tmp_path_factory.mktemp("e2e") / "proj")
    yield server
    server.stop()
