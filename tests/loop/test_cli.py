"""``cxpulse cases`` end to end on a project folder with a SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cxpulse import store
from cxpulse.cli.app import app
from cxpulse.config import load_config
from cxpulse.loop import LoopContext, on_response
from cxpulse.store import Survey, SurveyResponse

runner = CliRunner()


def _project(tmp_path: Path) -> Path:
    (tmp_path / "cxpulse.toml").write_text(
        '[locale]\nlanguage = "en"\n\n[loop]\ndefault_owner = "team@example.com"\n',
        encoding="utf-8",
    )
    url = load_config(tmp_path).store_url()
    store.migrate(url)
    with store.session(url) as s:
        survey = Survey(slug="rel", kind="nps")
        s.add(survey)
        s.flush()
        answer = SurveyResponse(
            survey_id=survey.id, account_id="ACME", kind="nps", score=1, comment="Terrible"
        )
        s.add(answer)
        s.flush()
        on_response(s, answer, LoopContext.from_project(load_config(tmp_path)))
    return tmp_path


def _run(*args: str) -> str:
    result = runner.invoke(app, ["cases", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_list_show_assign_comment_status_resolve(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CXPULSE_DATABASE_URL", raising=False)
    project = str(_project(tmp_path))
    listed = json.loads(_run("list", "--json", "-p", project))
    assert len(listed) == 1 and listed[0]["owner"] == "team@example.com"
    cid = str(listed[0]["id"])
    _run("assign", cid, "bob@example.com", "--as", "ana", "-p", project)
    _run("comment", cid, "Called the customer", "--contact", "--as", "bob", "-p", project)
    _run("status", cid, "in_progress", "--as", "bob", "-p", project)
    _run("resolve", cid, "--note", "Refund agreed", "--category", "billing", "-p", project)
    shown = json.loads(_run("show", cid, "--json", "-p", project))
    assert shown["status"] == "resolved" and shown["category"] == "billing"
    assert shown["owner"] == "bob@example.com" and shown["first_contact_at"]
    assert [h["kind"] for h in shown["history"]] == [
        "opened",
        "assigned",
        "assigned",
        "contacted",
        "status_changed",
        "classified",
        "status_changed",
    ]
    assert "Resolved" in _run("list", "-p", project) or "resolved" in _run("list", "-p", project)
    data = json.loads(_run("indicators", "--json", "-p", project))
    assert data["contacted_within_sla"]["n"] == 1 and data["contacted_within_sla"]["value"] == 1.0
    assert data["time_to_close_hours"]["n"] == 1


def test_refused_transition_exits_with_a_clear_message(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CXPULSE_DATABASE_URL", raising=False)
    project = str(_project(tmp_path))
    _run("status", "1", "closed", "-p", project)
    result = runner.invoke(app, ["cases", "status", "1", "open", "-p", project])
    assert result.exit_code == 2
    assert "cannot move to 'open'" in result.output
    missing = runner.invoke(app, ["cases", "show", "42", "-p", project])
    assert missing.exit_code == 2 and "case 42 does not exist" in missing.output


def test_check_health_opens_a_case_for_a_drop_into_red_once(tmp_path: Path, monkeypatch) -> None:
    from datetime import date, timedelta

    import pandas as pd

    from cxpulse.health.scoring import write_scores
    from cxpulse.workspace import Workspace

    monkeypatch.delenv("CXPULSE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CXPULSE_WORKSPACE_URL", raising=False)
    (tmp_path / "cxpulse.toml").write_text(
        '[[loop.rules]]\nname = "red"\ntrigger = { kind = "health_red" }\n'
        'action = { priority = "urgent", sla_hours = 24 }\n',
        encoding="utf-8",
    )
    today = date.today()
    with Workspace.open(tmp_path) as ws:
        ws.load(
            "accounts",
            pd.DataFrame(
                {
                    "account_id": ["A1", "A2"],
                    "owner": ["ana@x.com", None],
                    "start_date": [date(2024, 1, 1)] * 2,
                }
            ),
        )
        for as_of, bands in (
            (today - timedelta(days=14), ("yellow", "green")),
            (today - timedelta(days=7), ("red", "green")),
        ):
            write_scores(
                ws,
                pd.DataFrame(
                    {
                        "account_id": ["A1", "A2"],
                        "as_of": [as_of] * 2,
                        "score": [30.0 if bands[0] == "red" else 55.0, 80.0],
                        "band": list(bands),
                        "model": ["expert"] * 2,
                        "explanation": ["{}"] * 2,
                    }
                ),
            )
    out = _run("check-health", "-p", str(tmp_path))
    assert "1 health case(s): #1" in out
    assert "0 health case(s)" not in out
    again = _run("check-health", "-p", str(tmp_path))
    assert "1 health case(s): #1" in again  # the same case, not a second one
    listed = json.loads(_run("list", "--json", "-p", str(tmp_path)))
    assert len(listed) == 1
    assert listed[0]["owner"] == "ana@x.com" and listed[0]["priority"] == "urgent"
    assert listed[0]["trigger"] == "health_red"
