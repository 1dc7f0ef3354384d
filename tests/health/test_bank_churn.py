"""Real data: the public bank churn snapshot, fitted and evaluated on a held-out split.

Published work on this data reports a ROC AUC of about 0.84-0.87 for gradient boosting and
lower for a linear model. The floors below are what this implementation measured (see the
figures in benchmarks/health/README.md), minus a small margin for the split.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from cxpulse.datasets import bank_churn_tables
from cxpulse.health import (
    ExpertModel,
    LearnedModel,
    compute_features,
    compute_labels,
    evaluate_holdout,
)
from cxpulse.health.config import Signal

AS_OF = "2019-01-02"  # the day after the snapshot: its rows are strictly before the as-of date


def _signal(
    name: str, family: str, source: str, bad: float = 0, good: float = 1, weight: float = 1
) -> Signal:
    direction = "higher_is_better" if good > bad else "lower_is_better"
    return Signal(
        name=name,
        family=family,
        source=source,
        bad=bad,
        good=good,
        direction=direction,
        weight=weight,
    )


SIGNALS = (
    _signal("credit_score", "financial", "bank_features.credit_score", 400, 800, 0.5),
    _signal("balance", "financial", "bank_features.balance", 150_000, 0, 1),
    _signal("estimated_salary", "financial", "bank_features.estimated_salary", 0, 200_000, 0.2),
    _signal("num_of_products", "product", "bank_features.num_of_products", 4, 1, 0.5),
    _signal("two_products", "product", "bank_features.num_of_products=2", 0, 1, 2),
    _signal("has_cr_card", "product", "bank_features.has_cr_card", 0, 1, 0.2),
    _signal("is_active_member", "relationship", "bank_features.is_active_member", 0, 1, 2),
    _signal("tenure", "relationship", "bank_features.tenure", 0, 10, 0.3),
    _signal("age", "market", "bank_features.age", 60, 30, 2),
    _signal("female", "market", "bank_features.gender=Female", 1, 0, 0.5),
    _signal("germany", "market", "accounts.country=DE", 1, 0, 1),
)


@pytest.fixture(scope="module")
def bank(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from cxpulse.workspace import Workspace

    tables = bank_churn_tables(shared_data / "bank_churn.csv")
    ws = Workspace.connect(f"duckdb:///{tmp_path_factory.mktemp('bank') / 'ws.duckdb'}")
    ws.load("accounts", tables["accounts"])
    ws.load("outcomes", tables["outcomes"])
    ws.write_table("bank_features", tables["bank_features"])
    X = compute_features(ws, AS_OF, SIGNALS)
    y = compute_labels(ws, AS_OF, 90, "churn")
    yield X, y
    ws.close()


def test_bank_snapshot_maps_into_features_and_labels(bank) -> None:  # type: ignore[no-untyped-def]
    X, y = bank
    # outcomes are spread over the 90 days after the snapshot; those dated on the as-of day
    # (CustomerId mod 90 == 0) are no longer customers at the as-of date
    assert 9900 < len(X) <= 10_000 and list(X.index) == list(y.index)
    assert X.notna().all().all()
    assert 0.19 < 1 - y.mean() < 0.215  # the file's exit rate is 20.4%
    assert X["germany"].mean() == pytest.approx(0.25, abs=0.01)


def test_logistic_and_lightgbm_reach_the_published_range(bank) -> None:  # type: ignore[no-untyped-def]
    X, y = bank
    models = {
        "expert": ExpertModel(SIGNALS),
        "logistic": LearnedModel("logistic"),
        "lightgbm": LearnedModel("lightgbm"),
    }
    aucs: dict[str, list[float]] = {name: [] for name in models}
    for seed in (0, 1, 2):
        report = evaluate_holdout(X, y, models, test_size=0.3, random_state=seed)
        for m in report.models:
            preds = report.predictions[report.predictions["model"] == m.model]
            assert m.roc_auc == pytest.approx(roc_auc_score(preds["good"], preds["p"]))
            aucs[m.model].append(m.roc_auc)
    mean = {name: float(np.mean(v)) for name, v in aucs.items()}
    # measured over these three splits (mean, min-max): LightGBM 0.851 (0.846-0.859),
    # logistic 0.828 (0.821-0.836, linear terms on a signed-log scale + two indicators),
    # expert 0.797 (0.795-0.801, weights written by hand)
    assert mean["lightgbm"] >= 0.84
    assert mean["logistic"] >= 0.81
    assert mean["expert"] >= 0.78
    assert mean["lightgbm"] > mean["logistic"] > mean["expert"]
