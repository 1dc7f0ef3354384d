"""Attributes filter and split the overview like built-in columns: the airline survey sample
loaded through ``cxpulse samples load``, its passengers' attributes (gender, type of travel...)
offered as filters and "by" dimensions, each figure equal to pandas on the real file."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from scipy.stats import norm
from typer.testing import CliRunner

from tests.metrics.test_drivers import RATINGS as QUESTIONS  # the 14 service ratings
from tests.web.webdata import add_users, sign_in


@pytest.fixture(scope="module")
def airline_answers(shared_data: Path) -> pd.DataFrame:
    """One row per answered question (0 = not applicable is no answer), with the passenger's
    attributes, read with pandas from the real file."""
    raw = pd.read_csv(shared_data / "airline" / "airline_satisfaction_test.csv")
    long = raw.melt(
        id_vars=["id", "Gender", "Type of Travel", "Customer Type", "Class"],
        value_vars=list(QUESTIONS),
        var_name="touchpoint",
        value_name="score",
    )
    return long[long["score"] != 0]


@pytest.fixture(scope="module")
def airline_app(tmp_path_factory: pytest.TempPathFactory, shared_data: Path):  # type: ignore[no-untyped-def]
    from cxpulse.cli.app import app as cli
    from cxpulse.web import create_app

    folder = tmp_path_factory.mktemp("airline") / "proj"
    runner = CliRunner()
    done = runner.invoke(cli, ["init", str(folder)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        cli, ["samples", "load", "airline", "-p", str(folder), "--data", str(shared_data)]
    )
    assert done.exit_code == 0, done.output
    add_users(folder)
    return create_app(folder)


@pytest.fixture
def client(airline_app) -> TestClient:  # type: ignore[no-untyped-def]
    return sign_in(TestClient(airline_app), "admin@example.com")


def _csat(scores: pd.Series) -> tuple[float, int, float, float]:
    """Top-2-box CSAT (4 or 5 of 5) with its Wilson 95% interval, written out here."""
    n = len(scores)
    p = int((scores >= 4).sum()) / n
    z = norm.ppf(0.975)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * p, n, 100 * (centre - half), 100 * (centre + half)


def test_attributes_are_offered_as_filters_with_their_stored_values(client: TestClient) -> None:
    body = client.get("/api/v1/overview?period=all").json()
    dims = {d["name"]: d for d in body["dimensions"]}
    assert dims["gender"]["attribute"] and dims["gender"]["values"] == ["Female", "Male"]
    assert dims["type_of_travel"]["values"] == ["Business travel", "Personal Travel"]
    assert not dims["plan"]["attribute"] and dims["touchpoint"]["table"] == "responses"
    assert "age" not in dims  # 75 distinct ages: not a filter
    assert "channel" not in dims  # one value ("survey") splits nothing

    page = client.get("/?period=all").text
    assert '<select name="filter" data-dimension="gender" data-attribute="1">' in page
    assert '<option value="gender=Female" >Female</option>' in page
    assert re.search(r"<label>type_of_travel\s*<select", page)  # the attribute's own name
    assert re.search(r"<label>Plan\s*<select", page)  # a built-in column, translated


def test_filter_on_an_account_attribute_equals_pandas(
    client: TestClient, airline_answers: pd.DataFrame
) -> None:
    women = airline_answers[airline_answers["Gender"] == "Female"]["score"]
    value, n, low, high = _csat(women)

    body = client.get("/api/v1/overview?period=all&filter=gender=Female").json()
    got = body["kpis"]["csat"]
    assert body["filters"] == {"gender": "Female"}
    assert got["n"] == n
    assert got["value"] == pytest.approx(value, abs=1e-9)
    assert got["ci_low"] == pytest.approx(low, abs=1e-9)
    assert got["ci_high"] == pytest.approx(high, abs=1e-9)
    everyone = client.get("/api/v1/overview?period=all").json()["kpis"]["csat"]
    assert everyone["n"] == len(airline_answers) > n

    page = client.get("/?period=all&filter=gender=Female").text
    card = re.search(r'data-metric="csat" data-value="([^"]+)"', page)
    assert card is not None and float(card.group(1)) == pytest.approx(value, abs=1e-9)
    assert '<option value="gender=Female" selected>Female</option>' in page
    assert '<strong data-filter="gender">Female</strong>' in page


def test_two_filters_and_a_by_attribute_equal_pandas(
    client: TestClient, airline_answers: pd.DataFrame
) -> None:
    kept = airline_answers[
        (airline_answers["Gender"] == "Female") & (airline_answers["Class"] == "Business")
    ]
    expected = {key: _csat(g["score"]) for key, g in kept.groupby("Type of Travel")}

    url = "/api/v1/overview?period=all&filter=gender=Female&filter=plan=Business&by=type_of_travel"
    body = client.get(url).json()
    rows = [r for r in body["breakdown"] if r["metric"] == "csat"]
    assert {r["group"]["type_of_travel"] for r in rows} == set(expected)
    for r in rows:
        value, n, low, high = expected[r["group"]["type_of_travel"]]
        assert (r["n"], r["value"]) == (n, pytest.approx(value, abs=1e-9))
        assert (r["ci_low"], r["ci_high"]) == (pytest.approx(low), pytest.approx(high))

    page = client.get(url.replace("/api/v1/overview", "/")).text
    breakdown = page[page.index('id="breakdown"') :]
    for key, (value, n, _, _) in expected.items():
        cell = re.search(
            rf'data-group="{re.escape(key)}">.*?data-cell-metric="csat" data-value="([^"]+)" '
            rf'data-n="(\d+)"',
            breakdown,
            re.S,
        )
        assert cell is not None, key
        assert float(cell.group(1)) == pytest.approx(value, abs=1e-9)
        assert int(cell.group(2)) == n


def test_filter_on_a_column_of_the_answers_equals_pandas(
    client: TestClient, airline_answers: pd.DataFrame
) -> None:
    seat = airline_answers[airline_answers["touchpoint"] == "Seat comfort"]
    expected = {key: _csat(g["score"]) for key, g in seat.groupby("Customer Type")}
    body = client.get(
        "/api/v1/overview?period=all&filter=touchpoint=Seat comfort&by=customer_type"
    ).json()
    got = {r["group"]["customer_type"]: r for r in body["breakdown"] if r["metric"] == "csat"}
    assert set(got) == set(expected)
    for key, (value, n, _, _) in expected.items():
        assert got[key]["n"] == n and got[key]["value"] == pytest.approx(value, abs=1e-9)


def test_the_page_and_the_metrics_api_give_one_answer(client: TestClient) -> None:
    page_api = client.get("/api/v1/overview?period=all&filter=customer_type=disloyal Customer")
    metrics_api = client.get("/api/v1/metrics?metric=csat&filter=customer_type=disloyal Customer")
    assert page_api.json()["kpis"]["csat"]["value"] == metrics_api.json()["rows"][0]["value"]
    assert page_api.json()["kpis"]["csat"]["n"] == metrics_api.json()["rows"][0]["n"]


def test_bad_filters_are_refused_with_a_message(client: TestClient) -> None:
    unknown = client.get("/api/v1/overview?period=all&filter=shoe_size=42")
    assert unknown.status_code == 400 and "shoe_size" in unknown.json()["detail"]
    malformed = client.get("/api/v1/overview?filter=gender")
    assert malformed.status_code == 400 and "gender=Female" in malformed.json()["detail"]
    twice = client.get("/api/v1/metrics?metric=csat&filter=gender=Female&filter=gender=Male")
    assert twice.status_code == 400 and "gender" in twice.json()["detail"]
    page = client.get("/?filter=shoe_size=42&lang=en")
    assert page.status_code == 400 and "shoe_size" in page.text
