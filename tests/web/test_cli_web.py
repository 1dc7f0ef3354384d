"""``cxpulse users`` and ``cxpulse serve`` from the command line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from cxpulse.cli.users import app as users_app
from tests.web.webdata import make_project

runner = CliRunner()


def test_users_add_then_list(tmp_path: Path) -> None:
    folder = make_project(tmp_path / "p", None)
    env = {"CXPULSE_NEW_PASSWORD": "una clave muy larga"}
    added = runner.invoke(
        users_app, ["add", "Ana@Example.com", "--role", "admin", "-p", str(folder)], env=env
    )
    assert added.exit_code == 0, added.output
    assert "ana@example.com" in added.output
    listed = runner.invoke(users_app, ["list", "-p", str(folder)])
    assert "ana@example.com" in listed.output and "admin" in listed.output
    again = runner.invoke(users_app, ["add", "ana@example.com", "-p", str(folder)], env=env)
    assert again.exit_code != 0
    assert "already exists" in again.output
    bad = runner.invoke(
        users_app, ["add", "x@example.com", "--role", "boss", "-p", str(folder)], env=env
    )
    assert bad.exit_code != 0 and "role" in bad.output


def test_users_token_is_accepted_by_the_api(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from cxpulse.web import create_app

    folder = make_project(tmp_path / "p", None)
    env = {"CXPULSE_NEW_PASSWORD": "una clave muy larga"}
    runner.invoke(users_app, ["add", "bot@example.com", "-p", str(folder)], env=env)
    result = runner.invoke(users_app, ["token", "bot@example.com", "-p", str(folder)])
    token = result.output.strip().splitlines()[-1]
    client = TestClient(create_app(folder))
    assert client.get("/api/v1/training/board").status_code == 401
    ok = client.get("/api/v1/training/board", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_url_and_answers_on_loopback(tmp_path: Path) -> None:
    folder = make_project(tmp_path / "p", None)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXPULSE_")}
    code = "from cxpulse.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", "-p", str(folder), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, "COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", follow_redirects=False)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert response is not None, "the server did not answer"
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in output
    assert "cxpulse users add" in output  # no users yet: says how to create one
