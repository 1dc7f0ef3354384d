"""`cxpulse samples list | load NAME` on the real public files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.datasets.samples import AIRLINE_QUESTIONS
from cxpulse.workspace import Workspace

runner = CliRunner()


def test_samples_list_shows_all_four(shared_data: Path):
    result = runner.invoke(app, ["samples", "list", "--data", str(shared_data)], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in ("olist", "online_retail", "bank_churn", "airline"):
        assert name in result.output


def test_airline_sample_reshapes_ratings_into_csat_answers(shared_data: Path, tmp_path: Path):
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    result = runner.invoke(
        app, ["samples", "load", "airline", "-p", str(tmp_path), "--data", str(shared_data)]
    )
    assert result.exit_code == 0, result.output
    raw = pd.read_csv(shared_data / "airline" / "airline_satisfaction_test.csv")
    answered = raw[list(AIRLINE_QUESTIONS)]
    with Workspace.open(tmp_path) as ws:
        assert ws.count("accounts") == len(raw)
        assert ws.count("responses") == int((answered > 0).sum().sum())  # 0 = not applicable
        wifi = ws.table("responses").filter(lambda t: t.touchpoint == "Inflight wifi service")
        assert (
            float(wifi.score.mean().execute())
            == answered.loc[answered["Inflight wifi service"] > 0, "Inflight wifi service"].mean()
        )
        result = ws.metrics("csat_mean", by="customer_type").to_pandas().set_index("customer_type")
    long = answered.where(answered > 0).assign(t=raw["Customer Type"]).melt("t").dropna()
    expected = long.groupby("t")["value"].mean()
    for group, value in expected.items():
        assert abs(result.loc[group, "value"] - value) < 1e-9


def test_bank_churn_online_retail_and_olist_samples_load(shared_data: Path, tmp_path: Path):
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    for name in ("bank_churn", "online_retail", "olist"):
        result = runner.invoke(
            app, ["samples", "load", name, "-p", str(tmp_path), "--data", str(shared_data)]
        )
        assert result.exit_code == 0, result.output
    raw = pd.read_csv(shared_data / "bank_churn.csv")
    with Workspace.open(tmp_path) as ws:
        assert ws.count("accounts_snapshots") == len(raw)
        outcomes = ws.table("outcomes").execute()
        assert int((outcomes["outcome"] == "churn").sum()) == int(raw["Exited"].sum())
        retail = pd.read_parquet(shared_data / "online_retail" / "online_retail.parquet")
        olist = pd.read_csv(shared_data / "olist" / "olist_orders_dataset.csv")
        invoices = retail.loc[retail["CustomerID"].notna(), "InvoiceNo"].nunique()
        assert ws.count("orders") == invoices + olist["order_id"].nunique()
        reviews = pd.read_csv(shared_data / "olist" / "olist_order_reviews_dataset.csv")
        assert 0 < ws.count("responses") <= len(reviews)


def test_missing_data_folder_says_where_to_point(tmp_path: Path):
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    result = runner.invoke(
        app, ["samples", "load", "olist", "-p", str(tmp_path), "--data", str(tmp_path / "none")]
    )
    assert result.exit_code == 2 and "--data" in result.output
