"""``cxpulse --help`` answers at once: no command's help loads the analytics stack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import typer.main

from cxpulse.cli.app import app

SRC = Path(__file__).resolve().parents[2] / "src"
# pydantic is not in the list: Typer (0.29) itself builds its parameter converters with it.
HEAVY = ("pandas", "scipy", "sqlalchemy", "ibis", "numpy", "duckdb", "pyarrow", "sklearn")

# Runs the real entry point for each argument list in a fresh interpreter, then reports which
# heavy packages ended up imported.
PROBE = """
import contextlib, io, json, sys
from cxpulse.cli import main
arg_lists, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for args in arg_lists:
    sys.argv = ["cxpulse", *args]
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main()
        except SystemExit as exc:
            assert exc.code in (0, None), (args, exc.code)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(heavy))))
"""


def _probe(arg_lists: list[list[str]]) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(arg_lists), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def _all_commands() -> list[list[str]]:
    def walk(command: object, path: list[str]) -> list[list[str]]:
        found = [path]
        children = getattr(command, "commands", {})
        for name in sorted(children):
            found += walk(children[name], [*path, name])
        return found

    return walk(typer.main.get_command(app), [])


def test_root_help_imports_no_heavy_package():
    assert _probe([["--help"]]) == []


def test_no_command_help_imports_a_heavy_package():
    commands = _all_commands()
    assert len(commands) > 30  # the walk found the whole tree, not just the root
    assert _probe([[*path, "--help"] for path in commands]) == []


def test_probe_sees_a_heavy_import_when_a_command_runs():
    # The probe itself can fail: listing the metrics imports the metric definitions.
    assert {"pandas", "ibis"} & set(_probe([["metrics", "list"]]))


def test_case_statuses_in_the_help_are_the_workflows():
    from cxpulse.cli import cases
    from cxpulse.loop.workflow import STATUSES

    assert cases.STATUSES == STATUSES
