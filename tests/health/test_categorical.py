"""Categorical signals: levels case-insensitive, rare ones grouped, unseen ones reported;
expert points per level; one-hot columns ``<signal>=<level>`` for learned models, with the
levels stored in the model file; the bank data's Geography through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.errors import ConfigError
from cxpulse.health.categories import CategoryLevels
from cxpulse.health.config import parse_health_config
from cxpulse.health.models import ExpertModel, LearnedModel, make_model
from tests.health.bank_sample import bank_sample_with_signals

runner = CliRunner()


def _signal(**extra: object) -> dict[str, object]:
    return {"name": "plan", "family": "financial", "source": "accounts.plan", **extra}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"type": "categorical"}, "no points per level"),
        ({"type": "categorical", "points": {"monthly": 70}}, "between -50 and 50"),
        ({"type": "categorical", "points": {"Annual": 5, " annual": 3}}, "are the same"),
        ({"type": "categorical", "points": {"a": 1}, "bad": 0, "good": 1}, "no bad/good"),
        ({"points": {"a": 1}, "bad": 0, "good": 1}, "'points' is for categorical"),
        ({"type": "categorical", "source": "accounts.plan=annual", "points": {"a": 1}}, "text"),
        ({}, "needs 'bad' and 'good'"),
    ],
)
def test_invalid_categorical_signals_say_what_to_set(extra: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_health_config({"signals": [_signal(**extra)]})


def test_levels_are_case_insensitive_rare_ones_grouped_unseen_ones_reported() -> None:
    train = pd.Series(["Annual"] * 30 + [" annual"] * 10 + ["MONTHLY"] * 25 + ["weekly"] * 3)
    lv = CategoryLevels.learn("plan", train, min_count=5)
    assert lv.levels == ("annual", "monthly") and lv.counts == (40, 25)
    assert lv.rare == ("weekly",)
    assert lv.columns == ("plan=annual", "plan=monthly", "plan=other")
    new = pd.Series(["daily", "Weekly", None, "ANNUAL"])
    assert lv.encode(new).to_numpy().tolist() == [
        [0, 0, 1],  # unseen -> other
        [0, 0, 1],  # rare in training -> other
        [0, 0, 0],  # missing sets nothing
        [1, 0, 0],
    ]
    assert lv.unseen(new) == {"daily": 1}  # rare levels were seen: not reported
    # a share threshold too: 25 of 68 rows is below 40 %
    assert CategoryLevels.learn("plan", train, min_count=1, min_share=0.4).levels == ("annual",)


def test_expert_points_per_level_and_missing_when_unlisted() -> None:
    cfg = parse_health_config(
        {
            "signals": [
                _signal(type="categorical", points={"Monthly": -10, "annual": 5}),
                _signal(
                    name="seg",
                    source="accounts.segment",
                    type="categorical",
                    points={"smb": -20, "other": 10},
                ),
            ]
        }
    )
    X = pd.DataFrame(
        {"plan": ["monthly", " ANNUAL", "weekly", None], "seg": ["SMB", "ent", None, "x"]}
    )
    model = ExpertModel(cfg.signals).fit(X)
    scores = model.signal_scores(X)
    assert scores["plan"].tolist()[:2] == [40.0, 55.0] and scores["plan"][2:].isna().all()
    assert scores["seg"].tolist()[:2] == [30.0, 60.0] and np.isnan(scores["seg"][2])
    # weighted mean over the signals present: (40 + 30) / 2, (55 + 60) / 2, 60
    assert model.score_points(X).round(6).tolist() == [35.0, 57.5, 50.0, 60.0]
    # levels without points of their own are reported (scored as "other" or left out)
    assert model.unseen_levels(X) == {"plan": {"weekly": 1}, "seg": {"ent": 1, "x": 1}}


def test_learned_model_one_hot_columns_groups_and_merged_contributions() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    plan = rng.choice(
        ["Annual", "monthly", "MONTHLY", "weekly", "x"], n, p=[0.5, 0.2, 0.2, 0.098, 0.002]
    )
    usage = rng.normal(size=n)
    risk = 1 / (1 + np.exp(-(-1.0 + 1.5 * (np.char.lower(plan) == "monthly") - usage)))
    good = (rng.random(n) > risk).astype(int)
    X = pd.DataFrame({"usage": usage, "plan": plan.astype(object)})
    for kind in ("logistic", "lightgbm"):
        cats = {"plan": {"min_count": 10, "min_share": 0.005}}
        model = make_model(kind, (), categories=cats).fit(X, good)
        assert isinstance(model, LearnedModel)
        assert model.levels_["plan"].levels == ("annual", "monthly", "weekly")
        assert model.levels_["plan"].rare == ("x",)
        assert model.feature_groups_["plan"] == ["plan=annual", "plan=monthly", "plan=weekly",
                                                 "plan=other"]  # fmt: skip
        assert "plan=monthly" in model.weights_.index
        encoded = model.encoded_log_odds_contributions(X.head(50))
        merged = model.log_odds_contributions(X.head(50))
        cols = model.feature_groups_["plan"]
        assert np.allclose(encoded[cols].sum(axis=1), merged["plan"])
        points = model.contributions(X.head(50))
        assert list(points.columns) == ["usage", "plan"]
        assert np.allclose(
            points.sum(axis=1), model.score_points(X.head(50)) - model.reference_score()
        )
        # monthly accounts are riskier: their plan pushes the score down
        monthly = X.head(200)["plan"].str.lower() == "monthly"
        assert (model.contributions(X.head(200))["plan"][monthly] < 0).all()
        assert model.unseen_levels(pd.DataFrame({"usage": [0.0], "plan": ["Daily"]})) == {
            "plan": {"daily": 1}
        }
    # unpenalised and uncalibrated, the logistic model is scikit-learn's on the dummies
    dummies = pd.get_dummies(pd.Series(plan).str.lower()).astype(float)
    design = pd.concat([X[["usage"]], dummies], axis=1)
    ref = LogisticRegression(C=1e4, max_iter=5000).fit(design, good)
    ours = make_model("logistic", (), C=1e4, calibration="none", transform="none").fit(X, good)
    gap = np.abs(ours.predict_proba(X)[:, 1] - ref.predict_proba(design)[:, 1])
    common = X["plan"].str.lower() != "x"  # a level of 4 rows: its weight is barely identified
    assert gap[common.to_numpy()].max() < 2e-3, gap.max()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


SIGNALS = """
[health]
outcome = "churn"
horizon_days = 90
model = "logistic"

[[health.signals]]
name = "age"
family = "market"
source = "accounts_snapshots.age"
direction = "lower_is_better"
weight = 1
bad = 60
good = 30

[[health.signals]]
name = "is_active_member"
family = "relationship"
source = "accounts_snapshots.is_active_member"
weight = 1
bad = 0
good = 1

[[health.signals]]
name = "geography"
family = "market"
source = "accounts_snapshots.segment"
type = "categorical"
weight = 1

[health.signals.points]
Germany = -20
france = 5
SPAIN = 5

"""


@pytest.fixture(scope="module")
def bank(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bank_sample_with_signals(tmp_path_factory.mktemp("bankcat"), shared_data, SIGNALS)


def test_geography_through_the_cli_fit_evaluate_score(bank: Path, shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "bank_churn.csv", dtype={"CustomerId": str})
    geo = raw["Geography"].str.strip().str.lower()
    doc = json.loads(_run("health", "fit", "-p", str(bank), "--format", "json"))
    counts = geo.value_counts()
    assert doc["levels"]["geography"]["levels"] == {k: int(v) for k, v in counts.items()}
    assert doc["levels"]["geography"]["rare"] == []
    assert {"geography=germany", "geography=france", "geography=spain"} <= set(doc["weights"])
    assert doc["weights"]["geography=germany"] < 0  # Germans leave more often
    text = _run("health", "fit", "-p", str(bank))
    assert "Levels of geography: france (5,014), germany (2,509), spain (2,477)" in text

    # held out: ours against scikit-learn on the same accounts, with Geography one-hot
    ev = json.loads(
        _run("health", "evaluate", "--holdout", "0.3", "-p", str(bank), "--format", "json")
    )
    got = {m["model"]: m for m in ev["models"]}
    raw = raw.sort_values("CustomerId").reset_index(drop=True)
    bad = raw["Exited"].to_numpy()
    train_ids, _ = train_test_split(
        raw["CustomerId"].to_numpy(), test_size=0.3, stratify=bad, random_state=0
    )
    tr = raw["CustomerId"].isin(train_ids).to_numpy()
    Xr = pd.concat(
        [raw[["Age", "IsActiveMember"]], pd.get_dummies(raw["Geography"]).astype(float)], axis=1
    )
    plain = LogisticRegression(max_iter=2000).fit(Xr[tr], bad[tr])
    baseline = roc_auc_score(bad[~tr], plain.predict_proba(Xr[~tr])[:, 1])
    assert got["logistic"]["roc_auc"] >= baseline - 0.01, (got["logistic"], baseline)
    without = LogisticRegression(max_iter=2000).fit(Xr[tr][["Age", "IsActiveMember"]], bad[tr])
    auc_without = roc_auc_score(
        bad[~tr], without.predict_proba(Xr[~tr][["Age", "IsActiveMember"]])[:, 1]
    )
    assert got["logistic"]["roc_auc"] > auc_without  # the category carries information

    # the expert reads the points per level whatever their case
    _run("health", "score", "-p", str(bank), "--as-of", "2019-01-02", "-m", "expert")
    from cxpulse.health.scoring import latest_scores
    from cxpulse.workspace import Workspace

    with Workspace.open(bank) as ws:
        scores = latest_scores(ws, "expert").set_index("account_id")
    geo_points = (
        raw.set_index("CustomerId")["Geography"]
        .str.lower()
        .map({"germany": -20.0, "france": 5.0, "spain": 5.0})
    )
    age = raw.set_index("CustomerId")["Age"]
    active = raw.set_index("CustomerId")["IsActiveMember"]
    expected = (((60 - age) / 30).clip(0, 1) * 100 + active * 100 + 50 + geo_points) / 3
    assert np.allclose(scores["score"], expected.reindex(scores.index).round(2), atol=0.006)
    row = scores.loc[raw.loc[raw["Geography"] == "Germany", "CustomerId"].iloc[0]]
    drivers = json.loads(row["explanation"])["drivers"]
    assert ["geography", round(-20 / 3, 2), "germany"] in [d[:3] for d in drivers]


def test_unseen_level_at_scoring_is_reported(bank: Path) -> None:
    from cxpulse.workspace import Workspace

    _run("health", "fit", "-p", str(bank), "-m", "lightgbm")
    with Workspace.open(bank) as ws:
        ws.con.raw_sql(
            "UPDATE accounts_snapshots SET segment = ' Italy' WHERE account_id IN "
            "(SELECT account_id FROM accounts_snapshots ORDER BY account_id LIMIT 3)"
        )
    out = _run("health", "score", "-p", str(bank), "--as-of", "2019-01-02", "-m", "lightgbm")
    assert "geography: 3 accounts with levels not seen in training (italy 3)" in out
    saved_levels = (
        __import__("cxpulse.health", fromlist=["load_model"])
        .load_model(bank, "lightgbm")
        .model.levels_["geography"]
    )
    assert saved_levels.levels == ("france", "germany", "spain")  # stored in the model file


def test_signals_pickled_before_categories_existed_load_as_numeric() -> None:
    from cxpulse.health.config import Signal

    sig = Signal(name="a", family="product", source="usage_frequency", bad=0, good=1)
    state = sig.__getstate__()
    state["__dict__"] = {
        k: v
        for k, v in state["__dict__"].items()
        if k not in ("type", "points", "min_count", "min_share")
    }
    old = Signal.__new__(Signal)
    old.__setstate__(state)  # what unpickling a model file of an earlier version does
    assert old.type == "numeric" and old.points is None and old == sig


def test_unseen_level_is_told_on_the_account_explanation_page_and_api(bank: Path) -> None:
    """An account whose level the model never saw is told so wherever its score is explained:
    `health explain`, the account page and `/api/v1/accounts/{id}`, in Spanish and English,
    and accounts with known levels get no such note."""
    from cxpulse.workspace import Workspace

    # the active model (logistic) not fitted yet: fitting another one still works and stores
    # only that one's report
    for old in (bank / "models").glob("health-logistic.*"):
        old.unlink()
    out = _run("health", "fit", "-p", str(bank), "-m", "lightgbm")
    assert "health-lightgbm.report.json" in out and "health-logistic.report" not in out
    with Workspace.open(bank) as ws:
        ws.con.raw_sql(
            "UPDATE accounts_snapshots SET segment = 'Portugal' WHERE account_id IN "
            "(SELECT account_id FROM accounts_snapshots ORDER BY account_id LIMIT 2)"
        )
        ids = [str(r[0]) for r in ws.con.raw_sql(
            "SELECT account_id FROM accounts_snapshots ORDER BY account_id LIMIT 3"
        ).fetchall()]  # fmt: skip
    _run("health", "score", "-p", str(bank), "--as-of", "2019-01-02", "-m", "lightgbm")
    text = " ".join(_run("health", "explain", ids[0], "-p", str(bank), "-m", "lightgbm").split())
    assert "the level “portugal” was not in the training data; it was scored as “other”" in text
    known = " ".join(_run("health", "explain", ids[2], "-p", str(bank), "-m", "lightgbm").split())
    assert "not in the training data" not in known
    toml = bank / "cxpulse.toml"
    before = toml.read_text(encoding="utf-8")
    toml.write_text(before.replace('model = "logistic"', 'model = "lightgbm"'), encoding="utf-8")
    try:
        _check_pages(bank, ids)
    finally:
        toml.write_text(before, encoding="utf-8")


def _check_pages(bank: Path, ids: list[str]) -> None:
    from fastapi.testclient import TestClient

    from cxpulse.web import create_app
    from tests.web.webdata import add_users, sign_in

    if not (bank / "cxpulse.sqlite").exists():
        add_users(bank)
    app = create_app(bank)
    es = sign_in(TestClient(app), "admin@example.com")  # Spanish user
    en = sign_in(TestClient(app), "agent@example.com")  # English user
    doc = es.get(f"/api/v1/accounts/{ids[0]}", params={"lang": "es"}).json()
    assert doc["model"] == "lightgbm"
    # the signal is named by the project ("geography"): its name is not translated
    assert doc["unseen"] == [
        "Geography: el nivel «portugal» no aparecía en los datos de entrenamiento; se puntuó "
        "como «otro». Reentrena el modelo (cxpulse health fit) para que lo aprenda."
    ], doc["unseen"]
    assert es.get(f"/api/v1/accounts/{ids[2]}", params={"lang": "es"}).json()["unseen"] == []
    page_es = es.get(f"/accounts/{ids[0]}").text
    assert "«portugal» no aparecía en los datos de entrenamiento" in page_es
    assert "not in the training data" not in page_es
    page_en = en.get(f"/accounts/{ids[0]}").text
    assert "the level “portugal” was not in the training data" in page_en
    assert "«portugal»" not in page_en
    assert "unseen-level" not in es.get(f"/accounts/{ids[2]}").text
