"""A backtest of a signal on a dated attribute uses the value known at each as-of date.

Two snapshots of the same accounts, on 2024-01-01 and 2024-06-01, with the attribute ``risk``
flipped between them; the accounts at risk in January churn in February and March. A backtest
as of 2024-01-02 that reads the January value ranks the churners first (ROC AUC 1); one that
read today's (June) value would rank them last (ROC AUC 0). Reading ``accounts.risk`` (the
latest value) in a backtest is refused with what to write instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.health import compute_features
from cxpulse.health.config import Signal
from cxpulse.workspace import Workspace

runner = CliRunner()
TOML = """name = "Snapshots"
[locale]
language = "en"

[tables.accounts.attributes]
risk = "int"

[health]
outcome = "churn"
horizon_days = 90

[[health.signals]]
name = "risk"
family = "relationship"
source = "{source}"
direction = "lower_is_better"
lookback_days = 400
weight = 1
bad = 1
good = 0
"""


def _write(folder: Path) -> dict[str, Path]:
    ids = [f"a{i:02d}" for i in range(40)]
    at_risk = set(ids[:20])
    files = {
        "2024-01-01": pd.DataFrame(
            {
                "account_id": ids,
                "start_date": "2023-01-01",
                "risk": [int(a in at_risk) for a in ids],
            }
        ),
        "2024-06-01": pd.DataFrame(
            {
                "account_id": ids,
                "start_date": "2023-01-01",
                "risk": [int(a not in at_risk) for a in ids],
            }
        ),
    }
    paths = {}
    for day, frame in files.items():
        paths[day] = folder / f"accounts-{day}.csv"
        frame.to_csv(paths[day], index=False)
    outcomes = pd.DataFrame(
        {
            "account_id": ids,
            "outcome": ["churn" if a in at_risk else "renewal" for a in ids],
            "occurred_at": [
                f"2024-02-{2 + i % 20:02d}" if a in at_risk else "2024-03-15"
                for i, a in enumerate(ids)
            ],
        }
    )
    paths["outcomes"] = folder / "outcomes.csv"
    outcomes.to_csv(paths["outcomes"], index=False)
    return paths


def _project(tmp_path: Path, source: str) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "cxpulse.toml").write_text(TOML.format(source=source), encoding="utf-8")
    paths = _write(tmp_path)
    for day in ("2024-01-01", "2024-06-01"):
        done = runner.invoke(
            app, ["load", "accounts", str(paths[day]), "-p", str(folder), "--snapshot-date", day]
        )
        assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["load", "outcomes", str(paths["outcomes"]), "-p", str(folder)])
    assert done.exit_code == 0, done.output
    return folder


def test_backtest_reads_the_value_known_at_the_as_of_date(tmp_path: Path) -> None:
    folder = _project(tmp_path, "accounts_snapshots.risk")
    january = pd.read_csv(tmp_path / "accounts-2024-01-01.csv").set_index("account_id").risk
    june = pd.read_csv(tmp_path / "accounts-2024-06-01.csv").set_index("account_id").risk
    signal = Signal(
        name="risk",
        family="relationship",
        source="accounts_snapshots.risk",
        lookback_days=400,
        bad=1,
        good=0,
        direction="lower_is_better",
    )
    with Workspace.open(folder) as ws:
        as_of_january = compute_features(ws, "2024-01-02", [signal])["risk"]
        on_june_first = compute_features(ws, "2024-06-01", [signal])["risk"]  # strictly before
        after_june = compute_features(ws, "2024-06-02", [signal])["risk"]
        today = ws.table("accounts").execute().set_index("account_id").risk
    assert len(as_of_january) == 40
    assert (as_of_january == january.reindex(as_of_january.index)).all()
    # the churners have left by June: the 20 accounts still live
    assert len(on_june_first) == len(after_june) == 20
    assert (on_june_first == january.reindex(on_june_first.index)).all()  # strictly before
    assert (after_june == june.reindex(after_june.index)).all()
    assert (today == june.reindex(today.index)).all()  # the accounts table holds the latest

    done = runner.invoke(
        app, ["health", "evaluate", "-p", str(folder), "--as-of", "2024-01-02", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    expert = next(m for m in json.loads(done.output)["models"] if m["model"] == "expert")
    assert expert["roc_auc"] == pytest.approx(1.0)  # the June value would give 0.0


def test_a_backtest_on_the_latest_value_of_a_dated_attribute_is_refused(tmp_path: Path) -> None:
    folder = _project(tmp_path, "accounts.risk")
    for command in (["health", "evaluate"], ["health", "fit"]):
        done = runner.invoke(app, [*command, "-p", str(folder), "--as-of", "2024-01-02"])
        assert done.exit_code != 0
        assert "Traceback" not in done.output
        assert "accounts_snapshots.risk" in done.output and "future" in done.output
    # scoring today with the latest value is what the user asked for: not refused
    with Workspace.open(folder) as ws:
        now = compute_features(
            ws,
            "2024-07-01",
            [Signal(name="r", family="market", source="accounts.risk", bad=0, good=1)],
        )
    june = pd.read_csv(tmp_path / "accounts-2024-06-01.csv").set_index("account_id").risk
    assert len(now) == 20 and (now["r"] == june.reindex(now.index)).all()
