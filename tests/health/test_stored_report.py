"""The model report stored beside the model: written by ``cxpulse health fit`` on the bank churn
sample, shown by ``cxpulse health report`` without recomputing, stale once the model, the data
or the ``[health]`` settings change, recomputed by ``--refresh`` and by the ``model_report``
job."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sklearn.model_selection import train_test_split
from typer.testing import CliRunner

from cxpulse.cli import app
from tests.health.bank_sample import BANK_SIGNALS, bank_sample_with_signals

runner = CliRunner()

SIGNALS = (
    """
[health]
outcome = "churn"
horizon_days = 90
model = "lightgbm"

"""
    + BANK_SIGNALS
    + """
"""
)


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _json(*args: str) -> dict[str, Any]:
    return json.loads(_run(*args, "--format", "json"))  # type: ignore[no-any-return]


def _timed(*args: str) -> tuple[dict[str, Any], float]:
    started = time.perf_counter()
    doc = _json(*args)
    return doc, time.perf_counter() - started


@pytest.fixture
def bank(shared_data: Path, tmp_path: Path) -> Path:
    return bank_sample_with_signals(tmp_path, shared_data, SIGNALS)


class Counted:
    """Wraps the function that computes report figures and counts the calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import cxpulse.health.stored_report as stored

        self.calls = 0
        real = stored.model_reports

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(stored, "model_reports", counted)


def test_fit_stores_the_report_and_report_shows_it_without_recomputing(
    bank: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = Counted(monkeypatch)
    fit = _json("health", "fit", "-p", str(bank))
    assert counted.calls == 1
    path = bank / "models" / "health-lightgbm.report.json"
    assert fit["reports"]["lightgbm"]["path"] == str(path)
    assert (bank / "models" / "health-lightgbm.joblib").exists() and path.exists()
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk["computed_at"] == fit["reports"]["lightgbm"]["computed_at"]

    shown, show_seconds = _timed("health", "report", "-p", str(bank))
    again, _ = _timed("health", "report", "-p", str(bank))
    assert counted.calls == 1  # shown from the file, nothing computed
    assert shown == again and shown["stored"]["computed_at"] == on_disk["computed_at"]
    assert shown["stored"]["stale"] is False and shown["stored"]["stale_because"] == []
    assert {k: v for k, v in shown.items() if k != "stored"} == on_disk["report"]

    # the figures, checked against the CSV: a snapshot is evaluated on 30 % of the accounts
    # held out, stratified by the outcome, with the seed 0 (independent split here)
    raw = pd.read_csv(shared_data / "bank_churn.csv", dtype={"CustomerId": str})
    raw = raw.sort_values("CustomerId").reset_index(drop=True)
    _, held_out = train_test_split(
        raw["CustomerId"].to_numpy(), test_size=0.3, stratify=raw["Exited"], random_state=0
    )
    held = raw[raw["CustomerId"].isin(held_out)]
    evaluation = shown["evaluation"]
    assert evaluation["method"] == "holdout" and evaluation["seed"] == 0
    models = {m["model"]: m for m in evaluation["models"]}
    assert set(models) == {"expert", "logistic", "lightgbm"}
    assert models["lightgbm"]["n"] == len(held)
    assert models["lightgbm"]["bad_rate"] == pytest.approx(held["Exited"].mean())
    assert shown["training"]["n"] == len(raw)
    assert shown["training"]["positives"] == int(raw["Exited"].sum())
    assert sum(d["n"] for d in shown["lift_by_decile"]) == len(held)

    refreshed, refresh_seconds = _timed("health", "report", "--refresh", "-p", str(bank))
    assert counted.calls == 2
    assert refreshed["stored"]["computed_at"] >= shown["stored"]["computed_at"]
    assert json.loads(path.read_text(encoding="utf-8"))["seconds"] == refreshed["stored"]["seconds"]
    # the same figures, and showing them is far cheaper than computing them
    for before, after in zip(
        shown["evaluation"]["models"], refreshed["evaluation"]["models"], strict=True
    ):
        assert before["n"] == after["n"]
        assert before["roc_auc"] == pytest.approx(after["roc_auc"], abs=1e-9)
    assert refresh_seconds > 3 * show_seconds, (refresh_seconds, show_seconds)

    text = _run("health", "report", "-p", str(bank))
    assert "up to date" in text and "Report computed on" in text
    text = _run("health", "report", "-p", str(bank), "--lang", "es")
    assert "está al día" in text and "Informe calculado el" in text
    assert counted.calls == 2


def test_report_goes_stale_after_a_refit_new_data_or_new_settings(bank: Path) -> None:
    p = str(bank)
    _run("health", "fit", "-p", p)
    assert _json("health", "report", "-p", p)["stored"]["stale"] is False

    # a refit without the report: the stored one describes the model before
    _run("health", "fit", "--no-report", "--set", "num_leaves=7", "-p", p)
    doc = _json("health", "report", "-p", p)
    assert doc["stored"]["stale_because"] == ["model"]
    assert doc["training"]["settings"]["num_leaves"] == 15  # the stored figures, as stored
    text = _run("health", "report", "-p", p)
    assert "out of date: a model was refitted" in " ".join(text.split())
    assert "desactualizado: un modelo se volvió a ajustar" in " ".join(
        _run("health", "report", "-p", p, "--lang", "es").split()
    )
    fresh = _json("health", "report", "--refresh", "-p", p)
    assert fresh["stored"]["stale"] is False
    assert fresh["training"]["settings"]["num_leaves"] == 7

    # new data with as many rows as before: values replaced by key
    from cxpulse.workspace import Workspace

    with Workspace.open(bank) as ws:
        rows = ws.table("outcomes").limit(20).execute()
    rows["value"] = 1.0
    changed = bank / "outcome-values.csv"
    rows.to_csv(changed, index=False)
    _run("load", "outcomes", str(changed), "-p", p)
    with Workspace.open(bank) as ws:
        assert ws.count("outcomes") == 10_000
    assert _json("health", "report", "-p", p)["stored"]["stale_because"] == ["data"]
    _run("health", "report", "--refresh", "-p", p)

    # the [health] settings changed
    toml = bank / "cxpulse.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("bad = 60", "bad = 65", 1), encoding="utf-8"
    )
    assert _json("health", "report", "-p", p)["stored"]["stale_because"] == ["settings"]


def test_the_refresh_job_recomputes_the_stored_report(bank: Path) -> None:
    from cxpulse.jobs import history, run_job
    from cxpulse.workspace import Workspace

    p = str(bank)
    _run("health", "fit", "--no-report", "-p", p)
    path = bank / "models" / "health-lightgbm.report.json"
    assert not path.exists()
    outcome = run_job("model_report", bank)
    assert outcome.ran and outcome.outcome == "ok", outcome.error
    with Workspace.open(bank) as ws:
        url = ws.config.store_url()
    (run,) = history(url, "model_report")
    assert run.outcome == "ok" and run.details and run.details["model"] == "lightgbm"
    doc = _json("health", "report", "-p", p)
    assert doc["stored"]["computed_at"] == run.details["computed_at"]
    assert doc["stored"]["stale"] is False and run.rows == 3000
    # without a stored report the command computes and stores one, saying so
    path.unlink()
    text = _run("health", "report", "-p", p)
    assert "No stored report of model LightGBM: computing it now" in " ".join(text.split())
    assert path.exists() and "up to date" in text


def test_other_holdout_options_are_another_report_kept_by_later_fits(
    bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = str(bank)
    _run("health", "fit", "--no-report", "-p", p)
    counted = Counted(monkeypatch)
    doc = _json("health", "report", "--holdout", "0.2", "--seed", "1", "-p", p)
    assert counted.calls == 1
    assert doc["evaluation"]["test_size"] == 0.2 and doc["evaluation"]["seed"] == 1
    assert doc["stored"]["options"] == {"holdout": 0.2, "seed": 1}
    assert {m["n"] for m in doc["evaluation"]["models"]} == {2000}  # 20 % of 10,000 accounts
    assert _json("health", "report", "-p", p)["stored"] == doc["stored"]  # shown as stored
    assert counted.calls == 1
    _run("health", "fit", "-p", p)  # recomputes with the stored options
    assert counted.calls == 2
    again = _json("health", "report", "-p", p)
    assert again["stored"]["options"] == {"holdout": 0.2, "seed": 1}
    assert again["evaluation"]["seed"] == 1 and not again["stored"]["stale"]


@pytest.mark.parametrize("backend", ["duckdb", "sqlite", "postgres"])
def test_the_data_fingerprint_sees_replaced_values_where_the_engine_hashes(
    backend: str, workspace_factory: Any
) -> None:
    from cxpulse.health.stored_report import data_stamp

    ws = workspace_factory(backend)
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "name": ["Acme", "Globex"],
            "start_date": pd.to_datetime(["2024-01-01", "2024-02-01"]).date,
        }
    )
    ws.load("accounts", accounts)
    first = data_stamp(ws)
    assert first["accounts"][0] == 2 and first == data_stamp(ws)  # stable while nothing changes
    ws.load("accounts", accounts.assign(name=["Acme Corp", "Globex"]))  # same rows, new value
    second = data_stamp(ws)
    assert second["accounts"][0] == 2
    if backend == "sqlite":  # no hash function in SQLite: only added or removed rows show
        assert first["accounts"][1] is None and second == first
    else:
        assert second["accounts"] != first["accounts"]
    ws.load("accounts", pd.concat([accounts, accounts.head(1).assign(account_id="A3")]))
    assert data_stamp(ws)["accounts"][0] == 3
