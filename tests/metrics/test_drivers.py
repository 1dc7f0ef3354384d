"""Key drivers on the airline survey's 14 service ratings, checked against an independent
computation of Johnson's relative weights from the data matrix (SVD and least squares)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli.app import app
from cxpulse.metrics import MetricQueryError
from cxpulse.metrics.drivers import key_drivers, table_drivers

RATINGS = [
    "Inflight wifi service",
    "Departure/Arrival time convenient",
    "Ease of Online booking",
    "Gate location",
    "Food and drink",
    "Online boarding",
    "Seat comfort",
    "Inflight entertainment",
    "On-board service",
    "Leg room service",
    "Baggage handling",
    "Checkin service",
    "Inflight service",
    "Cleanliness",
]


@pytest.fixture(scope="module")
def airline_path(shared_data: Path) -> Path:
    return shared_data / "airline" / "airline_satisfaction_test.csv"


@pytest.fixture(scope="module")
def airline(airline_path: Path) -> pd.DataFrame:
    return pd.read_csv(airline_path)


def _johnson_from_data(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Johnson (2000) as first written: Z = P Q' from the SVD of standardised X, regress y on Z
    and X on Z, eps_j = sum_k lambda_jk^2 beta_k^2."""
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    ys = (y - y.mean()) / y.std(ddof=1)
    p, _, qt = np.linalg.svd(xs, full_matrices=False)
    z = p @ qt
    z = z * np.sqrt(len(x) - 1)  # unit variance columns
    beta = np.linalg.lstsq(z, ys, rcond=None)[0]
    lam = np.linalg.lstsq(z, xs, rcond=None)[0].T  # X_j on Z
    eps = (lam**2) @ (beta**2)
    fitted = np.column_stack([np.ones(len(x)), x])
    coef = np.linalg.lstsq(fitted, y, rcond=None)[0]
    resid = y - fitted @ coef
    r2 = 1 - resid.var() / y.var()
    return eps, float(r2)


def test_airline_drivers_match_an_independent_relative_weights(airline: pd.DataFrame) -> None:
    result = key_drivers(
        airline, "satisfaction", RATINGS, success=["satisfied"], missing_values=[0], n_boot=60
    )
    ratings = airline[RATINGS].replace(0, np.nan)
    keep = ratings.notna().all(axis=1)
    x = ratings[keep].to_numpy(float)
    y = (airline.satisfaction[keep] == "satisfied").to_numpy(float)
    eps, r2 = _johnson_from_data(x, y)
    assert result.n == int(keep.sum()) and result.dropped == int((~keep).sum())
    assert result.r2 == pytest.approx(r2, rel=1e-9)
    assert eps.sum() == pytest.approx(r2, rel=1e-9)
    by_name = {d.driver: d for d in result.drivers}
    for name, e in zip(RATINGS, eps, strict=True):
        assert by_name[name].weight == pytest.approx(e, rel=1e-7)
        assert by_name[name].share == pytest.approx(100 * e / r2, rel=1e-7)
        assert by_name[name].share_low <= by_name[name].share <= by_name[name].share_high
        assert by_name[name].performance == pytest.approx(x[:, RATINGS.index(name)].mean())
    assert len(result.drivers) == 14 and result.drivers[0].driver == "Online boarding"
    assert [d.rank for d in result.drivers] == list(range(1, 15))
    # quadrant: importance and performance against their averages
    mean_share = np.mean([d.share for d in result.drivers])
    mean_perf = np.mean([d.performance for d in result.drivers])
    for d in result.drivers:
        important, good = d.share >= mean_share, d.performance >= mean_perf
        assert (
            d.quadrant
            == {
                (True, True): "keep_up",
                (True, False): "fix_first",
                (False, True): "overkill",
                (False, False): "low_priority",
            }[(important, good)]
        )
    assert by_name["Inflight wifi service"].quadrant == "fix_first"


def test_bootstrap_interval_covers_a_known_share() -> None:
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    frame["y"] = frame.a + 0.5 * frame.b + rng.normal(0, 1, n)
    r = key_drivers(frame, "y", ["a", "b", "c"], n_boot=200, seed=1)
    a = next(d for d in r.drivers if d.driver == "a")
    # independent drivers: shares are 1 : 0.25 : 0 of the explained variance
    assert a.share_low < 100 / 1.25 < a.share_high
    assert r.drivers[-1].driver == "c" and r.drivers[-1].share < 3


def test_bad_inputs_are_refused_with_what_to_do(airline: pd.DataFrame) -> None:
    with pytest.raises(MetricQueryError, match="no column 'wifi'"):
        key_drivers(airline, "satisfaction", ["wifi", "Gate location"], success=["satisfied"])
    with pytest.raises(MetricQueryError, match="must hold numbers"):
        key_drivers(airline, "satisfaction", ["Class", "Gate location"], success=["satisfied"])
    with pytest.raises(MetricQueryError, match="at least two"):
        key_drivers(airline, "satisfaction", ["Gate location"], success=["satisfied"])
    with pytest.raises(MetricQueryError, match="must hold numbers"):
        key_drivers(airline, "satisfaction", RATINGS[:3])  # categorical outcome, no --success


def test_drivers_on_a_workspace_table_and_the_cli_agree(
    airline: pd.DataFrame, airline_path: Path, duck, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.cli.common import console

    monkeypatch.setattr(console, "width", 200)
    duck.write_table("airline_survey", airline[["satisfaction", *RATINGS]])
    api = table_drivers(
        duck,
        "airline_survey",
        "satisfaction",
        RATINGS,
        success=["satisfied"],
        missing_values=[0],
        n_boot=30,
    )
    result = CliRunner().invoke(
        app,
        [
            "metrics",
            "drivers",
            "--file",
            str(airline_path),
            "--outcome",
            "satisfaction",
            "--success",
            "satisfied",
            "--drivers",
            ",".join(RATINGS),
            "--missing",
            "0",
            "--boot",
            "30",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["driver"] for r in rows] == [d.driver for d in api.drivers]
    for r, d in zip(rows, api.drivers, strict=True):
        assert r["share"] == pytest.approx(d.share) and r["share_low"] == pytest.approx(d.share_low)
    table = CliRunner().invoke(
        app,
        [
            "metrics",
            "drivers",
            "--file",
            str(airline_path),
            "--outcome",
            "satisfaction",
            "--success",
            "satisfied",
            "--drivers",
            ",".join(RATINGS[:4]),
            "--missing",
            "0",
            "--boot",
            "20",
            "--lang",
            "en",
        ],
    )
    assert table.exit_code == 0, table.output
    assert "Inflight wifi service" in table.output and "95 %" in table.output
