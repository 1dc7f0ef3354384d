"""``cxpulse health fit/score/explain/evaluate`` on a project folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from health_synthetic import seed
from typer.testing import CliRunner

from cxpulse.cli.app import app
from cxpulse.health import SCORES_TABLE, band_changes, load_model
from cxpulse.project import init_project
from cxpulse.workspace import Workspace


@pytest.fixture
def project(tmp_path: Path, history_data: dict[str, pd.DataFrame]) -> Path:
    folder = tmp_path / "acme"
    init_project(folder, language="en")
    with Workspace.open(folder) as ws:
        seed(ws, history_data)
    return folder


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_fit_score_explain_evaluate_from_the_command_line(project: Path) -> None:
    p = str(project)
    code, out = _run("health", "fit", "--outcome", "churn", "--horizon", "90d", "-p", p)
    assert code == 0, out
    assert "Model logistic regression fitted for churn in 90 days" in out
    assert (project / "models" / "health-logistic.joblib").exists()
    saved = load_model(project)
    assert saved.name == "logistic" and saved.horizon_days == 90
    # [health] model is "expert": the fitted model scores once an admin promotes it
    code, out = _run("health", "score", "--as-of", "2024-10-01", "-p", p)
    assert code == 0 and "with model expert" in out, out
    code, out = _run("health", "promote", "logistic", "-p", p)
    assert code == 0 and "Active model: logistic" in out, out

    for day in ("2024-11-01", "2024-12-01"):
        code, out = _run("health", "score", "--as-of", day, "-p", p)
        assert code == 0, out
        assert f"as of {day} with model logistic" in out
    with Workspace.open(project) as ws:
        stored = ws.table(SCORES_TABLE).execute()
        stored = stored[stored["model"] == "logistic"]
        changes = band_changes(ws)
    assert set(pd.to_datetime(stored["as_of"]).dt.date.astype(str)) == {"2024-11-01", "2024-12-01"}
    assert stored["score"].between(0, 100).all()

    account = str(stored.sort_values("score")["account_id"].iloc[0])
    code, out = _run("health", "explain", account, "-p", p)
    assert code == 0, out
    assert out.startswith(f"{account}: health ") and "since 2024-11-01" in out
    assert "Playbook:" in out
    code, out = _run("health", "explain", account, "-p", p, "--lang", "es")
    assert f"{account}: salud " in out and "Plan de acción:" in out
    assert all(c.at.isoformat() == "2024-12-01" for c in changes)

    code, out = _run("health", "evaluate", "--horizon", "90d", "--test-dates", "2", "-p", p)
    assert code == 0, out
    assert "Backtest of churn in 90 days over 2 as-of dates." in out
    for name in ("expert", "logistic", "LightGBM"):  # names in words (a cell may wrap)
        assert name in out


def test_score_with_the_expert_model_needs_no_fit(project: Path) -> None:
    code, out = _run("health", "score", "--as-of", "2024-10-01", "-p", str(project))
    assert code == 0, out
    assert "with model expert" in out


def test_command_errors_say_what_to_do(project: Path) -> None:
    p = str(project)
    code, out = _run("health", "explain", "NOPE", "-p", p)
    assert code == 2 and "no health scores stored yet" in out
    assert _run("health", "score", "--as-of", "2024-10-01", "-p", p)[0] == 0
    code, out = _run("health", "explain", "NOPE", "-p", p)
    assert code == 2 and "no stored health score" in out
    code, out = _run("health", "fit", "--horizon", "ninety", "-p", p)
    assert code == 2 and "'90d'" in out
    code, out = _run("health", "score", "--model", "lightgbm", "-p", p)
    assert code == 2 and "cxpulse health fit" in out


def test_report_shows_training_backtest_deciles_and_drift(project: Path) -> None:
    import json

    p = str(project)
    assert _run("health", "fit", "-p", p)[0] == 0
    assert _run("health", "promote", "logistic", "-p", p)[0] == 0
    code, out = _run("health", "report", "-p", p, "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["model"] == "logistic" and doc["training"]["n"] > 0
    training = doc["training"]
    assert training["positives"] == round(training["base_rate"] * training["n"])
    deciles = doc["lift_by_decile"]
    assert len(deciles) == 10 and deciles[0]["bad_rate"] >= deciles[-1]["bad_rate"]
    assert {m["model"] for m in doc["evaluation"]["models"]} == {"expert", "logistic", "lightgbm"}
    assert doc["drift"] and isinstance(doc["refit_recommended"], bool)
    for point in doc["drift"]:
        assert point["drifted"] == (
            abs(point["predicted"] - point["observed"]) > max(0.02, 0.25 * point["observed"])
        )
    code, out = _run("health", "report", "-p", p)
    assert code == 0 and "Active model: logistic" in out and "refit" in out.lower()
