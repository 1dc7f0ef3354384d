"""The model report page shows the figures of ``cxpulse health report`` (one function), for
analysts and admins, linked from /health."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.web.webdata import add_users, make_project, sign_in

sys.path.insert(0, str(Path(__file__).parents[1] / "health"))

from health_synthetic import make_data, seed

runner = CliRunner()


@pytest.fixture(scope="module")
def history_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three hundred accounts over fourteen months, a fitted LightGBM model, scored."""
    from cxpulse.cli import app as cli
    from cxpulse.workspace import Workspace

    folder = make_project(
        tmp_path_factory.mktemp("report") / "proj", None, toml='[health]\nmodel = "lightgbm"\n'
    )
    with Workspace.open(folder) as ws:
        seed(ws, make_data(n_accounts=240, months=13, seed=3))
    add_users(folder)
    for args in (["health", "fit"], ["health", "score", "--as-of", "2025-02-01"]):
        result = runner.invoke(cli, [*args, "-p", str(folder)])
        assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def report_app(history_project: Path, monkeypatch_session: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from cxpulse.web import create_app

    return create_app(history_project)


def _report_json(html: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S
    )
    assert found, "the page carries no report figures"
    return json.loads(found.group(1))


def test_page_and_cli_show_the_same_figures(report_app, history_project: Path) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.cli import app as cli

    client = sign_in(TestClient(report_app), "analyst@example.com")
    page = client.get("/health/report?lang=en")
    assert page.status_code == 200
    shown = _report_json(page.text)
    out = runner.invoke(cli, ["health", "report", "-p", str(history_project), "--format", "json"])
    assert out.exit_code == 0, out.output
    assert shown == json.loads(out.output)
    assert shown["model"] == "lightgbm" and shown["evaluation"]["method"] == "backtest"
    # the visible table holds the same numbers
    lgbm = next(m for m in shown["evaluation"]["models"] if m["model"] == "lightgbm")
    assert f'data-model="lightgbm" data-roc-auc="{lgbm["roc_auc"]}"' in page.text
    assert f"{lgbm['roc_auc']:.3f}" in page.text
    # lift by decile from the pooled predictions, recomputed here with numpy
    rates = [d["bad_rate"] for d in shown["lift_by_decile"]]
    assert len(rates) == 10 and rates[0] > np.mean(rates) > rates[-1]
    assert 'id="spec-report-calibration"' in page.text and 'id="spec-report-deciles"' in page.text
    assert ("Refit recommended" in page.text) == shown["refit_recommended"]
    es = client.get("/health/report?lang=es").text
    assert "Informe del modelo de salud" in es and "Curva de calibración" in es


def test_report_is_for_analysts_and_admins_and_linked_from_health(report_app) -> None:  # type: ignore[no-untyped-def]
    agent = sign_in(TestClient(report_app), "agent@example.com")
    assert agent.get("/health/report").status_code == 403
    assert 'id="model-report-link"' not in agent.get("/health").text
    admin = sign_in(TestClient(report_app), "admin@example.com")
    assert admin.get("/health/report").status_code == 200
    assert 'href="/health/report' in admin.get("/health?lang=es").text
