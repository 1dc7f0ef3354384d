"""Exports never carry live formulas: hostile account names come back as text."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from typer.testing import CliRunner

from cxpulse.export_cells import FORMULA_STARTS, safe_cell
from tests.security.conftest import HOSTILE_NAMES, LiveServer, hostile_frames, signed_in

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _csv_rows(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read the accents right
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def test_csv_export_escapes_every_formula_like_cell(live: LiveServer) -> None:
    client = signed_in(live.url, "analyst@example.com")
    raw = client.get("/health/at-risk.csv", params={"risk": "all"}).content
    rows = _csv_rows(raw)
    header, body = rows[0], rows[1:]
    names = [row[header.index("name")] for row in body]
    # every account of the data file is listed, its name escaped only when formula-like
    given = hostile_frames()["accounts"]["name"]
    expected = {"'" + n if n.startswith(FORMULA_STARTS) else n for n in given}
    assert expected <= set(names)
    for cell in (c for row in body for c in row):
        assert not cell.startswith(FORMULA_STARTS), cell
    # each hostile name is there, as its text behind the apostrophe spreadsheets use
    for hostile in HOSTILE_NAMES:
        assert "'" + hostile in names, hostile
    # the raw bytes never hold a cell that starts with '=' (after a separator or line start)
    assert not re.search(rb'(^|,|\n)"?=', raw[3:])


def test_xlsx_export_stores_formula_like_text_as_text(live: LiveServer) -> None:
    client = signed_in(live.url, "analyst@example.com")
    answer = client.get("/health/at-risk.xlsx", params={"risk": "all"})
    assert answer.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(answer.content))
    sheet = book.read("xl/worksheets/sheet1.xml")
    root = ElementTree.fromstring(sheet)
    assert root.findall(".//m:f", NS) == [], "the sheet holds formulas"
    texts = []
    for cell in root.iter(f"{{{NS['m']}}}c"):
        if cell.get("t") == "inlineStr":
            texts.append("".join(t.text or "" for t in cell.iter(f"{{{NS['m']}}}t")))
        elif cell.get("t") == "s":  # shared strings (another writer) are text too
            pass
        else:
            assert cell.get("t") in (None, "n", "b", "d"), cell.get("t")
    # shown exactly as typed, not with an apostrophe, and as a string cell
    for hostile in HOSTILE_NAMES[:5]:
        assert hostile in texts, hostile


def test_safe_cell_leaves_numbers_and_plain_text_alone() -> None:
    assert safe_cell(-3) == -3
    assert safe_cell("Cliente 001 S.A.") == "Cliente 001 S.A."
    assert safe_cell("=1+2") == "'=1+2"
    assert safe_cell("\r=1") == "'\r=1"


def test_cli_metrics_csv_escapes_segment_names(sec_project: Path) -> None:
    from cxpulse.cli import app

    result = CliRunner().invoke(
        app, ["metrics", "show", "nps", "--by", "segment", "-f", "csv", "-p", str(sec_project)]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout[result.stdout.index("metric,segment") :]
    rows = list(csv.DictReader(io.StringIO(lines)))
    segments = {row["segment"] for row in rows}
    assert segments == {"'=1+2", "Enterprise", "Mid-Market", "SMB"}
