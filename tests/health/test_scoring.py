"""Score snapshots, history, band changes and plain-word explanations."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from health_synthetic import insert

from cxpulse.health import (
    SCORES_TABLE,
    ExpertModel,
    band_changes,
    explain_account,
    latest_scores,
    parse_health_config,
    playbook_text,
    score_accounts,
    score_history,
)
from cxpulse.health.config import Bands, Signal
from cxpulse.health.scoring import NoScoresError, write_scores
from cxpulse.locale import gettext

NPS = Signal(name="nps", family="relationship", source="latest_nps", bad=0, good=10, weight=1)


def _accounts(ws, ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    insert(ws, "accounts", pd.DataFrame({"account_id": ids, "start_date": dt.date(2024, 1, 1)}))


def _nps(ws, rows: list[tuple[str, int, str]]) -> None:  # type: ignore[no-untyped-def]
    insert(
        ws,
        "responses",
        pd.DataFrame(
            {
                "response_id": [f"{a}-{d}" for a, _, d in rows],
                "account_id": [a for a, _, _ in rows],
                "kind": "nps",
                "score": [s for _, s, _ in rows],
                "responded_at": pd.to_datetime([d for _, _, d in rows]),
            }
        ),
    )


@pytest.fixture
def nps_ws(workspace):  # type: ignore[no-untyped-def]
    """Three accounts whose latest NPS moves them across bands month to month."""
    _accounts(workspace, ["a", "b", "c"])
    _nps(
        workspace,
        [
            ("a", 9, "2024-03-10"),
            ("b", 5, "2024-03-10"),
            ("c", 2, "2024-03-10"),
            ("a", 3, "2024-04-10"),
            ("b", 8, "2024-04-10"),
        ],
    )
    return workspace


def test_snapshots_history_and_band_changes_on_every_backend(nps_ws) -> None:  # type: ignore[no-untyped-def]
    model = ExpertModel(signals=(NPS,)).fit(pd.DataFrame({"nps": [1.0]}))
    march = score_accounts(nps_ws, model, "2024-04-01", signals=(NPS,))
    assert march.set_index("account_id")["score"].to_dict() == {"a": 90.0, "b": 50.0, "c": 20.0}
    assert march.set_index("account_id")["band"].to_dict() == {
        "a": "green",
        "b": "yellow",
        "c": "red",
    }
    score_accounts(nps_ws, model, "2024-05-01", signals=(NPS,))
    score_accounts(nps_ws, model, "2024-05-01", signals=(NPS,))  # a rerun replaces, not adds
    assert nps_ws.table(SCORES_TABLE).count().execute() == 6
    hist = score_history(nps_ws, "a")
    assert hist["score"].tolist() == [90.0, 30.0]
    assert [pd.Timestamp(d).date() for d in hist["as_of"]] == [
        dt.date(2024, 4, 1),
        dt.date(2024, 5, 1),
    ]
    changes = band_changes(nps_ws)
    got = {(c.account_id, c.from_band, c.to_band, c.score_before, c.score_after) for c in changes}
    assert got == {("a", "green", "red", 90.0, 30.0), ("b", "yellow", "green", 50.0, 80.0)}
    drop = next(c for c in changes if c.account_id == "a")
    assert drop.into_red and drop.is_drop and drop.at == dt.date(2024, 5, 1)
    assert not next(c for c in changes if c.account_id == "b").is_drop
    assert band_changes(nps_ws, since="2024-05-02") == []
    latest = latest_scores(nps_ws).set_index("account_id")
    assert latest["score"].to_dict() == {"a": 30.0, "b": 80.0, "c": 20.0}


def test_explanations_in_spanish_and_english(duck) -> None:  # type: ignore[no-untyped-def]
    _accounts(duck, ["a"])
    _nps(duck, [("a", 9, "2024-03-10"), ("a", 3, "2024-04-10")])
    # the helpdesk is loaded (one resolved ticket long ago): no open ticket means 0, not missing
    insert(
        duck,
        "tickets",
        pd.DataFrame(
            {
                "ticket_id": ["t1"],
                "account_id": ["a"],
                "opened_at": pd.to_datetime(["2024-01-05"]),
                "resolved_at": pd.to_datetime(["2024-01-06"]),
                "priority": ["low"],
                "status": ["resolved"],
            }
        ),
    )
    tickets = Signal(
        name="open_important_tickets",
        family="service",
        source="open_important_tickets",
        bad=3,
        good=0,
        direction="lower_is_better",
        weight=1,
    )
    sigs = (NPS, tickets)
    model = ExpertModel(signals=sigs).fit(
        pd.DataFrame({"nps": [1.0], "open_important_tickets": [0]})
    )
    score_accounts(duck, model, "2024-04-01", signals=sigs)
    score_accounts(duck, model, "2024-05-01", signals=sigs)
    en = explain_account(duck, "a", lang="en")
    assert en.score == 65.0 and en.band == "yellow" and en.previous_score == 95.0
    assert en.lines[0] == "a: health 65 of 100, band Yellow (model expert, as of 2024-05-01)."
    assert en.lines[1] == "Down 30 points since 2024-04-01."
    assert en.reference == 50.0
    assert "Against a neutral account: 50" in en.text
    # the one-signal counterfactual: tickets at the neutral value (halfway, 1.5) gives 65 - 25
    assert (
        "Open important tickets pushes the score up (0; +25.0 points). "
        "With 1.50, halfway between bad and good, it would be 40." in en.lines
    )
    assert en.playbook == gettext("health.playbook.yellow", "en")
    es = explain_account(duck, "a", lang="es")
    assert es.lines[1] == "Baja 30 puntos desde 2024-04-01."
    assert any(line.startswith("Nps baja el puntaje (3;") for line in es.lines)
    assert es.text.endswith(gettext("health.playbook.yellow", "es"))
    old = explain_account(duck, "a", as_of="2024-04-15", lang="en")
    assert old.score == 95.0 and old.lines[1] == "First score for this account."
    with pytest.raises(NoScoresError, match="no stored health score"):
        explain_account(duck, "zzz")


def test_explanation_json_lists_drivers_and_missing_signals(duck) -> None:  # type: ignore[no-untyped-def]
    _accounts(duck, ["a", "b"])
    _nps(duck, [("a", 7, "2024-03-10")])
    model = ExpertModel(signals=(NPS,)).fit(pd.DataFrame({"nps": [1.0]}))
    frame = score_accounts(duck, model, "2024-04-01", signals=(NPS,), write=False)
    doc = {r.account_id: json.loads(r.explanation) for r in frame.itertuples()}
    # [signal, points, value, neutral value, score with the neutral value]: 70 - 20 = 50
    assert doc["a"] == {
        "drivers": [["nps", 20.0, 7.0, 5.0, 50.0]],
        "missing": [],
        "reference": 50.0,
    }
    assert doc["b"] == {"drivers": [], "missing": ["nps"], "reference": 50.0}
    assert SCORES_TABLE not in duck.con.list_tables()  # write=False stores nothing


def test_bands_and_playbooks_are_configurable() -> None:
    cfg = parse_health_config(
        {
            "bands": {"red_below": 30, "green_from": 80},
            "playbooks": {"red": {"es": "Llamar hoy.", "en": "Call today."}},
        }
    )
    assert [cfg.bands.band_for(s) for s in (29.9, 30, 79.9, 80)] == [
        "red",
        "yellow",
        "yellow",
        "green",
    ]
    assert playbook_text("red", "es", cfg) == "Llamar hoy."
    assert playbook_text("yellow", "en", cfg) == gettext("health.playbook.yellow", "en")
    assert Bands().band_for(39.99) == "red" and Bands().band_for(70) == "green"


def test_band_changes_without_snapshots_is_empty_and_history_says_what_to_do(duck) -> None:  # type: ignore[no-untyped-def]
    assert band_changes(duck) == []
    with pytest.raises(NoScoresError, match="cxpulse health score"):
        score_history(duck, "a")


def test_write_scores_replaces_only_the_same_date_and_model(duck) -> None:  # type: ignore[no-untyped-def]
    def frame(day: str, model: str, score: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "account_id": ["a"],
                "as_of": [dt.date.fromisoformat(day)],
                "score": [score],
                "band": ["green"],
                "model": [model],
                "explanation": ["{}"],
            }
        )

    write_scores(duck, frame("2024-01-01", "expert", 80.0))
    write_scores(duck, frame("2024-01-01", "logistic", 81.0))
    write_scores(duck, frame("2024-02-01", "expert", 82.0))
    write_scores(duck, frame("2024-01-01", "expert", 85.0))
    got = duck.table(SCORES_TABLE).order_by(["as_of", "model"]).execute()
    assert got["score"].tolist() == [85.0, 81.0, 82.0]
    assert np.all(got["account_id"] == "a")


def test_explanation_records_match_a_plain_python_reading() -> None:
    from cxpulse.health.explain import MIN_POINTS, explanation_records

    rng = np.random.default_rng(4)
    names = [f"s{i}" for i in range(9)]
    points = pd.DataFrame(rng.normal(size=(500, 9)) * 5, columns=names)
    points.iloc[::4] *= 0.01  # rows whose drivers are all below the noise floor
    values = pd.DataFrame(rng.normal(size=(500, 9)) * 100, columns=names)
    values[values > 120] = np.nan
    docs = explanation_records(points, values, top=4)
    for i, doc in enumerate(docs):
        p, v = points.iloc[i].to_numpy(), values.iloc[i].to_numpy()
        # biggest |points| (to the cent) first; ties by name (no sizes given)
        order = np.lexsort((np.arange(9), -np.round(np.abs(p), 2)))[:4]
        want = {
            "drivers": [
                [
                    names[j],
                    round(float(p[j]), 2),
                    None if np.isnan(v[j]) else round(float(v[j]), 4),
                    None,  # no reference account given
                    None,
                ]
                for j in order
                if abs(p[j]) >= MIN_POINTS
            ],
            "missing": [names[j] for j in range(9) if np.isnan(v[j])],
        }
        assert json.loads(doc) == want
    assert explanation_records(points.iloc[:0], values.iloc[:0]) == []
