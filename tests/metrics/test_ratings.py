"""CSAT per attribute rating on the airline survey's 14 service ratings (0 = not applicable):
the top-box share and mean of each, through the Python API on every backend, the CLI and the
web JSON API, against pandas and scipy computing the same from the file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from scipy import stats
from typer.testing import CliRunner

from cxpulse.cli.app import app
from cxpulse.metrics import MetricQueryError, rating_scores, table_ratings
from cxpulse.workspace import Workspace
from tests.metrics.test_drivers import RATINGS
from tests.web.webdata import add_users, make_project, sign_in


@pytest.fixture(scope="module")
def airline_path(shared_data: Path) -> Path:
    return shared_data / "airline" / "airline_satisfaction_test.csv"


@pytest.fixture(scope="module")
def airline(airline_path: Path) -> pd.DataFrame:
    return pd.read_csv(airline_path)


def _expected(frame: pd.DataFrame, top: int = 4, by: str | None = None) -> pd.DataFrame:
    """Per rating (and group): n answered (0 left out), top-box share, mean, t interval."""
    rows = []
    groups = frame.groupby(by) if by else [(None, frame)]
    for key, part in groups:
        for c in RATINGS:
            x = part[c][part[c] != 0].astype(float)
            n = len(x)
            half = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n)
            rows.append(
                {
                    "rating": c,
                    **({by: key} if by else {}),
                    "n": n,
                    "top": 100 * (x >= top).mean(),
                    "successes": int((x >= top).sum()),
                    "mean": x.mean(),
                    "mean_low": x.mean() - half,
                    "mean_high": x.mean() + half,
                }
            )
    return pd.DataFrame(rows)


def _check(records: list[dict], want: pd.DataFrame, by: str | None = None) -> None:  # type: ignore[type-arg]
    got = pd.DataFrame(records)
    keys = ["rating", *([by] if by else [])]
    top = got[got.metric == "rating_top_box"].merge(want, on=keys, validate="1:1")
    mean = got[got.metric == "rating_mean"].merge(want, on=keys, validate="1:1")
    assert len(top) == len(mean) == len(want)
    assert (top["n_x"] == top["n_y"]).all() and (top["successes_x"] == top["successes_y"]).all()
    np.testing.assert_allclose(top["value"], top["top"], rtol=1e-10)
    np.testing.assert_allclose(mean["value"], mean["mean"], rtol=1e-10)
    np.testing.assert_allclose(mean["ci_low"], mean["mean_low"], rtol=1e-9)
    np.testing.assert_allclose(mean["ci_high"], mean["mean_high"], rtol=1e-9)
    for _, r in top.iterrows():  # large n, far from the edges: Wilson, by hand
        n, p, z = r["n_x"], r["top"] / 100, stats.norm.ppf(0.975)
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        assert r["ci_low"] == pytest.approx(100 * (centre - half), rel=1e-9)
        assert r["ci_high"] == pytest.approx(100 * (centre + half), rel=1e-9)


def test_ratings_of_the_airline_file_match_pandas(airline: pd.DataFrame) -> None:
    table = rating_scores(airline, RATINGS, missing_values=[0])
    _check(table.to_records(), _expected(airline))
    top5 = rating_scores(airline, RATINGS, missing_values=[0], top_box=5)
    _check(top5.to_records(), _expected(airline, top=5))
    by_class = rating_scores(airline, RATINGS, missing_values=[0], by="Class")
    _check(by_class.to_records(), _expected(airline, by="Class"), by="Class")


def test_ratings_on_every_backend_match_pandas(workspace: Workspace, airline: pd.DataFrame) -> None:
    sample = airline.sample(3000, random_state=4)[["Class", *RATINGS]].reset_index(drop=True)
    workspace.write_table("airline_survey", sample)
    table = table_ratings(workspace, "airline_survey", RATINGS, missing_values=[0], by="Class")
    _check(table.to_records(), _expected(sample, by="Class"), by="Class")


def test_a_not_applicable_code_left_undeclared_is_refused(airline: pd.DataFrame) -> None:
    with pytest.raises(MetricQueryError, match=r"outside the scale 1-5.*--missing"):
        rating_scores(airline, RATINGS)
    with pytest.raises(MetricQueryError, match="must hold numbers"):
        rating_scores(airline, ["Class"])
    with pytest.raises(MetricQueryError, match="no column 'wifi'"):
        rating_scores(airline, ["wifi"])


def test_cli_and_web_api_give_the_librarys_figures(
    airline: pd.DataFrame, airline_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxpulse.cli.common import console

    monkeypatch.setattr(console, "width", 220)
    want = _expected(airline)
    result = CliRunner().invoke(
        app,
        [
            "metrics",
            "ratings",
            "--file",
            str(airline_path),
            "-c",
            ",".join(RATINGS),
            "--missing",
            "0",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    _check(json.loads(result.stdout), want)
    spanish = CliRunner().invoke(
        app,
        [
            "metrics",
            "ratings",
            "--file",
            str(airline_path),
            "-c",
            RATINGS[0],
            "--missing",
            "0",
            "--lang",
            "es",
        ],
    )
    assert spanish.exit_code == 0 and "top-2-box" in spanish.stdout and "IC 95 %" in spanish.stdout

    from cxpulse.web import create_app

    toml = '[metrics.drivers]\ntable = "airline_survey"\noutcome = "satisfaction"\n'
    toml += 'success = ["satisfied"]\ncolumns = ' + json.dumps(RATINGS) + "\n"
    toml += "missing_values = [0]\n"
    folder = make_project(tmp_path / "proj", None, toml=toml)
    with Workspace.open(folder) as ws:
        ws.write_table("airline_survey", airline[["satisfaction", *RATINGS]])
    add_users(folder)
    client = sign_in(TestClient(create_app(folder)), "analyst@example.com")
    page = client.get("/api/v1/metrics/ratings")
    assert page.status_code == 200, page.text
    rows = [{**r, **r.pop("group"), **r.pop("extra")} for r in page.json()["rows"]]
    _check(rows, want)
    bad = client.get("/api/v1/metrics/ratings", params={"column": "satisfaction"})
    assert bad.status_code == 400 and "satisfaction" in bad.text
