"""docs/tables.md is generated from the declarations; every column is documented; the example
files load; `cxpulse tables show` prints the same meanings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.locale import gettext
from cxpulse.schema.reference import meaning, undocumented
from cxpulse.schema.tables import TABLES
from cxpulse.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
runner = CliRunner()


def test_tables_reference_is_up_to_date():
    spec = importlib.util.spec_from_file_location(
        "tables_docs", ROOT / "scripts" / "tables_docs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.DOCS.read_text() == module.render(), "run: python scripts/tables_docs.py"


def test_every_column_has_a_meaning_in_both_languages():
    assert undocumented() == []
    for name in TABLES:
        assert gettext(f"data.table.{name}", "es") != f"data.table.{name}"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_example_files_load_as_written(duck: Workspace, lang: str):
    order = ["accounts", *[t for t in TABLES if t != "accounts"]]
    for name in order:
        path = EXAMPLES / f"{name}.{lang}.csv"
        report = duck.load(name, path)
        expected = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert report.rows == len(expected) and report.orphans == 0
        stored = duck.table(name).execute()
        assert list(stored.columns[: len(expected.columns)]) == list(expected.columns)
        key = TABLES[name].key[0]
        assert sorted(stored[key].astype(str)) == sorted(expected[key])
    comments = duck.table("responses").execute().sort_values("response_id")["comment"]
    assert comments.iloc[0] == ("Muy buen soporte" if lang == "es" else "Great support")


def test_tables_show_prints_the_documented_meanings(monkeypatch: pytest.MonkeyPatch):
    from cxpulse.cli import common, i18n

    monkeypatch.setattr(common.console, "_width", 250)  # one line per column
    result = runner.invoke(app, ["tables", "show", "tickets"], terminal_width=200)
    assert result.exit_code == 0, result.output
    lang = i18n.cli_language()
    for col in TABLES["tickets"].columns:
        assert col.name in result.output
    assert meaning("tickets", "first_contact_resolution", lang) in result.output
    assert "open, pending, resolved, closed" in result.output
    unknown = runner.invoke(app, ["tables", "show", "nope"])
    assert unknown.exit_code == 2 and "accounts" in unknown.output


def test_every_read_option_is_documented():
    from cxpulse.schema.options import TableBinding

    text = (ROOT / "docs" / "configuration.md").read_text()
    for name in TableBinding.model_fields:
        if name == "columns":
            continue
        assert f"`[tables.NAME] {name}`" in text, name
