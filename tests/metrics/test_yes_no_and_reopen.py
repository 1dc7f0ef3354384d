"""Yes/no satisfaction and the reopen rate through the path a user takes: a file with sí/no
answers (read options map them to 1/0) and a Zendesk export with Reopens, loaded with the
CLI and measured with ``cxpulse metrics show``, against a plain pandas count of the files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from cxpulse.cli.app import app

runner = CliRunner()
ZENDESK = Path(__file__).parents[1] / "schema" / "presets" / "zendesk.csv"


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CXPULSE_WORKSPACE_URL", raising=False)
    monkeypatch.setenv("CXPULSE_LANG", "en")
    assert runner.invoke(app, ["init", str(tmp_path / "p")]).exit_code == 0
    return tmp_path / "p"


def test_yes_no_answers_from_a_si_no_file_give_the_share_of_yes(project: Path) -> None:
    rng = np.random.default_rng(5)
    n = 57
    answers = pd.DataFrame(
        {
            "id": [f"q{i}" for i in range(n)],
            "cliente": rng.choice(["a1", "a2", "a3"], n),
            "fecha": pd.date_range("2026-03-01", periods=n, freq="13h").strftime("%Y-%m-%d %H:%M"),
            "¿Resolvimos tu problema?": rng.choice(["sí", "no"], n, p=[0.65, 0.35]),
        }
    )
    path = project / "resuelto.csv"
    answers.to_csv(path, index=False)
    (project / "cxpulse.toml").write_text(
        (project / "cxpulse.toml").read_text("utf-8")
        + """
[tables.responses.columns]
id = "response_id"
cliente = "account_id"
fecha = "responded_at"
"¿Resolvimos tu problema?" = "score"
[tables.responses.constants]
kind = "yes_no"
[tables.responses.values.score]
"sí" = "1"
"no" = "0"
""",
        "utf-8",
    )
    _run("load", "responses", str(path), "-p", str(project))
    got = json.loads(_run("metrics", "show", "yes_no_rate", "--format", "json", "-p", str(project)))
    yes = int((answers["¿Resolvimos tu problema?"] == "sí").sum())
    (row,) = got
    assert row["n"] == n and row["successes"] == yes
    assert row["value"] == pytest.approx(100 * yes / n, abs=1e-9)
    # n >= 30 and more than 5 of each answer: the Wilson interval, computed here by hand
    z = stats.norm.ppf(0.975)
    p = yes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert row["ci_low"] == pytest.approx(100 * (centre - half), rel=1e-9)
    assert row["ci_high"] == pytest.approx(100 * (centre + half), rel=1e-9)
    assert row["method"] == "wilson score"
    by_month = json.loads(
        _run(
            "metrics",
            "show",
            "yes_no_rate",
            "--grain",
            "month",
            "--format",
            "json",
            "-p",
            str(project),
        )
    )
    month = pd.to_datetime(answers.fecha).dt.to_period("M").astype(str)
    want = (
        answers.assign(m=month)
        .groupby("m")["¿Resolvimos tu problema?"]
        .agg(lambda s: 100 * (s == "sí").mean())
    )
    assert {r["period"][:7]: r["value"] for r in by_month} == pytest.approx(want.to_dict())


def test_a_yes_no_score_other_than_0_or_1_is_refused_with_row_and_column(
    project: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "response_id,account_id,kind,score,responded_at\n"
        "r1,a1,yes_no,1,2026-01-01\nr2,a1,yes_no,2,2026-01-02\n",
        "utf-8",
    )
    result = runner.invoke(app, ["load", "responses", str(path), "-p", str(project)])
    assert result.exit_code != 0
    assert (
        "score" in result.output
        and "yes_no" in result.output
        and "Traceback" not in (result.output)
    )


def test_reopen_rate_from_a_zendesk_export_with_reopens(project: Path) -> None:
    sample = pd.read_csv(ZENDESK, dtype=str)
    rows = []
    rng = np.random.default_rng(8)
    statuses = rng.choice(["Solved", "Closed", "Open", "Pending"], 40, p=[0.5, 0.2, 0.2, 0.1])
    for i, status in enumerate(statuses):
        row = sample.iloc[i % len(sample)].copy()
        row["Id"], row["Status"] = str(500 + i), status
        row["Solved at"] = row["Created at"] if status in ("Solved", "Closed") else ""
        rows.append(row)
    export = pd.DataFrame(rows)
    export["Reopens"] = rng.poisson(0.4, len(export))
    path = project / "zendesk_metrics.csv"
    export.to_csv(path, index=False)
    _run(
        "load",
        "tickets",
        str(path),
        "--preset",
        "zendesk",
        "--map",
        "Reopens=reopen_count",
        "-p",
        str(project),
    )
    (row,) = json.loads(
        _run("metrics", "show", "reopen_rate", "--format", "json", "-p", str(project))
    )
    resolved = export[export.Status.isin(["Solved", "Closed"])]
    assert row["n"] == len(resolved)
    assert row["successes"] == int((resolved.Reopens >= 1).sum())
    assert row["value"] == pytest.approx(100 * (resolved.Reopens >= 1).mean(), abs=1e-9)
    assert row["ci_low"] <= row["value"] <= row["ci_high"]
