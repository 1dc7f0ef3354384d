"""Language switch, locale formatting, and what each role may do."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cxpulse.web.i18n import format_date, format_number, format_pct
from tests.web.webdata import csrf_of


def test_language_switch_is_remembered(analyst: TestClient) -> None:
    spanish = analyst.get("/").text
    assert "Resumen de experiencia" in spanish and 'lang="es"' in spanish
    english = analyst.get("/?lang=en").text
    assert "Experience overview" in english and 'lang="en"' in english
    again = analyst.get("/health").text
    assert "Customer health" in again


def test_numbers_and_dates_follow_the_locale() -> None:
    assert format_number(1234.56, "es", 1) == "1.234,6"
    assert format_number(12345.6, "es", 1) == "12.345,6"
    assert format_number(12345.6, "en", 1) == "12,345.6"
    assert format_pct(45.0, "en") == "45%"
    assert format_pct(45.0, "es") == "45\u00a0%"  # Spanish puts a space before the sign
    assert format_date("2026-09-01", "es") == "1 sept 2026"
    assert format_date("2026-09-01", "en") == "Sep 1, 2026"


def test_every_web_message_exists_in_both_languages() -> None:
    from cxpulse.locale import catalog

    es = {k for k in catalog("es") if k.startswith("web.")}
    en = {k for k in catalog("en") if k.startswith("web.")}
    assert es == en and len(es) > 100


def test_user_admin_page_is_for_admins_only(
    admin: TestClient, analyst: TestClient, agent: TestClient
) -> None:
    assert admin.get("/admin/users").status_code == 200
    assert analyst.get("/admin/users").status_code == 403
    assert agent.get("/admin/users").status_code == 403
    assert "/admin/users" in admin.get("/").text
    assert "/admin/users" not in analyst.get("/").text


def test_admin_adds_a_user_who_can_then_sign_in(admin: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    from tests.web.webdata import sign_in

    token = csrf_of(admin.get("/admin/users").text)
    form = {
        "email": "Nuevo@Example.com",
        "name": "Nuevo",
        "role": "agent",
        "language": "es",
        "password": "una clave larga",
        "csrf_token": token,
    }
    response = admin.post("/admin/users", data=form, follow_redirects=False)
    assert response.status_code == 303
    assert "nuevo@example.com" in admin.get("/admin/users").text
    sign_in(TestClient(app), "nuevo@example.com", "una clave larga")
    again = admin.post("/admin/users", data=form)
    assert again.status_code == 400
    assert "ya existe" in again.text  # the page speaks the admin's language (es)


def test_analyst_cannot_add_users_even_with_a_token(analyst: TestClient) -> None:
    token = csrf_of(analyst.get("/").text)
    response = analyst.post(
        "/admin/users",
        data={"email": "x@example.com", "password": "long enough", "csrf_token": token},
    )
    assert response.status_code == 403


def test_add_user_form_without_csrf_is_rejected(admin: TestClient) -> None:
    response = admin.post(
        "/admin/users", data={"email": "y@example.com", "password": "long enough"}
    )
    assert response.status_code == 403
    assert "y@example.com" not in admin.get("/admin/users").text
