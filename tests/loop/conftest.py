"""Closed-loop fixtures: a migrated store on SQLite (file) and PostgreSQL, and answers in it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from cxpulse.store import Survey, SurveyResponse

AnswerMaker = Callable[..., SurveyResponse]


@pytest.fixture
def answer() -> AnswerMaker:
    """Store one survey answer (creating its survey) and return the flushed row."""

    def make(
        s: Session,
        score: int,
        *,
        kind: str = "nps",
        account_id: str = "A1",
        contact_id: str | None = "c-1",
        comment: str | None = None,
        invitation_id: int | None = None,
    ) -> SurveyResponse:
        survey = s.query(Survey).filter_by(slug=f"s-{kind}").one_or_none()
        if survey is None:
            survey = Survey(slug=f"s-{kind}", kind=kind)
            s.add(survey)
            s.flush()
        row = SurveyResponse(
            survey_id=survey.id,
            account_id=account_id,
            contact_id=contact_id,
            kind=kind,
            score=score,
            comment=comment,
            invitation_id=invitation_id,
        )
        s.add(row)
        s.flush()
        return row

    return make
