"""Custom metrics whose filters and success condition are attributes, and ``where`` filters on
attributes, on DuckDB, SQLite, PostgreSQL and PySpark: the bank churn sample loaded the way a
user loads it, every figure checked against pandas reading the real file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli.app import app as cli
from cxpulse.config import MetricsConfig
from cxpulse.datasets.samples import load_sample
from cxpulse.metrics import query

CUSTOM_TOML = """
[[metrics.custom]]
name = "active_multi_product_women"
label_es = "Clientas activas con varios productos"
label_en = "Active women with several products"
table = "accounts"
statistic = "proportion"
filters = [
  {column = "gender", op = "==", value = "Female"},
  {column = "num_of_products", op = ">=", value = 2},
]
success = {column = "is_active_member", op = "==", value = 1}

[[metrics.custom]]
name = "card_holder_balance"
label_es = "Saldo medio de titulares de tarjeta de 40 o más"
label_en = "Mean balance of card holders aged 40 or more"
table = "accounts"
statistic = "mean"
filters = [{column = "has_cr_card", op = "==", value = 1}, {column = "age", op = ">=", value = 40}]
value_column = "balance"
unit = "EUR"
"""


def _custom() -> MetricsConfig:
    import tomllib

    return MetricsConfig.model_validate(tomllib.loads(CUSTOM_TOML)["metrics"])


@pytest.fixture(scope="module")
def bank(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "bank_churn.csv")


def expected_share(bank: pd.DataFrame, by: str | None = None) -> dict[object, tuple[float, int]]:
    kept = bank[(bank.Gender == "Female") & (bank.NumOfProducts >= 2)]
    groups = kept.groupby(by) if by else [(None, kept)]
    return {k: (100 * (g.IsActiveMember == 1).mean(), len(g)) for k, g in groups}


def expected_balance(bank: pd.DataFrame) -> tuple[float, int]:
    kept = bank[(bank.HasCrCard == 1) & (bank.Age >= 40)]
    return float(kept.Balance.mean()), len(kept)


def test_custom_metrics_on_attributes_match_pandas_on_every_backend(
    workspace, shared_data: Path, bank: pd.DataFrame
) -> None:  # type: ignore[no-untyped-def]
    load_sample(workspace, "bank_churn", shared_data)
    workspace.config.metrics = _custom()

    got = query(workspace, "active_multi_product_women", by="segment").rows
    want = expected_share(bank, "Geography")
    assert {r.group["segment"] for r in got} == set(want)
    for r in got:
        value, n = want[r.group["segment"]]
        assert r.n == n and r.value == pytest.approx(value, abs=1e-9)
        assert r.method == "wilson score"

    (row,) = query(workspace, "card_holder_balance").rows
    value, n = expected_balance(bank)
    assert row.n == n and row.value == pytest.approx(value, rel=1e-9)
    assert row.unit == "EUR" and row.method == "student t"


def test_where_on_attributes_matches_pandas_on_every_backend(
    workspace, shared_data: Path, bank: pd.DataFrame
) -> None:  # type: ignore[no-untyped-def]
    """``where`` filters a custom metric and a built-in one by attributes (text and integer)."""
    load_sample(workspace, "bank_churn", shared_data)
    workspace.config.metrics = _custom()

    (row,) = query(
        workspace, "active_multi_product_women", where={"segment": "Spain", "tenure": 3}
    ).rows
    spain = bank[(bank.Geography == "Spain") & (bank.Tenure == 3)]
    value, n = expected_share(spain)[None]
    assert row.group == {} and row.n == n and row.value == pytest.approx(value, abs=1e-9)

    rows = query(workspace, "card_holder_balance", by="segment", where={"gender": "Male"}).rows
    men = bank[bank.Gender == "Male"]
    for r in rows:
        value, n = expected_balance(men[men.Geography == r.group["segment"]])
        assert r.group.keys() == {"segment"}
        assert r.n == n and r.value == pytest.approx(value, rel=1e-9)
    assert len(rows) == 3


@pytest.mark.parametrize("backend", ["duckdb", "sqlite", "postgres"])
def test_cli_shows_custom_metrics_on_attributes(
    backend: str, tmp_path: Path, shared_data: Path, bank: pd.DataFrame, request, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The user's path: ``cxpulse init``, the metric declared in cxpulse.toml, ``cxpulse
    samples load bank_churn`` and ``cxpulse metrics show NAME``, on the project's workspace."""
    if backend == "sqlite":
        monkeypatch.setenv("CXPULSE_WORKSPACE_URL", f"sqlite:///{tmp_path / 'ws.sqlite'}")
    elif backend == "postgres":
        monkeypatch.setenv("CXPULSE_WORKSPACE_URL", request.getfixturevalue("pg_url"))
    folder = tmp_path / "bank"
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(folder)]).exit_code == 0
    with (folder / "cxpulse.toml").open("a", encoding="utf-8") as f:
        f.write(CUSTOM_TOML)
    done = runner.invoke(
        cli, ["samples", "load", "bank_churn", "-p", str(folder), "--data", str(shared_data)]
    )
    assert done.exit_code == 0, done.output

    done = runner.invoke(
        cli,
        ["metrics", "show", "active_multi_product_women", "card_holder_balance",
         "-p", str(folder), "-f", "json"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    rows = {r["metric"]: r for r in json.loads(done.output)}
    value, n = expected_share(bank)[None]
    share = rows["active_multi_product_women"]
    assert share["n"] == n and share["value"] == pytest.approx(value, abs=1e-9)
    value, n = expected_balance(bank)
    balance = rows["card_holder_balance"]
    assert balance["n"] == n and balance["value"] == pytest.approx(value, rel=1e-9)

    done = runner.invoke(
        cli, ["metrics", "show", "active_multi_product_women", "-p", str(folder), "--lang", "en"]
    )
    assert done.exit_code == 0, done.output
    assert "Active" in done.output and f"{expected_share(bank)[None][0]:.1f}%" in done.output
