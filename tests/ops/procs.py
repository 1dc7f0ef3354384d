"""Real processes for the operations tests: a served app, CLI commands, notebook scripts."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
CXPULSE = [str(Path(sys.executable).with_name("cxpulse"))]


def env(**extra: str) -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = f"{REPO / 'src'}{os.pathsep}{out.get('PYTHONPATH', '')}"
    out.setdefault("CXPULSE_LANG", "en")
    out.update(extra)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, environ: dict[str, str] | None = None, timeout: float = 240) -> str:
    """Run ``cxpulse ARGS`` in its own process; fail with its output when it fails."""
    done = subprocess.run(
        [*CXPULSE, *args],
        env=environ or env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"cxpulse {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def start(args: list[str], environ: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(args, env=environ, stdout=handle, stderr=subprocess.STDOUT)


def serve(
    project: Path, port: int, environ: dict[str, str], *extra: str
) -> subprocess.Popen[bytes]:
    """``cxpulse serve`` on 127.0.0.1:port, returned once /healthz-or-/ answers."""
    proc = start(
        [*CXPULSE, "serve", "-p", str(project), "--port", str(port), *extra],
        environ,
        project / f"serve-{port}.log",
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/login", proc, project / f"serve-{port}.log")
    except BaseException:
        stop(proc)
        raise
    return proc


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"server did not answer {url}:\n{log.read_text(errors='replace')}")


def stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def api_token(project: Path, environ: dict[str, str]) -> str:
    cli(
        "users",
        "add",
        "ops@example.com",
        "--role",
        "admin",
        "--password",
        "ops-pass-1234",
        "-p",
        str(project),
        environ=environ,
    )
    out = cli("users", "token", "ops@example.com", "-p", str(project), environ=environ)
    return out.strip().splitlines()[-1].strip()
