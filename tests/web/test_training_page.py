"""The training board: a complete glossary in both languages."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cxpulse.web.training import POINTS, board, glossary

REQUIRED_TERMS = {
    "customer_centricity",
    "empathy",
    "nps",
    "loyalty",
    "journey_map",
    "customer_service",
    "csat",
    "personalisation",
    "customer_experience",
    "human_centred_innovation",
    "ces",
    "feedback",
    "customer_journey",
    "collaboration",
    "retention_churn",
    "differentiation",
}


def test_glossary_covers_every_term_once_per_cell() -> None:
    g = glossary()
    assert {t.id for t in g.terms} == REQUIRED_TERMS
    assert [c.id for c in g.categories] == ["customer", "culture", "metrics", "processes"]
    for lang in ("es", "en"):
        b = board(lang)
        for column in b.categories:
            assert [t.points for t in column.tiles] == list(POINTS)
            assert all(t.clue and t.answer for t in column.tiles)


def test_answers_are_phrased_as_questions_in_each_language() -> None:
    es = {t.id: t for c in board("es").categories for t in c.tiles}
    en = {t.id: t for c in board("en").categories for t in c.tiles}
    assert es["nps"].answer.startswith("¿Qué es") and es["nps"].answer.endswith("?")
    assert en["nps"].answer.startswith("What is")
    assert es["empathy"].clue != en["empathy"].clue


def test_training_page_and_api(agent: TestClient) -> None:
    page = agent.get("/training?lang=en")
    assert page.status_code == 200
    assert page.text.count('class="tile"') == 16
    assert "Culture and organisation" in page.text
    body = agent.get("/api/v1/training/board?lang=es").json()
    assert body["categories"][2]["title"] == "Métricas"
