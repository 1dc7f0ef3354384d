"""Account search and the account page."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_account_search_finds_by_name_and_id(admin: TestClient) -> None:
    by_id = admin.get("/api/v1/accounts?q=A01").json()
    assert {r["account_id"] for r in by_id} == {f"A01{i}" for i in range(10)}
    by_name = admin.get("/api/v1/accounts?q=cliente 002").json()
    assert [r["account_id"] for r in by_name] == ["A002"]
    assert by_name[0]["band"] in ("red", "yellow", "green")


def test_account_profile_matches_the_health_explanation(admin: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    from cxpulse.health import explain_account, score_history

    ws = app.state.ctx.workspace
    want = explain_account(ws, "A002", lang="en")
    body = admin.get("/api/v1/accounts/A002?lang=en").json()
    assert body["score"] == want.score
    assert body["band"] == want.band
    assert body["playbook"] == want.playbook
    assert [d["signal"] for d in body["drivers"]] == [d.signal for d in want.drivers]
    assert len(body["history"]) == len(score_history(ws, "A002"))
    assert body["facts"]["segment"] == "Enterprise"
    assert all(r["account_id"] == "A002" for r in body["responses"])
    times = [r["responded_at"] for r in body["responses"]]
    assert times == sorted(times, reverse=True)


def test_account_page_shows_score_drivers_and_comments(admin: TestClient) -> None:
    page = admin.get("/accounts/A002")
    assert page.status_code == 200
    assert 'id="account-score"' in page.text
    assert 'id="drivers"' in page.text
    assert "Cliente 002 S.A." in page.text
    assert "Qué hacer" in page.text


def test_unknown_account_is_a_404_page(admin: TestClient) -> None:
    response = admin.get("/accounts/NOPE")
    assert response.status_code == 404
    assert "NOPE" in response.text
    assert admin.get("/api/v1/accounts/NOPE").status_code == 404


def test_account_page_lists_its_cases(admin: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    from cxpulse import store
    from cxpulse.loop import open_case

    with store.session(app.state.ctx.store_engine()) as s:
        open_case(
            s,
            account_id="A005",
            trigger="manual",
            title="Llamar al sponsor",
            priority="high",
            sla_hours=48,
        )
    page = admin.get("/accounts/A005")
    assert "Llamar al sponsor" in page.text
    body = admin.get("/api/v1/accounts/A005").json()
    assert [c["title"] for c in body["cases"]] == ["Llamar al sponsor"]


def test_search_with_control_characters_is_answered(admin: TestClient) -> None:
    response = admin.get("/api/v1/accounts", params={"q": "A00\x002\n"})
    assert response.status_code == 200
    assert {r["account_id"] for r in response.json()} == {"A002"}
    quoted = admin.get("/api/v1/accounts", params={"q": "O'Brien'; DROP TABLE accounts"})
    assert quoted.status_code == 200 and quoted.json() == []
    assert len(admin.get("/api/v1/accounts?q=A0").json()) == 50


def test_account_page_folds_into_sections_and_pages_its_timeline(admin: TestClient) -> None:
    import re

    from cxpulse.web.pages.accounts import TIMELINE_PAGE

    page = admin.get("/accounts/A002?lang=es")
    assert page.status_code == 200
    html = page.text
    # Facts, the three actions, cases and tickets are disclosures the phone folds.
    folds = re.findall(r"<details class=\"[^\"]*fold[^\"]*\" data-fold-phone open", html)
    assert len(folds) >= 6
    for form in ("form-open-case", "form-touchpoint", "form-override"):
        assert f'id="{form}"' in html
    timeline = html.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li data-kind=\"[a-z_]+\"( hidden)?>", timeline)
    assert len(items) > TIMELINE_PAGE, "A002 has more timeline entries than one page"
    # Same content everywhere: every entry is in the page, the ones after the first page hidden.
    assert [bool(h) for h in items] == [i >= TIMELINE_PAGE for i in range(len(items))]
    rest = len(items) - TIMELINE_PAGE
    assert f"Ver {rest} más" in html and f"{TIMELINE_PAGE} de {len(items)}" in html
    english = admin.get("/accounts/A002?lang=en").text
    assert f"Show {rest} more" in english
