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
