"""The case workflow as a pure state machine: no I/O, only values in and values out.

Every operation takes the current :class:`CaseState` and returns a :class:`Change`: the new
state plus the :class:`CaseEvent` rows that record it, so the store keeps a full history.

Statuses: open -> in_progress -> waiting_customer -> resolved -> closed (with the shortcuts
and re-openings in :data:`TRANSITIONS`). The SLA is time to first customer contact: a case is
breached when it was not contacted by ``due_at``.

>>> from datetime import datetime, timezone
>>> t0 = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
>>> change = register(at=t0, priority="high", sla_hours=48, owner="ana@example.com")
>>> change.state.status.value, change.state.due_at.isoformat()
('open', '2026-01-07T09:00:00+00:00')
>>> change = change_status(change.state, "resolved", actor="ana", at=t0)
>>> change.state.status.value, change.state.first_contact_at == t0
('resolved', True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from cxpulse.loop.errors import InvalidTransitionError


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


STATUSES: tuple[str, ...] = tuple(s.value for s in CaseStatus)
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")

# Closed is final; a resolved case can be re-opened (back to in progress) or closed.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset(
        {
            CaseStatus.IN_PROGRESS,
            CaseStatus.WAITING_CUSTOMER,
            CaseStatus.RESOLVED,
            CaseStatus.CLOSED,
        }
    ),
    CaseStatus.IN_PROGRESS: frozenset(
        {CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.WAITING_CUSTOMER: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.RESOLVED: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}

# Entering these statuses means somebody reached the customer.
CONTACT_STATUSES = frozenset({CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED})
OPEN_STATUSES = frozenset({CaseStatus.OPEN, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER})

EVENT_KINDS = (
    "opened",
    "assigned",
    "classified",
    "prioritized",
    "commented",
    "contacted",
    "status_changed",
    "followup_sent",
)


def as_utc(value: datetime) -> datetime:
    """A timezone-aware UTC datetime (naive values, as SQLite returns them, are UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class CaseState:
    """The workflow-relevant fields of one case."""

    status: CaseStatus
    priority: str
    owner: str | None
    category: str | None
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    first_contact_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class CaseEvent:
    """One history row: who did what, when, and the status before/after when it changed."""

    at: datetime
    actor: str
    kind: str
    from_status: str | None = None
    to_status: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Change:
    """The outcome of an operation: the new state and the events to record."""

    state: CaseState
    events: tuple[CaseEvent, ...]


def due_time(created_at: datetime, sla_hours: float) -> datetime:
    """When the first customer contact is due."""
    return as_utc(created_at) + timedelta(hours=sla_hours)


def is_breached(state: CaseState, now: datetime) -> bool:
    """True when the customer was not contacted by the due time (so far, if not yet)."""
    contacted = state.first_contact_at
    reference = as_utc(contacted) if contacted is not None else as_utc(now)
    return reference > as_utc(state.due_at)


def can_transition(current: str, target: str) -> bool:
    """Whether the workflow allows ``current -> target``."""
    return CaseStatus(target) in TRANSITIONS[CaseStatus(current)]


def register(
    *,
    at: datetime,
    priority: str,
    sla_hours: float,
    owner: str | None = None,
    category: str | None = None,
    actor: str = "system",
    text: str | None = None,
) -> Change:
    """A new open case with its SLA due time; records 'opened' (and 'assigned' if owned)."""
    _check_priority(priority)
    at = as_utc(at)
    state = CaseState(
        status=CaseStatus.OPEN,
        priority=priority,
        owner=owner,
        category=category,
        created_at=at,
        updated_at=at,
        due_at=due_time(at, sla_hours),
    )
    events = [CaseEvent(at=at, actor=actor, kind="opened", to_status="open", text=text)]
    if owner:
        events.append(CaseEvent(at=at, actor=actor, kind="assigned", text=owner))
    return Change(state, tuple(events))


def assign(state: CaseState, owner: str, *, actor: str, at: datetime) -> Change:
    """Give the case to ``owner``."""
    owner = owner.strip()
    if not owner:
        raise InvalidTransitionError(key="loop.error.empty_owner")
    _check_not_closed(state, "assign")
    at = as_utc(at)
    return Change(
        replace(state, owner=owner, updated_at=at),
        (CaseEvent(at=at, actor=actor, kind="assigned", text=owner),),
    )


def classify(state: CaseState, category: str, *, actor: str, at: datetime) -> Change:
    """Set the root-cause category (free text, e.g. 'billing', 'product bug')."""
    category = category.strip()
    if not category:
        raise InvalidTransitionError(key="loop.error.empty_category")
    at = as_utc(at)
    return Change(
        replace(state, category=category, updated_at=at),
        (CaseEvent(at=at, actor=actor, kind="classified", text=category),),
    )


def prioritize(state: CaseState, priority: str, *, actor: str, at: datetime) -> Change:
    """Change the priority."""
    _check_priority(priority)
    _check_not_closed(state, "change the priority of")
    at = as_utc(at)
    return Change(
        replace(state, priority=priority, updated_at=at),
        (CaseEvent(at=at, actor=actor, kind="prioritized", text=priority),),
    )


def comment(
    state: CaseState, text: str, *, actor: str, at: datetime, contact: bool = False
) -> Change:
    """Add a note; ``contact=True`` records that the customer was reached (first contact)."""
    text = text.strip()
    if not text:
        raise InvalidTransitionError(key="loop.error.empty_comment")
    at = as_utc(at)
    first = state.first_contact_at
    if contact and first is None:
        first = at
    kind = "contacted" if contact else "commented"
    return Change(
        replace(state, first_contact_at=first, updated_at=at),
        (CaseEvent(at=at, actor=actor, kind=kind, text=text),),
    )


def change_status(
    state: CaseState, target: str, *, actor: str, at: datetime, text: str | None = None
) -> Change:
    """Move to ``target`` if the workflow allows it; sets the contact/resolve/close times."""
    try:
        new = CaseStatus(target)
    except ValueError:
        raise InvalidTransitionError(
            key="loop.error.status", values={"status": target, "statuses": ", ".join(STATUSES)}
        ) from None
    if new not in TRANSITIONS[state.status]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[state.status])) or "none"
        raise InvalidTransitionError(
            key="loop.error.transition",
            values={"from": state.status.value, "to": new.value, "allowed": allowed},
        )
    at = as_utc(at)
    first = state.first_contact_at
    if new in CONTACT_STATUSES and first is None:
        first = at
    resolved = state.resolved_at
    closed = state.closed_at
    if new is CaseStatus.RESOLVED:
        resolved = at
    elif new is CaseStatus.CLOSED:
        closed = at
    else:  # re-opened or still working: no resolution stands
        resolved = None
    updated = replace(
        state,
        status=new,
        first_contact_at=first,
        resolved_at=resolved,
        closed_at=closed,
        updated_at=at,
    )
    event = CaseEvent(
        at=at,
        actor=actor,
        kind="status_changed",
        from_status=state.status.value,
        to_status=new.value,
        text=text,
    )
    return Change(updated, (event,))


def resolve(
    state: CaseState,
    *,
    actor: str,
    at: datetime,
    text: str | None = None,
    category: str | None = None,
) -> Change:
    """Resolve the case, optionally setting the root-cause category at the same time."""
    events: list[CaseEvent] = []
    if category:
        classified = classify(state, category, actor=actor, at=at)
        state = classified.state
        events.extend(classified.events)
    moved = change_status(state, CaseStatus.RESOLVED, actor=actor, at=at, text=text)
    return Change(moved.state, (*events, *moved.events))


def _check_priority(priority: str) -> None:
    if priority not in PRIORITIES:
        raise InvalidTransitionError(
            key="loop.error.priority",
            values={"priority": priority, "priorities": ", ".join(PRIORITIES)},
        )


def _check_not_closed(state: CaseState, verb: str) -> None:
    if state.status is CaseStatus.CLOSED:
        key = "loop.error.closed_assign" if verb == "assign" else "loop.error.closed_priority"
        raise InvalidTransitionError(key=key)
