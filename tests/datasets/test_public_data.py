"""Public data sets mapped into canonical tables, checked against pandas on the raw files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from cxpulse.datasets import (
    DatasetError,
    bank_churn_tables,
    olist_tables,
    online_retail_tables,
)
from cxpulse.schema import TABLES
from cxpulse.schema.types import arrow_schema
from cxpulse.workspace import Workspace


def assert_canonical(tables: dict[str, pa.Table]) -> None:
    for name, table in tables.items():
        if name in TABLES:
            assert table.schema == arrow_schema(TABLES[name]), name


# ---- Olist ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def olist(shared_data: Path) -> dict[str, pa.Table]:
    return olist_tables(shared_data / "olist")


@pytest.fixture(scope="module")
def olist_raw(shared_data: Path) -> dict[str, pd.DataFrame]:
    d = shared_data / "olist"
    return {
        "orders": pd.read_csv(d / "olist_orders_dataset.csv"),
        "customers": pd.read_csv(d / "olist_customers_dataset.csv"),
        "payments": pd.read_csv(d / "olist_order_payments_dataset.csv"),
        "reviews": pd.read_csv(d / "olist_order_reviews_dataset.csv"),
    }


def test_olist_orders_carry_the_sum_of_their_payments(
    olist: dict[str, pa.Table], olist_raw: dict[str, pd.DataFrame]
) -> None:
    assert_canonical(olist)
    orders = olist["orders"].to_pandas().set_index("order_id")
    raw = olist_raw["orders"].set_index("order_id")
    assert len(orders) == len(raw) == orders.index.nunique()
    paid = olist_raw["payments"].groupby("order_id").payment_value.sum().round(2)
    paid = paid[paid.index.isin(raw.index)]
    assert orders.amount.notna().sum() == len(paid)
    assert np.allclose(orders.amount[paid.index], paid, atol=0.005)
    assert orders.amount.mean() == pytest.approx(paid.mean(), abs=0.01)
    assert (orders.status == raw.order_status[orders.index]).all()
    cust = raw.join(olist_raw["customers"].set_index("customer_id"), on="customer_id")
    expected = cust.customer_unique_id.fillna(cust.customer_id)
    assert (orders.account_id == expected[orders.index]).all()


def test_olist_reviews_become_csat_responses_with_multiline_comments(
    olist: dict[str, pa.Table], olist_raw: dict[str, pd.DataFrame]
) -> None:
    r = olist["responses"].to_pandas()
    raw = olist_raw["reviews"]
    assert len(r) == len(raw) and r.response_id.is_unique
    assert (r.kind == "csat").all()
    assert (
        r.score.value_counts()
        .sort_index()
        .equals(raw.review_score.value_counts().sort_index().rename("score"))
    )
    assert r.score.mean() == pytest.approx(raw.review_score.mean())
    title = raw.review_comment_title.fillna("").str.strip()
    message = raw.review_comment_message.fillna("").str.strip()
    assert r.comment.notna().sum() == ((title != "") | (message != "")).sum()
    assert (r.language.notna() == r.comment.notna()).all() and set(r.language.dropna()) == {"pt"}
    assert r.comment.str.contains("\n", regex=False).sum() > 10
    both = (title != "") & (message != "")
    expected = title.where(~both, title + ". " + message).where(title != "", message)
    expected = expected[expected != ""]
    assert sorted(r.comment.dropna()) == sorted(expected)


def test_olist_accounts_start_at_their_first_order(
    olist: dict[str, pa.Table], olist_raw: dict[str, pd.DataFrame]
) -> None:
    acc = olist["accounts"].to_pandas().set_index("account_id")
    orders = olist["orders"].to_pandas()
    responses = olist["responses"].to_pandas()
    ids = set(orders.account_id) | set(responses.account_id)
    assert set(acc.index) == ids
    first = pd.to_datetime(olist_raw["orders"].order_purchase_timestamp)
    first_by_account = (
        first.groupby(
            orders.set_index("order_id").account_id[olist_raw["orders"].order_id].to_numpy()
        )
        .min()
        .dt.normalize()
    )
    assert (pd.to_datetime(acc.start_date[first_by_account.index]) == first_by_account).all()
    known = acc.segment.dropna()
    assert len(known) > 0 and set(known) <= {"Norte", "Nordeste", "Centro-Oeste", "Sudeste", "Sul"}


def test_olist_tables_load_into_a_workspace(olist: dict[str, pa.Table], duck: Workspace) -> None:
    for name, table in olist.items():
        duck.load(name, table)
        assert duck.count(name) == table.num_rows


def test_missing_olist_folder_says_which_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        olist_tables(tmp_path / "nowhere")


# ---- bank churn ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bank(shared_data: Path) -> dict[str, pa.Table]:
    return bank_churn_tables(shared_data / "bank_churn.csv")


def test_bank_churn_outcomes_follow_exited(bank: dict[str, pa.Table], shared_data: Path) -> None:
    assert_canonical(bank)
    raw = pd.read_csv(shared_data / "bank_churn.csv").set_index("CustomerId")
    out = bank["outcomes"].to_pandas()
    out.index = out.account_id.astype(int)
    assert len(out) == len(raw)
    assert (out.outcome == "churn").sum() == raw.Exited.sum()
    assert ((out.outcome == "churn") == (raw.Exited[out.index] == 1)).all()
    at = pd.to_datetime(out.occurred_at)
    assert at.min() > pd.Timestamp("2019-01-01") and at.max() <= pd.Timestamp("2019-04-01")


def test_bank_churn_accounts_keep_geography_and_tenure(
    bank: dict[str, pa.Table], shared_data: Path
) -> None:
    raw = pd.read_csv(shared_data / "bank_churn.csv").set_index("CustomerId")
    acc = bank["accounts"].to_pandas()
    acc.index = acc.account_id.astype(int)
    assert (acc.segment == raw.Geography[acc.index]).all()
    codes = raw.Geography.map({"France": "FR", "Spain": "ES", "Germany": "DE"})
    assert (acc.country == codes[acc.index]).all()
    start = pd.to_datetime(acc.start_date)
    months = (2019 - start.dt.year) * 12 + (1 - start.dt.month) - (start.dt.day > 1)
    years = months // 12  # completed years of tenure on 2019-01-01
    assert (years.to_numpy() == raw.Tenure[acc.index].to_numpy()).all()
    assert (acc.end_date.notna() == (raw.Exited[acc.index] == 1)).all()


def test_bank_features_keep_every_signal_but_not_the_label(
    bank: dict[str, pa.Table], shared_data: Path
) -> None:
    raw = pd.read_csv(shared_data / "bank_churn.csv")
    f = bank["bank_features"].to_pandas()
    assert "exited" not in {c.lower() for c in f.columns}
    pairs = {
        "credit_score": "CreditScore",
        "age": "Age",
        "tenure": "Tenure",
        "balance": "Balance",
        "num_of_products": "NumOfProducts",
        "has_cr_card": "HasCrCard",
        "is_active_member": "IsActiveMember",
        "estimated_salary": "EstimatedSalary",
    }
    for ours, theirs in pairs.items():
        assert f[ours].astype(float).mean() == pytest.approx(raw[theirs].mean()), ours
    assert (f.gender.value_counts() == raw.Gender.value_counts()).all()
    assert (pd.to_datetime(f.observed_at) == pd.Timestamp("2019-01-01")).all()


def test_bank_churn_respects_another_horizon(shared_data: Path) -> None:
    t = bank_churn_tables(
        shared_data / "bank_churn.csv", as_of=dt.date(2020, 6, 30), horizon_days=30
    )
    at = pd.to_datetime(t["outcomes"].to_pandas().occurred_at)
    assert at.min() > pd.Timestamp("2020-06-30") and at.max() <= pd.Timestamp("2020-07-30")
    with pytest.raises(DatasetError, match="horizon_days"):
        bank_churn_tables(shared_data / "bank_churn.csv", horizon_days=0)


def test_bank_csv_without_its_columns_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bank.csv"
    bad.write_text("CustomerId,Surname\n1,Smith\n")
    with pytest.raises(DatasetError, match="missing columns"):
        bank_churn_tables(bad)


def test_bank_tables_load_into_a_workspace(bank: dict[str, pa.Table], duck: Workspace) -> None:
    for name in ("accounts", "outcomes"):
        duck.load(name, bank[name])
        assert duck.count(name) == 10_000


# ---- Online Retail -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def retail(shared_data: Path) -> dict[str, pa.Table]:
    return online_retail_tables(shared_data / "online_retail" / "online_retail.parquet")


@pytest.fixture(scope="module")
def retail_raw(shared_data: Path) -> pd.DataFrame:
    raw = pd.read_parquet(shared_data / "online_retail" / "online_retail.parquet")
    return raw[raw.CustomerID.notna()].assign(line=lambda d: d.Quantity * d.UnitPrice)


def test_online_retail_orders_are_invoices_with_cancellations_marked(
    retail: dict[str, pa.Table], retail_raw: pd.DataFrame
) -> None:
    assert_canonical(retail)
    orders = retail["orders"].to_pandas().set_index("order_id")
    inv = retail_raw.groupby("InvoiceNo").agg(
        amount=("line", "sum"), customer=("CustomerID", "first"), at=("InvoiceDate", "min")
    )
    assert len(orders) == len(inv)
    cancelled = inv.index.str.startswith("C")
    assert (orders.status == "cancelled").sum() == cancelled.sum()
    assert (inv.amount[cancelled] <= 0).all()
    # signed: cancellations stay negative, so summing the amounts gives net revenue
    assert np.allclose(orders.amount[inv.index], inv.amount.round(2), atol=0.006)
    assert (orders.amount[orders.status == "cancelled"] <= 0).all()
    assert (orders.account_id[inv.index] == inv.customer.astype(int).astype(str)).all()
    assert (orders.ordered_at[inv.index] == inv["at"]).all()


def test_online_retail_repeat_purchase_rate_matches_the_raw_data(
    retail: dict[str, pa.Table], retail_raw: pd.DataFrame
) -> None:
    orders = retail["orders"].to_pandas()
    done = orders[orders.status == "completed"].groupby("account_id").size()
    ours = (done >= 2).mean()
    raw = retail_raw[~retail_raw.InvoiceNo.str.startswith("C")]
    per_customer = raw.groupby("CustomerID").InvoiceNo.nunique()
    assert ours == pytest.approx((per_customer >= 2).mean())
    assert 0.5 < ours < 0.8


def test_online_retail_accounts_start_at_the_first_purchase(
    retail: dict[str, pa.Table], retail_raw: pd.DataFrame
) -> None:
    acc = retail["accounts"].to_pandas().set_index("account_id")
    assert len(acc) == retail_raw.CustomerID.nunique()
    bought = retail_raw[~retail_raw.InvoiceNo.str.startswith("C")]
    first = bought.groupby(bought.CustomerID.astype(int).astype(str)).InvoiceDate.min()
    assert (pd.to_datetime(acc.start_date[first.index]) == first.dt.normalize()).all()
    uk = acc.segment == "UK"
    assert (acc.country[uk] == "GB").all() and uk.sum() > 3000


def test_online_retail_tables_load_into_a_workspace(
    retail: dict[str, pa.Table], duck: Workspace
) -> None:
    for name, table in retail.items():
        duck.load(name, table)
        assert duck.count(name) == table.num_rows
