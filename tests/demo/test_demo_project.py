"""The demo project: every part computed through the public API, reproducibly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cxpulse import store
from cxpulse.cli import app
from cxpulse.demo import DEMO_PASSWORD, build_demo
from cxpulse.workspace import Workspace


def test_demo_builds_a_complete_project(tmp_path: Path):
    report = build_demo(tmp_path, size="tiny", today=date(2026, 11, 25), progress=False)
    with Workspace.open(tmp_path) as ws:
        for table, rows in report.rows.items():
            if table == "responses":
                assert ws.count(table) == rows + 12  # plus the answers collected live
            else:
                assert ws.count(table) == rows
        scores = ws.table("health_scores").execute()
        assert scores["as_of"].nunique() == 6
        assert set(scores["model"]) == {"logistic", "expert"}
        assert scores["score"].between(0, 100).all()
        nps = ws.metrics("nps").rows[0]
        assert -100 <= nps.value <= 100 and nps.n > 0
    with store.session(report.project_dir and Workspace.open(tmp_path).config.store_url()) as s:
        user = store.authenticate(s, "admin@example.com", DEMO_PASSWORD)
        assert user is not None and user.role == "admin"
    from cxpulse.store.tables import Case

    with store.session(Workspace.open(tmp_path).config.store_url()) as s:
        triggers = {c.trigger for c in s.query(Case).all()}
    assert {"detractor", "csat_low"} <= triggers  # live answers opened follow-up cases
    # A second run refreshes the same project without duplicating anything.
    again = build_demo(tmp_path, size="tiny", today=date(2026, 11, 25), progress=False)
    assert again.rows == report.rows
    with Workspace.open(tmp_path) as ws:
        assert ws.count("responses") == report.rows["responses"] + 12


def test_demo_command_prints_indicators_and_sign_in(tmp_path: Path):
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "d"), "--size", "tiny"])
    assert result.exit_code == 0, result.output
    assert "nps:" in result.output and "admin@example.com" in result.output
    assert DEMO_PASSWORD in result.output
