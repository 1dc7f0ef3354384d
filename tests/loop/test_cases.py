"""Cases in the store: opening from answers (idempotent), workflow with history, listing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cxpulse import store
from cxpulse.loop.cases import (
    CaseFilter,
    assign_case,
    case_history,
    change_case_status,
    classify_case,
    comment_case,
    get_case,
    is_case_breached,
    list_cases,
    open_case,
    resolve_case,
)
from cxpulse.loop.context import LoopContext
from cxpulse.loop.errors import CaseNotFoundError, InvalidTransitionError
from cxpulse.loop.hooks import on_band_changes, on_response
from cxpulse.loop.rules import BandChange, parse_loop_config
from cxpulse.store import Case, CaseEvent, OutboxMessage

T0 = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def _ctx(**loop: object) -> LoopContext:
    owners = {"A1": "ana@example.com", "A2": "Bruno"}
    return LoopContext(
        config=parse_loop_config(loop),
        language="en",
        base_url="http://cx.test",
        owner_of=owners.get,
    )


def test_detractor_opens_one_case_assigned_to_owner_with_email_queued(store_url, answer) -> None:
    ctx = _ctx(email_to=["lead@example.com"])
    with store.session(store_url) as s:
        row = answer(s, 3, comment="Muy lento el soporte")
        cases = on_response(s, row, ctx, now=T0)
        again = on_response(s, row, ctx, now=T0 + timedelta(minutes=1))
        response_id = row.id
    assert len(cases) == 1 and again[0].id == cases[0].id
    with store.session(store_url) as s:
        case = s.scalars(select(Case)).one()
        assert case.owner == "ana@example.com"
        assert case.response_id == response_id and case.contact_id == "c-1"
        assert case.trigger == "detractor" and case.rule == "detractors"
        assert case.priority == "high"
        assert case.due_at == T0 + timedelta(hours=48)
        assert case.title == "NPS 3 from account A1"
        outbox = s.scalars(select(OutboxMessage)).all()
        assert len(outbox) == 1 and outbox[0].channel == "email"
        assert outbox[0].payload["to"] == ["ana@example.com", "lead@example.com"]
        assert f"http://cx.test/cases/{case.id}" in outbox[0].payload["body"]
        assert "Muy lento el soporte" in outbox[0].payload["body"]
        kinds = [e.kind for e in case_history(s, case.id)]
        assert kinds == ["opened", "assigned"]


def test_promoter_and_passive_open_nothing(store_url, answer) -> None:
    with store.session(store_url) as s:
        assert on_response(s, answer(s, 9), _ctx()) == []
        assert on_response(s, answer(s, 7), _ctx()) == []
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_two_rules_open_two_cases_for_one_answer_and_webhook_is_queued(store_url, answer) -> None:
    ctx = _ctx(
        webhook_url="http://127.0.0.1:9/hook",
        default_owner="team@example.com",
        rules=[
            {"name": "detractors", "trigger": {"kind": "detractor"}},
            {
                "name": "billing",
                "trigger": {"kind": "theme", "keywords": ["factura"]},
                "action": {
                    "priority": "normal",
                    "sla_hours": 72,
                    "notify": ["webhook"],
                    "category": "billing",
                },
            },
        ],
    )
    with store.session(store_url) as s:
        cases = on_response(s, answer(s, 2, account_id="ZZ", comment="La factura llegó mal"), ctx)
    assert [c.rule for c in cases] == ["detractors", "billing"]
    assert cases[0].owner == "team@example.com"  # no account owner: the default
    assert cases[1].category == "billing"
    with store.session(store_url) as s:
        channels = sorted(m.channel for m in s.scalars(select(OutboxMessage)))
        hook = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).one()
    assert channels == ["email", "webhook"]
    assert hook.payload["data"]["case"]["rule"] == "billing"


def test_band_drop_into_red_opens_a_case_once(store_url) -> None:
    ctx = _ctx(
        rules=[
            {
                "name": "red",
                "trigger": {"kind": "health_red"},
                "action": {"priority": "urgent", "sla_hours": 24},
            }
        ]
    )
    drop = BandChange("A2", "yellow", "red", at=T0, score_before=55, score_after=31)
    stay = BandChange("A1", "red", "red", at=T0)
    with store.session(store_url) as s:
        first = on_band_changes(s, [drop, stay], ctx, now=T0)
        second = on_band_changes(s, [drop], ctx, now=T0 + timedelta(hours=1))
    assert len(first) == 1 and second[0].id == first[0].id
    assert first[0].owner == "Bruno" and first[0].priority == "urgent"
    assert first[0].title == "Health Red: account A2 (55 → 31)"


def test_workflow_writes_full_history_and_times(store_url) -> None:
    with store.session(store_url) as s:
        case = open_case(
            s, account_id="A1", trigger="manual", title="t", priority="normal", sla_hours=24, at=T0
        )
        cid = case.id
    steps = [
        lambda s: assign_case(s, cid, "bob@example.com", actor="ana", at=T0 + timedelta(hours=1)),
        lambda s: change_case_status(
            s, cid, "in_progress", actor="bob", at=T0 + timedelta(hours=2)
        ),
        lambda s: comment_case(
            s, cid, "Llamé al cliente", actor="bob", contact=True, at=T0 + timedelta(hours=3)
        ),
        lambda s: classify_case(s, cid, "onboarding", actor="bob", at=T0 + timedelta(hours=4)),
        lambda s: resolve_case(
            s, cid, actor="bob", text="Plan acordado", at=T0 + timedelta(hours=5)
        ),
        lambda s: change_case_status(s, cid, "closed", actor="ana", at=T0 + timedelta(hours=6)),
    ]
    for step in steps:
        with store.session(store_url) as s:
            step(s)
    with store.session(store_url) as s:
        case = get_case(s, cid)
        history = case_history(s, cid)
        assert case.status == "closed" and case.owner == "bob@example.com"
        assert case.category == "onboarding"
        assert case.first_contact_at == T0 + timedelta(hours=3)
        assert case.resolved_at == T0 + timedelta(hours=5)
        assert case.closed_at == T0 + timedelta(hours=6)
        assert not is_case_breached(case, T0 + timedelta(days=9))
        assert [(e.kind, e.from_status, e.to_status) for e in history] == [
            ("opened", None, "open"),
            ("assigned", None, None),
            ("status_changed", "open", "in_progress"),
            ("contacted", None, None),
            ("classified", None, None),
            ("status_changed", "in_progress", "resolved"),
            ("status_changed", "resolved", "closed"),
        ]


def test_refused_change_stores_nothing(store_url) -> None:
    with store.session(store_url) as s:
        cid = open_case(
            s, account_id="A1", trigger="manual", title="t", priority="low", sla_hours=1, at=T0
        ).id
        change_case_status(s, cid, "closed", actor="a", at=T0)
    with pytest.raises(InvalidTransitionError), store.session(store_url) as s:
        change_case_status(s, cid, "in_progress", actor="a")
    with (
        pytest.raises(CaseNotFoundError, match="case 999 does not exist"),
        store.session(store_url) as s,
    ):
        get_case(s, 999)
    with store.session(store_url) as s:
        assert get_case(s, cid).status == "closed"
        assert s.scalar(select(func.count()).select_from(CaseEvent)) == 2


def test_list_filters_and_overdue(store_url) -> None:
    with store.session(store_url) as s:
        a = open_case(
            s,
            account_id="A1",
            trigger="detractor",
            title="a",
            priority="high",
            sla_hours=2,
            owner="ana",
            at=T0,
        ).id
        b = open_case(
            s,
            account_id="A2",
            trigger="csat_low",
            title="b",
            priority="low",
            sla_hours=100,
            owner="bob",
            at=T0,
        ).id
        c = open_case(
            s,
            account_id="A1",
            trigger="detractor",
            title="c",
            priority="high",
            sla_hours=1,
            owner="ana",
            at=T0,
        ).id
        comment_case(s, c, "called", actor="ana", contact=True, at=T0 + timedelta(minutes=30))
    now = T0 + timedelta(hours=5)
    with store.session(store_url) as s:

        def ids(**kw: object) -> list[int]:
            return [x.id for x in list_cases(s, CaseFilter(**kw), now=now)]  # type: ignore[arg-type]

        assert ids(overdue=True) == [a]
        assert sorted(ids(owner="ana")) == sorted([a, c])
        assert ids(priority="low") == [b]
        assert sorted(ids(trigger="detractor", account_id="A1")) == sorted([a, c])
        assert ids(status=["resolved"]) == []
        assert ids() == [c, a, b]  # soonest due first


def test_comment_added_after_the_score_lands_in_the_case_history_once(store_url, answer) -> None:
    ctx = _ctx()
    with store.session(store_url) as s:
        row = answer(s, 1)
        (case,) = on_response(s, row, ctx, now=T0)
        row.comment = "Nadie me llamó"
        on_response(s, row, ctx, now=T0 + timedelta(minutes=2))
        on_response(s, row, ctx, now=T0 + timedelta(minutes=3))  # same comment: no repeat
        history = case_history(s, case.id)
    said = [(e.kind, e.actor, e.text) for e in history if e.actor == "customer"]
    assert said == [("commented", "customer", "Nadie me llamó")]


def test_dated_band_changes_from_the_health_package_are_idempotent(store_url) -> None:
    from datetime import date

    from cxpulse.health.bands import BandChange as HealthBandChange

    ctx = _ctx(rules=[{"name": "red", "trigger": {"kind": "health_red"}}])
    change = HealthBandChange("A1", "yellow", "red", date(2026, 4, 1), 52.0, 28.0, "expert")
    with store.session(store_url) as s:
        first = on_band_changes(s, [change], ctx, now=T0)
    with store.session(store_url) as s:
        second = on_band_changes(s, [change], ctx, now=T0 + timedelta(days=3))
        assert s.scalar(select(func.count()).select_from(Case)) == 1
    assert first[0].id == second[0].id and first[0].owner == "ana@example.com"


def test_concurrent_openers_of_the_same_thing_get_one_case(store_url) -> None:
    import threading

    barrier = threading.Barrier(4)
    ids: list[int] = []
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            # Start together; on SQLite the store then queues writers one at a time, so the
            # barrier must come before the session (a writer holds the lock for its whole
            # session), while PostgreSQL runs the four transactions truly concurrently.
            barrier.wait(timeout=10)
            with store.session(store_url) as s:
                case = open_case(
                    s,
                    account_id="A1",
                    trigger="detractor",
                    title="t",
                    priority="high",
                    sla_hours=48,
                    dedup_key="response:77:detractors",
                    at=T0,
                )
                ids.append(case.id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    assert len(set(ids)) == 1 and len(ids) == 4
    with store.session(store_url) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
        assert s.scalar(select(func.count()).select_from(CaseEvent)) == 1
