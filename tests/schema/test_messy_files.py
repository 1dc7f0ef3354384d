"""A corpus of messy files (tests/schema/corpus): each loads with the right values, checked
value by value, or is refused with what, where and what to set, leaving the workspace as it
was; never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from cxpulse.cli import app
from cxpulse.errors import ValidationError
from cxpulse.workspace import Workspace

CORPUS = Path(__file__).parent / "corpus"
BASELINE = "account_id,start_date,name\nz1,2020-01-01,Keep me\n"
runner = CliRunner()


def accounts(ws: Workspace) -> pd.DataFrame:
    return ws.table("accounts").execute().sort_values("account_id").reset_index(drop=True)


@pytest.fixture
def seeded(duck: Workspace, tmp_path: Path) -> Workspace:
    path = tmp_path / "baseline.csv"
    path.write_text(BASELINE)
    duck.load("accounts", path)
    return duck


def refused(ws: Workspace, table: str, name: str, **options: object) -> ValidationError:
    before = ws.table(table).execute()
    with pytest.raises(ValidationError) as err:
        ws.load(table, CORPUS / name, options=options or None)
    after = ws.table(table).execute()
    pd.testing.assert_frame_equal(before, after)  # nothing written
    return err.value


def test_windows_1252_is_detected_and_read(seeded: Workspace):
    report = seeded.load("accounts", CORPUS / "windows_1252.csv")
    assert "encoding=cp1252" in report.notes
    frame = accounts(seeded).set_index("account_id")
    assert frame.loc["a1", "name"] == "Peñalara Café"
    assert frame.loc["a2", "name"] == "“Müller” & Söhne €"


def test_declared_encoding_wins_over_detection(seeded: Workspace):
    seeded.load("accounts", CORPUS / "windows_1252.csv", options={"encoding": "latin-1"})
    # latin-1 has no curly quotes or euro sign at those bytes: the user asked for it.
    assert accounts(seeded).set_index("account_id").loc["a1", "name"] == "Peñalara Café"


def test_semicolons_decimal_comma_and_day_first_dates(seeded: Workspace):
    report = seeded.load(
        "accounts", CORPUS / "semicolon_decimal_comma.csv", options={"date_format": "%d/%m/%Y"}
    )
    assert "delimiter=;" in report.notes
    frame = accounts(seeded).set_index("account_id")
    assert frame.loc["a1", "mrr"] == 1234.56 and frame.loc["a2", "mrr"] == 99.5
    # "1.200" alone is ambiguous, but the file's other numbers show a decimal comma.
    assert frame.loc["a1", "licenses"] == 1200 and frame.loc["a2", "licenses"] == 3
    assert pd.Timestamp(frame.loc["a1", "start_date"]).date() == dt.date(2024, 1, 15)
    assert pd.Timestamp(frame.loc["a2", "start_date"]).date() == dt.date(2024, 2, 1)


def test_day_first_dates_without_a_format_are_refused_naming_date_format(seeded: Workspace):
    err = refused(seeded, "accounts", "day_first_dates.csv")
    assert err.kinds[0].count == 2 and err.kinds[0].column == "start_date"
    assert "date_format" in str(err) and "15/01/2024" in str(err) and "row 2" in str(err)


def test_tab_separated_file_with_csv_suffix(seeded: Workspace):
    report = seeded.load("accounts", CORPUS / "tab_separated.csv")
    assert "delimiter=tab" in report.notes
    assert list(accounts(seeded)["segment"].dropna()) == ["SMB", "Enterprise"]


def test_ambiguous_thousands_are_refused_naming_the_setting(seeded: Workspace):
    err = refused(seeded, "accounts", "ambiguous_thousands.csv")
    text = str(err)
    assert "2.500" in text and "decimal" in text and "row 2" in text and "column 'mrr'" in text
    seeded.load("accounts", CORPUS / "ambiguous_thousands.csv", options={"decimal": ","})
    assert list(accounts(seeded).set_index("account_id").loc[["a1", "a2"], "mrr"]) == [
        2500.0,
        1250.0,
    ]
    seeded.load("accounts", CORPUS / "ambiguous_thousands.csv", options={"decimal": "."})
    assert list(accounts(seeded).set_index("account_id").loc[["a1", "a2"], "mrr"]) == [2.5, 1.25]


def test_mixed_decimal_separators_in_one_column_are_refused(seeded: Workspace):
    err = refused(seeded, "accounts", "mixed_decimals.csv")
    assert "decimal" in str(err) and "1,5" in str(err) and "2.5" in str(err)


def test_bom_and_crlf(seeded: Workspace):
    seeded.load("accounts", CORPUS / "bom_crlf.csv")
    frame = accounts(seeded).set_index("account_id")
    assert frame.loc["a1", "name"] == "Ana" and frame.loc["a2", "name"] == "Bea"  # no "\r"


def test_empty_file_is_refused(seeded: Workspace):
    assert "empty" in str(refused(seeded, "accounts", "empty.csv"))


def test_header_only_loads_nothing(seeded: Workspace):
    report = seeded.load("accounts", CORPUS / "header_only.csv")
    assert report.rows == 0 and list(accounts(seeded)["account_id"]) == ["z1"]


def test_ragged_rows_are_refused_with_their_rows(seeded: Workspace):
    err = refused(seeded, "accounts", "ragged_rows.csv")
    assert err.total == 2
    assert [(p.row, p.value) for p in err.problems] == [
        (3, "a2,2024-02-01"),
        (4, "a3,2024-03-01,Cy,extra"),
    ]
    assert "delimiter" in str(err)


def test_duplicate_column_names_are_refused(seeded: Workspace):
    err = refused(seeded, "accounts", "duplicate_columns.csv")
    assert "'name' appears twice (columns 3 and 4)" in str(err)


def test_out_of_range_integers_are_refused_not_crashed(seeded: Workspace):
    err = refused(seeded, "accounts", "huge_integer.csv")
    reasons = {(p.row, p.column, p.key, p.value) for p in err.problems}
    assert reasons == {
        (2, "licenses", "data.problem.not_int", "99999999999999999999"),
        (3, "licenses", "data.problem.not_int", "1e30"),
    }
    assert "9.2e18" in str(err)


def test_ids_read_as_floats_are_normalised_and_orphans_reported(seeded: Workspace, tmp_path: Path):
    known = tmp_path / "known.csv"
    known.write_text("account_id,start_date\na1,2020-01-01\n17850,2020-01-01\n")
    seeded.load("accounts", known)
    report = seeded.load("responses", CORPUS / "ids_as_floats.csv")
    frame = seeded.table("responses").execute().sort_values("response_id")
    assert list(frame["response_id"]) == ["1", "2", "3"]
    assert list(frame["account_id"]) == ["a1", "17850", "99999"]
    assert report.normalised_ids == 5  # three response ids and two account ids
    assert report.orphans == 1 and report.orphan_examples == ((4, "99999"),)
    assert "99999" in str(report) and "not in accounts" in str(report)


def test_utc_offsets_are_honoured_and_naive_times_follow_timezone(workspace: Workspace):
    workspace.load("responses", CORPUS / "offsets.csv", options={"timezone": "Europe/Madrid"})
    frame = workspace.table("responses").execute().set_index("response_id")
    got = {k: pd.Timestamp(v).to_pydatetime() for k, v in frame["responded_at"].items()}
    assert got == {
        "r1": dt.datetime(2026, 1, 5, 8, 0),  # +02:00
        "r2": dt.datetime(2026, 1, 5, 10, 0),  # Z
        "r3": dt.datetime(2026, 1, 5, 9, 0),  # Madrid in winter: UTC+1
        "r4": dt.datetime(2026, 7, 5, 8, 0),  # Madrid in summer: UTC+2
    }


def test_csv_and_api_agree_on_offsets(duck: Workspace):
    from cxpulse.collect.answers import check_responded_at

    api = check_responded_at(dt.datetime.fromisoformat("2026-01-05T10:00:00+02:00"))
    duck.load("responses", CORPUS / "offsets.csv")
    stored = duck.table("responses").execute().set_index("response_id").loc["r1", "responded_at"]
    assert pd.Timestamp(stored).to_pydatetime() == api.replace(tzinfo=None)


def test_bad_timezone_names_the_setting(duck: Workspace):
    from cxpulse.errors import ConfigError

    with pytest.raises(ConfigError, match="timezone"):
        duck.load("responses", CORPUS / "offsets.csv", options={"timezone": "Mars/Base"})


def test_excel_sheet_and_header_row(seeded: Workspace, tmp_path: Path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active["A1"] = "nothing here"
    sheet = book.create_sheet("Clientes")
    sheet.append(["Exported 2026-01-01"])
    sheet.append([])
    sheet.append(["account_id", "start_date", "mrr", "licenses"])
    sheet.append(["x1", dt.date(2024, 1, 15), 10.5, 3])
    sheet.append(["x2", dt.datetime(2024, 2, 1), 7, 17850.0])
    path = tmp_path / "book.xlsx"
    book.save(path)
    seeded.load("accounts", path, options={"sheet": "Clientes", "header_row": 3})
    frame = accounts(seeded).set_index("account_id")
    assert frame.loc["x1", "mrr"] == 10.5 and frame.loc["x2", "licenses"] == 17850
    assert pd.Timestamp(frame.loc["x2", "start_date"]).date() == dt.date(2024, 2, 1)
    err = refused(seeded, "accounts", str(path), sheet="Missing")
    assert "Clientes" in str(err) and "sheet" in str(err)


def test_old_excel_xls_loads_value_by_value(seeded: Workspace):
    """corpus/old_excel.xls (BIFF8, written by xlwt): sheet "Notas" holds a note, sheet
    "Clientes" a title in row 1, the header in row 3, then x1 / 17850 (text id) / an empty
    row / 1234 (a numeric id), date cells formatted DD/MM/YYYY, an empty plan cell."""
    report = seeded.load(
        "accounts", CORPUS / "old_excel.xls", options={"sheet": "Clientes", "header_row": 3}
    )
    assert report.rows == 3
    frame = accounts(seeded).set_index("account_id")
    assert sorted(frame.index) == ["1234", "17850", "x1", "z1"]
    assert frame.loc["x1", "name"] == "Peñalara Café"
    assert frame.loc["17850", "name"] == "Müller & Söhne"
    assert frame.loc["1234", "name"] == "“Ünïcode” €"
    assert pd.Timestamp(frame.loc["x1", "start_date"]).date() == dt.date(2024, 1, 15)
    assert pd.Timestamp(frame.loc["17850", "start_date"]).date() == dt.date(2024, 2, 1)
    assert pd.Timestamp(frame.loc["1234", "start_date"]).date() == dt.date(2023, 12, 31)
    assert frame.loc["x1", "mrr"] == 10.5 and frame.loc["1234", "mrr"] == 0.1
    assert frame.loc["17850", "mrr"] == 7.0
    assert frame.loc["x1", "licenses"] == 3 and frame.loc["17850", "licenses"] == 17850
    assert frame.loc["1234", "licenses"] == 0
    assert frame.loc["x1", "plan"] == "pro" and pd.isna(frame.loc["17850", "plan"])
    assert frame.loc["1234", "plan"] == "basic"


def test_old_excel_sheet_by_position_and_mistakes(seeded: Workspace):
    seeded.load("accounts", CORPUS / "old_excel.xls", options={"sheet": 2, "header_row": 3})
    assert "x1" in set(accounts(seeded).account_id)
    err = refused(seeded, "accounts", "old_excel.xls", sheet="Hoja1")
    assert "Notas, Clientes" in str(err) and "sheet" in str(err)
    err = refused(seeded, "accounts", "old_excel.xls", sheet=3)
    assert "Notas, Clientes" in str(err)
    # the first sheet by default: its one cell is a header without the required columns
    err = refused(seeded, "accounts", "old_excel.xls")
    assert "account_id" in str(err)


def test_a_broken_xls_is_refused_with_a_message(seeded: Workspace, tmp_path: Path):
    path = tmp_path / "broken.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    before = accounts(seeded)
    with pytest.raises(ValidationError) as err:
        seeded.load("accounts", path)
    assert str(path) in str(err.value)
    pd.testing.assert_frame_equal(accounts(seeded), before)


def test_cli_loads_an_xls_workbook(tmp_path: Path):
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "load", "accounts", str(CORPUS / "old_excel.xls"), "-p", str(tmp_path),
            "--sheet", "Clientes", "--header-row", "3",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with Workspace.open(tmp_path) as ws:
        frame = ws.table("accounts").execute().set_index("account_id")
    assert frame.loc["17850", "licenses"] == 17850 and frame.loc["x1", "mrr"] == 10.5


def test_excel_formulas_without_a_saved_value_are_reported(seeded: Workspace, tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["account_id", "start_date", "mrr"])
    sheet.append(["f1", "2024-01-01", "=B2*2"])  # openpyxl saves no cached value
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    before = accounts(seeded)
    with pytest.raises(ValidationError) as err:
        seeded.load("accounts", path)
    assert (err.value.problems[0].row, err.value.problems[0].column) == (2, "mrr")
    assert "=B2*2" in str(err.value) and "recalculate" in str(err.value)
    pd.testing.assert_frame_equal(accounts(seeded), before)


def test_cli_refusal_is_a_message_not_a_traceback(tmp_path: Path):
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    for name in ("empty.csv", "ragged_rows.csv", "duplicate_columns.csv", "huge_integer.csv"):
        result = runner.invoke(app, ["load", "accounts", str(CORPUS / name), "-p", str(tmp_path)])
        assert result.exit_code == 2, (name, result.output)
        assert "Traceback" not in result.output and result.exception is not None
        assert isinstance(result.exception, SystemExit)
    ok = runner.invoke(
        app,
        [
            "load", "accounts", str(CORPUS / "semicolon_decimal_comma.csv"), "-p", str(tmp_path),
            "--date-format", "%d/%m/%Y",
        ],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    with Workspace.open(tmp_path) as ws:
        assert ws.table("accounts").execute().set_index("account_id").loc["a1", "mrr"] == 1234.56
