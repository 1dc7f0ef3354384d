"""cxpulse init / load / status from the command line."""

from __future__ import annotations

import tomllib
from pathlib import Path

from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.config import load_config
from cxpulse.workspace import Workspace

runner = CliRunner()

GOOD = "account_id,segment,start_date\na1,SMB,2025-01-01\na2,Enterprise,2025-02-01\n"
BAD = "account_id,segment,start_date\na1,SMB,2025-01-01\na2,Enterprise,someday\n"


def test_init_writes_a_commented_config_that_parses(tmp_path: Path):
    target = tmp_path / "myproject"
    result = runner.invoke(app, ["init", str(target), "--language", "en"])
    assert result.exit_code == 0, result.output
    text = (target / "cxpulse.toml").read_text()
    assert text.count("#") > 20  # commented for the people who edit it
    data = tomllib.loads(text)
    assert data["locale"]["language"] == "en"
    cfg = load_config(target)
    assert cfg.workspace_url().endswith("workspace.duckdb")
    again = runner.invoke(app, ["init", str(target)])
    assert again.exit_code != 0 and "already exists" in again.output


def test_load_then_reject_a_bad_file_leaving_the_workspace_as_it_was(tmp_path: Path):
    runner.invoke(app, ["init", str(tmp_path)])
    (tmp_path / "a.csv").write_text(GOOD)
    (tmp_path / "bad.csv").write_text(BAD)
    ok = runner.invoke(app, ["load", "accounts", str(tmp_path / "a.csv"), "-p", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "2 new" in ok.output or "2 nuevas" in ok.output  # in the CLI's language
    bad = runner.invoke(app, ["load", "accounts", str(tmp_path / "bad.csv"), "-p", str(tmp_path)])
    assert bad.exit_code == 2
    assert (
        ("row 3" in bad.output or "fila 3" in bad.output)
        and "start_date" in bad.output
        and "someday" in bad.output
    )
    with Workspace.open(tmp_path) as ws:
        assert sorted(ws.table("accounts").segment.execute()) == ["Enterprise", "SMB"]
    status = runner.invoke(app, ["status", "-p", str(tmp_path)])
    assert status.exit_code == 0 and "accounts" in status.output


def test_load_uses_the_configured_path_and_column_mapping(tmp_path: Path):
    runner.invoke(app, ["init", str(tmp_path)])
    config = tmp_path / "cxpulse.toml"
    config.write_text(
        config.read_text()
        + '\n[tables.accounts]\npath = "clientes.csv"\n'
        + '[tables.accounts.columns]\n"ID Cliente" = "account_id"\n"Alta" = "start_date"\n'
    )
    (tmp_path / "clientes.csv").write_text("ID Cliente,Alta\nc1,2024-05-01\n")
    result = runner.invoke(app, ["load", "accounts", "-p", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with Workspace.open(tmp_path) as ws:
        assert ws.table("accounts").account_id.execute().tolist() == ["c1"]


def test_unknown_table_is_refused_with_the_list(tmp_path: Path):
    result = runner.invoke(app, ["load", "customers", "x.csv", "-p", str(tmp_path)])
    assert result.exit_code == 2
    assert "accounts" in result.output and "responses" in result.output
