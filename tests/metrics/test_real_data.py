"""Indicators on the public data in ../shared/data, through the public API, each checked
against an independent pandas computation on the raw files (not on the loader's output)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxpulse.datasets import olist_tables, online_retail_tables
from cxpulse.metrics import MetricQueryError, query
from cxpulse.workspace import Workspace


@pytest.fixture(scope="module")
def raw_retail(shared_data: Path) -> pd.DataFrame:
    raw = pd.read_parquet(shared_data / "online_retail" / "online_retail.parquet")
    return raw.assign(line=raw.Quantity * raw.UnitPrice)


@pytest.fixture(scope="module")
def invoices(raw_retail: pd.DataFrame) -> pd.DataFrame:
    """One row per invoice of a known customer: customer, first date, signed amount."""
    known = raw_retail[raw_retail.CustomerID.notna()]
    inv = known.groupby("InvoiceNo").agg(
        customer=("CustomerID", "first"), at=("InvoiceDate", "min"), amount=("line", "sum")
    )
    return inv.assign(cancelled=inv.index.str.startswith("C"))


@pytest.fixture(scope="module")
def retail_ws(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    tables = online_retail_tables(shared_data / "online_retail" / "online_retail.parquet")
    ws = Workspace.connect(f"duckdb:///{tmp_path_factory.mktemp('retail') / 'ws.duckdb'}")
    for name, table in tables.items():
        ws.load(name, table)
    return ws


def _one(ws: Workspace, name: str, **kw):  # type: ignore[no-untyped-def]
    rows = query(ws, name, **kw).rows
    assert len(rows) == 1
    return rows[0]


def test_repeat_purchase_counts_completed_invoices_only(retail_ws, invoices) -> None:  # type: ignore[no-untyped-def]
    bought = invoices[~invoices.cancelled].groupby("customer").size()
    expected = 100 * (bought >= 2).mean()
    row = _one(retail_ws, "repeat_purchase_rate")
    assert row.value == pytest.approx(expected, abs=1e-9)
    assert row.n == len(bought) == 4339
    assert round(row.value, 2) == 65.57  # not 69.97: cancellations are not purchases
    assert row.ci_low < row.value < row.ci_high


def test_net_revenue_subtracts_cancellations_and_the_loader_reports_what_it_left_out(
    shared_data: Path, retail_ws, invoices, raw_retail
) -> None:  # type: ignore[no-untyped-def]
    row = _one(retail_ws, "net_revenue")
    assert row.value == pytest.approx(invoices.amount.sum(), rel=1e-9)
    assert row.n == invoices.customer.nunique()
    assert row.ci_low < row.value < row.ci_high
    naive = invoices.amount.abs().sum()
    assert naive / row.value - 1 == pytest.approx(0.1473, abs=5e-4)  # what abs() overstated
    tables = online_retail_tables(shared_data / "online_retail" / "online_retail.parquet")
    (left,) = tables.left_out
    no_customer = raw_retail[raw_retail.CustomerID.isna()]
    assert left.invoices == no_customer.InvoiceNo.nunique()
    assert left.rows == len(no_customer)
    assert left.net_revenue == pytest.approx(no_customer.line.sum(), abs=0.01)
    assert left.share_of_net_revenue == pytest.approx(
        no_customer.line.sum() / raw_retail.line.sum()
    )


def test_average_order_value_and_orders_per_customer(retail_ws, invoices) -> None:  # type: ignore[no-untyped-def]
    done = invoices[~invoices.cancelled]
    aov = _one(retail_ws, "average_order_value")
    assert aov.value == pytest.approx(done.amount.sum() / len(done), rel=1e-9)
    per = done.groupby("customer").size()
    opc = _one(retail_ws, "orders_per_customer")
    assert opc.value == pytest.approx(per.mean(), rel=1e-12)
    assert opc.n == len(per)
    from scipy import stats

    low, high = stats.t.interval(0.95, len(per) - 1, loc=per.mean(), scale=stats.sem(per))
    assert (opc.ci_low, opc.ci_high) == pytest.approx((low, high), rel=1e-9)
    # order value: per-customer sums, delta method (customers are the sampled units)
    sums = done.groupby("customer").amount.agg(["sum", "size"])
    ratio = sums["sum"].sum() / sums["size"].sum()
    resid = sums["sum"] - ratio * sums["size"]
    se = np.sqrt(resid.var(ddof=1) / len(sums)) / sums["size"].mean()
    t = stats.t.ppf(0.975, len(sums) - 1)
    assert (aov.ci_low, aov.ci_high) == pytest.approx((ratio - t * se, ratio + t * se), rel=1e-6)


def test_cancellation_rate_counts_cancelled_invoices(retail_ws, invoices) -> None:  # type: ignore[no-untyped-def]
    row = _one(retail_ws, "cancellation_rate")
    assert row.value == pytest.approx(100 * invoices.cancelled.mean(), rel=1e-12)
    assert row.n == len(invoices)


def test_purchase_retention_grid_matches_every_cohort(retail_ws, invoices) -> None:  # type: ignore[no-untyped-def]
    done = invoices[~invoices.cancelled]
    month = done["at"].dt.year * 12 + done["at"].dt.month - 1
    activity = pd.DataFrame({"customer": done.customer, "m": month}).drop_duplicates()
    first = activity.groupby("customer").m.min().rename("s")
    activity = activity.join(first, on="customer").assign(k=lambda d: d.m - d.s)
    last = int(month.max())
    size = first.value_counts()
    active = activity.groupby(["s", "k"]).customer.nunique()
    want = {}
    for s, n in size.items():
        for k in range(0, min(24, last - s) + 1):
            want[(s, k)] = (100 * active.get((s, k), 0) / n, n)
    got = query(retail_ws, "purchase_retention").to_pandas()
    assert len(got) == len(want) == 91
    for r in got.itertuples():
        s = r.period.year * 12 + r.period.month - 1
        value, n = want[(s, r.months_since_first_purchase)]
        assert r.value == pytest.approx(value, abs=1e-9) and r.n == n
        assert r.ci_low <= r.value <= r.ci_high
    zero = got[got.months_since_first_purchase == 0]
    assert (zero.value == 100).all()
    later = got[got.months_since_first_purchase > 0]
    assert later.value.max() < 60  # unlike the account-lifetime grid, it is not 100 %


def test_repeat_purchase_by_first_purchase_cohort(retail_ws, invoices) -> None:  # type: ignore[no-untyped-def]
    done = invoices[~invoices.cancelled]
    first = done.groupby("customer")["at"].min().dt.to_period("M")
    counts = done.groupby("customer").size()
    want = (counts >= 2).groupby(first).mean() * 100
    got = query(retail_ws, "cohort_repeat_rate").to_pandas()
    assert len(got) == len(want)
    for r in got.itertuples():
        assert r.value == pytest.approx(want[pd.Period(r.period, "M")], abs=1e-9)


def test_returning_customer_rate_by_month(retail_ws, invoices) -> None:  # type: ignore[no-untyped-def]
    done = invoices[~invoices.cancelled].assign(m=lambda d: d["at"].dt.to_period("M"))
    first = done.groupby("customer").m.min()
    buyers = done[["customer", "m"]].drop_duplicates().join(first.rename("f"), on="customer")
    want = (buyers.f < buyers.m).groupby(buyers.m).mean() * 100
    got = query(retail_ws, "returning_customer_rate", grain="month").to_pandas()
    assert len(got) == len(want)
    for r in got.itertuples():
        assert r.value == pytest.approx(want[pd.Period(r.period, "M")], abs=1e-9)


def test_account_lifetime_retention_refuses_purchase_data(retail_ws) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MetricQueryError, match="purchase_retention"):
        query(retail_ws, "account_retention")
    with pytest.raises(MetricQueryError, match="purchase_retention"):
        query(retail_ws, "retention_cohort")  # the former name


def test_olist_csat_matches_the_raw_reviews(shared_data: Path, tmp_path: Path) -> None:
    tables = olist_tables(shared_data / "olist")
    ws = Workspace.connect(f"duckdb:///{tmp_path / 'olist.duckdb'}")
    for name in ("accounts", "orders", "responses"):
        ws.load(name, tables[name])
    reviews = pd.read_csv(shared_data / "olist" / "olist_order_reviews_dataset.csv")
    by_review = reviews.drop_duplicates(["review_id", "order_id"])
    scores = by_review.review_score
    table = {r.metric: r for r in query(ws, ["csat", "csat_mean", "csat_bottom_box"]).rows}
    assert table["csat"].n == len(scores)
    assert table["csat"].value == pytest.approx(100 * (scores >= 4).mean(), rel=1e-12)
    assert table["csat_mean"].value == pytest.approx(scores.mean(), rel=1e-12)
    assert table["csat_bottom_box"].value == pytest.approx(100 * (scores <= 2).mean(), rel=1e-12)
