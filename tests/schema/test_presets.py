"""Each preset loads a small file written in its tool's export format, value by value, and a
header that matches a preset gets it suggested."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.schema.presets import list_presets, suggest_preset
from cxpulse.schema.sources import read_header
from cxpulse.workspace import Workspace

SAMPLES = Path(__file__).parent / "presets"
runner = CliRunner()

# preset -> (extra options, key column, {key: {column: expected}})
EXPECTED: dict[str, tuple[dict[str, Any], str, dict[str, dict[str, Any]]]] = {
    "qualtrics": ({}, "response_id", {
        "R_1a2b3c": {"account_id": "acc-1", "score": 9, "kind": "nps",
                     "responded_at": dt.datetime(2026, 1, 5, 10, 1, 13), "channel": "email"},
        "R_4d5e6f": {"account_id": "acc-2", "score": 4},
    }),
    "surveymonkey": (
        {"columns": {"How likely is it that you would recommend us to a friend or colleague?":
                     "score"}},
        "response_id", {
            "114001": {"account_id": "acc-1", "score": 10,
                       "responded_at": dt.datetime(2026, 1, 15, 10, 0, 2)},
            "114002": {"score": 6, "responded_at": dt.datetime(2026, 1, 16, 13, 12, 30)},
        }),
    "typeform": ({"columns": {"How likely are you to recommend us?": "score"}},
                 "response_id", {
        "abc123": {"account_id": "acc-1", "score": 8,
                   "responded_at": dt.datetime(2026, 1, 5, 9, 1, 30)},
        "def456": {"score": 2},
    }),
    "google_forms": ({"columns": {"How likely are you to recommend us?": "score"}},
                     "response_id", {
        "1/15/2026 10:30:45|ana@x.es": {"account_id": "ana@x.es", "score": 9,
                                         "responded_at": dt.datetime(2026, 1, 15, 10, 30, 45)},
        "2/3/2026 8:05:00|bo@y.com": {"score": 4,
                                       "responded_at": dt.datetime(2026, 2, 3, 8, 5)},
    }),
    "google_forms_es": ({"columns": {"¿Nos recomendarías?": "score"}}, "response_id", {
        "15/01/2026 10:30:45|ana@x.es": {"score": 9,
                                          "responded_at": dt.datetime(2026, 1, 15, 10, 30, 45)},
        "03/02/2026 8:05:00|bo@y.com": {"responded_at": dt.datetime(2026, 2, 3, 8, 5)},
    }),
    "delighted": ({}, "response_id", {
        "9001": {"account_id": "ana@x.es", "score": 9, "comment": "Rápido, gracias",
                 "responded_at": dt.datetime(2026, 1, 5, 15, 0)},  # -05:00 honoured
        "9002": {"score": 3, "comment": None, "responded_at": dt.datetime(2026, 1, 6, 8, 0)},
    }),
    "formbricks": ({"columns": {"How likely are you to recommend Formbricks?": "score"}},
                   "response_id", {
        "clr1": {"account_id": "acc-1", "score": 10, "survey_id": "srv1"},
        "clr2": {"score": 5, "responded_at": dt.datetime(2026, 1, 6, 11, 30)},
    }),
    "zendesk": ({}, "ticket_id", {
        "101": {"account_id": "acc-1", "status": "resolved", "priority": "high",
                "opened_at": dt.datetime(2026, 1, 5, 8, 0), "channel": "Email"},
        "102": {"status": "pending", "priority": "normal", "resolved_at": None},
        "103": {"status": "open", "priority": "urgent"},
    }),
    "freshdesk": ({}, "ticket_id", {
        "1": {"account_id": "acc-1", "status": "resolved", "priority": "normal",
              "first_response_at": dt.datetime(2026, 1, 5, 9, 30)},
        "2": {"status": "pending", "priority": "urgent", "channel": "Portal"},
    }),
    "intercom": ({}, "ticket_id", {
        "2150001": {"account_id": "acc-1", "status": "resolved", "priority": "normal"},
        "2150002": {"status": "pending", "priority": "high", "first_response_at": None},
    }),
    "zammad": ({}, "ticket_id", {
        "31001": {"account_id": "acc-1", "status": "closed", "priority": "high",
                  "resolved_at": dt.datetime(2026, 1, 5, 12, 0)},
        "31002": {"status": "pending", "priority": "normal"},
    }),
    "hubspot_companies": ({}, "account_id", {
        "9876543210": {"name": "Acme SL", "country": "ES", "segment": "customer",
                       "start_date": dt.date(2024, 3, 1)},
        "9876543211": {"name": "Beta Inc", "start_date": dt.date(2023, 11, 20)},
    }),
    "salesforce_accounts": ({}, "account_id", {
        "0015g00000AbCdE": {"name": "Acme SL", "owner": "Ana Ruiz",
                            "start_date": dt.date(2024, 3, 1)},
        "0015g00000FgHiJ": {"start_date": dt.date(2023, 11, 20), "country": "USA"},
    }),
    "stripe_invoices": ({}, "invoice_id", {
        "in_1A": {"account_id": "cus_A", "amount": 29.0, "status": "paid",
                  "issued_at": dt.date(2026, 1, 1), "period_end": dt.date(2026, 2, 1)},
        "in_1B": {"amount": 1500.0, "status": "open"},
    }),
}  # fmt: skip


def _plain(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def test_every_preset_has_a_sample_and_an_expectation():
    assert {p.name for p in list_presets()} == set(EXPECTED)
    assert all((SAMPLES / f"{name}.csv").exists() for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_preset_loads_its_tools_export(duck: Workspace, name: str):
    preset = next(p for p in list_presets() if p.name == name)
    extra, key, expected = EXPECTED[name]
    report = duck.load(preset.table, SAMPLES / f"{name}.csv", preset=name, options=extra or None)
    assert report.rows == len(expected)
    frame = duck.table(preset.table).execute().set_index(key)
    for row_key, values in expected.items():
        for column, value in values.items():
            got = _plain(frame.loc[row_key, column])
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                got = got.date() if isinstance(got, dt.datetime) else got
            assert got == value, (name, row_key, column, got)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_matching_header_suggests_the_preset(name: str):
    preset = next(p for p in list_presets() if p.name == name)
    header = read_header(SAMPLES / f"{name}.csv")
    found = suggest_preset(preset.table, header)
    assert found is not None and found.name == name


def test_cli_suggests_a_preset_when_a_load_fails_and_applies_it(tmp_path: Path):
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    sample = str(SAMPLES / "zendesk.csv")
    plain = runner.invoke(app, ["load", "tickets", sample, "-p", str(tmp_path)])
    assert plain.exit_code == 2 and "--preset zendesk" in plain.output
    ok = runner.invoke(app, ["load", "tickets", sample, "-p", str(tmp_path), "--preset", "zendesk"])
    assert ok.exit_code == 0, ok.output
    presets = runner.invoke(app, ["tables", "presets"])
    assert presets.exit_code == 0 and "Zendesk" in presets.output


def test_every_preset_says_which_documentation_it_was_checked_against():
    """Each preset names the vendor page its export was checked against, or says that none
    was found, and explains what the page confirms; nothing is left unsaid."""
    for preset in list_presets():
        assert preset.documentation == "not found" or preset.documented, preset.name
        assert len(preset.documentation_notes) > 40, preset.name
        if not preset.documented:
            assert "not confirmed" in preset.documentation_notes, preset.name


def test_cli_lists_the_documentation_of_each_preset():
    result = runner.invoke(app, ["tables", "presets"])
    assert result.exit_code == 0, result.output
    assert "https:" in result.output  # the table may fold long addresses
    assert "no vendor" in result.output
