"""``health fit --tune``: a seeded search whose folds respect time and accounts; the chosen
settings are stored in the model file and shown; ``evaluate --tune`` compares tuned and
untuned models on the same held-out accounts (tuned on the training accounts only)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.errors import ConfigError
from cxpulse.health.tuning import cv_folds, parse_budget, tune
from tests.health.bank_sample import BANK_SIGNALS, bank_sample_with_signals

runner = CliRunner()


def _history(n_accounts: int = 120, dates: int = 8) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(1)
    stamps = pd.date_range("2024-01-01", periods=dates, freq="MS")
    idx = pd.MultiIndex.from_product(
        [stamps, [f"A{i:03d}" for i in range(n_accounts)]], names=["as_of", "account_id"]
    )
    X = pd.DataFrame({"usage": rng.normal(size=len(idx))}, index=idx)
    y = (rng.random(len(idx)) > 1 / (1 + np.exp(-1.5 * X["usage"] + 1))).astype(int)
    return X, y.to_numpy()


def test_time_folds_train_only_on_dates_whose_horizon_closed_before() -> None:
    X, y = _history()
    kind, folds = cv_folds(X.index, y, folds=3, horizon_days=90, seed=0)
    assert kind == "time" and len(folds) == 3
    stamps = X.index.get_level_values("as_of")
    for tr, te in folds:
        (test_date,) = set(stamps[te])
        assert stamps[tr].max() <= test_date - pd.Timedelta(days=90)


def test_snapshot_folds_keep_each_account_on_one_side() -> None:
    X, y = _history(dates=1)
    X = X.droplevel("as_of")
    kind, folds = cv_folds(X.index, y, folds=4, horizon_days=90, seed=0)
    assert kind == "grouped" and len(folds) == 4
    accounts = np.asarray(X.index)
    for tr, te in folds:
        assert not set(accounts[tr]) & set(accounts[te])
        assert abs(y[te].mean() - y.mean()) < 0.1  # stratified


def test_search_is_reproducible_and_never_worse_than_the_defaults() -> None:
    X, y = _history(dates=1)
    X = X.droplevel("as_of")
    a = tune(X, y, "lightgbm", trials=6, budget_seconds=None, seed=3)
    b = tune(X, y, "lightgbm", trials=6, budget_seconds=None, seed=3)
    assert a.params == b.params and a.best_score == b.best_score
    assert a.trials == 6 and a.best_score >= a.default_score
    assert set(a.params) >= {"num_leaves", "learning_rate", "n_estimators", "min_child_samples"}
    c = tune(X, y, "logistic", trials=4, budget_seconds=None, seed=3)
    assert set(c.params) == {"C"}


def test_budget_syntax() -> None:
    assert parse_budget("60s") == 60 and parse_budget("2m") == 120 and parse_budget(5) == 5
    with pytest.raises(ConfigError, match="budget 'soon'"):
        parse_budget("soon")


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


SIGNALS = (
    """
[health]
outcome = "churn"
horizon_days = 90

[health.model]
name = "lightgbm"

[health.model.logistic]
C = 0.5

"""
    + BANK_SIGNALS
    + """
[[health.signals]]
name = "geography"
family = "market"
source = "accounts_snapshots.segment"
type = "categorical"
weight = 0

"""
)


@pytest.fixture(scope="module")
def bank(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bank_sample_with_signals(tmp_path_factory.mktemp("banktune"), shared_data, SIGNALS)


def test_fit_tune_stores_and_shows_the_chosen_settings(bank: Path) -> None:
    from cxpulse.health import load_model

    doc = json.loads(
        _run("health", "fit", "--tune", "--trials", "5", "-p", str(bank), "--format", "json")
    )
    tuning = doc["tuning"]
    assert tuning["cv"] == "grouped" and tuning["folds"] == 4 and tuning["trials"] == 5
    assert tuning["cv_roc_auc"] >= tuning["default_cv_roc_auc"] > 0.8
    saved = load_model(bank, "lightgbm")
    assert saved.info["tuning"] == tuning  # stored in the model file
    for key, value in tuning["params"].items():
        assert doc["settings"][key] == value  # fitted with the chosen settings
        assert saved.model.get_params()[key] == value
    report = _run("health", "report", "-p", str(bank))
    assert "Tuned with 5 trials" in report
    # the logistic C from [health.model.logistic], and from the command line
    fit = json.loads(_run("health", "fit", "-m", "logistic", "-p", str(bank), "--format", "json"))
    assert fit["settings"]["C"] == 0.5
    cli = _run(
        "health", "fit", "-m", "logistic", "--set", "C=2", "-p", str(bank), "--format", "json"
    )
    assert json.loads(cli)["settings"]["C"] == 2


def test_evaluate_tune_compares_on_the_same_held_out_accounts(bank: Path) -> None:
    args = ["health", "evaluate", "--holdout", "0.3", "--tune", "--trials", "5"]
    doc = json.loads(_run(*args, "-p", str(bank), "--format", "json"))
    got = {m["model"]: m for m in doc["models"]}
    assert {"lightgbm", "lightgbm_tuned", "logistic", "logistic_tuned"} <= set(got)
    assert got["lightgbm_tuned"]["n"] == got["lightgbm"]["n"] == 3000
    assert got["lightgbm_tuned"]["bad_rate"] == got["lightgbm"]["bad_rate"]
    # tuned on the 7,000 training accounts only: the search never saw the held-out ones
    assert doc["tuning"]["lightgbm_tuned"]["trials"] == 5
    assert abs(got["lightgbm_tuned"]["roc_auc"] - got["lightgbm"]["roc_auc"]) < 0.02
    assert got["lightgbm_tuned"]["roc_auc"] > got["logistic"]["roc_auc"]
