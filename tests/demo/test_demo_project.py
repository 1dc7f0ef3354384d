"""The demo project: every part computed through the public API, reproducibly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from cxpulse import store
from cxpulse.cli import app
from cxpulse.demo import DEMO_PASSWORD, build_demo
from cxpulse.workspace import Workspace


def _collected(tmp_path: Path) -> int:
    from cxpulse.store.tables import SurveyResponse

    with store.session(Workspace.open(tmp_path).config.store_url()) as s:
        return s.query(SurveyResponse).count()


def _invited(tmp_path: Path) -> int:
    from cxpulse.store.tables import Invitation

    with store.session(Workspace.open(tmp_path).config.store_url()) as s:
        return s.query(Invitation).count()


def test_demo_builds_a_complete_project(tmp_path: Path):
    report = build_demo(tmp_path, size="tiny", today=date(2026, 11, 25), progress=False)
    collected = _collected(tmp_path)
    assert collected >= 48  # a month of answers through the app, plus follow-ups answered
    with Workspace.open(tmp_path) as ws:
        for table, rows in report.rows.items():
            if table == "responses":
                assert ws.count(table) == rows + collected  # plus the answers collected live
            elif table == "invitations":  # plus the links the app sent, synced
                assert ws.count(table) == rows + _invited(tmp_path) > rows
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
    _looks_like_a_company(tmp_path)
    # A second run refreshes the same project without duplicating anything.
    again = build_demo(tmp_path, size="tiny", today=date(2026, 11, 25), progress=False)
    assert again.rows == report.rows
    with Workspace.open(tmp_path) as ws:
        assert ws.count("responses") == report.rows["responses"] + _collected(tmp_path)


def _looks_like_a_company(tmp_path: Path) -> None:
    """Nothing observable after the demo's day, owners on every case, contacts with e-mails,
    resolved cases whose follow-up surveys were answered: every loop indicator has a value."""
    from sqlalchemy import func, select

    from cxpulse.loop import loop_indicators
    from cxpulse.store.tables import Case, Contact

    end = "2026-11-25 23:59:59"
    with Workspace.open(tmp_path) as ws:
        generated = {
            "tickets": "opened_at",
            "usage_events": "occurred_at",
            "touchpoints": "occurred_at",
            "orders": "ordered_at",
            "invoices": "issued_at",
            "outcomes": "occurred_at",
        }
        for table, column in generated.items():
            latest = ws.con.sql(f"SELECT max({column}) AS m FROM {table}").execute()["m"][0]
            assert str(latest) <= end, (table, latest)
        collected = ws.con.sql(
            "SELECT max(responded_at) AS m FROM responses WHERE response_id NOT LIKE 'op-%'"
        ).execute()["m"][0]
        assert str(collected) <= end
        assert (
            ws.con.sql(
                "SELECT count(*) AS n FROM accounts WHERE end_date > DATE '2026-11-25'"
            ).execute()["n"][0]
            == 0
        )
    with store.session(Workspace.open(tmp_path).config.store_url()) as s:
        cases = s.query(Case).all()
        assert cases and all(c.owner and "@" in c.owner for c in cases)
        assert (
            s.scalar(select(func.count()).select_from(Contact).where(Contact.email.like("%@%")))
            >= 60
        )
        assert any(c.status == "resolved" and c.followup_invitation_id for c in cases)
        got = loop_indicators(s)
    for estimate in (
        got.contacted_within_sla,
        got.time_to_first_contact_hours,
        got.time_to_close_hours,
        got.recovery_rate,
    ):
        assert estimate.n > 0


def test_demo_command_prints_indicators_and_sign_in(tmp_path: Path):
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "d"), "--size", "tiny"])
    assert result.exit_code == 0, result.output
    assert "nps:" in result.output and "admin@example.com" in result.output
    assert DEMO_PASSWORD in result.output
