"""Cases in the operational store: open, read, list and change them through the workflow.

Each change goes through the pure state machine in :mod:`cxpulse.loop.workflow` and writes
its ``case_events`` rows in the same transaction, so the history is complete. Functions take a
SQLAlchemy session and flush; the caller commits (``with store.session(url) as s: ...``).

>>> from datetime import UTC, datetime
>>> from cxpulse import store
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     case = open_case(s, account_id="A1", trigger="manual", title="Call back",
...                      priority="normal", sla_hours=24, at=datetime(2026, 1, 5, tzinfo=UTC))
...     case = resolve_case(s, case.id, actor="ana", at=datetime(2026, 1, 5, 3, tzinfo=UTC))
...     [e.kind for e in case_history(s, case.id)]
['opened', 'status_changed']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from cxpulse.loop import workflow
from cxpulse.loop.errors import CaseNotFoundError, InvalidTransitionError
from cxpulse.loop.workflow import CaseState, CaseStatus, Change, as_utc
from cxpulse.store.tables import Case, CaseEvent, utcnow


def case_state(case: Case) -> CaseState:
    """The workflow view of a stored case."""
    created = as_utc(case.created_at)
    return CaseState(
        status=CaseStatus(case.status),
        priority=case.priority,
        owner=case.owner,
        category=case.category,
        created_at=created,
        updated_at=as_utc(case.updated_at or created),
        due_at=as_utc(case.due_at or created),
        first_contact_at=case.first_contact_at,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
    )


def _set_state(case: Case, state: CaseState) -> None:
    case.status = state.status.value
    case.priority = state.priority
    case.owner = state.owner
    case.category = state.category
    case.due_at = state.due_at
    case.first_contact_at = state.first_contact_at
    case.resolved_at = state.resolved_at
    case.closed_at = state.closed_at
    case.updated_at = state.updated_at


def _add_events(session: Session, case: Case, change: Change) -> None:
    for event in change.events:
        session.add(
            CaseEvent(
                case_id=case.id,
                at=event.at,
                actor=event.actor,
                kind=event.kind,
                from_status=event.from_status,
                to_status=event.to_status,
                text=event.text,
            )
        )


def _apply(session: Session, case: Case, change: Change) -> Case:
    _set_state(case, change.state)
    _add_events(session, case, change)
    session.flush()
    return case


def open_case(
    session: Session,
    *,
    account_id: str | None,
    trigger: str,
    title: str,
    priority: str,
    sla_hours: float,
    owner: str | None = None,
    category: str | None = None,
    contact_id: str | None = None,
    response_id: int | None = None,
    rule: str | None = None,
    dedup_key: str | None = None,
    actor: str = "system",
    at: datetime | None = None,
    text: str | None = None,
    title_key: str | None = None,
    title_values: dict[str, Any] | None = None,
) -> Case:
    """Register a case (status open, SLA due time set). With ``dedup_key``, opening the same
    thing twice returns the first case instead of a second one."""
    return open_case_once(
        session,
        account_id=account_id,
        trigger=trigger,
        title=title,
        priority=priority,
        sla_hours=sla_hours,
        owner=owner,
        category=category,
        contact_id=contact_id,
        response_id=response_id,
        rule=rule,
        dedup_key=dedup_key,
        actor=actor,
        at=at,
        text=text,
        title_key=title_key,
        title_values=title_values,
    )[0]


def open_case_once(
    session: Session,
    *,
    account_id: str | None,
    trigger: str,
    title: str,
    priority: str,
    sla_hours: float,
    owner: str | None = None,
    category: str | None = None,
    contact_id: str | None = None,
    response_id: int | None = None,
    rule: str | None = None,
    dedup_key: str | None = None,
    actor: str = "system",
    at: datetime | None = None,
    text: str | None = None,
    title_key: str | None = None,
    title_values: dict[str, Any] | None = None,
) -> tuple[Case, bool]:
    """:func:`open_case`, also saying whether the case was created now (False: it existed).

    ``title_key`` and ``title_values`` keep the title as a catalogue key so that every reader
    sees it in their language (:func:`cxpulse.loop.titles.case_title`)."""
    change = workflow.register(
        at=at or utcnow(),
        priority=priority,
        sla_hours=sla_hours,
        owner=owner,
        category=category,
        actor=actor,
        text=text,
    )
    state = change.state
    case = Case(
        account_id=account_id,
        contact_id=contact_id,
        response_id=response_id,
        trigger=trigger,
        rule=rule,
        dedup_key=dedup_key,
        title=title[:300],
        title_key=title_key,
        title_values=title_values,
        created_at=state.created_at,
    )
    dialect = session.get_bind().dialect.name
    if dedup_key is not None and dialect in _UPSERT_DIALECTS:
        # one statement, no savepoint: insert unless the key exists (a concurrent opener,
        # or this answer's case opened before), then read the existing case only then
        _set_state(case, state)
        case.followup_invitation_id = None
        session.flush()  # pending rows first: this insert bypasses the unit of work
        values = {name: getattr(case, name) for name in _CASE_COLUMNS}
        new_id = session.connection().execute(_upsert_statement(dialect), values).scalar()
        if new_id is None:
            existing = session.scalar(select(Case).where(Case.dedup_key == dedup_key))
            if existing is None:  # pragma: no cover - the key's row vanished mid-transaction
                raise InvalidTransitionError(f"case {dedup_key!r} is being opened; retry")
            return existing, False
        case.id = int(new_id)
        make_transient_to_detached(case)
        session.add(case)  # persistent without a read-back
        _add_events(session, case, change)
        session.flush()
        return case, True
    if dedup_key is not None:
        existing = session.scalar(select(Case).where(Case.dedup_key == dedup_key))
        if existing is not None:
            return existing, False
    if dedup_key is None:
        session.add(case)
        session.flush()
    else:
        # a concurrent opener may win the unique key between our check and insert
        try:
            with session.begin_nested():
                session.add(case)
                session.flush()
        except IntegrityError:
            winner = session.scalar(select(Case).where(Case.dedup_key == dedup_key))
            if winner is None:
                raise
            return winner, False
    return _apply(session, case, change), True


_UPSERT_DIALECTS = ("sqlite", "postgresql")
_CASE_COLUMNS = tuple(c.key for c in Case.__table__.columns if c.key != "id")
_UPSERT_STATEMENTS: dict[str, Any] = {}


def _upsert_statement(dialect: str) -> Any:
    """``INSERT INTO cases ... ON CONFLICT (dedup_key) DO NOTHING RETURNING id``."""
    statement = _UPSERT_STATEMENTS.get(dialect)
    if statement is None:
        from sqlalchemy.dialects import postgresql, sqlite

        module: Any = postgresql if dialect == "postgresql" else sqlite
        statement = (
            module.insert(Case)
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(Case.id)
        )
        _UPSERT_STATEMENTS[dialect] = statement
    return statement


def get_case(session: Session, case_id: int, *, for_update: bool = False) -> Case:
    """The case with this id, or :class:`CaseNotFoundError`."""
    query = select(Case).where(Case.id == case_id)
    if for_update:
        query = query.with_for_update()
    case = session.scalar(query)
    if case is None:
        raise CaseNotFoundError(case_id)
    return case


def case_history(session: Session, case_id: int) -> list[CaseEvent]:
    """Every event of a case, oldest first."""
    get_case(session, case_id)
    return list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.at, CaseEvent.id)
        )
    )


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to list. ``overdue`` means open and past the SLA without a contact."""

    status: Sequence[str] = ()
    owner: str | None = None
    priority: str | None = None
    account_id: str | None = None
    trigger: str | None = None
    overdue: bool = False
    open_only: bool = False


def _filtered(query: Select[tuple[Case]], flt: CaseFilter, now: datetime) -> Select[tuple[Case]]:
    if flt.status:
        query = query.where(Case.status.in_(list(flt.status)))
    if flt.open_only:
        query = query.where(Case.status.in_([s.value for s in workflow.OPEN_STATUSES]))
    if flt.owner:
        query = query.where(Case.owner == flt.owner)
    if flt.priority:
        query = query.where(Case.priority == flt.priority)
    if flt.account_id:
        query = query.where(Case.account_id == flt.account_id)
    if flt.trigger:
        query = query.where(Case.trigger == flt.trigger)
    if flt.overdue:
        query = query.where(
            Case.first_contact_at.is_(None),
            Case.due_at < now,
            Case.status.in_([s.value for s in workflow.OPEN_STATUSES]),
        )
    return query


def list_cases(
    session: Session,
    flt: CaseFilter | None = None,
    *,
    now: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Case]:
    """Cases matching ``flt``, soonest due first, then newest."""
    at = as_utc(now) if now is not None else utcnow()
    query = _filtered(select(Case), flt or CaseFilter(), at)
    query = query.order_by(Case.due_at.asc(), Case.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def is_case_breached(case: Case, now: datetime | None = None) -> bool:
    """SLA breach flag: not contacted by the due time (so far, for a case still waiting)."""
    return workflow.is_breached(case_state(case), now or utcnow())


def _change(session: Session, case_id: int, step: Callable[[CaseState], Change]) -> Case:
    case = get_case(session, case_id, for_update=True)
    return _apply(session, case, step(case_state(case)))


def assign_case(
    session: Session, case_id: int, owner: str, *, actor: str, at: datetime | None = None
) -> Case:
    """Give a case to ``owner`` (recorded in the history)."""
    when = at or utcnow()
    return _change(session, case_id, lambda s: workflow.assign(s, owner, actor=actor, at=when))


def classify_case(
    session: Session, case_id: int, category: str, *, actor: str, at: datetime | None = None
) -> Case:
    """Set the root-cause category of a case."""
    when = at or utcnow()
    return _change(session, case_id, lambda s: workflow.classify(s, category, actor=actor, at=when))


def prioritize_case(
    session: Session, case_id: int, priority: str, *, actor: str, at: datetime | None = None
) -> Case:
    """Change the priority of a case."""
    when = at or utcnow()
    return _change(
        session, case_id, lambda s: workflow.prioritize(s, priority, actor=actor, at=when)
    )


def comment_case(
    session: Session,
    case_id: int,
    text: str,
    *,
    actor: str,
    at: datetime | None = None,
    contact: bool = False,
) -> Case:
    """Add a note; ``contact=True`` records that the customer was reached."""
    when = at or utcnow()
    return _change(
        session,
        case_id,
        lambda s: workflow.comment(s, text, actor=actor, at=when, contact=contact),
    )


def change_case_status(
    session: Session,
    case_id: int,
    status: str,
    *,
    actor: str,
    at: datetime | None = None,
    text: str | None = None,
) -> Case:
    """Move a case to another status if the workflow allows it (else InvalidTransitionError)."""
    when = at or utcnow()
    return _change(
        session,
        case_id,
        lambda s: workflow.change_status(s, status, actor=actor, at=when, text=text),
    )


def resolve_case(
    session: Session,
    case_id: int,
    *,
    actor: str,
    at: datetime | None = None,
    text: str | None = None,
    category: str | None = None,
) -> Case:
    """Resolve a case, optionally classifying it (follow-up: :mod:`cxpulse.loop.followup`)."""
    when = at or utcnow()
    return _change(
        session,
        case_id,
        lambda s: workflow.resolve(s, actor=actor, at=when, text=text, category=category),
    )


def record_event(
    session: Session, case_id: int, kind: str, *, actor: str, text: str | None, at: datetime
) -> CaseEvent:
    """Append a non-status event (e.g. 'followup_sent') to a case's history."""
    if kind not in workflow.EVENT_KINDS:
        raise InvalidTransitionError(f"unknown case event kind {kind!r}")
    event = CaseEvent(case_id=case_id, at=as_utc(at), actor=actor, kind=kind, text=text)
    session.add(event)
    session.flush()
    return event
