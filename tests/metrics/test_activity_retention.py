"""Activity retention on the demo company's usage events, loaded with the CLI like a user's
files and checked against an independent pandas cohort grid. (None of the shared real data
sets has product usage events, so the demo generator's are the realistic input here.)"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli.app import app
from cxpulse.datasets.demo import generate_demo

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _grid(usage: pd.DataFrame, accounts: pd.DataFrame, by: str | None) -> pd.DataFrame:
    t = pd.to_datetime(usage.occurred_at)
    u = usage.assign(m=t.dt.year * 12 + t.dt.month - 1)
    last = int(u.m.max())
    first = u.groupby("account_id").m.min().rename("cohort").reset_index()
    first = first.merge(accounts[["account_id", "segment"]], on="account_id", how="left")
    active = u[["account_id", "m"]].drop_duplicates()
    rows = []
    groups = first.groupby(["cohort", *([by] if by else [])], dropna=False)
    for key, members in groups:
        cohort = int(key[0])
        for k in range(min(24, last - cohort) + 1):
            hit = active[(active.m == cohort + k) & active.account_id.isin(members.account_id)]
            rows.append(
                {
                    "period": f"{cohort // 12:04d}-{cohort % 12 + 1:02d}-01",
                    **({by: key[1]} if by else {}),
                    "months_since_first_activity": k,
                    "value": 100 * len(hit) / len(members),
                    "n": len(members),
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    root = tmp_path_factory.mktemp("activity")
    files = generate_demo(
        root / "files", accounts=150, responses=300, usage_events=15_000, progress=False
    )
    project = root / "project"
    assert runner.invoke(app, ["init", str(project)]).exit_code == 0
    for table in ("accounts", "usage_events"):
        _run("load", table, str(files.tables[table]), "-p", str(project))
    usage = pd.read_parquet(files.tables["usage_events"])
    accounts = pd.read_parquet(files.tables["accounts"])
    return project, usage, accounts


@pytest.mark.parametrize("by", [None, "segment"])
def test_activity_retention_grid_matches_pandas_on_the_demo_usage(demo, by) -> None:  # type: ignore[no-untyped-def]
    project, usage, accounts = demo
    args = ["metrics", "show", "activity_retention", "--format", "json", "-p", str(project)]
    got = pd.DataFrame(json.loads(_run(*args, *(["--by", by] if by else []))))
    want = _grid(usage, accounts, by)
    keys = ["period", *([by] if by else []), "months_since_first_activity"]
    assert len(got) == len(want) > 24
    merged = want.merge(got, on=keys, suffixes=("_want", ""), how="left", validate="1:1")
    assert merged["value"].notna().all()
    assert (merged["n"] == merged["n_want"]).all()
    pd.testing.assert_series_equal(
        merged["value"], merged["value_want"], check_names=False, rtol=1e-9
    )
    assert (merged.loc[merged.months_since_first_activity == 0, "value"] == 100).all()
    assert (merged["ci_low"] <= merged["value"] + 1e-9).all()
    assert (merged["value"] <= merged["ci_high"] + 1e-9).all()


def test_activity_retention_refuses_a_split_by_an_event_column(demo) -> None:  # type: ignore[no-untyped-def]
    project, _, _ = demo
    args = ["metrics", "show", "activity_retention", "--by", "feature", "-p", str(project)]
    said = {}
    for lang in ("es", "en"):
        result = runner.invoke(app, args, env={"CXPULSE_LANG": lang, "COLUMNS": "300"})
        assert result.exit_code == 2 and "Traceback" not in result.output
        said[lang] = " ".join(result.output.split())
    assert (
        "activity_retention sigue a cada cliente desde su primera actividad, así que solo se "
        "puede desglosar por columnas de la cuenta, no por feature (una columna de cada fila "
        "de usage_events)." in said["es"]
    )
    assert "follows each customer" not in said["es"]
    assert "follows each customer from the first activity on" in said["en"]
