"""Surveys: one NPS (0-10), CSAT (1-5) or CES (1-7) question with an optional comment.

>>> from cxpulse import store
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     survey = create_survey(s, "after-support", "csat", touchpoint="support")
...     (survey.kind, scale(survey.kind))
('csat', (1, 5))
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxpulse.collect.errors import (
    CollectError,
    SurveyExistsError,
    UnknownSurveyError,
    reject_nul,
)
from cxpulse.locale import gettext_addressed
from cxpulse.schema.tables import SCORE_RANGES, SURVEY_KINDS
from cxpulse.store.tables import SURVEY_LANGUAGES, Survey, utcnow

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


def scale(kind: str) -> tuple[int, int]:
    """The lowest and highest score of a survey kind: nps (0, 10), csat (1, 5), ces (1, 7)."""
    try:
        return SCORE_RANGES[kind]
    except KeyError:
        raise CollectError(
            key="collect.error.kind", values={"kind": kind, "kinds": ", ".join(SURVEY_KINDS)}
        ) from None


def create_survey(
    session: Session,
    slug: str,
    kind: str,
    *,
    touchpoint: str | None = None,
    language: str = "es",
    question_es: str | None = None,
    question_en: str | None = None,
    ask_comment: bool = True,
) -> Survey:
    """Add a survey. Without question texts the standard wording of its kind is used."""
    for field, text in (
        ("touchpoint", touchpoint),
        ("question_es", question_es),
        ("question_en", question_en),
    ):
        reject_nul(field, text)
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise CollectError(key="collect.error.slug", values={"slug": slug})
    scale(kind)
    if language not in SURVEY_LANGUAGES:
        raise CollectError(
            key="collect.error.language",
            values={"language": language, "languages": ", ".join(SURVEY_LANGUAGES)},
        )
    if session.scalar(select(Survey.id).where(Survey.slug == slug)) is not None:
        raise SurveyExistsError(key="collect.error.exists", values={"slug": slug})
    survey = Survey(
        slug=slug,
        kind=kind,
        touchpoint=(touchpoint or None),
        language=language,
        question_es=question_es or None,
        question_en=question_en or None,
        ask_comment=ask_comment,
        active=True,
        created_at=utcnow(),
    )
    session.add(survey)
    session.flush()
    return survey


def get_survey(session: Session, ref: str | int) -> Survey:
    """The survey with this slug (or numeric id). Raises :class:`UnknownSurveyError`."""
    survey: Survey | None
    if isinstance(ref, str) and "\x00" in ref:
        survey = None
    elif isinstance(ref, int) or (isinstance(ref, str) and ref.isascii() and ref.isdigit()):
        number = int(ref)
        survey = session.get(Survey, number) if 0 < number < 2**31 else None
    else:
        survey = session.scalar(select(Survey).where(Survey.slug == ref.strip().lower()))
    if survey is None:
        raise UnknownSurveyError(key="collect.error.unknown_survey", values={"ref": ref})
    return survey


def list_surveys(session: Session, *, active_only: bool = False) -> list[Survey]:
    """Every survey, newest first."""
    query = select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
    if active_only:
        query = query.where(Survey.active.is_(True))
    return list(session.scalars(query))


def set_survey_active(session: Session, ref: str | int, active: bool) -> Survey:
    """Open or close a survey (a closed survey takes no new answers)."""
    survey = get_survey(session, ref)
    survey.active = active
    return survey


def question_text(survey: Survey, lang: str, formality: str = "tu") -> str:
    """The question in ``lang``: the survey's own text, else the standard one for its kind,
    addressing the reader as ``formality`` ("tu" or "usted", ``[surveys] formality``) says."""
    own = survey.question_en if lang == "en" else survey.question_es
    if own:
        return own
    other = survey.question_es if lang == "en" else survey.question_en
    default = gettext_addressed(f"collect.question.{survey.kind}", lang, formality)
    return default if default != f"collect.question.{survey.kind}" else (other or "")
