"""The bank churn snapshot entirely through the CLI: load with attributes, fit, evaluate.

The held-out split, the features and a plain LightGBM with its default settings are computed
here from the raw CSV (pandas + scikit-learn + lightgbm), independently of cxpulse, and the
product's figures from ``cxpulse health evaluate --holdout 0.3 --seed N --format json`` must be
at least as good on the same accounts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from typer.testing import CliRunner

from cxpulse.cli import app

runner = CliRunner()

SIGNALS = """
[health]
outcome = "churn"
horizon_days = 90
model = "lightgbm"

[[health.signals]]
name = "credit_score"
family = "financial"
source = "accounts_snapshots.credit_score"
weight = 0.5
bad = 400
good = 800

[[health.signals]]
name = "balance"
family = "financial"
source = "accounts_snapshots.balance"
direction = "lower_is_better"
weight = 1
bad = 150000
good = 0

[[health.signals]]
name = "estimated_salary"
family = "financial"
source = "accounts_snapshots.estimated_salary"
weight = 0.2
bad = 0
good = 200000

[[health.signals]]
name = "num_of_products"
family = "product"
source = "accounts_snapshots.num_of_products"
direction = "lower_is_better"
weight = 0.5
bad = 4
good = 1

[[health.signals]]
name = "two_products"
family = "product"
source = "accounts_snapshots.num_of_products=2"
weight = 2
bad = 0
good = 1

[[health.signals]]
name = "has_cr_card"
family = "product"
source = "accounts_snapshots.has_cr_card"
weight = 0.2
bad = 0
good = 1

[[health.signals]]
name = "is_active_member"
family = "relationship"
source = "accounts_snapshots.is_active_member"
weight = 2
bad = 0
good = 1

[[health.signals]]
name = "tenure"
family = "relationship"
source = "accounts_snapshots.tenure"
weight = 0.3
bad = 0
good = 10

[[health.signals]]
name = "age"
family = "market"
source = "accounts_snapshots.age"
direction = "lower_is_better"
weight = 2
bad = 60
good = 30

[[health.signals]]
name = "female"
family = "market"
source = "accounts_snapshots.gender=female"
direction = "lower_is_better"
weight = 0.5
bad = 1
good = 0

[[health.signals]]
name = "germany"
family = "market"
source = "accounts_snapshots.segment=Germany"
direction = "lower_is_better"
weight = 1
bad = 1
good = 0

"""


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def bank_project(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    csv = str(shared_data / "bank_churn.csv")
    project = tmp_path_factory.mktemp("bank") / "proj"
    _run("init", str(project), "--language", "en")
    _run(
        "load", "accounts", csv, "-p", str(project),
        "--map", "CustomerId=account_id", "--map", "Surname=name",
        "--map", "Geography=segment", "--constant", "start_date=2018-12-31",
        "--keep-extra", "--exclude", "Exited", "--exclude", "RowNumber",
        "--snapshot-date", "2019-01-01",
    )  # fmt: skip
    _run(
        "load", "outcomes", csv, "-p", str(project),
        "--map", "CustomerId=account_id", "--map", "Exited=outcome",
        "--value", "outcome:1=churn", "--value", "outcome:0=renewal",
        "--constant", "occurred_at=2019-03-31",
    )  # fmt: skip
    toml = project / "cxpulse.toml"
    text = toml.read_text(encoding="utf-8")
    start, end = text.index("[health]"), text.index("[loop]")
    toml.write_text(text[:start] + SIGNALS + text[end:], encoding="utf-8")
    return project


def _reference_features(raw: pd.DataFrame) -> pd.DataFrame:
    """The signals of SIGNALS computed straight from the CSV."""
    return pd.DataFrame(
        {
            "credit_score": raw["CreditScore"],
            "balance": raw["Balance"],
            "estimated_salary": raw["EstimatedSalary"],
            "num_of_products": raw["NumOfProducts"],
            "two_products": (raw["NumOfProducts"] == 2).astype(float),
            "has_cr_card": raw["HasCrCard"],
            "is_active_member": raw["IsActiveMember"],
            "tenure": raw["Tenure"],
            "age": raw["Age"],
            "female": (raw["Gender"].str.lower() == "female").astype(float),
            "germany": (raw["Geography"] == "Germany").astype(float),
        }
    ).astype("float64")


def test_fit_reports_the_snapshot_it_learned_from(bank_project: Path, shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "bank_churn.csv")
    out = _run("health", "fit", "-p", str(bank_project), "--format", "json")
    doc = json.loads(out)
    assert doc["model"] == "lightgbm" and doc["shape"] == "snapshot"
    assert doc["as_of_dates"] == ["2019-01-02"]  # the day after the snapshot
    assert doc["n"] == len(raw) and doc["positives"] == int(raw["Exited"].sum())
    assert doc["base_rate"] == pytest.approx(raw["Exited"].mean())
    assert doc["settings"]["num_leaves"] == 15 and doc["no_data"] == []
    text = _run("health", "fit", "-p", str(bank_project))
    assert "Trained on 10,000 rows, 2,037 with the bad outcome (20.4%)" in text


def test_holdout_beats_plain_lightgbm_and_is_calibrated(
    bank_project: Path, shared_data: Path
) -> None:
    from lightgbm import LGBMClassifier

    raw = pd.read_csv(shared_data / "bank_churn.csv", dtype={"CustomerId": str})
    raw = raw.sort_values("CustomerId").reset_index(drop=True)
    X = _reference_features(raw)
    bad = raw["Exited"].to_numpy()
    for seed in (0, 1, 2):
        args = ["health", "evaluate", "--holdout", "0.3", "--seed", str(seed)]
        doc = json.loads(_run(*args, "-p", str(bank_project), "--format", "json"))
        assert doc["method"] == "holdout" and doc["as_of_dates"] == ["2019-01-02"]
        got = {m["model"]: m for m in doc["models"]}
        assert set(got) == {"expert", "logistic", "lightgbm"}
        # the same accounts held out, stratified by the outcome (independent split)
        train_ids, _ = train_test_split(
            raw["CustomerId"].to_numpy(), test_size=0.3, stratify=bad, random_state=seed
        )
        train = raw["CustomerId"].isin(train_ids).to_numpy()
        plain = LGBMClassifier(verbose=-1).fit(X[train], 1 - bad[train])
        baseline = roc_auc_score(1 - bad[~train], plain.predict_proba(X[~train])[:, 1])
        ours = got["lightgbm"]
        assert ours["n"] == int((~train).sum())
        assert ours["bad_rate"] == pytest.approx(bad[~train].mean())
        assert ours["roc_auc"] >= baseline, (seed, ours["roc_auc"], baseline)
        assert ours["ece"] <= 0.03, (seed, ours["ece"])
        assert got["logistic"]["roc_auc"] > got["expert"]["roc_auc"] > 0.75
        red = ours["bands"]["red"]
        assert red["share"] >= 0.10 and red["ratio"] >= 2.0
    assert np.isfinite(baseline)


@pytest.mark.parametrize("kind", ["lightgbm", "logistic"])
def test_explanation_points_add_up_and_follow_re_scoring(bank_project: Path, kind: str) -> None:
    """Stated points add up to score - reference; re-scoring with a top reason's signal
    replaced by the values other accounts have (averaged on the model's log-odds, then through
    the calibration) moves the score the stated way: sign always, size within 10% at the
    median. Per account the additive points and a one-signal counterfactual differ by the
    curvature of the calibrated score (see docs/health.md)."""
    from cxpulse.health import compute_features, load_model
    from cxpulse.workspace import Workspace

    _run("health", "fit", "-m", kind, "-p", str(bank_project))
    saved = load_model(bank_project, kind)
    model = saved.model
    with Workspace.open(bank_project) as ws:
        X = compute_features(ws, "2019-01-02", saved.signals)
    sample = X.sample(100, random_state=0)
    points = model.contributions(sample)
    score = model.score_points(sample)
    reference = model.reference_score()
    assert np.abs(points.sum(axis=1).to_numpy() - (score - reference)).max() <= 0.5
    # the riskiest accounts keep strong reasons (the secant does not vanish at extremes)
    worst = X.loc[[X.index[int(np.argmin(model.score_points(X)))]]]
    assert np.abs(model.contributions(worst).to_numpy()).max() >= 5
    background = X.sample(300, random_state=1)
    ratios = []
    for i, (account, row) in enumerate(sample.iterrows()):
        top = points.loc[account].abs().idxmax()
        stated = float(points.loc[account, top])
        if abs(stated) < 1:
            continue
        # the signal replaced by the values other accounts have (its reference distribution)
        what_if = pd.DataFrame([row] * len(background), columns=X.columns)
        what_if[top] = background[top].to_numpy()
        without = model.score_from_log_odds([model.log_odds(what_if).mean()])[0]
        moved = float(score[i] - without)
        assert np.sign(moved) == np.sign(stated), (account, top, moved, stated)
        ratios.append(moved / stated)
    assert len(ratios) >= 80
    assert 0.9 <= float(np.median(ratios)) <= 1.1, np.percentile(ratios, [10, 50, 90])
