"""The key-drivers page on the airline survey, against the library's own analysis."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from cxpulse.metrics.drivers import key_drivers
from cxpulse.workspace import Workspace
from tests.metrics.test_drivers import RATINGS as ALL_RATINGS  # the 14 service ratings
from tests.web.webdata import add_users, make_project, sign_in

RATINGS = [
    "Inflight wifi service",
    "Online boarding",
    "Seat comfort",
    "Cleanliness",
    "Gate location",
]


TOML = """
[metrics.drivers]
table = "airline_survey"
outcome = "satisfaction"
success = ["satisfied"]
columns = [
  "Inflight wifi service", "Online boarding", "Seat comfort", "Cleanliness", "Gate location",
]
missing_values = [0]
"""


@pytest.fixture(scope="module")
def airline(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / "airline" / "airline_satisfaction_test.csv")


@pytest.fixture(scope="module")
def drivers_app(tmp_path_factory: pytest.TempPathFactory, airline: pd.DataFrame):  # type: ignore[no-untyped-def]
    from cxpulse.web import create_app

    folder = make_project(tmp_path_factory.mktemp("drivers") / "proj", None, toml=TOML)
    with Workspace.open(folder) as ws:
        ws.write_table("airline_survey", airline[["satisfaction", *RATINGS]])
    add_users(folder)
    return create_app(folder)


def test_drivers_page_shows_the_librarys_analysis(drivers_app, airline) -> None:  # type: ignore[no-untyped-def]
    client = sign_in(TestClient(drivers_app), "analyst@example.com")
    page = client.get("/drivers")
    assert page.status_code == 200
    want = key_drivers(airline, "satisfaction", RATINGS, success=["satisfied"], missing_values=[0])
    rows = re.findall(r'<tr data-driver="([^"]+)" data-quadrant="([a-z_]+)">', page.text)
    assert rows == [(d.driver, d.quadrant) for d in want.drivers]
    for d in want.drivers:  # Spanish notation: decimal comma, interval ends split by ";"
        assert f"{d.share:.1f} %".replace(".", ",") in page.text
        low, high = (f"{v:.1f}".replace(".", ",") for v in (d.share_low, d.share_high))
        assert f"[{low}; {high}]" in page.text
    assert "Impulsores clave" in page.text and "IC 95 %" in page.text
    assert 'id="spec-drivers-quadrant"' in page.text
    english = client.get("/drivers?lang=en")
    assert "Key drivers" in english.text and "95 % CI" in english.text
    d = want.drivers[0]
    assert f"[{d.share_low:.1f}, {d.share_high:.1f}]" in english.text
    assert "fix first" in english.text or "keep up" in english.text


def test_drivers_page_explains_what_to_set_when_not_configured(admin: TestClient) -> None:
    page = admin.get("/drivers")
    assert page.status_code == 200 and 'id="drivers-empty"' in page.text
    assert "[metrics.drivers]" in page.text


def test_quadrant_labels_never_overlap_and_stay_inside_at_phone_and_desktop_width(
    airline: pd.DataFrame,
) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.web.pages.drivers import PLOT_HEIGHT, PLOT_WIDTHS, SPOTS, _box, quadrant_spec

    analysis = key_drivers(
        airline, "satisfaction", ALL_RATINGS, success=["satisfied"], missing_values=[0]
    )
    spec = quadrant_spec(analysis, "es")
    (rows,) = [d for d in spec["datasets"].values() if d and "spot" in d[0]]
    x_max = spec["layer"][2]["encoding"]["x"]["scale"]["domain"][1]
    y_lo, y_hi = spec["layer"][2]["encoding"]["y"]["scale"]["domain"]
    labelled = [r for r in rows if r["spot"] >= 0]
    assert len(labelled) >= 10 and any(r["label"].endswith("Online boarding") for r in labelled)
    for width in PLOT_WIDTHS:
        boxes = []
        for r in labelled:
            px = r["share"] / x_max * width
            py = PLOT_HEIGHT - (r["performance"] - y_lo) / (y_hi - y_lo) * PLOT_HEIGHT
            box = _box(px, py, r["label"], SPOTS[r["spot"]])
            assert box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= PLOT_HEIGHT
            boxes.append(box)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    # every label is a driver's name with its rank, or the rank alone (the table's #)
    for r in rows:
        assert r["label"] in ("", str(r["rank"]), f"{r['rank']}. {r['driver']}")
    legend = spec["layer"][2]["encoding"]["color"]["legend"]
    assert legend["columns"] == 2  # four entries on two lines: they fit a 390 px phone


def test_method_and_hints_follow_the_language(drivers_app) -> None:  # type: ignore[no-untyped-def]
    client = sign_in(TestClient(drivers_app), "analyst@example.com")
    spanish = client.get("/drivers").text
    assert "pesos relativos de Johnson, bootstrap de percentiles" in spanish
    assert "johnson relative weights, percentile bootstrap" not in spanish
    english = client.get("/drivers?lang=en").text
    assert "Johnson relative weights, percentile bootstrap" in english


@pytest.fixture(scope="module")
def constant_app(tmp_path_factory: pytest.TempPathFactory, airline: pd.DataFrame):  # type: ignore[no-untyped-def]
    """The drivers page set up on the passengers who gave the wifi 5 out of 5: within them
    the wifi rating cannot explain anything."""
    from cxpulse.web import create_app

    top = airline[airline["Inflight wifi service"] == 5]
    assert len(top) > 100 and top["Inflight wifi service"].nunique() == 1
    folder = make_project(tmp_path_factory.mktemp("constant") / "proj", None, toml=TOML)
    with Workspace.open(folder) as ws:
        ws.write_table("airline_survey", top[["satisfaction", *RATINGS]])
    add_users(folder)
    return create_app(folder)


def test_drivers_page_says_why_it_cannot_compute_in_the_readers_language(constant_app) -> None:  # type: ignore[no-untyped-def]
    client = sign_in(TestClient(constant_app), "analyst@example.com")
    spanish = client.get("/drivers")
    assert spanish.status_code == 200 and 'id="drivers-error"' in spanish.text
    assert "No se pudo calcular el análisis de impulsores" in spanish.text
    assert (
        "impulsores clave: &#39;Inflight wifi service&#39; nunca varía (vale 5 en todas las "
        "filas completas), así que no puede explicar nada; déjala fuera." in spanish.text
    )
    assert "never varies" not in spanish.text and "key drivers" not in spanish.text
    english = client.get("/drivers?lang=en")
    assert "The key-driver analysis could not be computed" in english.text
    assert (
        "key drivers: &#39;Inflight wifi service&#39; never varies (it is 5 in every complete "
        "row), so it cannot explain anything; leave it out." in english.text
    )
    assert "nunca varía" not in english.text
