"""The at-risk export people hand on: headers in the reader's language, number formats, frozen
header, filters, widths and the reasons column, opened with openpyxl; the CSV and the API
carry the same rows, reasons and renewal dates as the page."""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook


def _sheet(client: TestClient, lang: str, risk: str = "risk"):  # type: ignore[no-untyped-def]
    response = client.get(f"/health/at-risk.xlsx?risk={risk}&lang={lang}")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    return load_workbook(io.BytesIO(response.content)).active


@pytest.mark.parametrize(
    ("lang", "headers"),
    [
        (
            "es",
            [
                "ID de cuenta",
                "Cuenta",
                "MRR",
                "Puntaje de salud",
                "Banda",
                "Principales motivos",
                "Renovación",
                "Casos abiertos",
            ],
        ),
        (
            "en",
            [
                "Account ID",
                "Account",
                "MRR",
                "Health score",
                "Band",
                "Top reasons",
                "Renewal",
                "Open cases",
            ],
        ),
    ],
)
def test_excel_has_translated_headers_formats_frozen_header_and_filters(
    admin: TestClient, lang: str, headers: list[str]
) -> None:
    sheet = _sheet(admin, lang)
    got = [c.value for c in sheet[1]]
    for h in headers:
        assert h in got
    assert "account_id" not in got and "as_of" not in got
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
    assert all(c.font.bold for c in sheet[1])
    col = {name: i + 1 for i, name in enumerate(got)}
    row2 = {name: sheet.cell(row=2, column=col[name]) for name in got}
    mrr_header = "MRR"
    score_header = "Puntaje de salud" if lang == "es" else "Health score"
    assert "$" in row2[mrr_header].number_format and "#,##0.00" in row2[mrr_header].number_format
    assert row2[score_header].number_format == "0.0"
    assert isinstance(row2[score_header].value, float)
    band = row2["Banda" if lang == "es" else "Band"].value
    assert band in (("Roja", "Amarilla") if lang == "es" else ("Red", "Yellow"))
    widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
    assert min(widths) >= 8 and max(widths) <= 60


def test_export_csv_and_api_list_the_same_accounts_reasons_and_renewals(
    admin: TestClient,
    app,  # type: ignore[no-untyped-def]
) -> None:
    from cxpulse.health import latest_scores
    from cxpulse.health.explain import signal_label

    api = admin.get("/api/v1/health/at-risk?risk=risk&limit=1000&lang=en").json()
    csv = pd.read_csv(
        io.BytesIO(admin.get("/health/at-risk.csv?risk=risk&lang=en").content), encoding="utf-8-sig"
    )
    assert list(csv["Account ID"]) == [a["account_id"] for a in api["accounts"]]
    assert csv["Health score"].tolist() == pytest.approx(
        [round(a["score"], 2) for a in api["accounts"]], abs=1e-9
    )
    # reasons: recomputed here from the stored explanations (signals taking most points off)
    ws = app.state.ctx.workspace
    latest = latest_scores(ws)
    latest = latest[pd.to_datetime(latest["as_of"]) == pd.to_datetime(latest["as_of"]).max()]
    by_id = dict(zip(latest["account_id"], latest["explanation"], strict=True))
    for account, text in zip(csv["Account ID"], csv["Top reasons"].fillna(""), strict=True):
        drivers = json.loads(by_id[account])["drivers"]
        downs = sorted((d for d in drivers if d[1] < 0), key=lambda d: d[1])[:3]
        assert text == "; ".join(signal_label(d[0], "en") for d in downs)
    api_row = api["accounts"][0]
    assert [r["label"] for r in api_row["reasons"]] == csv["Top reasons"].fillna("").iloc[0].split(
        "; "
    ) or not api_row["reasons"]
    # renewal: next anniversary of start_date after the snapshot, for live accounts
    accounts = ws.table("accounts").execute().set_index("account_id")
    as_of = date.fromisoformat(api["as_of"])
    for a in api["accounts"][:20]:
        start = pd.Timestamp(accounts.loc[a["account_id"], "start_date"]).date()
        expected = start.replace(year=as_of.year)
        if expected <= as_of:
            expected = start.replace(year=as_of.year + 1)
        assert a["renewal_date"] == expected.isoformat() and a["renewal_estimated"] is True
    # MRR at risk per band: the same sum pandas gets from the scores and the accounts
    merged = latest.merge(accounts[["mrr"]], left_on="account_id", right_index=True)
    for band in ("red", "yellow"):
        want = merged.loc[merged["band"] == band, "mrr"].sum()
        assert api["mrr_by_band"][band] == pytest.approx(want)


def test_spanish_csv_uses_semicolons_and_decimal_commas(admin: TestClient) -> None:
    text = admin.get("/health/at-risk.csv?risk=all&lang=es").content.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("Al;Modelo;ID de cuenta;Cuenta;")
    assert "," in first.split(";")[7]  # MRR with a decimal comma
