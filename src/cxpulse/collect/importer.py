"""Importing answers exported from other survey tools (CSV), all or nothing.

Columns after ``mapping`` (your column -> ours): ``score`` and ``account_id`` (required),
``survey`` (the slug; optional when one survey is given for the whole file),
``responded_at`` (ISO 8601), ``comment``, ``contact_id``, ``language``, ``channel``,
``touchpoint`` and ``external_id`` (the other tool's answer id). Other columns are ignored.

Every row is checked before anything is written; one bad row rejects the file with row,
column and reason. Rows with an ``external_id`` are keyed on it, so importing the same
export again (or a later export that includes it) updates those answers instead of adding
copies. Imported history does not trigger the closed loop unless asked.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse.collect.answers import (
    ResponseInput,
    check_comment,
    check_responded_at,
    check_score,
    parse_response_input,
    request_hash,
    run_loop_hook,
)
from cxpulse.collect.errors import CollectError
from cxpulse.collect.surveys import get_survey
from cxpulse.errors import CxpulseError, Problem, ValidationError
from cxpulse.store.tables import Survey, SurveyResponse, utcnow

IMPORT_COLUMNS = (
    "survey",
    "score",
    "account_id",
    "contact_id",
    "comment",
    "language",
    "channel",
    "touchpoint",
    "responded_at",
    "external_id",
)
INTEGER = re.compile(r"^[+-]?\d+$")
MAX_PROBLEMS = 1000


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    source: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    ignored_columns: tuple[str, ...] = field(default=())
    seconds: float = 0.0

    def __str__(self) -> str:
        text = (
            f"{self.source}: {self.rows} answers ({self.inserted} new, {self.updated} updated, "
            f"{self.unchanged} unchanged) in {self.seconds:.2f}s"
        )
        if self.ignored_columns:
            text += f"; ignored columns: {', '.join(self.ignored_columns)}"
        return text


def _row_input(row: dict[str, str], survey_slug: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in row.items() if k in IMPORT_COLUMNS and v != ""}
    data.pop("external_id", None)
    if survey_slug is not None:
        data.setdefault("survey", survey_slug)
    score = data.get("score")
    if isinstance(score, str) and INTEGER.match(score):
        data["score"] = int(score)
    return data


def _problem_column(message: str) -> str | None:
    head = message.removeprefix("invalid answer: ").split(":", 1)[0]
    return head if head in IMPORT_COLUMNS else None


def _read_rows(source: Path, mapping: Mapping[str, str]) -> tuple[list[dict[str, str]], list[str]]:
    try:
        with source.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            rows = [
                {mapping.get(k, k): (v or "").strip() for k, v in raw.items() if k is not None}
                for raw in reader
            ]
    except FileNotFoundError:
        raise CollectError(key="collect.error.export_missing", values={"source": source}) from None
    except UnicodeDecodeError as exc:
        raise CollectError(
            key="collect.error.not_utf8", values={"source": source, "error": exc}
        ) from None
    renamed = [mapping.get(h, h) for h in header]
    missing = [c for c in ("score", "account_id") if c not in renamed]
    if missing:
        raise ValidationError(
            str(source),
            "survey_responses",
            [
                Problem(None, c, "required column is missing (map yours with --map)")
                for c in missing
            ],
        )
    ignored = [h for h, r in zip(header, renamed, strict=True) if r not in IMPORT_COLUMNS]
    return rows, ignored


def _validate(
    session: Session, source: str, rows: list[dict[str, str]], survey: Survey | None
) -> list[tuple[ResponseInput, Survey, str | None]]:
    problems: list[Problem] = []
    surveys: dict[str, Survey] = {}
    checked: list[tuple[ResponseInput, Survey, str | None]] = []
    for number, row in enumerate(rows, start=1):
        if survey is None and not row.get("survey"):
            problems.append(Problem(number, "survey", "is empty (or pass --survey)"))
            continue
        try:
            data = parse_response_input(_row_input(row, survey.slug if survey else None))
            target = surveys.get(data.survey)
            if target is None:
                target = get_survey(session, data.survey)
                surveys[data.survey] = target
            check_score(target, data.score)
            check_comment(data.comment)
            check_responded_at(data.responded_at)
        except CxpulseError as exc:
            message = str(exc).removesuffix(" Nothing was stored.")
            column = _problem_column(message) or (
                "score" if "score" in message else "survey" if "survey" in message else None
            )
            problems.append(Problem(number, column, message))
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        checked.append((data, target, row.get("external_id") or None))
    if problems:
        raise ValidationError(source, "survey_responses", problems, len(problems))
    return checked


def import_responses(
    session: Session,
    path: str | Path,
    *,
    survey: str | int | None = None,
    mapping: Mapping[str, str] | None = None,
    run_loop: bool = False,
) -> ImportReport:
    """Import a CSV of answers into the store (in the caller's transaction).

    >>> # with store.session(url) as s:
    >>> #     import_responses(s, "delighted.csv", survey="nps-q1",
    >>> #                      mapping={"Score": "score", "Company": "account_id"})
    """
    started = time.perf_counter()
    source = Path(path)
    rows, ignored = _read_rows(source, dict(mapping or {}))
    fixed = get_survey(session, survey) if survey is not None else None
    checked = _validate(session, str(source), rows, fixed)
    inserted = updated = unchanged = 0
    now = utcnow()
    for data, target, external_id in checked:
        key = f"import:{target.slug}:{external_id}" if external_id else None
        fingerprint = request_hash(data)
        existing = (
            session.scalar(select(SurveyResponse).where(SurveyResponse.idempotency_key == key))
            if key is not None
            else None
        )
        if existing is not None and existing.request_hash == fingerprint:
            unchanged += 1
            continue
        response = existing or SurveyResponse(
            survey_id=target.id, idempotency_key=key, source="import", created_at=now
        )
        response.survey_id = target.id
        response.account_id = data.account_id
        response.contact_id = data.contact_id
        response.kind = target.kind
        response.score = data.score
        response.comment = check_comment(data.comment)
        response.language = data.language
        response.channel = data.channel or "import"
        response.touchpoint = data.touchpoint or target.touchpoint
        response.responded_at = check_responded_at(data.responded_at)
        response.request_hash = fingerprint
        response.updated_at = now
        if existing is None:
            session.add(response)
            inserted += 1
        else:
            updated += 1
        if run_loop:
            session.flush()
            run_loop_hook(session, response)
    session.flush()
    return ImportReport(
        source=str(source),
        rows=len(rows),
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        ignored_columns=tuple(ignored),
        seconds=time.perf_counter() - started,
    )
