"""Engine behaviour: options, ranges, grains, errors, benchmarks and the SQL it shows."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxpulse.config import MetricsConfig, ProjectConfig
from cxpulse.errors import CxpulseError, UnknownMetricError
from cxpulse.metrics import (
    REGISTRY,
    MetricQueryError,
    UnknownDimensionError,
    explain,
    query,
)
from cxpulse.metrics.benchmarks import nps_benchmark
from cxpulse.workspace import Workspace
from tests.metrics import reference as ref

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("CXPULSE_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture
def duck_loaded(duck, company):  # type: ignore[no-untyped-def]
    for name in ("accounts", "responses", "tickets", "invoices", "orders", "touchpoints"):
        duck.load(name, company[name])
    return duck


def test_options_from_config_change_thresholds(duck_loaded, company) -> None:  # type: ignore[no-untyped-def]
    duck_loaded.config = ProjectConfig(metrics=MetricsConfig(csat_top_box=5, ces_easy_from=6))
    rows = {r.metric: r for r in query(duck_loaded, ["csat", "ces_easy"]).rows}
    r = company["responses"]
    assert rows["csat"].value == pytest.approx(100 * (r[r.kind == "csat"].score >= 5).mean())
    assert rows["ces_easy"].value == pytest.approx(100 * (r[r.kind == "ces"].score >= 6).mean())


def test_confidence_from_config_widens_interval(duck_loaded) -> None:  # type: ignore[no-untyped-def]
    narrow = query(duck_loaded, "nps").rows[0]
    duck_loaded.config = ProjectConfig(metrics=MetricsConfig(confidence=0.99))
    wide = query(duck_loaded, "nps").rows[0]
    assert wide.value == narrow.value
    assert wide.ci_high - wide.ci_low > narrow.ci_high - narrow.ci_low


def test_small_sample_threshold_from_config(duck_loaded) -> None:  # type: ignore[no-untyped-def]
    duck_loaded.config = ProjectConfig(metrics=MetricsConfig(small_sample_n=1000))
    assert all(r.small_sample for r in query(duck_loaded, ["nps", "csat"]).rows)


def test_start_and_end_are_inclusive_days(duck_loaded, company) -> None:  # type: ignore[no-untyped-def]
    row = query(duck_loaded, "csat", start="2026-02-01", end="2026-03-31").rows[0]
    r = company["responses"]
    keep = (r.kind == "csat") & (r.responded_at >= "2026-02-01") & (r.responded_at < "2026-04-01")
    assert row.n == keep.sum()
    assert row.value == pytest.approx(100 * (r[keep].score >= 4).mean())


@pytest.mark.parametrize("grain", ["day", "week", "quarter", "year"])
def test_grains_match_pandas_periods(duck_loaded, company, grain: str) -> None:  # type: ignore[no-untyped-def]
    got = query(duck_loaded, "ces", grain=grain).to_pandas()
    r = company["responses"].query("kind == 'ces'")
    freq = {"day": "D", "week": "W-SUN", "quarter": "Q", "year": "Y"}[grain]
    period = r.responded_at.dt.to_period(freq).dt.start_time.dt.date
    want = r.groupby(period).score.agg(["mean", "size"])
    assert list(got.period) == list(want.index)
    np.testing.assert_allclose(got.value, want["mean"])
    assert list(got.n) == list(want["size"])


def test_dimension_from_the_metric_table(duck_loaded, company) -> None:  # type: ignore[no-untyped-def]
    got = query(duck_loaded, "nps", by=["touchpoint", "country"]).to_pandas()
    r = company["responses"].merge(company["accounts"][["account_id", "country"]])
    want = r[r.kind == "nps"].groupby(["touchpoint", "country"]).size()
    assert dict(zip(zip(got.touchpoint, got.country, strict=True), got.n, strict=True)) == (
        want.to_dict()
    )


def test_rows_without_data_are_not_reported(duck) -> None:  # type: ignore[no-untyped-def]
    assert query(duck, list(REGISTRY)).rows == []


def test_unknown_names_say_what_to_do(duck) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownMetricError, match="known metrics: nps"):
        query(duck, "npss")
    with pytest.raises(UnknownDimensionError, match="neither a column"):
        query(duck, "nps", by="colour")
    with pytest.raises(MetricQueryError, match="unknown grain"):
        query(duck, "nps", grain="fortnight")
    with pytest.raises(MetricQueryError, match="ends"):
        query(duck, "nps", start="2026-05-01", end="2026-01-01")
    with pytest.raises(CxpulseError, match="YYYY-MM-DD"):
        query(duck, "nps", start=object())


def test_nps_carries_industry_benchmark(duck_loaded) -> None:  # type: ignore[no-untyped-def]
    duck_loaded.config = ProjectConfig(metrics=MetricsConfig(industry="Legal services"))
    bench = nps_benchmark("Legal services")
    assert bench is not None
    rows = query(duck_loaded, ["nps", "csat"], by="segment").rows
    nps_rows = [r for r in rows if r.metric == "nps"]
    assert nps_rows and all(r.extra["benchmark_nps"] == bench.nps for r in nps_rows)
    assert all(r.extra["benchmark_source"] == bench.source for r in nps_rows)
    assert all("benchmark_nps" not in r.extra for r in rows if r.metric == "csat")


def test_to_pandas_has_group_period_and_split_columns(duck_loaded) -> None:  # type: ignore[no-untyped-def]
    frame = query(duck_loaded, "nps", by="segment", grain="month").to_pandas()
    for col in (
        "metric",
        "segment",
        "period",
        "value",
        "n",
        "ci_low",
        "ci_high",
        "method",
        "small_sample",
        "unit",
        "pct_promoters",
        "pct_passives",
        "pct_detractors",
    ):
        assert col in frame.columns
    np.testing.assert_allclose(frame.pct_promoters - frame.pct_detractors, frame.value)


def test_cohort_retention_by_segment_sums_to_overall(duck_loaded) -> None:  # type: ignore[no-untyped-def]
    total = query(duck_loaded, "account_retention").to_pandas()
    split = query(duck_loaded, "account_retention", by="segment").to_pandas()
    n_total = total.groupby(["period", "months_since_start"]).n.sum()
    n_split = split.groupby(["period", "months_since_start"]).n.sum()
    pd.testing.assert_series_equal(n_total, n_split)


def _normalise(sql: str) -> str:
    sql = re.sub(r"ibis_pandas_memtable_[a-z0-9]+", "calendar_memtable", sql)
    # SLA metrics judge open tickets as of the moment the query runs
    return re.sub(r"MAKE_TIMESTAMP\([0-9., ]+\)", "MAKE_TIMESTAMP(now)", sql)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_explain_matches_duckdb_snapshot(name: str) -> None:
    ws = Workspace.connect("duckdb://")
    sql = _normalise(explain(ws, name, by="segment", grain="month"))
    path = SNAPSHOTS / f"{name}.sql"
    if UPDATE or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(sql, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path.name} was missing and has been written; rerun")
    assert sql == path.read_bytes().decode("utf-8")  # keeps the \r of TRIM's characters


DIALECT_MARK = {
    "duckdb": "EXTRACT(year FROM",
    "sqlite": "STRFTIME('%Y'",
    "postgres": "EXTRACT(year FROM",
    "pyspark": "`responses`",
}


def test_explained_sql_is_what_runs_on_each_backend(loaded, backend_name, company) -> None:  # type: ignore[no-untyped-def]
    sql = explain(loaded, "nps", by="segment", grain="month")
    assert DIALECT_MARK[backend_name] in sql
    statement = sql.split("\n", 1)[1].strip().rstrip(";")
    ran = loaded.con.sql(statement).execute()
    want = ref.survey(company.frames, "nps", "nps", True, True)
    assert int(ran[["nps__promoters", "nps__passives", "nps__detractors"]].sum().sum()) == int(
        want.n.sum()
    )
    assert len(ran) == len(want)


def test_revenue_retention_splits_only_by_account_columns(duck_loaded) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MetricQueryError, match="account columns"):
        query(duck_loaded, "grr", by="status")
    by_segment = query(duck_loaded, "nrr", by="segment", grain="month").to_pandas()
    overall = query(duck_loaded, "nrr", grain="month").to_pandas()
    np.testing.assert_allclose(
        by_segment.groupby("period").revenue_before.sum().to_numpy(),
        overall.set_index("period").revenue_before.to_numpy(),
    )


def test_split_by_the_column_metrics_filter_on(duck_loaded, company) -> None:  # type: ignore[no-untyped-def]
    got = query(duck_loaded, ["csat", "ces"], by="kind").to_pandas()
    assert list(got.kind) == ["csat", "ces"]
    r = company["responses"]
    assert list(got.n) == [(r.kind == "csat").sum(), (r.kind == "ces").sum()]


def test_retention_table_is_the_cohort_pivot(duck_loaded, company) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.metrics import retention_table

    wide = retention_table(duck_loaded)
    want = ref.cohorts(company.frames)
    for rec in want.to_dict("records"):
        got = wide.loc[rec["period"], rec["months_since_start"]]
        assert got == pytest.approx(rec["value"])
    assert wide["size"].sum() == len(company["accounts"])


def test_purchase_statuses_refuse_cancellations_and_empty_lists() -> None:
    from pydantic import ValidationError

    from cxpulse.config import MetricsConfig

    with pytest.raises(ValidationError, match="cancellations and never purchases"):
        MetricsConfig(purchase_statuses=["completed", "Refunded"])
    with pytest.raises(ValidationError, match="no order would be a purchase"):
        MetricsConfig(purchase_statuses=[])
    assert MetricsConfig(purchase_statuses=[" Paid", "paid"]).purchase_statuses == ["paid"]


def test_purchase_statuses_decide_what_a_purchase_is(duck) -> None:  # type: ignore[no-untyped-def]
    orders = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5"],
            "account_id": ["a", "a", "b", "b", "c"],
            "ordered_at": pd.to_datetime(["2026-01-02"] * 5),
            "amount": [10.0, 20.0, 5.0, -5.0, 7.0],
            "status": ["completed", "pending", "paid", "refunded", None],
        }
    )
    duck.load("orders", orders)
    assert query(duck, "repeat_purchase_rate").rows[0].value == 0.0
    assert query(duck, "net_revenue").rows[0].value == pytest.approx(10 + 5 - 5 + 7)
    duck.config.metrics.purchase_statuses = ["completed", "pending"]
    row = query(duck, "repeat_purchase_rate").rows[0]
    assert (row.value, row.n, row.extra["successes"]) == (100.0, 1, 1)  # only "a", twice
