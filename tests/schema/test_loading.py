"""Loading canonical tables: validation, all-or-nothing, idempotent upsert, on every backend."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cxpulse.errors import ValidationError
from cxpulse.schema.sources import SourceError
from cxpulse.workspace import Workspace

GOOD = """response_id,account_id,kind,score,responded_at,comment
r1,a1,nps,9,2026-01-05,"muy bien,
gracias"
r2,a1,NPS,3,2026-01-06 10:00:00,
r3,a2,csat,5,2026-02-01,ok
r4,a2,ces,7,2026-02-03T08:30:00,fácil
"""

BAD = """response_id,account_id,kind,score,responded_at
r1,a1,nps,11,2026-01-05
r2,,csat,3,2026-13-06
r3,a2,foo,9.5,2026-02-01
r3,a2,ces,8,2026-02-01
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(ws: Workspace, table: str) -> pd.DataFrame:
    frame = ws.table(table).execute()
    return frame.sort_values(list(frame.columns[:1])).reset_index(drop=True)


def test_good_file_loads_with_types_and_normalised_values(workspace: Workspace, tmp_path: Path):
    report = workspace.load("responses", write(tmp_path, "r.csv", GOOD))
    assert (report.rows, report.inserted, report.updated) == (4, 4, 0)
    frame = snapshot(workspace, "responses")
    assert list(frame["response_id"]) == ["r1", "r2", "r3", "r4"]
    assert list(frame["kind"]) == ["nps", "nps", "csat", "ces"]  # 'NPS' normalised
    assert list(frame["score"]) == [9, 3, 5, 7]
    assert frame.loc[0, "comment"] == "muy bien,\ngracias"  # a comment spanning lines
    assert pd.isna(frame.loc[1, "comment"])  # empty cell -> NULL
    assert pd.Timestamp(frame.loc[3, "responded_at"]) == pd.Timestamp("2026-02-03 08:30:00")


def test_reloading_the_same_file_changes_nothing(workspace: Workspace, tmp_path: Path):
    path = write(tmp_path, "r.csv", GOOD)
    workspace.load("responses", path)
    before = snapshot(workspace, "responses")
    report = workspace.load("responses", path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 4, 4)
    pd.testing.assert_frame_equal(snapshot(workspace, "responses"), before)


def test_bad_file_is_rejected_whole_and_workspace_is_untouched(
    workspace: Workspace, tmp_path: Path
):
    workspace.load("responses", write(tmp_path, "r.csv", GOOD))
    before = snapshot(workspace, "responses")
    with pytest.raises(ValidationError) as err:
        workspace.load("responses", write(tmp_path, "bad.csv", BAD))
    found = {(p.row, p.column, p.reason.split(" (")[0]) for p in err.value.problems}
    assert found == {
        (2, "score", "out of range for kind 'nps'"),
        (3, "account_id", "required value is missing"),
        (3, "responded_at", "not a date-time"),
        (4, "kind", "must be one of: nps, csat, ces, yes_no"),
        (4, "score", "not a whole number, or beyond ±9.2e18"),
        (5, "score", "out of range for kind 'ces'"),
        (5, "response_id", "duplicate key: the same response_id as row 4"),
    }
    assert err.value.total == 7
    message = str(err.value)
    assert "bad.csv" in message and "nothing was loaded" in message
    pd.testing.assert_frame_equal(snapshot(workspace, "responses"), before)


def test_changed_rows_replace_by_key(duck: Workspace, tmp_path: Path):
    duck.load("responses", write(tmp_path, "r.csv", GOOD))
    changed = GOOD.replace("r3,a2,csat,5", "r3,a2,csat,1") + "r5,a3,nps,10,2026-03-01,\n"
    report = duck.load("responses", write(tmp_path, "r2.csv", changed))
    assert (report.inserted, report.updated, report.unchanged) == (1, 4, 3)
    frame = snapshot(duck, "responses").set_index("response_id")
    assert frame.loc["r3", "score"] == 1
    assert len(frame) == 5


def test_many_problems_are_summarised_by_kind_with_a_count_each(duck: Workspace, tmp_path: Path):
    rows = ["response_id,account_id,kind,score,responded_at"]
    rows += [f"r{i},a1,nps,42,2026-01-01" for i in range(500)]
    rows += [f"r{i},a1,nps,5,2026-01-01" for i in range(300)]  # 300 repeated keys
    with pytest.raises(ValidationError) as err:
        duck.load("responses", write(tmp_path, "many.csv", "\n".join(rows) + "\n"))
    assert err.value.total == 800
    counts = {(k.column, k.reason.split(" (")[0]): k.count for k in err.value.kinds}
    assert counts == {
        ("score", "out of range for kind 'nps'"): 500,
        ("response_id", "duplicate key: the same response_id as row 2"): 300,
    }
    score = err.value.kinds[0]
    assert [p.row for p in score.examples] == [2, 3, 4, 5, 6]
    assert [p.row for p in err.value.kinds[1].examples] == [502, 503, 504, 505, 506]
    message = str(err.value)
    assert "500 rows" in message and "300 rows" in message and "800 problems of 2 kinds" in message
    assert duck.count("responses") == 0


def test_missing_required_column_is_a_file_level_problem(duck: Workspace, tmp_path: Path):
    path = write(tmp_path, "r.csv", "response_id,kind,score\nr1,nps,3\n")
    with pytest.raises(ValidationError) as err:
        duck.load("responses", path)
    columns = {p.column for p in err.value.problems}
    assert columns == {"account_id", "responded_at"}
    assert all(p.row is None for p in err.value.problems)


def test_column_mapping_from_user_names(duck: Workspace, tmp_path: Path):
    path = write(
        tmp_path,
        "export.csv",
        "id;cliente;tipo;nota;fecha\nx1;c9;nps;10;2026-05-01\nx2;c9;csat;2;2026-05-02\n",
    )
    mapping = {
        "id": "response_id",
        "cliente": "account_id",
        "tipo": "kind",
        "nota": "score",
        "fecha": "responded_at",
    }
    report = duck.load("responses", path, mapping=mapping)
    assert report.inserted == 2
    assert sorted(duck.table("responses").score.execute()) == [2, 10]


def test_mapping_to_unknown_column_is_rejected(duck: Workspace, tmp_path: Path):
    path = write(tmp_path, "r.csv", GOOD)
    with pytest.raises(ValidationError, match="unknown column 'nota'"):
        duck.load("responses", path, mapping={"score": "nota"})


def test_parquet_folder_excel_and_frames(duck: Workspace, tmp_path: Path):
    accounts = pd.DataFrame(
        {
            "account_id": ["a1", "a2", "a3"],
            "segment": ["SMB", "Enterprise", "SMB"],
            "start_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
            "mrr": [100.0, 2500.5, 80.0],
            "licenses": [5, 200, 3],
        }
    )
    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(pa.Table.from_pandas(accounts.iloc[:2]), folder / "part-0.parquet")
    pq.write_table(pa.Table.from_pandas(accounts.iloc[2:]), folder / "part-1.parquet")
    assert duck.load("accounts", folder).rows == 3
    excel = tmp_path / "accounts.xlsx"
    accounts.assign(mrr=[101.0, 2500.5, 80.0]).to_excel(excel, index=False)
    report = duck.load("accounts", excel)
    assert (report.inserted, report.updated, report.unchanged) == (0, 3, 2)
    import polars as pl

    report = duck.load("accounts", pl.from_pandas(accounts))
    assert report.updated == 3
    report = duck.load("accounts", pa.Table.from_pandas(accounts))
    assert report.unchanged == 3
    frame = snapshot(duck, "accounts")
    assert frame["mrr"].tolist() == [100.0, 2500.5, 80.0]
    assert frame["licenses"].tolist() == [5, 200, 3]


def test_parquet_problem_rows_are_record_numbers(duck: Workspace, tmp_path: Path):
    frame = pd.DataFrame({"account_id": ["a1", "a2"], "start_date": ["2025-01-01", "nope"]})
    path = tmp_path / "a.parquet"
    pq.write_table(pa.Table.from_pandas(frame), path)
    with pytest.raises(ValidationError) as err:
        duck.load("accounts", path)
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "start_date")]


def test_unreadable_sources_say_what_to_do(duck: Workspace, tmp_path: Path):
    with pytest.raises(SourceError, match="file not found"):
        duck.load("responses", tmp_path / "nope.csv")
    with pytest.raises(SourceError, match="unknown file type"):
        duck.load("responses", write(tmp_path, "r.json", "{}"))
    with pytest.raises(ValidationError, match="empty"):
        duck.load("responses", write(tmp_path, "empty.csv", ""))


def test_booleans_accept_spanish_and_english_words(duck: Workspace, tmp_path: Path):
    text = (
        "ticket_id,account_id,opened_at,status,priority,first_contact_resolution\n"
        "t1,a1,2026-01-01,resolved,high,sí\n"
        "t2,a1,2026-01-01,resolved,low,no\n"
        "t3,a1,2026-01-01,open,urgent,\n"
        "t4,a1,2026-01-01,closed,normal,TRUE\n"
    )
    duck.load("tickets", write(tmp_path, "t.csv", text))
    values = snapshot(duck, "tickets")["first_contact_resolution"].tolist()
    assert values[:2] == [True, False] and pd.isna(values[2]) and values[3] is True
    bad = text.replace("TRUE", "maybe")
    with pytest.raises(ValidationError, match="not true/false"):
        duck.load("tickets", write(tmp_path, "t2.csv", bad))


def test_problems_in_a_folder_of_parquet_files_name_the_file(duck: Workspace, tmp_path: Path):
    folder = tmp_path / "parts"
    folder.mkdir()
    ok = pd.DataFrame({"account_id": ["a1", "a2"], "start_date": ["2025-01-01", "2025-01-02"]})
    bad = pd.DataFrame({"account_id": ["a3", "a1"], "start_date": ["2025-01-03", "bad"]})
    pq.write_table(pa.Table.from_pandas(ok), folder / "part-0.parquet")
    pq.write_table(pa.Table.from_pandas(bad), folder / "part-1.parquet")
    with pytest.raises(ValidationError) as err:
        duck.load("accounts", folder)
    shown = [(Path(p.file).name if p.file else None, p.row, p.column) for p in err.value.problems]
    assert sorted(shown) == [
        ("part-1.parquet", 2, "account_id"),
        ("part-1.parquet", 2, "start_date"),
    ]
    duplicate = next(p for p in err.value.problems if p.key == "data.problem.duplicate_key")
    assert "part-0.parquet" in duplicate.reason  # the duplicate's first occurrence
    assert "file_row_number" not in str(err.value)
    assert duck.count("accounts") == 0


def test_missing_dates_stay_missing_on_every_backend(workspace: Workspace, tmp_path: Path):
    text = (
        "ticket_id,account_id,opened_at,first_response_at,resolved_at,status,priority\n"
        "t1,a1,2026-01-01 09:00,2026-01-01 10:30,,open,high\n"
        "t2,a1,2026-01-02 09:00,,,open,low\n"
    )
    path = write(tmp_path, "t.csv", text)
    workspace.load("tickets", path)
    again = workspace.load("tickets", path)
    assert again.unchanged == 2
    frame = snapshot(workspace, "tickets")
    assert pd.Timestamp(frame.loc[0, "first_response_at"]) == pd.Timestamp("2026-01-01 10:30")
    assert frame["resolved_at"].isna().all() and pd.isna(frame.loc[1, "first_response_at"])
