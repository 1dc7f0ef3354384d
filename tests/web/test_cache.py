"""Cached page data follows the data: new answers show up once the data version changes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from cxpulse.web import cache
from tests.web.webdata import add_users, build_frames, make_project, sign_in


def test_new_answers_change_the_overview(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cxpulse.web import create_app

    frames = build_frames(accounts=30, per_month=40)
    folder = make_project(tmp_path / "p", frames)
    add_users(folder)
    app = create_app(folder)
    client = sign_in(TestClient(app), "admin@example.com")
    ctx = app.state.ctx
    calls = []
    real_metrics = ctx.workspace.metrics

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return real_metrics(*args, **kwargs)

    monkeypatch.setattr(ctx.workspace, "metrics", counting)
    before = client.get("/api/v1/overview?period=all").json()["kpis"]["nps"]
    computed = len(calls)
    assert computed > 0
    assert client.get("/api/v1/overview?period=all").json()["kpis"]["nps"] == before
    assert len(calls) == computed  # answered from the cache

    extra = pd.DataFrame(
        {
            "response_id": [f"NEW{i}" for i in range(50)],
            "account_id": ["A001"] * 50,
            "kind": ["nps"] * 50,
            "score": [0] * 50,
            "responded_at": pd.to_datetime(["2026-08-15 10:00"] * 50),
        }
    )
    with ctx.workspace_lock:
        ctx.workspace.load("responses", extra)
    monkeypatch.setattr(cache, "VERSION_TTL", 0.0)
    after = client.get("/api/v1/overview?period=all").json()["kpis"]["nps"]
    assert after["n"] == before["n"] + 50
    assert after["value"] < before["value"]
    assert len(calls) > computed


def test_every_app_worker_sees_a_load_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two app workers (two apps on one project) and a load from another process's
    Workspace, as the CLI or a notebook does: the load replaces the project's change marker,
    so both workers show the new answers on their next request, with no re-check delay (set
    to an hour here); a write that bypasses cxpulse waits for the delay."""
    from cxpulse.web import create_app
    from cxpulse.workspace import Workspace

    frames = build_frames(accounts=30, per_month=40)
    folder = make_project(tmp_path / "p", frames)
    add_users(folder)
    monkeypatch.setattr(cache, "VERSION_TTL", 3600.0)
    workers = [sign_in(TestClient(create_app(folder)), "admin@example.com") for _ in range(2)]

    def nps_n() -> list[int]:
        return [c.get("/api/v1/overview?period=all").json()["kpis"]["nps"]["n"] for c in workers]

    before = nps_n()
    assert before[0] == before[1] == int((frames["responses"]["kind"] == "nps").sum())
    extra = pd.DataFrame(
        {
            "response_id": [f"CLI{i}" for i in range(25)],
            "account_id": ["A001"] * 25,
            "kind": ["nps"] * 25,
            "score": [10] * 25,
            "responded_at": pd.to_datetime(["2026-08-15 10:00"] * 25),
        }
    )
    with Workspace.open(folder) as ws:
        ws.load("responses", extra)
    assert nps_n() == [before[0] + 25] * 2
    # a writer outside cxpulse leaves the marker alone: seen after the re-check delay only
    with Workspace.open(folder) as ws:
        ws.con.raw_sql(
            "INSERT INTO responses (response_id, account_id, kind, score, responded_at) "
            "VALUES ('RAW1', 'A001', 'nps', 0, TIMESTAMP '2026-08-16 10:00')"
        )
    assert nps_n() == [before[0] + 25] * 2
    monkeypatch.setattr(cache, "VERSION_TTL", 0.0)
    assert nps_n() == [before[0] + 26] * 2
