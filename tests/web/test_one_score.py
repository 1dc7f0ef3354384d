"""One score everywhere: every reader of a demo project shows the active model's score.

For every account of the current snapshot, the account page, /health, the at-risk export,
``cxpulse health explain`` and ``/api/v1/accounts/{id}`` give the same score, band, model and
as-of date; promoting another model switches all of them at once.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.web.webdata import sign_in

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cxpulse.demo import build_demo

    folder = tmp_path_factory.mktemp("demo") / "proj"
    build_demo(folder, size="tiny", today=TODAY, progress=False)
    return folder


def _stored(folder: Path, model: str) -> pd.DataFrame:
    """The model's latest snapshot read straight from the workspace table (no product code)."""
    import duckdb

    con = duckdb.connect(str(folder / "workspace.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT account_id, score, band, as_of FROM health_scores WHERE model = ? "
            "AND as_of = (SELECT max(as_of) FROM health_scores WHERE model = ?) "
            "ORDER BY account_id",
            [model, model],
        ).df()
    finally:
        con.close()


def _readers_agree(folder: Path, model: str) -> int:
    from cxpulse.cli.app import app as cli
    from cxpulse.demo import DEMO_PASSWORD
    from cxpulse.web import create_app

    want = _stored(folder, model)
    assert len(want) > 20
    as_of = pd.Timestamp(want["as_of"].iloc[0]).date()
    app = create_app(folder)
    with TestClient(app) as client:
        sign_in(client, "admin@example.com", DEMO_PASSWORD)
        health = client.get("/api/v1/health").json()
        assert (health["model"], health["as_of"]) == (model, as_of.isoformat())
        listed = client.get("/api/v1/health/at-risk?risk=all&limit=100000").json()
        assert listed["model"] == model and listed["total"] == len(want)
        api_list = {a["account_id"]: a for a in listed["accounts"]}
        page = client.get("/health?risk=all&lang=en").text
        assert f'data-model="{model}"' in page
        on_page = dict(
            re.findall(r'<tr data-account="([^"]+)">.*?data-score="([^"]+)"', page, re.S)
        )
        export = pd.read_csv(
            io.BytesIO(client.get("/health/at-risk.csv?risk=all").content), encoding="utf-8-sig"
        )
        export["account_id"] = export["account_id"].astype(str)
        assert set(export["model"]) == {model} and set(export["as_of"]) == {as_of.isoformat()}
        by_export = export.set_index("account_id")
        for row in want.itertuples(index=False):
            acc, score, band = str(row.account_id), float(row.score), str(row.band)
            profile = client.get(f"/api/v1/accounts/{acc}").json()
            assert (profile["score"], profile["band"], profile["model"]) == (score, band, model)
            assert profile["as_of"] == as_of.isoformat() and profile["reference"] is not None
            html = client.get(f"/accounts/{acc}?lang=en").text
            assert f'data-score="{score}"' in html and f'data-model="{model}"' in html
            assert f"band-{band}" in html.split('id="account-score"')[1][:400]
            assert (api_list[acc]["score"], api_list[acc]["band"]) == (score, band)
            if acc in on_page:  # the page lists the first 100 rows
                assert float(on_page[acc]) == score
            assert (by_export.loc[acc, "score"], by_export.loc[acc, "band"]) == (score, band)
            result = CliRunner().invoke(
                cli, ["health", "explain", acc, "-p", str(folder), "--lang", "en"]
            )
            assert result.exit_code == 0, result.output
            band_word = {"red": "Red", "yellow": "Yellow", "green": "Green"}[band]
            assert result.output.startswith(f"{acc}: health {score:.0f} of 100, band {band_word}")
            assert f"model {model}" in result.output and as_of.isoformat() in result.output
        assert len(on_page) == min(len(want), 100)
    return len(want)


def test_every_reader_shows_the_active_model_score(demo: Path) -> None:
    from cxpulse.cli.app import app as cli

    # [health] model = "expert" in the demo's cxpulse.toml: the expert score everywhere
    assert _readers_agree(demo, "expert") > 20
    # an admin promotes the learned model: every reader switches to it
    result = CliRunner().invoke(cli, ["health", "promote", "logistic", "-p", str(demo)])
    assert result.exit_code == 0, result.output
    assert _readers_agree(demo, "logistic") > 20
    # `health score` scores with the active model too
    result = CliRunner().invoke(
        cli, ["health", "score", "--as-of", TODAY.isoformat(), "-p", str(demo), "--lang", "en"]
    )
    assert result.exit_code == 0 and "with model logistic" in result.output
    result = CliRunner().invoke(cli, ["health", "promote", "--clear", "-p", str(demo)])
    assert result.exit_code == 0 and "expert" in result.output
