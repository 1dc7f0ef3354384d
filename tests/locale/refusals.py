"""A CLI command that must refuse, run in one language: its whole output, checked to be a
clear refusal (non-zero exit, no traceback, no stray exception)."""

from __future__ import annotations

from typer.testing import CliRunner

from cxpulse.cli import app


def refused(args: list[str], lang: str) -> str:
    """Run ``cxpulse args`` with CXPULSE_LANG=lang; it must refuse cleanly. Its output."""
    result = CliRunner().invoke(app, args, env={"CXPULSE_LANG": lang})
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output
