"""comment_analysis over a real workspace: stored results, aggregates checked against pandas."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from cxpulse.errors import CxpulseError, NotEnoughDataError
from cxpulse.text.analysis import COMMENT_THEMES, THEME_SUMMARY, comment_analysis

PRICE = [
    "El precio es demasiado caro",
    "Subieron el precio otra vez",
    "Muy caro para lo que ofrece",
    "The price is too high",
    "Too expensive, pricing went up again",
    "O preço está muito caro",
    "Achei o valor caro demais",
    "La tarifa mensual es muy costosa",
    "Precio excesivo, vamos a cancelar",
    "Expensive compared to competitors",
]
SUPPORT = [
    "El equipo de soporte es excelente y muy rápido",
    "Great support team, they answer fast",
    "O atendimento do suporte é ótimo",
    "Muy buena atención del soporte técnico",
    "Support solved my ticket in minutes",
    "Excelente atención del agente de soporte",
    "O suporte respondeu rápido e resolveu",
    "The support agent was friendly and helpful",
    "El soporte resolvió todo en una llamada",
    "Amazing customer support",
]


def _data() -> tuple[pd.DataFrame, pd.DataFrame]:
    accounts = pd.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(6)],
            "segment": ["SMB", "SMB", "SMB", "Enterprise", "Enterprise", "Enterprise"],
            "start_date": ["2024-01-01"] * 6,
        }
    )
    rows: list[dict[str, Any]] = []
    # Price comments mostly from detractors, support comments mostly from promoters.
    price_scores = [2, 3, 4, 1, 5, 6, 3, 8, 2, 9]
    support_scores = [10, 9, 9, 10, 7, 9, 10, 5, 9, 10]
    for i, (text, score) in enumerate(zip(PRICE, price_scores, strict=True)):
        rows.append(
            {
                "response_id": f"p{i}",
                "account_id": f"a{i % 6}",
                "kind": "nps",
                "score": score,
                "responded_at": f"2026-0{1 + i % 2}-1{i % 9}T10:00:00",
                "comment": text,
            }
        )
    for i, (text, score) in enumerate(zip(SUPPORT, support_scores, strict=True)):
        rows.append(
            {
                "response_id": f"s{i}",
                "account_id": f"a{(i + 3) % 6}",
                "kind": "nps",
                "score": score,
                "responded_at": f"2026-0{1 + i % 2}-2{i % 9}T10:00:00",
                "comment": text,
            }
        )
    # CSAT answers with the same comment as an NPS answer, and answers without comments.
    rows.append(
        {
            "response_id": "c0",
            "account_id": "a0",
            "kind": "csat",
            "score": 1,
            "responded_at": "2026-01-10T10:00:00",
            "comment": PRICE[0],
        }
    )
    rows.append(
        {
            "response_id": "c1",
            "account_id": "a3",
            "kind": "csat",
            "score": 5,
            "responded_at": "2026-01-20T10:00:00",
            "comment": SUPPORT[0],
        }
    )
    rows.append(
        {
            "response_id": "n0",
            "account_id": "a1",
            "kind": "nps",
            "score": 0,
            "responded_at": "2026-01-15T10:00:00",
            "comment": None,
        }
    )
    rows.append(
        {
            "response_id": "n1",
            "account_id": "a1",
            "kind": "nps",
            "score": 3,
            "responded_at": "2026-01-16T10:00:00",
            "comment": "   ",
        }
    )
    return accounts, pd.DataFrame(rows)


@pytest.fixture(params=["duckdb", "sqlite", "postgres"])
def loaded(request: pytest.FixtureRequest, workspace_factory: Any) -> Any:
    ws = workspace_factory(request.param)
    accounts, responses = _data()
    ws.load("accounts", accounts)
    ws.load("responses", responses)
    return ws


def _reference(ws: Any) -> pd.DataFrame:
    """Stored per-comment results joined to responses and accounts, in pandas."""
    ct = ws.table(COMMENT_THEMES).execute()
    responses = ws.table("responses").execute()
    accounts = ws.table("accounts").execute()[["account_id", "segment"]]
    return ct.merge(responses, on="response_id").merge(accounts, on="account_id")


def test_themes_are_found_and_stored(loaded: Any) -> None:
    result = comment_analysis(loaded, k=2, lang="en")
    assert result.n_comments == 22  # 20 NPS + 2 CSAT answers carry a non-blank comment
    assert set(result.themes["key"]) == {"price", "support"}
    assert set(result.themes["label"]) == {"Price", "Support"}
    stored = loaded.table(COMMENT_THEMES).execute()
    assert len(stored) == 22 and stored["response_id"].is_unique
    by_id = stored.set_index("response_id")
    price_theme = by_id.loc["p0", "theme_id"]
    assert (by_id.loc[[f"p{i}" for i in range(10)], "theme_id"] == price_theme).all()
    assert (by_id.loc[[f"s{i}" for i in range(10)], "theme_id"] != price_theme).all()
    summary = loaded.table(THEME_SUMMARY).execute()
    assert sorted(summary["size"]) == [10, 10]  # distinct comment texts per theme
    assert all(len(ex) == 3 for ex in result.themes["examples"])
    # Complaints about price are negative on average, praise of support positive.
    mean = result.themes.set_index("key")["mean_sentiment"]
    assert mean["price"] < 0 < mean["support"]


def test_sentiment_by_segment_and_month_matches_pandas(loaded: Any) -> None:
    result = comment_analysis(loaded, by="segment", grain="month", k=2)
    ref = _reference(loaded)
    ref["period"] = pd.to_datetime(ref["responded_at"]).dt.to_period("M").dt.start_time
    expected = (
        ref.groupby(["segment", "period"])
        .agg(
            n=("sentiment_score", "size"),
            mean=("sentiment_score", "mean"),
            neg=("sentiment_label", lambda s: 100 * (s == "negative").mean()),
        )
        .reset_index()
    )
    got = result.sentiment.copy()
    got["period"] = pd.to_datetime(got["period"])
    merged = expected.merge(got, on=["segment", "period"], how="outer", validate="1:1")
    assert len(merged) == 4  # 2 segments x 2 months
    assert (merged["n_x"] == merged["n_y"]).all()
    assert np.allclose(merged["mean"], merged["mean_sentiment"])
    assert np.allclose(merged["neg"], merged["pct_negative"])
    # Theme shares within each group add up to 100 %.
    shares = result.themes_by.groupby(["segment", "period"])["share"].sum()
    assert np.allclose(shares, 100.0)


def test_drivers_show_price_goes_with_detractors(loaded: Any) -> None:
    result = comment_analysis(loaded, k=2)
    nps = [d for d in result.drivers if d.kind == "nps"]
    assert nps[0].key == "price"  # largest difference first
    ref = _reference(loaded)
    ref = ref[ref["kind"] == "nps"]
    ref["detractor"] = ref["score"] <= 6
    for driver in nps:
        inside = ref["theme_id"] == driver.theme_id
        x1, n1 = int(ref.loc[inside, "detractor"].sum()), int(inside.sum())
        x2, n2 = int(ref.loc[~inside, "detractor"].sum()), int((~inside).sum())
        assert (driver.with_theme.n, driver.without_theme.n) == (n1, n2)
        assert math.isclose(driver.with_theme.value, x1 / n1)
        assert math.isclose(driver.difference, x1 / n1 - x2 / n2)
        # Wilson interval, written out independently.
        z = sps.norm.ppf(0.975)
        p = x1 / n1
        centre = (p + z * z / (2 * n1)) / (1 + z * z / n1)
        half = z * math.sqrt(p * (1 - p) / n1 + z * z / (4 * n1 * n1)) / (1 + z * z / n1)
        assert math.isclose(driver.with_theme.ci_low, centre - half, abs_tol=1e-9)
        assert math.isclose(driver.with_theme.ci_high, centre + half, abs_tol=1e-9)
        # Small groups (n < 30 or an expected cell under 5) get Fisher's exact test, others the
        # pooled two-proportion z test.
        cells = [[x1, n1 - x1], [x2, n2 - x2]]
        n = n1 + n2
        expected = [r * c / n for r in (n1, n2) for c in (x1 + x2, n - x1 - x2)]
        if min(n1, n2) < 30 or min(expected) < 5:
            p_ref = sps.fisher_exact(cells).pvalue
            assert "fisher" in driver.comparison.method.lower()
        else:
            pooled = (x1 + x2) / n
            zstat = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
            p_ref = 2 * sps.norm.sf(abs(zstat))
        assert math.isclose(driver.comparison.p_value, p_ref, rel_tol=1e-6)
    price = nps[0]
    assert price.with_theme.value == 0.8 and price.without_theme.value == 0.1  # 8/10 vs 1/10
    assert price.comparison.significant
    frame = result.drivers_frame()
    assert set(frame["kind"]) == {"nps", "csat"}


def test_date_range_limits_the_comments(loaded: Any) -> None:
    january = comment_analysis(loaded, start="2026-01-01", end="2026-01-31", k=2)
    ref = loaded.table("responses").execute()
    ref = ref[ref["comment"].fillna("").str.strip().ne("")]
    in_january = pd.to_datetime(ref["responded_at"]).dt.month == 1
    assert january.n_comments == int(in_january.sum())
    with pytest.raises(NotEnoughDataError, match="2027-01-01"):
        comment_analysis(loaded, start="2027-01-01", lang="en")


def test_unknown_dimension_is_refused(loaded: Any) -> None:
    with pytest.raises(CxpulseError, match="favourite_colour"):
        comment_analysis(loaded, by="favourite_colour")


def test_examples_by_segment_are_the_closest_comments_of_each_group(loaded: Any) -> None:
    result = comment_analysis(loaded, by="segment", k=2, examples=2)
    ref = _reference(loaded)
    got = result.examples_by
    assert set(got.columns) >= {"segment", "theme_id", "label", "comment"}
    for (segment, theme_id), part in got.groupby(["segment", "theme_id"]):
        members = ref[(ref["segment"] == segment) & (ref["theme_id"] == theme_id)]
        members = members.sort_values(["similarity", "response_id"], ascending=[False, True])
        expected = list(dict.fromkeys(members["comment"]))[:2]
        assert list(part["comment"]) == expected
    assert len(got.groupby(["segment", "theme_id"])) == len(ref.groupby(["segment", "theme_id"]))


def test_comments_without_language_clues_take_the_common_language(duck: Any) -> None:
    accounts = pd.DataFrame({"account_id": ["a"], "start_date": ["2025-01-01"]})
    texts = ["Não recebi o produto", "Chegou rápido, obrigado", "Ótimo atendimento", "OK", "10"]
    responses = pd.DataFrame(
        {
            "response_id": [f"r{i}" for i in range(5)],
            "account_id": "a",
            "kind": "csat",
            "score": [1, 5, 5, 4, 5],
            "responded_at": "2026-03-01",
            "comment": texts,
            "language": [None, None, "pt", None, None],
        }
    )
    duck.load("accounts", accounts)
    duck.load("responses", responses)
    comment_analysis(duck, k=1)
    stored = duck.table(COMMENT_THEMES).execute().set_index("response_id")
    assert (stored["language"] == "pt").all()
