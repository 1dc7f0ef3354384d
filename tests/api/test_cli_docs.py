"""docs/cli.md documents every command and option as they are now."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cli_docs.py"


def test_cli_reference_is_up_to_date():
    spec = importlib.util.spec_from_file_location("cli_docs", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    assert module.DOCS.read_text() == expected, "run: python scripts/cli_docs.py"
    for command in ("cxpulse init", "cxpulse load", "cxpulse status"):
        assert f"## `{command}`" in expected
