"""Answers exported from other tools are imported all or nothing, and re-imports update."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from cxpulse import collect, store
from cxpulse.errors import ValidationError
from cxpulse.store import SurveyResponse

EXPORT = (
    "Response ID,Score,Company,Comment,Date,Lang\n"
    "r1,10,acme,Excelente,2026-01-05 10:00:00,es\n"
    "r2,3,beta,Slow support,2026-01-06T11:00:00+00:00,en\n"
    "r3,7,acme,,2026-01-07,es\n"
)
MAPPING = {
    "Response ID": "external_id",
    "Score": "score",
    "Company": "account_id",
    "Comment": "comment",
    "Date": "responded_at",
    "Lang": "language",
}


def test_export_is_imported_with_column_mapping(
    tmp_path: Path, store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, "utf-8")
    with store.session(store_url) as s:
        report = collect.import_responses(s, path, survey=nps_survey, mapping=MAPPING)
    assert (report.rows, report.inserted, report.updated, report.unchanged) == (3, 3, 0, 0)
    with store.session(store_url) as s:
        rows = s.scalars(select(SurveyResponse).order_by(SurveyResponse.score)).all()
    assert [(r.score, r.account_id, r.comment, r.language) for r in rows] == [
        (3, "beta", "Slow support", "en"),
        (7, "acme", None, "es"),
        (10, "acme", "Excelente", "es"),
    ]
    assert rows[0].responded_at.isoformat() == "2026-01-06T11:00:00+00:00"
    assert all(r.source == "import" and r.kind == "nps" for r in rows)


def test_reimport_is_idempotent_and_updates_changed_rows(
    tmp_path: Path, store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, "utf-8")
    with store.session(store_url) as s:
        collect.import_responses(s, path, survey=nps_survey, mapping=MAPPING)
    path.write_text(EXPORT.replace("r2,3,beta", "r2,6,beta"), "utf-8")
    with store.session(store_url) as s:
        report = collect.import_responses(s, path, survey=nps_survey, mapping=MAPPING)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    assert stored() == 3
    with store.session(store_url) as s:
        assert (
            s.scalar(select(SurveyResponse.score).where(SurveyResponse.account_id == "beta")) == 6
        )


def test_file_with_a_bad_row_is_rejected_and_nothing_is_stored(
    tmp_path: Path, store_url: str, nps_survey: str, stored: Callable[[], int]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "survey,score,account_id,comment\n"
        "nps-rel,9,acme,ok\n"
        "nps-rel,12,acme,too high\n"
        "nope,5,acme,unknown survey\n"
        f"csat-support,4,beta,{'x' * 5001}\n"
        "csat-support,4.5,beta,half\n",
        "utf-8",
    )
    with pytest.raises(ValidationError) as err, store.session(store_url) as s:
        collect.import_responses(s, path)
    problems = {(p.row, p.column) for p in err.value.problems}
    assert problems == {(2, "score"), (3, "survey"), (4, "comment"), (5, "score")}
    assert stored() == 0


def test_missing_required_column_names_the_mapping_option(
    tmp_path: Path, store_url: str, nps_survey: str
) -> None:
    path = tmp_path / "nocol.csv"
    path.write_text("Score,Comment\n9,ok\n", "utf-8")
    with pytest.raises(ValidationError, match="--map"), store.session(store_url) as s:
        collect.import_responses(s, path, survey=nps_survey, mapping={"Score": "score"})
