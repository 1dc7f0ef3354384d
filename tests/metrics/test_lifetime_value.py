"""Customer lifetime value: the Online Retail backtest through the CLI, checked against the
raw file with pandas and against a maximum-likelihood BG/NBD written here with scipy; known
parameters recovered from simulated BG/NBD + Gamma-Gamma data; the CLI and the API agree."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special
from typer.testing import CliRunner

from cxpulse.cli.app import app
from cxpulse.errors import NotEnoughDataError
from cxpulse.metrics.errors import MetricQueryError
from cxpulse.metrics.lifetime_model import SamplerSettings
from cxpulse.metrics.lifetime_value import customer_lifetime_value
from cxpulse.workspace import Workspace

# Small but converged: 2 chains x 200 draws after 200 warm-up steps (R-hat checked below).
FAST = SamplerSettings(draws=200, tune=200)
CUT, HOLDOUT_END = date(2011, 4, 1), date(2011, 8, 31)


# ---- independent computations ------------------------------------------------------------
def retail_purchase_days(parquet: Path) -> pd.DataFrame:
    """(customer, day) of every completed invoice of a known customer, from the raw file."""
    raw = pd.read_parquet(parquet, columns=["InvoiceNo", "InvoiceDate", "CustomerID"])
    raw = raw[raw.CustomerID.notna() & ~raw.InvoiceNo.astype(str).str.startswith("C")]
    first = raw.groupby("InvoiceNo").agg(c=("CustomerID", "first"), at=("InvoiceDate", "min"))
    days = pd.DataFrame(
        {"customer": first.c.astype(int).astype(str), "day": first["at"].dt.normalize()}
    )
    return days.drop_duplicates()


def rfm(days: pd.DataFrame, cut: date) -> pd.DataFrame:
    cal = days[days.day < pd.Timestamp(cut)]
    g = cal.groupby("customer").day
    first, last = g.min(), g.max()
    end = pd.Timestamp(cut) - pd.Timedelta(days=1)
    return pd.DataFrame(
        {
            "frequency": g.size() - 1,
            "recency": (last - first).dt.days.astype(float),
            "T": (end - first).dt.days.astype(float),
        }
    )


def bgnbd_mle(x: np.ndarray, tx: np.ndarray, t: np.ndarray) -> np.ndarray:
    """r, alpha, a, b maximising the BG/NBD likelihood (Fader, Hardie and Lee 2005, eq. 6)."""

    def nll(log_params: np.ndarray) -> float:
        r, alpha, a, b = np.exp(log_params)
        a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
        a2 = (
            special.gammaln(a + b)
            + special.gammaln(b + x)
            - special.gammaln(b)
            - special.gammaln(a + b + x)
        )
        a3 = -(r + x) * np.log(alpha + t)
        safe = np.maximum(x, 1)
        a4 = np.where(
            x > 0, np.log(a) - np.log(b + safe - 1) - (r + x) * np.log(alpha + tx), -np.inf
        )
        return float(-(a1 + a2 + np.logaddexp(a3, a4)).sum())

    res = optimize.minimize(
        nll, np.log([1.0, 10.0, 1.0, 1.0]), method="Nelder-Mead", options={"maxiter": 20_000}
    )
    return np.exp(res.x)


def bgnbd_expected(params: np.ndarray, x: np.ndarray, tx: np.ndarray, t: np.ndarray, h: float):  # type: ignore[no-untyped-def]
    """Expected purchases in the next ``h`` periods (Fader, Hardie and Lee 2005, eq. 10)."""
    r, alpha, a, b = params
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, h / (alpha + t + h))
    first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + t) / (alpha + t + h)) ** (r + x) * hyp)
    safe = np.maximum(x, 1)
    second = 1 + (x > 0) * a / (b + safe - 1) * ((alpha + t) / (alpha + tx)) ** (r + x)
    return first / second


# ---- Online Retail -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def retail_project(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("retail_clv") / "p"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(folder)]).exit_code == 0
    loaded = runner.invoke(app, ["samples", "load", "online_retail", "-p", str(folder)])
    assert loaded.exit_code == 0, loaded.output
    return folder


@pytest.mark.slow
def test_online_retail_backtest_predicts_the_holdout_purchases(
    retail_project: Path, shared_data: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "metrics",
            "clv-backtest",
            "--calibration-end",
            CUT.isoformat(),
            "--holdout-end",
            HOLDOUT_END.isoformat(),
            "--draws",
            str(FAST.draws),
            "--format",
            "json",
            "-p",
            str(retail_project),
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    got = pd.DataFrame(body["customers"]).set_index("account_id")
    summary = body["summary"]

    days = retail_purchase_days(shared_data / "online_retail" / "online_retail.parquet")
    want = rfm(days, CUT)
    hold = days[(days.day >= pd.Timestamp(CUT)) & (days.day <= pd.Timestamp(HOLDOUT_END))]
    actual = hold.groupby("customer").size().reindex(want.index, fill_value=0)
    new = set(hold.customer) - set(want.index)

    # the same customers (first purchase before the cut, none first seen in the holdout),
    # the same calibration summary and the same holdout purchase days, customer by customer
    assert set(got.index) == set(want.index)
    got = got.loc[want.index]
    assert (got.frequency.to_numpy() == want.frequency.to_numpy()).all()
    assert (got.recency.to_numpy() == want.recency.to_numpy()).all()
    assert (got["T"].to_numpy() == want["T"].to_numpy()).all()
    assert (got.actual_purchases.to_numpy() == actual.to_numpy()).all()
    assert summary["new_customers"] == len(new)
    assert summary["holdout_days"] == (HOLDOUT_END - CUT).days + 1
    purchases = summary["purchases"]
    assert purchases["actual"] == actual.sum()

    # the posterior (flat priors, thousands of customers) agrees with the maximum-likelihood
    # fit written here: totals within 3 %, customers nearly identical
    x, tx, t = (want[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    mle = bgnbd_expected(bgnbd_mle(x, tx, t), x, tx, t, summary["holdout_days"])
    assert abs(purchases["predicted"] / mle.sum() - 1) < 0.03
    assert np.corrcoef(got.predicted_purchases, mle)[0, 1] > 0.995

    # Aggregate error. Between April and August the store's purchase rate is steady (the
    # Q4 peak comes later), which is what BG/NBD assumes; the bound, 5 %, is the half-width of
    # the predicted total's 95 % credible interval (about 3.5 % here) plus two standard
    # deviations of the actual total's Poisson noise (sqrt(4178) / 4178 = 1.5 % each).
    # Measured: -0.2 %. A holdout that takes in Q4 is under-predicted by 11 % or more (see
    # benchmarks/README.md): that is seasonality, which the model does not describe.
    error = purchases["predicted"] / purchases["actual"] - 1
    assert abs(error - purchases["error"]) < 1e-12
    assert abs(error) < 0.05
    assert purchases["predicted_low"] < purchases["predicted"] < purchases["predicted_high"]
    # per customer the model beats "each customer keeps their own past rate"
    mae = float(np.abs(got.predicted_purchases - actual).mean())
    assert abs(mae - purchases["mae"]) < 1e-9
    assert purchases["mae"] < purchases["baseline_mae"]
    assert summary["r_hat"] < 1.05
    # revenue (Gamma-Gamma spend x purchases) is within 20 %: spend per purchase day grows
    # into the summer, and Gamma-Gamma shrinks the largest buyers to the mean (measured -11.5 %)
    assert abs(summary["revenue"]["error"]) < 0.20


# ---- synthetic data with known parameters ------------------------------------------------
TRUE = {"r": 0.6, "alpha": 40.0, "a": 0.8, "b": 2.4}
SPEND = {"p": 6.0, "q": 4.0, "v": 15.0}  # mean spend per purchase p v / (q - 1) = 30


def simulate_orders(customers: int, seed: int) -> pd.DataFrame:
    """BG/NBD purchases in days over 2025 (first purchase in the first 180 days): a rate
    lambda ~ Gamma(r, alpha) and, after each repeat purchase, dropout with p ~ Beta(a, b);
    each purchase worth z ~ Gamma(p, nu) with nu ~ Gamma(q, v) per customer."""
    rng = np.random.default_rng(seed)
    start = datetime(2025, 1, 1, 10)
    rows = []
    for i in range(customers):
        lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"])
        drop = rng.beta(TRUE["a"], TRUE["b"])
        nu = rng.gamma(SPEND["q"], 1 / SPEND["v"])
        first = float(rng.integers(0, 180))
        times, t = [first], first
        while True:
            t += rng.exponential(1 / lam)
            if t >= 365:
                break
            times.append(t)
            if rng.random() < drop:
                break
        for k, day in enumerate(times):
            rows.append(
                {
                    "order_id": f"O{i}-{k}",
                    "account_id": f"C{i:05d}",
                    "ordered_at": start + timedelta(days=int(day)),
                    "amount": round(float(rng.gamma(SPEND["p"], 1 / nu)), 2),
                    "status": "completed",
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_known_parameters_are_recovered_from_simulated_purchases(tmp_path: Path) -> None:
    ws = Workspace.connect(f"duckdb:///{tmp_path / 'sim.duckdb'}")
    ws.load("orders", simulate_orders(3000, seed=7))
    # the product's default sampler (2 x 500 draws): with 200, Gamma-Gamma's v, strongly
    # correlated with q, has not mixed (R-hat 1.07 measured; 1.015 with 500)
    result = customer_lifetime_value(ws, as_of="2026-01-01")
    assert result.n == 3000
    for name, truth in TRUE.items():
        est = result.parameters[name]
        # within three posterior standard deviations and 35 % of the truth (purchases on the
        # same day merge, a small bias; a and b are the least identified)
        assert abs(est["mean"] - truth) < 3 * est["sd"] + 0.05 * truth, (name, est)
        assert abs(est["mean"] / truth - 1) < 0.35, (name, est)
    p, q, v = (result.parameters[k]["mean"] for k in ("p", "q", "v"))
    assert abs(p * v / (q - 1) / 30.0 - 1) < 0.10
    assert result.r_hat < 1.05
    # the total is the sum of the accounts' values, its interval around it
    assert abs(result.accounts.clv.sum() / result.total - 1) < 1e-9
    assert result.total_low < result.total < result.total_high
    assert (result.accounts.clv_low <= result.accounts.clv).all()
    assert (result.accounts.clv <= result.accounts.clv_high).all()


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clv_small") / "p"
    assert CliRunner().invoke(app, ["init", str(folder)]).exit_code == 0
    orders = simulate_orders(400, seed=3)
    ids = sorted(orders.account_id.unique())
    # every account but the last 40 has a segment; those have no accounts row at all
    accounts = pd.DataFrame(
        {
            "account_id": ids[:-40],
            "segment": ["SMB" if i % 3 else "Enterprise" for i in range(len(ids) - 40)],
            "start_date": date(2025, 1, 1),
        }
    )
    with Workspace.open(folder) as ws:
        ws.load("orders", orders)
        ws.load("accounts", accounts)
    return folder


def test_cli_json_and_table_show_the_api_figures(small_project: Path) -> None:
    sampler = SamplerSettings(draws=100, tune=100)
    with Workspace.open(small_project) as ws:
        want = customer_lifetime_value(ws, horizon_months=6, discount_rate=0.01, sampler=sampler)
    args = ["metrics", "clv", "--months", "6", "--discount", "0.01", "--draws", "100"]
    out = CliRunner().invoke(app, [*args, "--format", "json", "-p", str(small_project)])
    assert out.exit_code == 0, out.output
    body = json.loads(out.output)
    assert body["summary"]["total"] == pytest.approx(want.total, rel=1e-12)
    assert body["summary"]["total_low"] == pytest.approx(want.total_low, rel=1e-12)
    got = pd.DataFrame(body["accounts"]).set_index("account_id")
    ref = want.accounts.set_index("account_id")
    np.testing.assert_allclose(got.loc[ref.index, "clv"], ref.clv, rtol=1e-12)
    assert len(got) == want.n == 400
    # discounting lowers the value below the undiscounted spend x purchases
    assert (ref.clv <= ref.expected_spend * ref.expected_purchases + 1e-9).all()
    # totals by segment: each is the sum of its accounts' values, and they add up to the total
    with Workspace.open(small_project) as ws:
        split = customer_lifetime_value(
            ws, horizon_months=6, discount_rate=0.01, sampler=sampler, by="segment"
        )
        segments = ws.table("accounts").execute()[["account_id", "segment"]]
    merged = split.accounts.merge(segments, on="account_id", how="left")
    by_hand = merged.groupby("segment", dropna=False).clv.sum()
    assert len(split.groups) == 3 and split.groups.customers.sum() == 400
    assert split.groups[split.groups.segment.isna()].customers.tolist() == [40]
    for segment, total in by_hand.items():
        key = None if pd.isna(segment) else segment
        row = split.groups[
            split.groups.segment.isna() if key is None else split.groups.segment == key
        ].iloc[0]
        assert row.clv == pytest.approx(total, rel=1e-9)
        assert row.clv_low < row.clv < row.clv_high
    assert split.groups.clv.sum() == pytest.approx(split.total, rel=1e-9)
    out = CliRunner().invoke(
        app, [*args, "--by", "segment", "--format", "json", "-p", str(small_project)]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["groups"] == split.group_records()
    for lang, word in (("es", "Valor de vida del cliente"), ("en", "Customer lifetime value")):
        table = CliRunner().invoke(
            app, [*args, "--top", "3", "--lang", lang, "-p", str(small_project)]
        )
        assert table.exit_code == 0, table.output
        assert word in table.output
        assert want.accounts.account_id.iloc[0] in table.output


def test_clear_errors_without_enough_purchases(tmp_path: Path) -> None:
    ws = Workspace.connect(f"duckdb:///{tmp_path / 'few.duckdb'}")
    with pytest.raises(NotEnoughDataError, match="No purchases"):
        customer_lifetime_value(ws)
    ws.load("orders", simulate_orders(10, seed=1))
    with pytest.raises(NotEnoughDataError, match="too few") as info:
        customer_lifetime_value(ws)
    assert "demasiado pocos" in info.value.message_in("es")
    with pytest.raises(MetricQueryError, match="whole number of months"):
        customer_lifetime_value(ws, horizon_months=0)
    with pytest.raises(MetricQueryError, match="discount rate"):
        customer_lifetime_value(ws, discount_rate=1.5)
    with pytest.raises(MetricQueryError, match="number of draws"):
        SamplerSettings(draws=5)


def test_cli_reports_a_holdout_that_ends_before_it_starts(small_project: Path) -> None:
    out = CliRunner().invoke(
        app,
        [
            "metrics",
            "clv-backtest",
            "--calibration-end",
            "2025-09-01",
            "--holdout-end",
            "2025-08-01",
            "--lang",
            "en",
            "-p",
            str(small_project),
        ],
    )
    assert out.exit_code != 0
    assert "before it starts" in out.output
    assert "Traceback" not in out.output


@pytest.mark.parametrize(
    "module",
    ["purchase_history", "lifetime_model", "lifetime_value", "lifetime_backtest"],
)
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    found = importlib.import_module(f"cxpulse.metrics.{module}")
    result = doctest.testmod(found, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_purchase_summary_counts_purchase_days_and_nets_cancellations(tmp_path: Path) -> None:
    from cxpulse.metrics.purchase_history import holdout_purchases, purchase_summary

    def order(i: int, who: str, day: str, amount: float, status: str = "completed") -> dict:  # type: ignore[type-arg]
        at = datetime.fromisoformat(day)
        return {"order_id": f"O{i}", "account_id": who, "ordered_at": at, "amount": amount,
                "status": status}  # fmt: skip

    rows = [
        order(1, "A", "2025-01-05 09:00", 100.0),
        order(2, "A", "2025-01-05 17:00", 50.0),  # same day: one purchase day worth 150
        order(3, "A", "2025-02-01 10:00", 200.0),
        order(4, "A", "2025-03-01 10:00", 300.0),
        order(5, "A", "2025-03-02 10:00", 130.0, "cancelled"),  # 130 of 650 bought: 20 %
        order(6, "B", "2025-02-10 10:00", 80.0),
        order(7, "B", "2025-02-20 10:00", 999.0, "pending"),  # not a purchase
        order(8, "C", "2025-03-30 10:00", 40.0, "cancelled"),  # never bought
        order(9, "A", "2025-04-03 10:00", 70.0),  # after as_of: the holdout
        order(10, "A", "2025-04-04 10:00", 20.0, "refunded"),
        order(11, "D", "2025-04-05 10:00", 10.0),  # first seen in the holdout
    ]
    ws = Workspace.connect(f"duckdb:///{tmp_path / 'few.duckdb'}")
    ws.load("orders", pd.DataFrame(rows))
    s = purchase_summary(ws, date(2025, 4, 1)).set_index("account_id")
    assert list(s.index) == ["A", "B"]
    a, b = s.loc["A"], s.loc["B"]
    assert (a.purchase_days, a.frequency, a.recency, a["T"]) == (3, 2, 55.0, 85.0)
    assert (b.purchase_days, b.frequency, b.recency, b["T"]) == (1, 0, 0.0, 49.0)
    # repeat days 200 and 300, scaled by the 80 % of purchases not cancelled
    assert a.monetary_value == pytest.approx(250.0 * 0.8)
    assert a.spend_days == 2 and b.spend_days == 0 and pd.isna(b.monetary_value)
    h = holdout_purchases(ws, date(2025, 4, 1), date(2025, 4, 30)).set_index("account_id")
    assert h.loc["A"].purchases == 1 and h.loc["A"].revenue == pytest.approx(50.0)
    assert h.loc["D"].purchases == 1
