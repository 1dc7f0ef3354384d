"""An acknowledged answer is never lost: SIGKILL the server mid-burst, restart, count.

The app runs under uvicorn in a subprocess on 127.0.0.1. Clients post answers with unique
Idempotency-Keys; the server is killed while requests are in flight. After a restart,
clients retry what was not acknowledged (as a real client would). Every acknowledged answer
must be stored exactly once, with the score that was sent, and retries must not duplicate.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from cxpulse import collect, store
from cxpulse.store import SurveyResponse

pytestmark = pytest.mark.slow

BURST = 200
KILL_AFTER_ACKS = 60
WORKERS = 12


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``uvicorn`` serving a project's app in a child process."""

    def __init__(self, project: Path, store_url: str) -> None:
        self.project = project
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (project / "serve_app.py").write_text(
            f"from cxpulse.web import create_app\napp = create_app({str(project)!r})\n", "utf-8"
        )
        self.env = {
            **os.environ,
            "CXPULSE_DATABASE_URL": store_url,
            "CXPULSE_WORKSPACE_URL": f"duckdb:///{project / 'ws.duckdb'}",
            "CXPULSE_SECRET_KEY": "c" * 40,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "serve_app:app",
                "--app-dir",
                str(self.project),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.project / "server.log", "ab"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError((self.project / "server.log").read_text())
            try:
                if httpx.get(self.url + "/favicon.ico", timeout=1).status_code < 500:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("server did not start in 60 s")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(store_url: str, tmp_path: Path) -> Iterator[tuple[Server, str]]:
    (tmp_path / "cxpulse.toml").write_text(
        "[surveys]\nsync_interval_s = 0.5\n",
        "utf-8",  # sync runs during the burst too
    )
    with store.session(store_url) as s:
        collect.create_survey(s, "nps-crash", "nps")
        user = store.create_user(s, "ingest@example.com", "password-123", "analyst")
        token = store.create_api_token(s, user, "crash test")
    srv = Server(tmp_path, store_url)
    srv.start()
    yield srv, token
    srv.stop()


def _post(client: httpx.Client, url: str, token: str, i: int) -> int:
    body = {"survey": "nps-crash", "score": i % 11, "account_id": f"acc-{i % 37}"}
    r = client.post(
        url + "/api/v1/responses",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"burst-{i}"},
    )
    return r.status_code


def test_sigkill_mid_burst_loses_no_acknowledged_answer(
    server: tuple[Server, str], store_url: str
) -> None:
    srv, token = server
    acked: set[int] = set()
    lock = threading.Lock()
    enough = threading.Event()

    def send(i: int) -> None:
        with httpx.Client(timeout=10) as client:
            try:
                status = _post(client, srv.url, token, i)
            except httpx.TransportError:
                return  # not acknowledged: may or may not be stored
            assert status in (200, 201), status
            with lock:
                acked.add(i)
                if len(acked) >= KILL_AFTER_ACKS:
                    enough.set()

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(send, i) for i in range(BURST)]
        assert enough.wait(180), "the burst never reached the kill point"
        srv.kill()
        for f in futures:
            f.result()
    assert KILL_AFTER_ACKS <= len(acked) < BURST, "the kill did not land mid-burst"

    srv.start()
    with httpx.Client(timeout=10) as client:
        retried = {i: _post(client, srv.url, token, i) for i in range(BURST) if i not in acked}
    assert set(retried.values()) <= {200, 201}
    # an in-flight answer that was committed before the kill is replayed, not duplicated
    with store.session(store_url) as s:
        rows = s.execute(select(SurveyResponse.idempotency_key, SurveyResponse.score)).all()
        total = s.scalar(select(func.count()).select_from(SurveyResponse))
    # the API keeps each caller's keys apart ("u<user id>:<key>")
    stored = {key.split(":", 1)[1]: score for key, score in rows}
    assert total == len(rows) == BURST == len(stored)
    for i in acked:
        assert stored[f"burst-{i}"] == i % 11
    replayed = sum(1 for status in retried.values() if status == 200)
    print(
        f"acknowledged before the kill: {len(acked)}; retried after restart: {len(retried)}"
        f" ({replayed} had been committed before the kill and were replayed, not duplicated)"
    )
