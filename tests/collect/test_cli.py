"""``cxpulse surveys`` and ``cxpulse responses`` call the library and report clearly."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxpulse import store
from cxpulse.cli.app import app
from cxpulse.workspace import Workspace

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CXPULSE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CXPULSE_WORKSPACE_URL", raising=False)
    monkeypatch.setenv("CXPULSE_BASE_URL", "https://cx.example")
    (tmp_path / "cxpulse.toml").write_text('[locale]\nlanguage = "en"\n', "utf-8")
    yield tmp_path
    store.dispose_engines()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_create_invite_answer_import_sync_from_the_command_line(project: Path) -> None:
    p = ["--project", str(project)]
    assert "created" in _run("surveys", "create", "nps-q1", "--kind", "nps", *p)
    contacts = project / "contacts.csv"
    contacts.write_text("Customer,email\nacme,ana@acme.example\nbeta,\n", "utf-8")
    out = runner.invoke(
        app, ["surveys", "invite", "nps-q1", str(contacts), "--map", "Customer=account_id", *p]
    )
    assert out.exit_code == 0, out.output
    links = list(csv.DictReader(io.StringIO(out.stdout.split("\n2 invitations")[0])))
    assert [r["account_id"] for r in links] == ["acme", "beta"]
    assert all(r["url"].startswith("https://cx.example/s/") for r in links)
    export = project / "export.csv"
    export.write_text("id,Score,Company\nx1,9,acme\nx2,4,beta\n", "utf-8")
    imported = _run(
        "surveys",
        "import",
        str(export),
        "--survey",
        "nps-q1",
        "--map",
        "id=external_id",
        "--map",
        "Score=score",
        "--map",
        "Company=account_id",
        *p,
    )
    assert "2 new" in imported
    listed = _run("surveys", "list", "--json", *p)
    assert '"answers": 2' in listed
    time.sleep(1.2)  # sync takes answers once they are older than the settle time (1 s)
    synced = _run("responses", "sync", *p)
    assert "2 answers synced" in synced
    assert "0 answers synced" in _run("responses", "sync", *p)
    with Workspace.open(project) as ws:
        assert sorted(ws.table("responses").score.execute()) == [4, 9]


def test_bad_input_exits_non_zero_with_the_reason(project: Path) -> None:
    p = ["--project", str(project)]
    bad = runner.invoke(app, ["surveys", "create", "x", "--kind", "stars", *p])
    assert bad.exit_code != 0 and "stars" in bad.output
    missing = runner.invoke(app, ["surveys", "invite", "nope", str(project / "none.csv"), *p])
    assert missing.exit_code != 0 and "not found" in missing.output
    wrong_map = runner.invoke(app, ["surveys", "import", "f.csv", "--map", "nonsense", *p])
    assert wrong_map.exit_code != 0 and "their column=our column" in wrong_map.output
