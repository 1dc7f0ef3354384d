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
def test_explanations_add_up_and_state_the_re_scoring(
    bank_project: Path, shared_data: Path, kind: str
) -> None:
    """Through the CLI (fit, score) and the one account reader: the stated points add up to
    score - reference within 0.5 for every sampled account; each top reason's stated
    counterfactual ("with the typical value it would be N") is what re-scoring the account
    with that signal at the typical account's value gives, within 0.5 points; the points move
    the stated way. The typical account and the re-scored rows are built here from the CSV."""
    from cxpulse.health import account_score, load_model
    from cxpulse.workspace import Workspace

    _run("health", "fit", "-m", kind, "-p", str(bank_project))
    _run("health", "score", "-m", kind, "--as-of", "2019-01-02", "-p", str(bank_project))
    raw = pd.read_csv(shared_data / "bank_churn.csv", dtype={"CustomerId": str})
    X = _reference_features(raw).set_axis(raw["CustomerId"])
    model = load_model(bank_project, kind).model
    # the typical account: each signal at its median, a yes/no signal at its commoner value
    typical = pd.Series(
        {c: X[c].mode().min() if X[c].nunique() <= 2 else X[c].median() for c in X.columns}
    )
    np.testing.assert_allclose(model.reference_account().iloc[0][X.columns], typical)
    reference = float(model.score_points(typical.to_frame().T[list(X.columns)])[0])
    sample = X.sample(100, random_state=0)
    score = model.score_points(sample)
    points = model.contributions(sample)
    assert np.abs(points.sum(axis=1).to_numpy() - (score - reference)).max() <= 0.5
    stated_ok = sign_ok = close = n = 0
    with Workspace.open(bank_project) as ws:
        for i, account in enumerate(sample.index):
            got = account_score(ws, str(account), model=kind, lang="en")
            assert got is not None and got.model == kind
            assert got.score == pytest.approx(score[i], abs=0.01)
            assert got.reference == pytest.approx(reference, abs=0.01)
            top = sorted(got.drivers, key=lambda d: -abs(d.points))[:3]
            for d in top:
                assert d.points == pytest.approx(points.loc[account, d.signal], abs=0.01)
                what_if = sample.loc[[account]].assign(**{d.signal: typical[d.signal]})
                rescored = float(model.score_points(what_if)[0])
                assert d.reference_value == pytest.approx(typical[d.signal])
                n += 1
                stated_ok += abs(rescored - (d.score_at_reference or np.nan)) <= 0.5
                moved = score[i] - rescored
                sign_ok += np.sign(moved) == np.sign(d.points) or abs(moved) < 0.5
                close += abs(moved - d.points) <= max(0.1 * abs(d.points), 0.5)
        assert n >= 250 and stated_ok == n  # every stated counterfactual is the re-scoring
        assert sign_ok / n >= 0.95, sign_ok / n
        # additive points cannot each equal a one-signal re-scoring when signals interact
        # through the calibration curve (docs/health.md); the share is reported, not hidden
        print(f"{kind}: {close / n:.0%} of {n} top-3 points within 10 % of re-scoring")
        # the riskiest account keeps strong reasons: its top points are large
        worst = X.index[int(np.argmin(model.score_points(X)))]
        strongest = model.contributions(X.loc[[worst]]).abs().to_numpy().max()
        assert strongest >= 20, strongest
    text = _run("health", "explain", str(X.index[0]), "-m", kind, "-p", str(bank_project))
    flat = " ".join(text.split())
    assert f"most common value): {reference:.0f}" in flat
    assert "as in the typical account, it would be" in flat
