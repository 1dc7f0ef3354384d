"""cxpulse comments themes|sentiment|drivers on a real project folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.workspace import Workspace

from .test_analysis import _data

# These tests read the project's language (es), not the suite's CXPULSE_LANG=en.
runner = CliRunner(env={"CXPULSE_LANG": ""})


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("comments")
    assert runner.invoke(app, ["init", str(folder), "--language", "es"]).exit_code == 0
    accounts, responses = _data()
    with Workspace.open(folder) as ws:
        ws.load("accounts", accounts)
        ws.load("responses", responses)
    return folder


def test_themes_command_prints_named_themes_with_examples(project: Path) -> None:
    result = runner.invoke(app, ["comments", "themes", "-p", str(project), "--k", "2"])
    assert result.exit_code == 0, result.output
    assert "Temas de 22 comentarios" in result.output
    assert "Precio" in result.output and "Soporte" in result.output
    assert "caro" in result.output  # an example comment
    with Workspace.open(project) as ws:
        assert ws.count("comment_themes") == 22


def test_themes_command_in_english_by_segment(project: Path) -> None:
    result = runner.invoke(
        app,
        ["comments", "themes", "-p", str(project), "--k", "2", "--lang", "en", "--by", "segment"],
    )
    assert result.exit_code == 0, result.output
    assert "Price" in result.output and "Enterprise" in result.output and "SMB" in result.output
    assert result.output.count("“") >= 2 * 4  # examples in the overall and per-segment tables


def test_sentiment_command_by_month(project: Path) -> None:
    result = runner.invoke(
        app, ["comments", "sentiment", "-p", str(project), "--grain", "month", "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "2026-01-01" in result.output and "2026-02-01" in result.output
    assert "Mean sentiment" in result.output


def test_drivers_command_shows_price_first_and_significant(project: Path) -> None:
    result = runner.invoke(
        app, ["comments", "drivers", "-p", str(project), "--k", "2", "--kind", "nps"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "NPS" in line]
    assert "Precio" in lines[0] and "80,0" in lines[0] and "Sí" in lines[0]


def test_errors_are_reported_without_traceback(project: Path) -> None:
    result = runner.invoke(
        app, ["comments", "themes", "-p", str(project), "--start", "2030-01-01", "--lang", "en"]
    )
    assert result.exit_code == 2
    assert "No comments" in result.output and "Traceback" not in result.output
