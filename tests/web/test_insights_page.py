"""The comment insights page reads the stored analysis: themes in the reader's language,
counts and detractor shares that pandas recomputes from the stored tables, filters, and an
answer fast enough for a page (no re-analysis per request)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.web.webdata import add_users, build_frames, make_project, sign_in


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from cxpulse.text import comment_analysis
    from cxpulse.web import create_app
    from cxpulse.workspace import Workspace

    folder = make_project(tmp_path_factory.mktemp("ins") / "p", build_frames())
    add_users(folder)
    with Workspace.open(folder) as ws:
        comment_analysis(ws, lang="es")
    app = create_app(folder)
    yield sign_in(TestClient(app), "analyst@example.com"), app


def test_themes_counts_and_detractor_shares_match_the_stored_analysis(client) -> None:  # type: ignore[no-untyped-def]
    http, app = client
    from cxpulse.text.catalog import theme_name
    from cxpulse.text.insights import theme_insights

    ws = app.state.ctx.workspace
    themes = ws.table("comment_themes").execute()
    responses = ws.table("responses").execute()[["response_id", "kind", "score"]]
    joined = themes.merge(responses, on="response_id")
    top = {"nps": 6, "csat": 2, "ces": 3}
    joined["det"] = [s <= top[k] for k, s in zip(joined["kind"], joined["score"], strict=True)]
    got = theme_insights(ws, lang="en")
    assert got.n_comments == len(joined)
    for row in got.themes:
        part = joined[joined["theme_id"] == row.theme_id]
        assert row.n == len(part)
        assert row.detractors.value == pytest.approx(part["det"].mean(), nan_ok=True)
        rest = joined[joined["theme_id"] != row.theme_id]
        assert row.others.value == pytest.approx(rest["det"].mean(), nan_ok=True)
        if row.key:
            assert row.name.startswith(theme_name(row.key, "en"))
    page_es = http.get("/insights?lang=es")
    page_en = http.get("/insights?lang=en")
    assert page_es.status_code == page_en.status_code == 200
    keyed = [r for r in got.themes if r.key]
    assert keyed and theme_name(keyed[0].key, "es") in page_es.text
    assert theme_name(keyed[0].key, "en") in page_en.text
    assert 'id="themes-table"' in page_es.text and "Qué dicen los clientes" in page_es.text


def test_filters_narrow_the_selection_and_the_page_is_fast(client) -> None:  # type: ignore[no-untyped-def]
    http, app = client
    from cxpulse.text.insights import theme_insights

    ws = app.state.ctx.workspace
    allc = theme_insights(ws, lang="es").n_comments
    nps = theme_insights(ws, lang="es", kind="nps").n_comments
    seg = theme_insights(ws, lang="es", segment="SMB").n_comments
    assert 0 < nps < allc and 0 < seg < allc
    accounts = ws.table("accounts").execute()
    responses = ws.table("responses").execute()
    stored = ws.table("comment_themes").execute().merge(responses, on="response_id")
    smb = set(accounts.loc[accounts["segment"] == "SMB", "account_id"])
    assert seg == int(stored["account_id"].isin(smb).sum())
    http.get("/insights?kind=nps&lang=es")  # warm the cache for this selection
    started = time.perf_counter()
    page = http.get("/insights?kind=nps&lang=es")
    assert page.status_code == 200 and time.perf_counter() - started < 1.0
    assert 'value="nps" selected' in page.text
