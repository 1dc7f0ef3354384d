"""Errors of the closed loop (all are :class:`cxpulse.errors.CxpulseError`)."""

from __future__ import annotations

from cxpulse.errors import CxpulseError


class LoopError(CxpulseError):
    """Something in the closed loop cannot be done."""


class InvalidTransitionError(LoopError):
    """The case workflow does not allow this change (message says what is allowed)."""


class CaseNotFoundError(LoopError):
    """No case has the given id."""

    def __init__(self, case_id: int) -> None:
        self.case_id = case_id
        super().__init__(key="loop.error.not_found", values={"id": case_id})


class DeliveryError(LoopError):
    """A notification could not be delivered this time (it stays in the outbox)."""


class PermanentDeliveryError(DeliveryError):
    """A notification that can never be delivered as written (no recipient, no URL)."""
