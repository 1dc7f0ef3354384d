"""On a phone-size screen a customer answers a survey link as a detractor in one tap, adds a
comment, changes their mind, and the store keeps exactly one answer."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cxpulse import store
from cxpulse.collect.invitations import create_invitation
from cxpulse.collect.surveys import create_survey
from cxpulse.store import SurveyResponse

from .conftest import PHONE, shot

pytestmark = pytest.mark.browser


def _phone(chromium: Any, locale: str = "es-ES") -> Any:
    return chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)


def _link(live: Any, slug: str, kind: str, language: str) -> tuple[str, str]:
    url = f"sqlite:///{live.project_dir / 'cxpulse.sqlite'}"
    with store.session(url) as s:
        survey = create_survey(s, slug, kind, language=language, touchpoint="support")
        issued = create_invitation(
            s, survey, account_id="A002", contact_id="lucia", base_url=live.url
        )
    return url, issued.url


def _answers(url: str, slug: str) -> list[SurveyResponse]:
    from cxpulse.store import Survey

    with store.session(url) as s:
        return list(
            s.scalars(
                select(SurveyResponse)
                .join(Survey, Survey.id == SurveyResponse.survey_id)
                .where(Survey.slug == slug)
            )
        )


def test_detractor_answers_in_one_tap_on_a_phone(live: Any, chromium: Any) -> None:
    url, link = _link(live, "e2e-phone-nps", "nps", "es")
    context = _phone(chromium)
    try:
        page = context.new_page()
        page.goto(link)
        buttons = page.locator("button[data-score]")
        assert buttons.count() == 11
        assert page.get_by_text("¿Qué probabilidad hay").is_visible()
        # fits the phone: no sideways scrolling, every score a comfortable tap target
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        for i in range(11):
            box = buttons.nth(i).bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 40
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        shot(page, "survey-phone-question")

        page.locator('button[data-score="3"]').tap()
        page.get_by_test_id("thanks").wait_for()
        stored = _answers(url, "e2e-phone-nps")
        assert [(a.score, a.comment, a.account_id) for a in stored] == [(3, None, "A002")]

        page.fill("#comment", "La atención tardó demasiado")
        page.get_by_role("button", name="Enviar comentario").tap()
        page.get_by_test_id("thanks").wait_for()
        shot(page, "survey-phone-thanks")
        stored = _answers(url, "e2e-phone-nps")
        assert [(a.score, a.comment) for a in stored] == [(3, "La atención tardó demasiado")]

        page.get_by_text("Cambiar mi puntuación").tap()
        page.locator('button[data-score="6"]').tap()
        page.get_by_test_id("thanks").wait_for()
        assert page.get_by_text("Tu puntuación: 6").is_visible()
    finally:
        context.close()
    stored = _answers(url, "e2e-phone-nps")
    assert [(a.score, a.comment) for a in stored] == [(6, "La atención tardó demasiado")]


def test_english_csat_survey_on_a_phone(live: Any, chromium: Any) -> None:
    url, link = _link(live, "e2e-phone-csat", "csat", "en")
    context = _phone(chromium, "en-GB")
    try:
        page = context.new_page()
        page.goto(link)
        assert page.get_by_text("How satisfied are you").is_visible()
        assert page.locator("button[data-score]").count() == 5
        page.locator('button[data-score="1"]').tap()
        page.get_by_test_id("thanks").wait_for()
        assert page.get_by_text("Thank you for your answer!").is_visible()
        page.goto(link + "?lang=es")
        assert page.get_by_text("¡Gracias por tu respuesta!").is_visible()
    finally:
        context.close()
    assert [a.score for a in _answers(url, "e2e-phone-csat")] == [1]
