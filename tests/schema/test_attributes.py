"""Custom attributes, constants, value maps and dated snapshots, on every backend and the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.errors import ConfigError
from cxpulse.health.config import Signal
from cxpulse.health.features import compute_features
from cxpulse.workspace import Workspace

runner = CliRunner()

ACCOUNTS = """CustomerID,Alta,Contract,TenureMonths,MonthlyCharges,Paperless,Renewal
a1,2024-01-01,Month-to-month,3,"29,85",Yes,2026-05-01
a2,2024-02-01,Two year,40,"56,95",No,2026-06-01
a3,2024-03-01,One year,,"1.053,5",yes,
"""
RESPONSES = """response_id,account_id,score,responded_at,Channel Name
r1,a1,9,2026-01-05,web
r2,a1,3,2026-01-06,email
r3,a2,10,2026-01-07,web
r4,a3,0,2026-01-08,web
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _load_accounts(ws: Workspace, tmp_path: Path) -> None:
    report = ws.load(
        "accounts",
        write(tmp_path, "accounts.csv", ACCOUNTS),
        options={
            "columns": {"CustomerID": "account_id", "Alta": "start_date"},
            "values": {"contract": {"Month-to-month": "monthly"}},
            "keep_extra": True,
        },
    )
    assert dict(report.attributes) == {
        "contract": "string",
        "tenure_months": "int",
        "monthly_charges": "float",
        "paperless": "bool",
        "renewal": "date",
    }
    assert set(report.inferred) == set(dict(report.attributes))


def test_extra_columns_are_kept_typed_and_group_metrics(workspace: Workspace, tmp_path: Path):
    _load_accounts(workspace, tmp_path)
    frame = workspace.table("accounts").execute().sort_values("account_id")
    assert list(frame["contract"]) == ["monthly", "Two year", "One year"]
    assert list(frame["tenure_months"].astype("Int64")) == [3, 40, pd.NA]
    assert list(frame["monthly_charges"]) == [29.85, 56.95, 1053.5]  # decimal comma detected
    assert [bool(v) for v in frame["paperless"]] == [True, False, True]
    assert [pd.Timestamp(v).date().isoformat() for v in frame["renewal"][:2]] == [
        "2026-05-01",
        "2026-06-01",
    ]
    report = workspace.load(
        "responses",
        write(tmp_path, "responses.csv", RESPONSES),
        options={"constants": {"kind": "nps"}, "na_values": {"score": ["0"]}},
    )
    assert (report.rows, report.not_applicable) == (3, 1)  # 0 = not applicable: no answer
    stored = workspace.table("responses").execute().set_index("response_id")
    assert "r4" not in stored.index
    assert set(stored["kind"]) == {"nps"}
    result = workspace.metrics("nps", by="contract").to_pandas().set_index("contract")
    # monthly: one promoter and one detractor -> 0; Two year: one promoter -> 100.
    assert result.loc["monthly", "n"] == 2 and result.loc["monthly", "value"] == pytest.approx(0)
    assert result.loc["Two year", "value"] == pytest.approx(100)


def test_attribute_is_a_health_signal(workspace: Workspace, tmp_path: Path):
    _load_accounts(workspace, tmp_path)
    signals = [
        Signal(
            name="tenure", family="relationship", source="accounts.tenure_months", bad=0, good=24
        ),
        Signal(
            name="monthly",
            family="financial",
            source="accounts.contract=monthly",
            bad=1,
            good=0,
            direction="lower_is_better",
        ),
    ]
    features = compute_features(workspace, "2026-01-01", signals)
    assert features.loc["a2", "tenure"] == 40
    assert features.loc["a1", "monthly"] == 1 and features.loc["a2", "monthly"] == 0


def test_declared_attributes_are_typed_as_declared(duck: Workspace, tmp_path: Path):
    (tmp_path / "cxpulse.toml").write_text(
        '[tables.accounts]\n[tables.accounts.columns]\nCustomerID = "account_id"\n'
        'Alta = "start_date"\n[tables.accounts.attributes]\ntenure_months = "float"\n'
        'contract = "string"\n'
    )
    ws = Workspace.open(tmp_path)
    assert {"tenure_months", "contract"} <= set(ws.table("accounts").columns)
    report = ws.load("accounts", write(tmp_path, "a.csv", ACCOUNTS))
    assert dict(report.attributes) == {"contract": "string", "tenure_months": "float"}
    assert "MonthlyCharges" in report.ignored_columns
    assert ws.table("accounts").schema()["tenure_months"].is_floating()
    ws.close()


def test_attributes_only_on_tables_that_take_them(duck: Workspace, tmp_path: Path):
    with pytest.raises(ConfigError, match="does not take attributes"):
        duck.load(
            "outcomes",
            write(tmp_path, "o.csv", "account_id,outcome,occurred_at,x\na,churn,2026-01-01,1\n"),
            options={"keep_extra": True},
        )


def test_dated_snapshots_give_the_value_known_at_a_past_date(workspace: Workspace, tmp_path: Path):
    first = "account_id,start_date,balance\na1,2020-01-01,100\na2,2020-01-01,50\n"
    later = "account_id,start_date,balance\na1,2020-01-01,900\na2,2020-01-01,50\n"
    for day, text in (("2025-01-01", first), ("2025-06-01", later)):
        report = workspace.load(
            "accounts",
            write(tmp_path, f"a{day}.csv", text),
            options={"keep_extra": True, "snapshot_date": day},
        )
        assert report.snapshot_rows == 2
    snaps = workspace.table("accounts_snapshots").execute()
    assert len(snaps) == 4
    signal = Signal(
        name="balance",
        family="financial",
        source="accounts_snapshots.balance",
        lookback_days=365,
        bad=0,
        good=1000,
    )
    # As of March the June value is not known yet: no leakage into a backtest.
    march = compute_features(workspace, "2025-03-01", [signal])
    july = compute_features(workspace, "2025-07-01", [signal])
    assert march.loc["a1", "balance"] == 100
    assert july.loc["a1", "balance"] == 900
    assert workspace.table("accounts").execute().set_index("account_id").loc["a1", "balance"] == 900


def test_bank_churn_loads_as_a_one_date_snapshot_through_the_cli(shared_data: Path, tmp_path: Path):
    csv = shared_data / "bank_churn.csv"
    project = tmp_path / "bank"
    assert runner.invoke(app, ["init", str(project), "--language", "en"]).exit_code == 0
    accounts = runner.invoke(
        app,
        [
            "load", "accounts", str(csv), "-p", str(project),
            "--map", "CustomerId=account_id", "--map", "Surname=name",
            "--map", "Geography=segment", "--constant", "start_date=2018-12-31",
            "--keep-extra", "--exclude", "Exited", "--exclude", "RowNumber",
            "--snapshot-date", "2019-01-01",
        ],
    )  # fmt: skip
    assert accounts.exit_code == 0, accounts.output
    assert "10,000" in accounts.output and "balance (float" in accounts.output
    outcomes = runner.invoke(
        app,
        [
            "load", "outcomes", str(csv), "-p", str(project),
            "--map", "CustomerId=account_id", "--map", "Exited=outcome",
            "--value", "outcome:1=churn", "--value", "outcome:0=renewal",
            "--constant", "occurred_at=2019-03-31",
        ],
    )  # fmt: skip
    assert outcomes.exit_code == 0, outcomes.output
    raw = pd.read_csv(csv, dtype={"CustomerId": str})
    with Workspace.open(project) as ws:
        acc = ws.table("accounts").execute().set_index("account_id").sort_index()
        expected = raw.set_index("CustomerId").sort_index()
        assert list(acc.index) == list(expected.index)
        assert (acc["balance"] == expected["Balance"]).all()
        assert (acc["credit_score"] == expected["CreditScore"]).all()
        assert (acc["segment"] == expected["Geography"]).all()
        assert "exited" not in acc.columns  # the label stays out of the signals
        out = ws.table("outcomes").execute()
        assert (out["outcome"] == "churn").sum() == int(raw["Exited"].sum())
        snaps = ws.table("accounts_snapshots").execute()
        assert len(snaps) == 10_000 and set(snaps["observed_at"].astype(str)) == {"2019-01-01"}
        signal = Signal(
            name="products", family="product", source="accounts_snapshots.num_of_products",
            bad=1, good=3,
        )  # fmt: skip
        feats = compute_features(ws, "2019-01-02", [signal])
        assert feats["products"].mean() == pytest.approx(raw["NumOfProducts"].mean())


def test_a_project_folder_without_config_is_an_error(tmp_path: Path):
    (tmp_path / "a.csv").write_text("account_id,start_date\na,2025-01-01\n")
    result = runner.invoke(
        app, ["load", "accounts", str(tmp_path / "a.csv"), "-p", str(tmp_path / "typo")]
    )
    assert result.exit_code == 2
    assert "cxpulse init" in result.output
    assert not (tmp_path / "typo").exists()
