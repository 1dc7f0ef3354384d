"""Recording answers: from an invitation link, from the API (idempotent) or from an import.

Every function here works inside the caller's transaction; the caller commits before it
tells anybody the answer was taken (the web layer answers 2xx only after the commit).
Invalid input raises before anything is written.

>>> from cxpulse import store
>>> from cxpulse.collect.surveys import create_survey
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     _ = create_survey(s, "nps-q1", "nps")
...     data = parse_response_input({"survey": "nps-q1", "score": 3, "account_id": "acme"})
...     first = record_response(s, data, idempotency_key="k-1")
...     again = record_response(s, data, idempotency_key="k-1")
...     (first.created, again.created, first.response.id == again.response.id)
(True, False, True)
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, field_validator
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from cxpulse.collect.errors import (
    IdempotencyConflictError,
    InvalidAnswerError,
    InvitationExpiredError,
)
from cxpulse.collect.invitations import find_invitation
from cxpulse.collect.surveys import get_survey, scale
from cxpulse.errors import InvalidValueError
from cxpulse.store.tables import MAX_COMMENT_CHARS, Survey, SurveyResponse, utcnow

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY_CHARS = 300
# answers dated further ahead than this are a client clock or unit error
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ResponseInput(BaseModel):
    """One answer as a client sends it (API body, import row)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    survey: str = Field(min_length=1, max_length=100, description="survey slug (or id)")
    score: StrictInt = Field(description="NPS 0-10, CSAT 1-5, CES 1-7")
    account_id: Short = Field(description="the customer account the answer belongs to")
    contact_id: Short | None = None
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_CHARS)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$", description="es, en, pt")
    channel: str | None = Field(default=None, max_length=50, description="email, web, in-app")
    touchpoint: str | None = Field(default=None, max_length=100)
    responded_at: datetime | None = Field(default=None, description="default: now (UTC)")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL, and no survey tool sends one on purpose
        if isinstance(value, str) and "\x00" in value:
            raise InvalidValueError(key="collect.error.value_nul")
        return value


@dataclass(frozen=True)
class RecordResult:
    """The stored answer, its survey, and whether this call created it (False: updated or
    replayed)."""

    response: SurveyResponse
    created: bool
    survey: Survey | None = None


def _explain(exc: PydanticValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def parse_response_input(data: Mapping[str, Any] | Any) -> ResponseInput:
    """Validate a decoded JSON object as an answer; raises :class:`InvalidAnswerError`."""
    if not isinstance(data, Mapping):
        raise InvalidAnswerError(key="collect.error.body_not_object")
    try:
        return ResponseInput.model_validate(dict(data))
    except PydanticValidationError as exc:
        raise InvalidAnswerError(
            key="collect.error.invalid_answer", values={"reason": _explain(exc)}
        ) from None


def check_score(survey: Survey, score: int) -> None:
    """Raise :class:`InvalidAnswerError` unless ``score`` is on the survey's scale."""
    low, high = scale(survey.kind)
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        raise InvalidAnswerError(
            key="collect.error.out_of_scale",
            values={
                "score": score,
                "kind": survey.kind.upper(),
                "slug": survey.slug,
                "low": low,
                "high": high,
            },
        )


def check_comment(comment: str | None) -> str | None:
    """The comment stripped (``None`` when empty); refuses more than 5000 characters."""
    if comment is None:
        return None
    text = comment.strip()
    if "\x00" in text:
        raise InvalidAnswerError(key="collect.error.comment_nul")
    if len(text) > MAX_COMMENT_CHARS:
        raise InvalidAnswerError(
            key="collect.error.comment_length",
            values={"n": len(text), "limit": MAX_COMMENT_CHARS},
        )
    return text or None


def check_responded_at(value: datetime | None) -> datetime:
    """The answer time in UTC (now when absent); refuses times in the future."""
    if value is None:
        return utcnow()
    try:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        value = datetime.min.replace(tzinfo=UTC)
    if value < EARLIEST:
        raise InvalidAnswerError(
            key="collect.error.responded_too_early",
            values={"value": value.isoformat(), "earliest": f"{EARLIEST:%Y-%m-%d}"},
        )
    if value > utcnow() + FUTURE_TOLERANCE:
        raise InvalidAnswerError(
            key="collect.error.responded_in_future", values={"value": value.isoformat()}
        )
    return value


def request_hash(data: ResponseInput) -> str:
    """Fingerprint of a validated request: retries with the same key must match it."""
    canonical = json.dumps(data.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _replay(session: Session, key: str, fingerprint: str) -> SurveyResponse | None:
    existing = session.scalar(select(SurveyResponse).where(SurveyResponse.idempotency_key == key))
    if existing is None:
        return None
    if existing.request_hash != fingerprint:
        raise IdempotencyConflictError(
            key="collect.error.idempotency_reused",
            values={"idempotency_key": repr(key), "id": existing.id},
        )
    return existing


def record_response(
    session: Session,
    data: ResponseInput,
    *,
    idempotency_key: str | None = None,
    source: str = "api",
    surveys: dict[str, Survey] | None = None,
) -> RecordResult:
    """Store one answer. With ``idempotency_key``, a retry returns the first answer.

    Same key and same request: the stored answer, ``created=False``. Same key and another
    request: :class:`IdempotencyConflictError`. Unknown survey, closed survey, score off the
    scale or an oversized comment raise before anything is written. ``surveys`` memoizes
    survey lookups by reference for several answers recorded in one transaction.
    """
    key = idempotency_key.strip() if idempotency_key is not None else None
    if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY_CHARS:
        raise InvalidAnswerError(
            key="collect.error.idempotency_length", values={"most": MAX_IDEMPOTENCY_KEY_CHARS}
        )
    survey = surveys.get(data.survey) if surveys is not None else None
    if survey is None:
        survey = get_survey(session, data.survey)
        if surveys is not None:
            surveys[data.survey] = survey
    if not survey.active:
        raise InvitationExpiredError(key="collect.error.closed", values={"slug": survey.slug})
    check_score(survey, data.score)
    comment = check_comment(data.comment)
    responded_at = check_responded_at(data.responded_at)
    fingerprint = request_hash(data) if key is not None else None
    now = utcnow()
    response = SurveyResponse(
        survey_id=survey.id,
        account_id=data.account_id,
        contact_id=data.contact_id,
        kind=survey.kind,
        score=data.score,
        comment=comment,
        language=data.language,
        channel=data.channel or source,
        touchpoint=data.touchpoint or survey.touchpoint,
        responded_at=responded_at,
        idempotency_key=key,
        request_hash=fingerprint,
        source=source,
        created_at=now,
        updated_at=now,
    )
    # Insert first and look for an earlier answer only when the key is taken: a first
    # attempt (the common case) costs one statement, and two racing retries cannot both win.
    if key is not None and session.get_bind().dialect.name in _UPSERT_DIALECTS:
        new_id = _insert_unless_key_exists(session, response)
        if new_id is None:
            previous = _replay(session, key, fingerprint or "")
            if previous is None:  # pragma: no cover - the key's row vanished mid-transaction
                raise InvalidAnswerError(
                    key="collect.error.idempotency_busy", values={"idempotency_key": repr(key)}
                )
            return RecordResult(previous, created=False, survey=survey)
        response.id = new_id
        make_transient_to_detached(response)
        session.add(response)  # persistent without a read-back
    else:
        try:
            with session.begin_nested():
                session.add(response)
        except IntegrityError:
            if key is None or fingerprint is None:
                raise
            previous = _replay(session, key, fingerprint)
            if previous is None:
                raise
            return RecordResult(previous, created=False, survey=survey)
    run_loop_hook(session, response)
    return RecordResult(response, created=True, survey=survey)


_UPSERT_DIALECTS = ("sqlite", "postgresql")
_INSERT_COLUMNS = (
    "survey_id",
    "account_id",
    "contact_id",
    "kind",
    "score",
    "comment",
    "language",
    "channel",
    "touchpoint",
    "responded_at",
    "idempotency_key",
    "request_hash",
    "source",
    "created_at",
    "updated_at",
)


def _upsert_statement(dialect: str) -> Any:
    """The prepared ``INSERT ... ON CONFLICT (idempotency_key) DO NOTHING RETURNING id``
    (built once per dialect: SQLAlchemy then reuses its compiled form by identity)."""
    statement = _UPSERT_STATEMENTS.get(dialect)
    if statement is None:
        from sqlalchemy.dialects import postgresql, sqlite

        module: Any = postgresql if dialect == "postgresql" else sqlite
        statement = (
            module.insert(SurveyResponse)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(SurveyResponse.id)
        )
        _UPSERT_STATEMENTS[dialect] = statement
    return statement


_UPSERT_STATEMENTS: dict[str, Any] = {}


def _insert_unless_key_exists(session: Session, response: SurveyResponse) -> int | None:
    """Insert the answer unless one with its key exists: the new id, or ``None`` when an
    answer with this key is stored (no error, so no savepoint is needed)."""
    values = {name: getattr(response, name) for name in _INSERT_COLUMNS}
    statement = _upsert_statement(session.get_bind().dialect.name)
    new_id = session.connection().execute(statement, values).scalar()
    return int(new_id) if new_id is not None else None


def answer_invitation(
    session: Session,
    token: str,
    score: int | None,
    *,
    comment: str | None = None,
    language: str | None = None,
    channel: str = "link",
) -> RecordResult:
    """Record (or change) the answer to an invitation link: one answer per invitation.

    A second submission updates the same stored answer (new score and/or comment) and
    returns ``created=False``; it never adds a second row.
    """
    if language is not None and not LANGUAGE_CODE.match(language):
        language = None  # a page parameter, not worth refusing an answer for
    invitation = find_invitation(session, token, for_update=True)
    survey = session.get(Survey, invitation.survey_id)
    if survey is None or not survey.active:
        raise InvitationExpiredError(key="collect.error.closed_link")
    if score is not None:
        check_score(survey, score)
    text = check_comment(comment)
    existing = session.scalar(
        select(SurveyResponse).where(SurveyResponse.invitation_id == invitation.id)
    )
    now = utcnow()
    if existing is not None:
        if score is not None:
            existing.score = score
        if comment is not None:
            existing.comment = text
        if language:
            existing.language = language
        existing.updated_at = now
        invitation.responded_at = now
        session.flush()
        run_loop_hook(session, existing)
        return RecordResult(existing, created=False, survey=survey)
    if score is None:
        raise InvalidAnswerError(
            key="collect.error.score_first",
            values={"low": scale(survey.kind)[0], "high": scale(survey.kind)[1]},
        )
    response = SurveyResponse(
        survey_id=survey.id,
        invitation_id=invitation.id,
        account_id=invitation.account_id,
        contact_id=invitation.contact_id,
        kind=survey.kind,
        score=score,
        comment=text,
        language=language or survey.language,
        channel=channel,
        touchpoint=survey.touchpoint,
        responded_at=now,
        source="link",
        created_at=now,
        updated_at=now,
    )
    session.add(response)
    session.flush()
    invitation.responded_at = now
    invitation.response_id = response.id
    run_loop_hook(session, response)
    return RecordResult(response, created=True, survey=survey)


def run_loop_hook(session: Session, response: SurveyResponse) -> None:
    """Let the closed loop react to a stored answer (``cxpulse.loop.on_response``).

    It runs in a savepoint of the same transaction: when the hook succeeds, the answer and
    the case it opens commit together; when it fails, the answer is still kept and the
    error is logged (losing an answer is worse than a missing follow-up).
    """
    try:
        from cxpulse.loop import on_response  # type: ignore[attr-defined]
        from cxpulse.loop.hooks import reacts_to
    except ImportError:
        return
    try:
        # most answers fire no rule (promoters, passives): no savepoint for them
        if not reacts_to(session, response):
            return
    except Exception:  # let the hook itself run, and report, as before
        log.debug("closed-loop rule check failed for %s", response.id, exc_info=True)
    try:
        with session.begin_nested():
            on_response(session, response)
    except Exception:
        log.exception("closed-loop hook failed for survey response %s", response.id)
