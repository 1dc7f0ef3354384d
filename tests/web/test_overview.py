"""The overview page and its API show exactly what the library computes."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from cxpulse.web.i18n import format_number
from tests.stats.simulation import tango_bounds


def test_api_overview_equals_workspace_metrics(admin: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    body = admin.get("/api/v1/overview?period=all").json()
    expected = app.state.ctx.workspace.metrics(["nps", "csat", "ces"])
    by_name = {r.metric: r for r in expected.rows}
    for name in ("nps", "csat", "ces"):
        got = body["kpis"][name]
        assert got["value"] == pytest.approx(by_name[name].value, abs=1e-9)
        assert got["n"] == by_name[name].n
        assert got["ci_low"] == pytest.approx(by_name[name].ci_low, abs=1e-9)
        assert got["ci_high"] == pytest.approx(by_name[name].ci_high, abs=1e-9)


def test_overview_nps_matches_an_independent_computation(
    admin: TestClient, frames: dict[str, pd.DataFrame]
) -> None:
    resp = frames["responses"].merge(frames["accounts"], on="account_id")
    nps = resp[(resp["kind"] == "nps") & (resp["segment"] == "Enterprise")]["score"].to_numpy()
    promoters, detractors = np.mean(nps >= 9), np.mean(nps <= 6)
    expected = 100 * (promoters - detractors)
    low, high = tango_bounds(
        float(np.sum(nps >= 9)), float(np.sum(nps <= 6)), float(len(nps)), 1.959963984540054
    )

    body = admin.get("/api/v1/overview?period=all&segment=Enterprise").json()
    got = body["kpis"]["nps"]
    assert got["n"] == len(nps)
    assert got["value"] == pytest.approx(expected, abs=1e-9)
    assert got["ci_low"] == pytest.approx(100 * low, rel=1e-6)
    assert got["ci_high"] == pytest.approx(100 * high, rel=1e-6)


def test_overview_page_shows_the_formatted_library_value(admin: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    page = admin.get("/?period=all&segment=SMB").text
    rows = app.state.ctx.workspace.metrics("nps", by="segment").rows
    smb = next(r for r in rows if r.group["segment"] == "SMB")
    card = re.search(r'data-metric="nps" data-value="([^"]+)"', page)
    assert card is not None
    assert float(card.group(1)) == pytest.approx(smb.value, abs=1e-9)
    assert f">{format_number(smb.value, 'es', 1)}<" in page


def test_period_filter_restricts_months(admin: TestClient) -> None:
    three = admin.get("/api/v1/overview?period=3m").json()
    every = admin.get("/api/v1/overview?period=all").json()
    assert len(three["trend"]["nps"]) == 3
    assert len(every["trend"]["nps"]) == 6
    assert three["kpis"]["nps"]["n"] < every["kpis"]["nps"]["n"]


def test_significant_drop_is_highlighted(admin: TestClient) -> None:
    body = admin.get("/api/v1/overview?period=all").json()
    drops = [
        c
        for c in body["changes"]
        if c["metric"] == "nps" and c["group"].get("segment") == "Enterprise"
    ]
    assert drops and drops[0]["significant"] and drops[0]["difference"] < 0
    page = admin.get("/?period=all").text
    assert 'data-significant="1"' in page


def test_htmx_filter_request_returns_only_the_results(admin: TestClient) -> None:
    partial = admin.get("/?segment=Enterprise", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<div id="results"')
    assert "<html" not in partial.text
    assert "Enterprise" in partial.text


def test_metrics_api_groups_by_dimension(admin: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    body = admin.get("/api/v1/metrics?metric=csat&by=segment&grain=month").json()
    expected = app.state.ctx.workspace.metrics("csat", by="segment", grain="month")
    assert len(body["rows"]) == len(expected.rows)
    for got, want in zip(body["rows"], expected.rows, strict=True):
        assert got["group"] == want.group
        assert got["value"] == pytest.approx(want.value)


def test_metrics_api_explains_unknown_metric(admin: TestClient) -> None:
    response = admin.get("/api/v1/metrics?metric=nope")
    assert response.status_code == 422
    assert "nps" in str(response.json()["detail"])
    bad_dimension = admin.get("/api/v1/metrics?metric=nps&by=shoe_size")
    assert bad_dimension.status_code == 400
    assert "shoe_size" in bad_dimension.json()["detail"]


def test_compare_api_matches_workspace_compare(admin: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    body = admin.get("/api/v1/metrics/compare?metric=nps&period=2026-08&vs=2026-07").json()
    want = app.state.ctx.workspace.compare("nps", period="2026-08", vs="2026-07")[0]
    got = body["comparisons"][0]
    assert got["difference"] == pytest.approx(want.difference)
    assert got["significant"] == want.significant


def test_empty_workspace_shows_an_empty_state(tmp_path: Path) -> None:
    from cxpulse.web import create_app
    from tests.web.webdata import add_users, make_project, sign_in

    folder = make_project(tmp_path / "empty", None)
    add_users(folder)
    client = sign_in(TestClient(create_app(folder)), "admin@example.com")
    page = client.get("/")
    assert page.status_code == 200
    assert "Aún no hay respuestas" in page.text


def test_industry_benchmark_is_shown_beside_nps(tmp_path: Path, frames) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.metrics.benchmarks import nps_benchmark
    from cxpulse.web import create_app
    from tests.web.webdata import add_users, make_project, sign_in

    folder = make_project(tmp_path / "bench", frames, toml='[metrics]\nindustry = "it_vendors"\n')
    add_users(folder)
    client = sign_in(TestClient(create_app(folder)), "admin@example.com")
    bench = nps_benchmark("it_vendors")
    assert bench is not None
    body = client.get("/api/v1/overview?period=all").json()
    assert body["kpis"]["nps"]["extra"]["benchmark_nps"] == bench.nps
    page = client.get("/?period=all&lang=en").text
    assert "Technology vendors (IT) benchmark" in page
    gap = body["kpis"]["nps"]["value"] - bench.nps
    assert format_number(gap, "en", 0).lstrip("-") in page


def test_each_kpi_links_to_the_sql_that_computes_it(admin: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    page = admin.get("/?segment=SMB").text
    assert "/api/v1/metrics/explain?metric=nps&amp;by=segment" in page
    body = admin.get("/api/v1/metrics/explain?metric=nps&by=segment").json()
    assert body["sql"] == app.state.ctx.workspace.explain("nps", by=["segment"])
    assert "GROUP BY" in body["sql"].upper()
