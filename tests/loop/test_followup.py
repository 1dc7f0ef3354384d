"""After resolution: a follow-up survey to the same contact, answered through the collector;
the answer feeds the recovery indicator. Also: the collector's hook opens cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cxpulse import store
from cxpulse.collect.answers import answer_invitation, parse_response_input, record_response
from cxpulse.collect.invitations import create_invitation
from cxpulse.collect.surveys import create_survey
from cxpulse.loop import (
    LoopContext,
    case_history,
    loop_indicators,
    register_context,
    resolve_and_follow_up,
    unregister_context,
)
from cxpulse.loop.errors import LoopError
from cxpulse.loop.followup import send_followup
from cxpulse.loop.rules import parse_loop_config
from cxpulse.store import Case, Invitation, OutboxMessage

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def project_rules(store_url):  # type: ignore[no-untyped-def]
    ctx = LoopContext(
        config=parse_loop_config(
            {
                "rules": [
                    {
                        "name": "detractors",
                        "trigger": {"kind": "detractor"},
                        "action": {"followup_survey": "followup-nps", "owner": "ana@example.com"},
                    }
                ]
            }
        ),
        language="es",
        base_url="https://cx.example",
    )
    register_context(store_url, ctx)
    yield ctx
    unregister_context(store_url)


def test_detractor_answer_through_collector_then_followup_recovers(
    store_url, project_rules
) -> None:
    with store.session(store_url) as s:
        survey = create_survey(s, "rel-nps", "nps")
        create_survey(s, "followup-nps", "nps")
        issued = create_invitation(
            s,
            survey,
            account_id="ACME",
            contact_id="c-9",
            email="cliente@acme.example",
            base_url="https://cx.example",
        )
        answer_invitation(s, issued.token, 2, comment="No funciona la integración")
    with store.session(store_url) as s:
        case = s.scalars(select(Case)).one()  # the registered project rules applied
        assert case.owner == "ana@example.com" and case.contact_id == "c-9"
        cid = case.id
    with store.session(store_url) as s:
        resolve_and_follow_up(s, cid, actor="ana@example.com", text="Integración corregida")
    with store.session(store_url) as s:
        case = s.get(Case, cid)
        assert case is not None and case.status == "resolved"
        invitation = s.get(Invitation, case.followup_invitation_id)
        assert invitation is not None
        assert invitation.email == "cliente@acme.example" and invitation.account_id == "ACME"
        kinds = [e.kind for e in case_history(s, cid)]
        assert kinds[-2:] == ["status_changed", "followup_sent"]
        emails = [m.payload for m in s.scalars(select(OutboxMessage))]
        assert any(p.get("to") == ["cliente@acme.example"] for p in emails)
        # a second request returns the same invitation
        assert send_followup(s, cid, "followup-nps").id == invitation.id
    with store.session(store_url) as s:
        before = loop_indicators(s)
    assert before.followups_sent == 1 and before.recovery_rate.n == 0
    # the customer answers the follow-up as a promoter; we need the token: issue directly
    with store.session(store_url) as s:
        record_response(
            s,
            parse_response_input({"survey": "followup-nps", "account_id": "ACME", "score": 10}),
        )
    with store.session(store_url) as s:
        after = loop_indicators(s)
    assert after.recovery_rate.n == 0  # an answer not tied to the invitation does not count


def test_followup_answered_by_link_counts_as_recovered(store_url, project_rules) -> None:
    with store.session(store_url) as s:
        survey = create_survey(s, "followup-nps", "nps")
        case = Case(
            account_id="ACME",
            contact_id="c-1",
            trigger="detractor",
            rule="detractors",
            title="t",
            priority="high",
            status="resolved",
            created_at=T0,
            due_at=T0 + timedelta(hours=48),
            resolved_at=T0 + timedelta(hours=3),
            first_contact_at=T0 + timedelta(hours=3),
        )
        s.add(case)
        s.flush()
        issued = create_invitation(
            s, survey, account_id="ACME", contact_id="c-1", base_url="https://cx.example"
        )
        case.followup_invitation_id = issued.invitation.id
    with store.session(store_url) as s:
        answer_invitation(s, issued.token, 9)
    with store.session(store_url) as s:
        got = loop_indicators(s)
    assert got.recovery_rate.n == 1 and got.recovery_rate.value == 1.0


def test_followup_refused_before_resolution(store_url, project_rules) -> None:
    with store.session(store_url) as s:
        create_survey(s, "followup-nps", "nps")
        case = Case(
            account_id="ACME",
            trigger="detractor",
            title="t",
            priority="high",
            status="open",
            created_at=T0,
            due_at=T0,
        )
        s.add(case)
        s.flush()
        with pytest.raises(LoopError, match="after resolving it"):
            send_followup(s, case.id, "followup-nps")
