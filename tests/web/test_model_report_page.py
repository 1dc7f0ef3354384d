"""The model report page shows the figures of ``cxpulse health report`` (one function), for
analysts and admins, linked from /health: the report stored beside the model, with when it was
computed and whether it is stale; without one it says so and an admin starts the
``model_report`` job, whose report the page then shows."""

from __future__ import annotations

import json
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.web.webdata import add_users, csrf_of, make_project, sign_in

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
    stored = json.loads((history_project / "models" / "health-lightgbm.report.json").read_text())
    assert shown["stored"]["computed_at"] == stored["computed_at"] and not shown["stored"]["stale"]
    assert f'data-computed-at="{stored["computed_at"]}"' in page.text
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


@pytest.fixture
def own_project(history_project: Path, tmp_path: Path) -> Path:
    """A copy of the fitted project that a test may change."""
    copy = tmp_path / "proj"
    shutil.copytree(history_project, copy)
    return copy


def _join_report_jobs() -> None:
    for thread in threading.enumerate():
        if thread.name == "cxpulse-job-model_report":
            thread.join(timeout=900)
            assert not thread.is_alive(), "the model_report job did not finish"


def _cli_json(project: Path) -> dict:
    from cxpulse.cli import app as cli

    out = runner.invoke(cli, ["health", "report", "-p", str(project), "--format", "json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)  # type: ignore[no-any-return]


def test_without_a_stored_report_the_page_says_so_and_the_refresh_job_fills_it(
    own_project: Path, monkeypatch_session: pytest.MonkeyPatch
) -> None:
    from cxpulse.jobs import history
    from cxpulse.web import create_app

    (own_project / "models" / "health-lightgbm.report.json").unlink()
    app = create_app(own_project)
    analyst = sign_in(TestClient(app), "analyst@example.com")
    started = time.perf_counter()
    es = analyst.get("/health/report?lang=es")
    page_seconds = time.perf_counter() - started
    assert es.status_code == 200
    assert 'id="report-absent"' in es.text and 'id="report-data"' not in es.text
    assert "Todavía no hay un informe guardado" in es.text
    assert "Pide a un administrador" in es.text and 'id="report-refresh"' not in es.text
    en = analyst.get("/health/report?lang=en").text
    assert "No stored report yet" in en and "Ask an admin" in en
    assert "has not been computed yet" in en and "Compute the report" not in en
    # only admins start it, through the jobs mechanism (CSRF-checked like every form)
    assert (
        analyst.post("/health/report/refresh", data={"csrf_token": csrf_of(es.text)}).status_code
        == 403
    )

    admin = sign_in(TestClient(app), "admin@example.com")
    page = admin.get("/health/report?lang=es")
    assert 'id="report-refresh"' in page.text and "Calcular el informe" in page.text
    posted = admin.post(
        "/health/report/refresh", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/health/report")
    _join_report_jobs()
    after = admin.get("/health/report?lang=es")
    assert "Recálculo del informe iniciado" in after.text
    (run,) = history(app.state.ctx.store_url, "model_report")
    assert run.outcome == "ok" and run.trigger == "manual", run.error
    shown = _report_json(after.text)
    assert shown == _cli_json(own_project)  # one document for the page and the CLI
    assert shown["stored"]["computed_at"] == run.details["computed_at"]
    assert shown["model"] == "lightgbm" and not shown["stored"]["stale"]
    # the page answered at once; the backtest took the job far longer
    assert run.seconds is not None and run.seconds > 5 * page_seconds, (run.seconds, page_seconds)


def test_a_stale_report_is_shown_with_what_changed_in_both_languages(
    own_project: Path, monkeypatch_session: pytest.MonkeyPatch
) -> None:
    from cxpulse.cli import app as cli
    from cxpulse.web import create_app

    refit = ["health", "fit", "--no-report", "--set", "num_leaves=7", "-p", str(own_project)]
    assert runner.invoke(cli, refit).exit_code == 0
    client = sign_in(TestClient(create_app(own_project)), "analyst@example.com")
    en = client.get("/health/report?lang=en").text
    assert 'id="report-stale" data-stale-because="model"' in en
    assert "no longer current: a model was refitted" in en and "Out of date" in en
    shown = _report_json(en)
    assert shown == _cli_json(own_project) and shown["stored"]["stale_because"] == ["model"]
    es = client.get("/health/report?lang=es").text
    assert "ya no están al día: un modelo se volvió a ajustar" in es and "Desactualizado" in es


def test_a_running_recompute_is_shown_and_not_started_twice(
    own_project: Path, monkeypatch_session: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from cxpulse.jobs import history, runs
    from cxpulse.web import create_app

    app = create_app(own_project)
    url = app.state.ctx.store_url
    app.state.ctx.store_engine()
    assert runs.claim(url, "model_report", datetime.now(UTC), "manual") is not None
    admin = sign_in(TestClient(app), "admin@example.com")
    page = admin.get("/health/report?lang=en")
    assert 'id="report-running"' in page.text and "Recomputing the report since" in page.text
    assert 'type="submit" disabled' in page.text
    again = admin.post("/health/report/refresh", data={"csrf_token": csrf_of(page.text)})
    assert "already being recomputed" in again.text
    assert len(history(url, "model_report")) == 1
