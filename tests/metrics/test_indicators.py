"""Every indicator on every backend, checked against an independent pandas computation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxpulse.metrics import query
from tests.metrics import reference as ref
from tests.stats.simulation import tango_bounds

Frames = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Case:
    metric: str
    by_segment: bool
    grain: bool
    expected: Callable[[Frames], pd.DataFrame]

    @property
    def id(self) -> str:
        return f"{self.metric}-{'segment' if self.by_segment else 'all'}-" + (
            "month" if self.grain else "total"
        )


CASES = [
    Case("nps", True, True, lambda f: ref.survey(f, "nps", "nps", True, True)),
    Case("nps", False, False, lambda f: ref.survey(f, "nps", "nps", False, False)),
    Case("csat", True, True, lambda f: ref.survey(f, "csat", "top", True, True)),
    Case("csat_mean", True, False, lambda f: ref.survey(f, "csat", "mean", True, False)),
    Case("ces", True, True, lambda f: ref.survey(f, "ces", "mean", True, True)),
    Case("ces_easy", False, True, lambda f: ref.survey(f, "ces", "easy", False, True)),
    Case("aht", True, True, lambda f: ref.tickets(f, "aht", True, True)),
    Case("fcr", True, False, lambda f: ref.tickets(f, "fcr", True, False)),
    Case("time_to_first_response", True, True, lambda f: ref.tickets(f, "ttfr", True, True)),
    Case("time_to_resolution", False, False, lambda f: ref.tickets(f, "ttr", False, False)),
    Case("churn_rate", True, True, lambda f: ref.churn(f, True)),
    Case("grr", False, True, lambda f: ref.revenue(f, gross=True)),
    Case("nrr", False, True, lambda f: ref.revenue(f, gross=False)),
    Case("mrr_churn", False, True, lambda f: ref.mrr_movement(f, "churned")),
    Case("contraction_mrr", False, True, lambda f: ref.mrr_movement(f, "contraction")),
    Case("expansion_mrr", False, True, lambda f: ref.mrr_movement(f, "expansion")),
    Case("repeat_purchase_rate", True, True, lambda f: ref.repeat(f, True)),
    Case("open_important_tickets", False, True, ref.open_important),
    Case("backlog", False, True, ref.backlog),
    Case("sla_first_response", True, True, lambda f: ref.sla(f, "first_response_at", True, True)),
    Case("sla_resolution", False, False, lambda f: ref.sla(f, "resolved_at", False, False)),
    Case("tickets_per_account", False, True, lambda f: ref.per_account(f, "tickets", "opened_at")),
    Case(
        "touchpoint_frequency",
        False,
        True,
        lambda f: ref.per_account(f, "touchpoints", "occurred_at"),
    ),
    Case("account_retention", False, False, lambda f: ref.cohorts(f)),
    Case("net_revenue", True, True, lambda f: ref.order_money(f, "net_revenue", True, True)),
    Case(
        "average_order_value",
        False,
        True,
        lambda f: ref.order_money(f, "average_order_value", False, True),
    ),
    Case(
        "orders_per_customer",
        True,
        False,
        lambda f: ref.order_money(f, "orders_per_customer", True, False),
    ),
    Case(
        "cancellation_rate",
        False,
        True,
        lambda f: ref.order_money(f, "cancellation_rate", False, True),
    ),
    Case("returning_customer_rate", False, True, ref.returning),
    Case("purchase_retention", False, False, ref.purchase_cohorts),
    Case("cohort_repeat_rate", False, False, lambda f: ref.purchase_cohorts(f, True)),
    Case("response_rate", True, True, lambda f: ref.response_rate(f, "segment", True)),
    Case("response_rate", False, False, lambda f: ref.response_rate(f, None, False)),
    Case("yes_no_rate", False, True, lambda f: ref.yes_no(f, True)),
    Case("reopen_rate", True, False, lambda f: ref.reopen(f, True, False)),
    Case("activity_retention", False, False, ref.activity_cohorts),
]

# Known backend gaps: (backend, metric) -> reason. Applied as strict xfail, so a gap that
# gets fixed makes the test fail until its marker is removed.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def _engine_frame(ws, case: Case) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    table = query(
        ws,
        case.metric,
        by="segment" if case.by_segment else None,
        grain="month" if case.grain else None,
    )
    return table.to_pandas()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_indicator_matches_pandas(
    case: Case, loaded, backend_name: str, company, request: pytest.FixtureRequest
) -> None:  # type: ignore[no-untyped-def]
    gap = KNOWN_GAPS.get((backend_name, case.metric))
    if gap:
        request.applymarker(pytest.mark.xfail(reason=gap, strict=True))
    got = _engine_frame(loaded, case)
    want = case.expected(company.frames)
    cohort_cols = (
        "months_since_start",
        "months_since_first_purchase",
        "months_since_first_activity",
    )
    keys = [c for c in ("segment", "age", *cohort_cols, "period") if c in want.columns]
    cohort = case.metric in (
        "account_retention",
        "purchase_retention",
        "cohort_repeat_rate",
        "activity_retention",
    )
    if case.grain is False and not cohort:
        keys = [k for k in keys if k != "period"]
    assert len(got) == len(want), f"{case.id}: {len(got)} rows, pandas has {len(want)}"
    if not keys:
        got, want, keys = got.assign(_one=1), want.assign(_one=1), ["_one"]
    merged = want.merge(got, on=keys, how="left", suffixes=("_want", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][keys]
    np.testing.assert_allclose(merged["value"], merged["value_want"], rtol=1e-9, atol=1e-9)
    revenue = ("grr", "nrr", "mrr_churn", "contraction_mrr", "expansion_mrr")
    if case.metric not in (*revenue, "open_important_tickets", "backlog"):
        assert (merged["n"] == merged["n_want"]).all()
    if "p90" in want.columns:
        np.testing.assert_allclose(merged["p90"], merged["p90_want"], rtol=1e-9)
    finite = merged.dropna(subset=["ci_low", "ci_high"])
    assert (finite["ci_low"] <= finite["value"] + 1e-9).all()
    assert (finite["value"] <= finite["ci_high"] + 1e-9).all()
    assert set(merged["method"]) and merged["small_sample"].eq(merged["n"] < 30).any() | (
        case.metric in ("time_to_first_response", "time_to_resolution")
    )


def test_nps_interval_is_the_trinomial_score_interval(duck, company) -> None:  # type: ignore[no-untyped-def]
    for name in ("accounts", "responses"):
        duck.load(name, company[name])
    row = query(duck, "nps").rows[0]
    s = company["responses"].query("kind == 'nps'").score
    pp, pd_ = (s >= 9).mean(), (s <= 6).mean()
    low, high = tango_bounds((s >= 9).sum(), (s <= 6).sum(), len(s), stats.norm.ppf(0.975))
    assert row.ci_low == pytest.approx(100 * low, rel=1e-6)
    assert row.ci_high == pytest.approx(100 * high, rel=1e-6)
    assert row.extra["pct_promoters"] == pytest.approx(100 * pp)
    assert row.extra["pct_detractors"] == pytest.approx(100 * pd_)
    assert row.extra["pct_passives"] == pytest.approx(100 * (1 - pp - pd_))


def test_csat_and_ces_intervals_match_wilson_and_t(duck, company) -> None:  # type: ignore[no-untyped-def]
    for name in ("accounts", "responses"):
        duck.load(name, company[name])
    table = {r.metric: r for r in query(duck, ["csat", "ces", "csat_mean"]).rows}
    csat = company["responses"].query("kind == 'csat'").score
    lo, hi = ref.wilson((csat >= 4).sum(), len(csat))
    assert (table["csat"].ci_low, table["csat"].ci_high) == pytest.approx((lo, hi))
    ces = company["responses"].query("kind == 'ces'").score.to_numpy(dtype=float)
    assert (table["ces"].ci_low, table["ces"].ci_high) == pytest.approx(ref.t_interval(ces))
    assert table["csat_mean"].value == pytest.approx(csat.mean())


def test_quantile_interval_bounds_are_observed_order_statistics(duck, company) -> None:  # type: ignore[no-untyped-def]
    for name in ("accounts", "tickets"):
        duck.load(name, company[name])
    row = query(duck, "time_to_resolution").rows[0]
    t = company["tickets"].dropna(subset=["resolved_at"])
    hours = np.sort(((t.resolved_at - t.opened_at).dt.total_seconds() / 3600).to_numpy())
    assert np.isclose(hours, row.ci_low).any() and np.isclose(hours, row.ci_high).any()
    # binomial coverage of the chosen ranks reaches the confidence level
    lo_rank = int(np.searchsorted(hours, row.ci_low - 1e-9)) + 1
    hi_rank = int(np.searchsorted(hours, row.ci_high - 1e-9)) + 1
    cover = stats.binom.cdf(hi_rank - 1, len(hours), 0.5) - stats.binom.cdf(
        lo_rank - 1, len(hours), 0.5
    )
    assert cover >= 0.95


def test_mrr_movements_add_up_to_grr_and_nrr(duck, company) -> None:  # type: ignore[no-untyped-def]
    for name in ("accounts", "invoices"):
        duck.load(name, company[name])
    names = ["grr", "nrr", "mrr_churn", "contraction_mrr", "expansion_mrr"]
    frame = query(duck, names, grain="month").to_pandas()
    wide = frame.pivot_table(index="period", columns="metric", values="value")
    np.testing.assert_allclose(wide.grr, 100 - wide.mrr_churn - wide.contraction_mrr, atol=1e-9)
    np.testing.assert_allclose(wide.nrr, wide.grr + wide.expansion_mrr, atol=1e-9)
