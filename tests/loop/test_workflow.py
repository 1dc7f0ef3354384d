"""The pure case state machine: transitions, history, SLA and first contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxpulse.loop.errors import InvalidTransitionError
from cxpulse.loop.workflow import (
    STATUSES,
    TRANSITIONS,
    CaseStatus,
    assign,
    can_transition,
    change_status,
    classify,
    comment,
    is_breached,
    register,
    resolve,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_register_sets_due_time_from_sla_and_records_open_and_assignment() -> None:
    change = register(at=T0, priority="high", sla_hours=24, owner="ana@x.com")
    assert change.state.status is CaseStatus.OPEN
    assert change.state.due_at == T0 + timedelta(hours=24)
    assert [e.kind for e in change.events] == ["opened", "assigned"]
    assert change.events[0].to_status == "open"


def test_naive_times_are_taken_as_utc() -> None:
    change = register(at=T0.replace(tzinfo=None), priority="low", sla_hours=1)
    assert change.state.created_at == T0


def test_full_path_records_every_status_change_with_from_and_to() -> None:
    state = register(at=T0, priority="normal", sla_hours=48).state
    history = []
    for i, target in enumerate(["in_progress", "waiting_customer", "resolved", "closed"]):
        change = change_status(state, target, actor="ana", at=T0 + timedelta(hours=i + 1))
        state = change.state
        history.extend(change.events)
    assert [(e.from_status, e.to_status) for e in history] == [
        ("open", "in_progress"),
        ("in_progress", "waiting_customer"),
        ("waiting_customer", "resolved"),
        ("resolved", "closed"),
    ]
    # waiting for the customer means the customer was reached
    assert state.first_contact_at == T0 + timedelta(hours=2)
    assert state.resolved_at == T0 + timedelta(hours=3)
    assert state.closed_at == T0 + timedelta(hours=4)


def test_closed_is_final_and_errors_say_what_is_allowed() -> None:
    state = register(at=T0, priority="normal", sla_hours=48).state
    state = change_status(state, "closed", actor="ana", at=T0).state
    with pytest.raises(InvalidTransitionError, match="allowed: none"):
        change_status(state, "in_progress", actor="ana", at=T0)
    with pytest.raises(InvalidTransitionError, match="closed case"):
        assign(state, "bob", actor="ana", at=T0)


def test_unknown_status_and_priority_are_refused() -> None:
    state = register(at=T0, priority="normal", sla_hours=48).state
    with pytest.raises(InvalidTransitionError, match="unknown case status 'done'"):
        change_status(state, "done", actor="a", at=T0)
    with pytest.raises(InvalidTransitionError, match="unknown priority"):
        register(at=T0, priority="p1", sla_hours=1)


def test_reopening_a_resolved_case_clears_the_resolution() -> None:
    state = register(at=T0, priority="normal", sla_hours=48).state
    state = resolve(state, actor="a", at=T0 + timedelta(hours=1), category="billing").state
    assert state.category == "billing"
    state = change_status(state, "in_progress", actor="a", at=T0 + timedelta(hours=2)).state
    assert state.resolved_at is None
    assert state.first_contact_at == T0 + timedelta(hours=1)  # contact is not undone


def test_contact_comment_sets_first_contact_once() -> None:
    state = register(at=T0, priority="normal", sla_hours=48).state
    state = comment(state, "internal note", actor="a", at=T0 + timedelta(hours=1)).state
    assert state.first_contact_at is None
    change = comment(state, "called", actor="a", at=T0 + timedelta(hours=2), contact=True)
    assert change.events[0].kind == "contacted"
    state = comment(
        change.state, "called again", actor="a", at=T0 + timedelta(hours=3), contact=True
    ).state
    assert state.first_contact_at == T0 + timedelta(hours=2)


def test_breach_flag_follows_first_contact_against_due_time() -> None:
    state = register(at=T0, priority="high", sla_hours=48).state
    assert not is_breached(state, T0 + timedelta(hours=47))
    assert is_breached(state, T0 + timedelta(hours=49))
    late = comment(state, "called", actor="a", at=T0 + timedelta(hours=50), contact=True).state
    early = comment(state, "called", actor="a", at=T0 + timedelta(hours=5), contact=True).state
    assert is_breached(late, T0 + timedelta(hours=60))
    assert not is_breached(early, T0 + timedelta(days=30))


def test_classify_and_empty_inputs() -> None:
    state = register(at=T0, priority="normal", sla_hours=48).state
    assert classify(state, " product ", actor="a", at=T0).state.category == "product"
    with pytest.raises(InvalidTransitionError):
        classify(state, "  ", actor="a", at=T0)
    with pytest.raises(InvalidTransitionError):
        comment(state, "", actor="a", at=T0)


@given(st.lists(st.sampled_from(STATUSES), max_size=12))
def test_any_sequence_either_follows_the_table_or_is_refused_unchanged(targets: list[str]) -> None:
    state = register(at=T0, priority="normal", sla_hours=48).state
    for target in targets:
        before = state
        if CaseStatus(target) in TRANSITIONS[state.status]:
            change = change_status(state, target, actor="a", at=T0)
            assert change.state.status.value == target
            assert change.events[0].from_status == before.status.value
            state = change.state
        else:
            with pytest.raises(InvalidTransitionError):
                change_status(state, target, actor="a", at=T0)
            assert not can_transition(before.status, target)
        if state.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and state.resolved_at:
            assert state.first_contact_at is not None
