"""The API's ``detail`` and the error pages speak the asker's language."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from cxpulse.errors import CxpulseError


def test_api_detail_is_spanish_for_a_spanish_client(analyst: TestClient):
    r = analyst.get(
        "/api/v1/metrics",
        params={"metric": "nps", "by": "shoe_size"},
        headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"},
    )
    assert r.status_code == 400
    assert r.json()["detail"].startswith("no se puede dividir 'responses' por 'shoe_size'")
    assert "ni de 'accounts'" in r.json()["detail"] and "cannot" not in r.json()["detail"]


def test_api_detail_follows_accept_language_and_lang(analyst: TestClient):
    params = {"metric": "nps", "by": "shoe_size"}
    if "cxpulse_lang" in analyst.cookies:  # a language chosen in the app wins over the header
        analyst.cookies.delete("cxpulse_lang")
    en = analyst.get("/api/v1/metrics", params=params, headers={"Accept-Language": "en"})
    assert en.status_code == 400 and en.json()["detail"].startswith("cannot split 'responses'")
    # ?lang= wins over the header (the language picker of the pages).
    chosen = analyst.get(
        "/api/v1/metrics",
        params={**params, "lang": "es"},
        headers={"Accept-Language": "en"},
    )
    assert chosen.json()["detail"].startswith("no se puede dividir")


def test_api_not_found_detail_in_spanish(analyst: TestClient):
    r = analyst.get("/api/v1/surveys/no-such-survey", headers={"Accept-Language": "es"})
    assert r.status_code == 404
    assert r.json()["detail"].startswith("no existe la encuesta 'no-such-survey'")


def test_every_converted_error_has_the_same_english_text_as_before():
    values = {"from": "closed", "to": "open", "allowed": "none"}
    err = CxpulseError(key="loop.error.transition", values=values)
    assert str(err) == "a case that is 'closed' cannot move to 'open' (allowed: none)"
    spanish = "un caso que está 'closed' no puede pasar a 'open' (permitido: none)"
    assert err.message_in("es") == spanish


def test_a_link_to_no_survey_answers_in_the_readers_language(app) -> None:  # type: ignore[no-untyped-def]
    """A cut or mistyped survey link names no survey, so no survey language: the page speaks
    the reader's (cookie, else the browser's Accept-Language), else Spanish."""
    from cxpulse.locale import gettext_addressed

    client = TestClient(app)
    spanish = gettext_addressed("collect.error.not_found", "es", "tu")
    english = gettext_addressed("collect.error.not_found", "en", "tu")
    plain = client.get("/s/not-a-real-link")
    assert plain.status_code == 404 and spanish in plain.text
    browser = client.get("/s/not-a-real-link", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert browser.status_code == 404 and english in browser.text and spanish not in browser.text
    picked = client.get("/s/not-a-real-link", headers={"Accept-Language": "en"},
                        cookies={"cxpulse_lang": "es"})  # fmt: skip
    assert spanish in picked.text


def test_ratings_api_refusals_speak_the_askers_language(analyst: TestClient):
    if "cxpulse_lang" in analyst.cookies:  # a language chosen in the app wins over the header
        analyst.cookies.delete("cxpulse_lang")
    url = "/api/v1/metrics/ratings"  # the project declares no [metrics.drivers] columns
    cases = [
        (
            {},
            "indica las columnas de valoración (column=...) o define columns en "
            "[metrics.drivers] de cxpulse.toml",
            "give the rating columns (column=...) or set columns in [metrics.drivers] of "
            "cxpulse.toml",
        ),
        (
            {"column": "score", "scale_low": 5, "scale_high": 1},
            "scale_low (5) debe ser menor que scale_high (1)",
            "scale_low (5) must be below scale_high (1)",
        ),
        (
            {"column": "score", "scale_low": "nan"},
            "scale_low, scale_high, top_box y missing deben ser números finitos",
            "scale_low, scale_high, top_box and missing must be finite numbers",
        ),
    ]
    for params, spanish, english in cases:
        es = analyst.get(url, params=params, headers={"Accept-Language": "es-ES,es;q=0.9"})
        assert es.status_code == 400, es.text
        assert es.json() == {"detail": spanish}
        en = analyst.get(url, params=params, headers={"Accept-Language": "en"})
        assert en.status_code == 400 and en.json() == {"detail": english}


def test_not_found_pages_speak_the_askers_language(analyst: TestClient):
    if "cxpulse_lang" in analyst.cookies:
        analyst.cookies.delete("cxpulse_lang")
    pages = [
        ("/accounts/zzz", "no hay ninguna cuenta 'zzz'", "no account 'zzz'"),
        ("/surveys/no-such-survey", "no existe la encuesta 'no-such-survey'", "no survey"),
        ("/cases/987654", "el caso 987654 no existe", "case 987654 does not exist"),
    ]
    for url, spanish, english in pages:
        es = analyst.get(url, params={"lang": "es"})  # the language picker of the pages
        assert es.status_code == 404, url
        page = html.unescape(es.text)
        assert spanish in page and english not in page, url
        en = analyst.get(url, params={"lang": "en"})
        assert en.status_code == 404 and english in html.unescape(en.text), url
