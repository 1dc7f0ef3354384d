"""Kaplan-Meier survival of the bank customers' lifetimes by country, against a product-limit
estimate with Greenwood's log-log interval written here with numpy."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxpulse.datasets.bank_churn import bank_churn_tables
from cxpulse.metrics.survival import survival_curves
from cxpulse.workspace import Workspace


@pytest.fixture(scope="module")
def bank(shared_data: Path) -> pd.DataFrame:
    return bank_churn_tables(shared_data / "bank_churn.csv")["accounts"].to_pandas()


def _product_limit(months: np.ndarray, ended: np.ndarray, z: float) -> pd.DataFrame:
    rows, s, greenwood = [], 1.0, 0.0
    for t in np.unique(months[ended]):
        at_risk = int((months >= t).sum())
        d = int(((months == t) & ended).sum())
        s *= 1 - d / at_risk
        greenwood += d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
        if 0 < s < 1:
            half = z * math.sqrt(greenwood) / abs(math.log(s))
            low, high = s ** math.exp(half), s ** math.exp(-half)
        else:
            low = high = math.nan
        rows.append({"months": int(t), "survival": s, "low": low, "high": high, "at_risk": at_risk})
    return pd.DataFrame(rows)


def test_survival_by_segment_matches_a_product_limit_estimate(bank: pd.DataFrame, duck) -> None:  # type: ignore[no-untyped-def]
    duck.load("accounts", bank)
    got = survival_curves(duck, by="segment")
    start = pd.to_datetime(bank.start_date)
    end = pd.to_datetime(bank.end_date)
    censor = max(start.max(), end.max())
    months = np.floor((end.fillna(censor) - start).dt.days / 30.436875).astype(int)
    z = stats.norm.ppf(0.975)
    assert set(got.segment) == set(bank.segment)
    for segment, part in got.groupby("segment"):
        mask = (bank.segment == segment).to_numpy()
        want = _product_limit(months[mask].to_numpy(), end.notna().to_numpy()[mask], z)
        assert len(part) == len(want)
        np.testing.assert_allclose(part.survival, want.survival, rtol=1e-12)
        np.testing.assert_allclose(part.ci_low, want.low, rtol=1e-9)
        np.testing.assert_allclose(part.ci_high, want.high, rtol=1e-9)
        assert (part.at_risk.to_numpy() == want.at_risk.to_numpy()).all()
        assert part.survival.is_monotonic_decreasing
    germany = got[got.segment == "Germany"].survival.iloc[-1]
    france = got[got.segment == "France"].survival.iloc[-1]
    assert germany < france  # German customers leave about twice as often in this file


def test_survival_without_data_or_with_a_bad_unit(tmp_path: Path) -> None:
    ws = Workspace.connect(f"duckdb:///{tmp_path / 'empty.duckdb'}")
    assert survival_curves(ws).empty
    with pytest.raises(Exception, match="unknown unit"):
        survival_curves(ws, unit="week")


def test_cli_prints_the_same_curve(bank: pd.DataFrame, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from cxpulse.cli.app import app

    with Workspace.open(tmp_path) as ws:
        ws.load("accounts", bank)
        want = survival_curves(ws, by="segment")
    result = CliRunner().invoke(
        app, ["metrics", "survival", "--by", "segment", "-f", "json", "-p", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == len(want)
    np.testing.assert_allclose([r["survival"] for r in rows], want.survival, rtol=1e-12)
    table = CliRunner().invoke(app, ["metrics", "survival", "--lang", "es", "-p", str(tmp_path)])
    assert table.exit_code == 0 and "IC 95 %" in table.output
