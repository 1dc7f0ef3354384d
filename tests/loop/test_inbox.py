"""The cases inbox (filters, SLA, search, sort, paging, counts), overrides, touchpoints,
contacts and replies, at-risk cases and titles in the reader's language, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cxpulse import store
from cxpulse.loop.cases import assign_case, case_history, comment_case, get_case, open_case
from cxpulse.loop.contacts import ContactInfo, contact_of_case, reply_template, save_contacts
from cxpulse.loop.inbox import InboxQuery, bulk_assign, inbox, sla_view
from cxpulse.loop.overrides import (
    OverrideError,
    active_overrides,
    end_override,
    override_history,
    set_override,
)
from cxpulse.loop.risk import accounts_with_open_cases, open_risk_case
from cxpulse.loop.titles import case_title
from cxpulse.loop.touchpoints import TouchpointError, account_touchpoints, log_touchpoint

T0 = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


def _seed(s) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    specs = [
        ("A1", "detractor", "high", 24, "ana@example.com", 0),
        ("A2", "detractor", "normal", 72, None, 1),
        ("A3", "health_red", "urgent", 48, "luis@example.com", 2),
        ("A1", "csat_low", "low", 120, None, 3),
    ]
    for account, trigger, prio, sla, owner, k in specs:
        c = open_case(
            s,
            account_id=account,
            trigger=trigger,
            title=f"{trigger} {account}",
            priority=prio,
            sla_hours=sla,
            owner=owner,
            at=T0 + timedelta(hours=k),
        )
        ids.append(c.id)
    return ids


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_inbox_filters_sla_search_sort_and_paging(store_url: str) -> None:
    now = T0 + timedelta(hours=30)  # A1's 24 h SLA is past; A3's 48 h is due within 24 h
    with store.session(store_url) as s:
        ids = _seed(s)
        everything = inbox(s, InboxQuery(), now=now, me="ana@example.com")
        assert everything.total == 4
        assert everything.counts == {"open": 4, "breached": 1, "unassigned": 2, "mine": 1}
        assert [r.case.id for r in inbox(s, InboxQuery(sla="breached"), now=now).rows] == [ids[0]]
        assert [r.case.id for r in inbox(s, InboxQuery(sla="due_soon"), now=now).rows] == [ids[2]]
        assert {r.case.id for r in inbox(s, InboxQuery(origin="detractor"), now=now).rows} == {
            ids[0],
            ids[1],
        }
        assert {r.case.id for r in inbox(s, InboxQuery(owner="none"), now=now).rows} == {
            ids[1],
            ids[3],
        }
        assert {r.case.id for r in inbox(s, InboxQuery(accounts=["A1"]), now=now).rows} == {
            ids[0],
            ids[3],
        }
        # search: by account name (ids the caller matched), by title text, by case number
        found = inbox(s, InboxQuery(search="Acme", search_accounts=["A2"]), now=now)
        assert [r.case.id for r in found.rows] == [ids[1]]
        assert [r.case.id for r in inbox(s, InboxQuery(search=f"#{ids[2]}"), now=now).rows] == [
            ids[2]
        ]
        by_priority = inbox(s, InboxQuery(sort="priority", descending=True), now=now)
        assert [r.case.priority for r in by_priority.rows] == ["urgent", "high", "normal", "low"]
        paged = inbox(s, InboxQuery(per_page=3, page=2), now=now)
        assert paged.total == 4 and paged.pages == 2 and len(paged.rows) == 1
        assert inbox(s, InboxQuery(per_page=3, page=99), now=now).page == 2  # clamped
        # countdown: hours left (negative once breached)
        view = sla_view(get_case(s, ids[0]), now)
        assert view.state == "breached" and view.hours_left == pytest.approx(-6.0)
        comment_case(s, ids[0], "called", actor="ana@example.com", at=now, contact=True)
        assert sla_view(get_case(s, ids[0]), now).state == "missed"
        assert bulk_assign(s, [ids[1], ids[3]], "marta@example.com", actor="admin@example.com") == 2
        assert inbox(s, InboxQuery(owner="none"), now=now).total == 0
        kinds = [e.kind for e in case_history(s, ids[1])]
        assert kinds[-1] == "assigned"


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
def test_override_is_audited_expires_and_validates(store_url: str) -> None:
    with store.session(store_url) as s:
        first = set_override(
            s, "A1", "yellow", reason="Signed the renewal", days=10, actor="ana@example.com", now=T0
        )
        second = set_override(
            s,
            "A1",
            "green",
            reason="Executive sponsor confirmed",
            days=30,
            actor="luis@example.com",
            now=T0 + timedelta(days=1),
        )
        assert active_overrides(s, now=T0 + timedelta(days=2))["A1"].id == second.id
        history = override_history(s, "A1")
        assert [o.id for o in history] == [second.id, first.id]
        assert history[1].ended_by == "luis@example.com"  # the first was ended by the second
        assert active_overrides(s, now=T0 + timedelta(days=40)) == {}  # expired
        end_override(s, second.id, actor="ana@example.com", now=T0 + timedelta(days=3))
        assert active_overrides(s, now=T0 + timedelta(days=4)) == {}
        for kwargs in ({"band": "blue"}, {"reason": "no"}, {"days": 0}, {"days": 400}):
            args = {"band": "red", "reason": "A good reason", "days": 5, **kwargs}
            with pytest.raises(OverrideError) as err:
                set_override(
                    s,
                    "A2",
                    str(args["band"]),
                    reason=str(args["reason"]),
                    days=int(args["days"]),
                    actor="ana",
                )  # type: ignore[arg-type]
            assert err.value.key is not None and err.value.message_in("es") != str(err.value)


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_touchpoint_on_a_case_counts_as_first_contact(store_url: str) -> None:
    with store.session(store_url) as s:
        case = open_case(
            s, account_id="A1", trigger="manual", title="x", priority="normal", sla_hours=24, at=T0
        )
        log_touchpoint(
            s,
            "A1",
            "call",
            actor="ana@example.com",
            note="Talked to María",
            case_id=case.id,
            at=T0 + timedelta(hours=2),
        )
        assert get_case(s, case.id).first_contact_at == T0 + timedelta(hours=2)
        assert [t.kind for t in account_touchpoints(s, "A1")] == ["call"]
        with pytest.raises(TouchpointError):
            log_touchpoint(s, "A1", "telepathy", actor="ana")


@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_contact_reply_in_the_contacts_language_and_titles_in_the_readers(store_url: str) -> None:
    with store.session(store_url) as s:
        save_contacts(s, [ContactInfo("c-9", "A1", "Emily Carter", "emily@acme.example", "en")])
        case = open_case(
            s,
            account_id="A1",
            trigger="detractor",
            contact_id="c-9",
            title="NPS 2 de la cuenta A1",
            priority="high",
            sla_hours=24,
            title_key="loop.title.response",
            title_values={"kind": "NPS", "score": 2, "account": "A1"},
            at=T0,
        )
        contact = contact_of_case(s, case)
        assert contact is not None and contact.email == "emily@acme.example"
        reply = reply_template(case, contact, sender="Ana", company="Acme", default_language="es")
        assert reply.language == "en" and reply.body.startswith("Hello Emily,")
        assert reply.to == "emily@acme.example"
        assert case_title(case, "es", "Acme S.A.") == "NPS 2 de la cuenta Acme S.A."
        assert case_title(case, "en", "Acme S.A.") == "NPS 2 from account Acme S.A."
        risk, created = open_risk_case(
            s,
            "A2",
            band="red",
            score=28.4,
            actor="ana",
            playbook="Call within 48 hours",
            owner="luis@example.com",
        )
        assert created and risk.owner == "luis@example.com" and risk.priority == "urgent"
        assert case_title(risk, "es") == "Plan para la cuenta A2 (banda Roja, puntaje 28)"
        assert case_history(s, risk.id)[0].text == "Call within 48 hours"
        assign_case(s, risk.id, "ana@example.com", actor="ana")
        again, created_again = open_risk_case(s, "A2", band="red", score=20, actor="ana")
        assert not created_again and again.id == risk.id
        assert accounts_with_open_cases(s) == {"A1": 1, "A2": 1}
