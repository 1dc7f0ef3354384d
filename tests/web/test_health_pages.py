"""Health page and API: bands, movement, at-risk list and its CSV/Excel export."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def latest(app) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    from cxpulse.health import latest_scores

    frame = latest_scores(app.state.ctx.workspace)
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame[frame["as_of"] == frame["as_of"].max()]


def test_health_api_counts_bands_of_the_latest_snapshot(
    admin: TestClient, latest: pd.DataFrame
) -> None:
    body = admin.get("/api/v1/health").json()
    assert body["accounts"] == len(latest)
    for band in ("red", "yellow", "green"):
        assert body["band_counts"][band] == int((latest["band"] == band).sum())
    assert sum(b["count"] for b in body["histogram"]) == len(latest)
    assert body["as_of"] == "2026-09-01"
    assert body["previous_as_of"] == "2026-06-01"


def test_band_movement_equals_library_band_changes(admin: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.health import band_changes

    changes = band_changes(app.state.ctx.workspace, since="2026-09-01")
    body = admin.get("/api/v1/health").json()
    got = {(m["from_band"], m["to_band"]): m["count"] for m in body["movement"]}
    want: dict[tuple[str, str], int] = {}
    for c in changes:
        want[(c.from_band, c.to_band)] = want.get((c.from_band, c.to_band), 0) + 1
    assert got == want and got


def test_at_risk_list_is_the_red_band_sorted_by_score(
    admin: TestClient, latest: pd.DataFrame
) -> None:
    body = admin.get("/api/v1/health/at-risk").json()
    red = latest[latest["band"] == "red"]
    assert body["total"] == len(red)
    scores = [a["score"] for a in body["accounts"]]
    assert scores == sorted(scores)
    assert {a["account_id"] for a in body["accounts"]} == set(red["account_id"])
    desc = admin.get("/api/v1/health/at-risk?risk=risk&sort=mrr&desc=true").json()
    mrr = [a["mrr"] for a in desc["accounts"]]
    assert mrr == sorted(mrr, reverse=True)
    assert desc["total"] == int(latest["band"].isin(["red", "yellow"]).sum())


def test_health_page_lists_red_accounts_and_sorts_in_place(admin: TestClient) -> None:
    page = admin.get("/health")
    assert page.status_code == 200
    assert 'id="at-risk-table"' in page.text
    assert "Movimiento entre bandas" in page.text
    partial = admin.get("/health?sort=name&desc=true", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith('<div id="at-risk"')


def test_health_page_without_scores_shows_how_to_score(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.web import create_app
    from tests.web.webdata import add_users, build_frames, make_project, sign_in

    folder = make_project(tmp_path / "p", build_frames(accounts=9, per_month=10))
    add_users(folder)
    client = sign_in(TestClient(create_app(folder)), "analyst@example.com")
    page = client.get("/health")
    assert page.status_code == 200
    assert 'id="health-empty"' in page.text
    assert "cxpulse health score" in page.text
    assert client.get("/api/v1/health").json()["accounts"] == 0


def test_agents_see_the_list_but_cannot_export_it(agent: TestClient, analyst: TestClient) -> None:
    page = agent.get("/health")
    assert page.status_code == 200 and 'id="at-risk-table"' in page.text
    assert 'id="export-csv"' not in page.text
    assert agent.get("/health/at-risk.csv").status_code == 403
    assert agent.get("/health/at-risk.xlsx").status_code == 403
    assert 'id="export-csv"' in analyst.get("/health").text
    assert analyst.get("/health/at-risk.csv").status_code == 200
