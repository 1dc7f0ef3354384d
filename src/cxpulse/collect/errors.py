"""Errors of survey collection. Each carries the HTTP status an API answers with."""

from __future__ import annotations

from cxpulse.errors import CxpulseError


class CollectError(CxpulseError):
    """Survey collection refused an input; nothing was stored."""

    http_status = 400


class UnknownSurveyError(CollectError):
    """No survey with that slug or id."""

    http_status = 404


class SurveyExistsError(CollectError):
    """A survey with that slug already exists."""

    http_status = 409


class InvalidAnswerError(CollectError):
    """An answer breaks a rule: score outside the scale, comment too long, bad field."""

    http_status = 422


class InvitationNotFoundError(CollectError):
    """The invitation link is unknown (mistyped, or never issued)."""

    http_status = 404


class InvitationExpiredError(CollectError):
    """The invitation link is past its expiry date, or its survey was closed."""

    http_status = 410


class IdempotencyConflictError(CollectError):
    """An Idempotency-Key was reused with a different request."""

    http_status = 409


def reject_nul(field: str, value: str | None) -> None:
    """Refuse text with a NUL character (PostgreSQL cannot store it; no person types it)."""
    if value is not None and "\x00" in value:
        raise CollectError(key="collect.error.field_nul", values={"field": field})
