"""Opening a case with a dedup key: one insert, no savepoint, and still exactly one case."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cxpulse import store
from cxpulse.loop.cases import case_history, open_case_once
from cxpulse.store.tables import Case, CaseEvent

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        found = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        found = request.getfixturevalue("pg_url")
    store.migrate(found)
    return found


def _open(s: object, key: str, owner: str | None = "ana@example.com") -> tuple[Case, bool]:
    return open_case_once(
        s,  # type: ignore[arg-type]
        account_id="ACME",
        trigger="detractor",
        rule="detractors",
        dedup_key=key,
        title="NPS 2 from ACME",
        priority="high",
        sla_hours=24,
        owner=owner,
        at=AT,
        text="Muy lento",
    )


def test_same_key_gives_the_same_case_in_and_across_transactions(url: str) -> None:
    with store.session(url) as s:
        case, created = _open(s, "response:1:detractors")
        again, created_again = _open(s, "response:1:detractors", owner="other@example.com")
        assert created and not created_again
        assert again.id == case.id
        # the new case reads back its workflow state without another query
        assert (case.status, case.priority, case.owner) == ("open", "high", "ana@example.com")
        assert case.due_at is not None and case.due_at > case.created_at
        first_id = case.id
    with store.session(url) as s:
        later, created_later = _open(s, "response:1:detractors")
        assert not created_later and later.id == first_id
        other, created_other = _open(s, "response:2:detractors")
        assert created_other and other.id != first_id
    store.dispose_engines()
    with store.session(url) as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 2
        stored = s.get(Case, first_id)
        assert stored is not None
        assert (stored.status, stored.owner, stored.title) == (
            "open",
            "ana@example.com",
            "NPS 2 from ACME",
        )
        kinds = [e.kind for e in case_history(s, first_id)]
        assert kinds == ["opened", "assigned"]  # events written once, for the first opening
        assert s.scalar(select(func.count()).select_from(CaseEvent)) == 4
    store.dispose_engines()


def test_a_rolled_back_opening_leaves_the_key_free(url: str) -> None:
    with pytest.raises(RuntimeError), store.session(url) as s:
        _open(s, "response:9:detractors")
        raise RuntimeError("the answer's transaction fails")
    with store.session(url) as s:
        case, created = _open(s, "response:9:detractors")
        assert created and case.id is not None
    store.dispose_engines()
