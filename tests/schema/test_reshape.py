"""Wide survey exports to one answer per question, and order lines summed to orders."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cxpulse.errors import ValidationError
from cxpulse.workspace import Workspace

WIDE = """Envío,Cliente,Fecha,Recomendaría (0-10),Satisfacción soporte (1-5),Facilidad (1-7),\
Comentario
s1,a1,2026-01-05,9,5,6,Todo bien
s2,a2,2026-01-06,3,,2,Lento
s3,a1,2026-01-07,10,0,,
"""
OPTIONS = {
    "columns": {"Cliente": "account_id", "Fecha": "responded_at", "Comentario": "comment"},
    "na_values": {"score": ["0"]},
    "reshape": {
        "id_column": "Envío",
        "questions": {
            "Recomendaría (0-10)": {"kind": "nps", "touchpoint": "relación"},
            "Satisfacción soporte (1-5)": {"kind": "csat", "touchpoint": "soporte"},
            "Facilidad (1-7)": {"kind": "ces"},
        },
    },
}
LINES = """InvoiceNo,CustomerID,InvoiceDate,Quantity,UnitPrice,Country
536365,17850.0,2010-12-01 08:26:00,6,"2,55",United Kingdom
536365,17850.0,2010-12-01 08:26:00,8,"3,39",United Kingdom
536366,13047.0,2010-12-01 08:28:00,2,"1,85",United Kingdom
"""


def test_wide_survey_export_becomes_one_answer_per_question(workspace: Workspace, tmp_path: Path):
    path = tmp_path / "wide.csv"
    path.write_text(WIDE)
    report = workspace.load("responses", path, options=OPTIONS)
    # 9 cells: two empty (no answer) and one 0 = not applicable.
    assert (report.rows, report.not_applicable) == (6, 1)
    frame = workspace.table("responses").execute().set_index("response_id").sort_index()
    raw = pd.read_csv(path)
    assert frame.loc["s1:recomendaria_0_10", ["kind", "score", "touchpoint"]].tolist() == [
        "nps",
        9,
        "relación",
    ]
    assert frame.loc["s2:facilidad_1_7", ["kind", "score"]].tolist() == ["ces", 2]
    assert frame.loc["s1:satisfaccion_soporte_1_5", "comment"] == "Todo bien"
    nps = frame[frame["kind"] == "nps"]["score"].sort_values().tolist()
    assert nps == sorted(raw["Recomendaría (0-10)"].tolist())
    assert "s3:satisfaccion_soporte_1_5" not in frame.index  # 0 = not applicable


def test_reshape_of_a_missing_question_is_refused(duck: Workspace, tmp_path: Path):
    path = tmp_path / "wide.csv"
    path.write_text(WIDE.replace("Facilidad (1-7)", "Esfuerzo"))
    with pytest.raises(ValidationError, match="Facilidad"):
        duck.load("responses", path, options=OPTIONS)
    assert duck.count("responses") == 0


def test_order_lines_are_summed_to_one_order(workspace: Workspace, tmp_path: Path):
    path = tmp_path / "lines.csv"
    path.write_text(LINES)
    report = workspace.load(
        "orders",
        path,
        options={
            "columns": {
                "InvoiceNo": "order_id",
                "CustomerID": "account_id",
                "InvoiceDate": "ordered_at",
            },
            "aggregate": {"quantity": "Quantity", "unit_price": "UnitPrice"},
        },
    )
    assert report.rows == 2 and report.normalised_ids == 2
    frame = workspace.table("orders").execute().set_index("order_id")
    assert frame.loc["536365", "amount"] == pytest.approx(round(6 * 2.55 + 8 * 3.39, 2))
    assert frame.loc["536366", "amount"] == pytest.approx(3.70)
    assert frame.loc["536365", "account_id"] == "17850"
