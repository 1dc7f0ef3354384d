"""The app, CLI commands and notebooks on one project at once, as real processes.

While ``cxpulse serve`` runs, CLI loads and two notebook-style processes (one writing, one
reading, each keeping its workspace open) work on the same project: no process fails, every
answer is stored exactly once, and the app's API shows the new answers within 10 seconds.
Run on the embedded DuckDB file, then on PostgreSQL for both stores with two app workers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest

from tests.ops import procs

HERE = Path(__file__).resolve().parent
CLI_ROUNDS, NB_ROUNDS, ROWS = 4, 5, 40


def _bank_accounts(shared_data: Path, folder: Path) -> Path:
    bank = pd.read_csv(shared_data / "bank_churn.csv", nrows=40)
    accounts = pd.DataFrame(
        {
            "account_id": "BANK-" + bank["CustomerId"].astype(str),
            "name": bank["Surname"],
            "country": bank["Geography"],
            "start_date": "2020-01-01",
        }
    )
    path = folder / "accounts.csv"
    accounts.to_csv(path, index=False)
    return path


def _cli_batch(folder: Path, i: int, accounts: list[str]) -> Path:
    frame = pd.DataFrame(
        {
            "response_id": [f"CLI-{i}-{j}" for j in range(ROWS)],
            "account_id": [accounts[(j + i) % len(accounts)] for j in range(ROWS)],
            "kind": "nps",
            "score": [(j * 3 + i) % 11 for j in range(ROWS)],
            "responded_at": "2026-11-25T09:30:00",
        }
    )
    path = folder / f"answers_{i}.csv"
    frame.to_csv(path, index=False)
    return path


def _api_nps_n(port: int, token: str) -> int:
    r = httpx.get(
        f"http://127.0.0.1:{port}/api/v1/metrics",
        params={"metric": "nps"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    rows = r.json()["rows"]
    return int(rows[0]["n"]) if rows else 0


def _run_together(
    project: Path, environ: dict[str, str], port: int, token: str, accounts_csv: Path
) -> None:
    accounts = pd.read_csv(accounts_csv, dtype=str)["account_id"].tolist()
    script = str(HERE / "notebook.py")
    writer = subprocess.Popen(
        [
            sys.executable,
            script,
            str(project),
            "writer",
            "NB",
            str(NB_ROUNDS),
            str(ROWS),
            str(accounts_csv),
        ],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    reader = subprocess.Popen(
        [sys.executable, script, str(project), "reader", "-", "20"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    api_seen: list[int] = []
    for i in range(CLI_ROUNDS):
        out = procs.cli(
            "load",
            "responses",
            str(_cli_batch(project, i, accounts)),
            "-p",
            str(project),
            environ=environ,
        )
        assert f"{ROWS} rows ({ROWS} new" in out, out
        api_seen.append(_api_nps_n(port, token))
    assert "responses" in procs.cli("status", "-p", str(project), environ=environ)
    assert "NPS" in procs.cli("metrics", "nps", "-p", str(project), environ=environ)
    w_out, w_err = writer.communicate(timeout=240)
    r_out, r_err = reader.communicate(timeout=240)
    assert writer.returncode == 0, w_err
    assert reader.returncode == 0, r_err
    rounds = [json.loads(line) for line in w_out.splitlines()]
    assert [r["inserted"] for r in rounds] == [ROWS] * NB_ROUNDS
    reads = [json.loads(line) for line in r_out.splitlines()]
    assert reads, r_err
    counts = [r["count"] for r in reads]
    assert counts == sorted(counts), "a reader saw answers disappear"
    # every answer is an NPS answer; NPS is read just after the count, so it has seen as many
    assert all(r["nps_n"] >= r["count"] for r in reads)
    assert api_seen == sorted(api_seen)

    expected = CLI_ROUNDS * ROWS + NB_ROUNDS * ROWS
    last_write = time.monotonic()
    seen = -1
    while time.monotonic() - last_write < 10:
        seen = _api_nps_n(port, token)
        if seen == expected:
            break
        time.sleep(0.5)
    assert seen == expected, f"the app shows {seen} answers 10 s after the writes, not {expected}"


def _check_stored(project: Path, environ: dict[str, str], expected: int) -> None:
    code = (
        "import sys; from cxpulse import Workspace; ws = Workspace.open(sys.argv[1]);"
        "t = ws.table('responses'); print(t.count().execute(), t.response_id.nunique().execute())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(project)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    total, distinct = map(int, done.stdout.split())
    assert (total, distinct) == (expected, expected)


@pytest.fixture
def project(tmp_path: Path, shared_data: Path) -> Iterator[tuple[Path, Path]]:
    folder = tmp_path / "proj"
    yield folder, shared_data


@pytest.mark.slow
def test_app_cli_and_notebooks_share_the_embedded_workspace(
    project: tuple[Path, Path],
) -> None:
    folder, shared_data = project
    environ = procs.env()
    procs.cli("init", str(folder), "--language", "en", environ=environ)
    accounts_csv = _bank_accounts(shared_data, folder)
    procs.cli("load", "accounts", str(accounts_csv), "-p", str(folder), environ=environ)
    token = procs.api_token(folder, environ)
    port = procs.free_port()
    server = procs.serve(folder, port, environ)
    try:
        _run_together(folder, environ, port, token, accounts_csv)
    finally:
        procs.stop(server)
    _check_stored(folder, environ, CLI_ROUNDS * ROWS + NB_ROUNDS * ROWS)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_app_workers_cli_and_notebooks_on_postgresql(
    project: tuple[Path, Path], pg_server_url: str
) -> None:
    import psycopg

    folder, shared_data = project
    base, _, _ = pg_server_url.rpartition("/")
    names = [f"t_ops_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    environ = procs.env(
        CXPULSE_WORKSPACE_URL=f"{base}/{names[0]}",
        CXPULSE_DATABASE_URL=f"{base}/{names[1]}".replace("postgresql://", "postgresql+psycopg://"),
        CXPULSE_SECRET_KEY="a-test-secret-that-is-long-enough",
    )
    try:
        procs.cli("init", str(folder), "--language", "en", environ=environ)
        accounts_csv = _bank_accounts(shared_data, folder)
        procs.cli("load", "accounts", str(accounts_csv), "-p", str(folder), environ=environ)
        token = procs.api_token(folder, environ)
        port = procs.free_port()
        server = procs.serve(folder, port, environ, "--workers", "2")
        try:
            _run_together(folder, environ, port, token, accounts_csv)
        finally:
            procs.stop(server)
        _check_stored(folder, environ, CLI_ROUNDS * ROWS + NB_ROUNDS * ROWS)
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
