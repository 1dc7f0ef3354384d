"""The cases inbox: filter, search, sort and page cases in the store (one query per page).

Workspace facts (account names and segments) come from the caller as sets of account ids,
so the store query stays one SQL statement and the inbox works with any workspace.

>>> from datetime import UTC, datetime
>>> from cxpulse import store
>>> from cxpulse.loop.cases import open_case
>>> store.migrate("sqlite://")
>>> with store.session("sqlite://") as s:
...     _ = open_case(s, account_id="A1", trigger="detractor", title="NPS 2", priority="high",
...                   sla_hours=24, at=datetime(2026, 1, 5, tzinfo=UTC))
...     page = inbox(s, InboxQuery(sla="breached"), now=datetime(2026, 1, 7, tzinfo=UTC))
...     page.total, page.rows[0].sla.state
(1, 'breached')
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from cxpulse.loop import workflow
from cxpulse.loop.workflow import PRIORITIES, STATUSES, as_utc
from cxpulse.store.tables import Case, utcnow

SLA_CHOICES = ("breached", "due_soon", "ok")
SORTS = ("due", "created", "priority", "status", "owner", "updated")
DUE_SOON = timedelta(hours=24)
PER_PAGE = 25
UNASSIGNED = "none"
_OPEN = [s.value for s in workflow.OPEN_STATUSES]


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox shows. ``status``: "open" (default), "all" or one status; ``owner``:
    an owner, or "none" for unassigned; ``sla``: breached, due_soon or ok; ``accounts``: only
    these account ids (a segment); ``search``: text in the title or id, or ``search_accounts``
    (account ids whose name matches)."""

    status: str = "open"
    origin: str | None = None
    owner: str | None = None
    priority: str | None = None
    sla: str | None = None
    accounts: Collection[str] | None = None
    search: str = ""
    search_accounts: Collection[str] = ()
    sort: str = "due"
    descending: bool = False
    page: int = 1
    per_page: int = PER_PAGE


@dataclass(frozen=True)
class SlaView:
    """Where a case stands against its SLA (time to first contact)."""

    state: str  # breached, due_soon, ok, met, missed, none
    hours_left: float | None  # negative once breached; None when contacted or closed


@dataclass(frozen=True)
class InboxRow:
    case: Case
    sla: SlaView


@dataclass
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)  # open, breached, unassigned, mine

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def sla_view(c: Case, now: datetime) -> SlaView:
    """SLA state of one case at ``now``."""
    due = as_utc(c.due_at) if c.due_at is not None else None
    if c.first_contact_at is not None:
        if due is None:
            return SlaView("met", None)
        return SlaView("met" if as_utc(c.first_contact_at) <= due else "missed", None)
    if c.status not in _OPEN or due is None:
        return SlaView("none", None)
    left = (due - now).total_seconds() / 3600
    if left < 0:
        return SlaView("breached", left)
    return SlaView("due_soon" if left <= DUE_SOON.total_seconds() / 3600 else "ok", left)


def _where(query: Select[tuple[Case]], q: InboxQuery, now: datetime) -> Select[tuple[Case]]:
    if q.status == "open":
        query = query.where(Case.status.in_(_OPEN))
    elif q.status in STATUSES:
        query = query.where(Case.status == q.status)
    if q.origin:
        query = query.where(Case.trigger == q.origin)
    if q.owner == UNASSIGNED:
        query = query.where(Case.owner.is_(None))
    elif q.owner:
        query = query.where(Case.owner == q.owner)
    if q.priority in PRIORITIES:
        query = query.where(Case.priority == q.priority)
    waiting = (Case.first_contact_at.is_(None), Case.status.in_(_OPEN))
    if q.sla == "breached":
        query = query.where(*waiting, Case.due_at < now)
    elif q.sla == "due_soon":
        query = query.where(*waiting, Case.due_at >= now, Case.due_at <= now + DUE_SOON)
    elif q.sla == "ok":
        query = query.where(or_(Case.first_contact_at.is_not(None), Case.due_at > now + DUE_SOON))
    if q.accounts is not None:
        query = query.where(Case.account_id.in_(list(q.accounts)))
    text = "".join(ch for ch in q.search if ch.isprintable()).strip()
    if text:
        like = f"%{text.lower()}%"
        terms: list[ColumnElement[bool]] = [
            func.lower(Case.title).like(like),
            func.lower(Case.account_id).like(like),
        ]
        if text.lstrip("#").isdigit():
            terms.append(Case.id == int(text.lstrip("#")))
        if q.search_accounts:
            terms.append(Case.account_id.in_(list(q.search_accounts)))
        query = query.where(or_(*terms))
    return query


def _order(q: InboxQuery) -> list[Any]:
    rank = case({p: i for i, p in enumerate(PRIORITIES)}, value=Case.priority, else_=-1)
    column: Any = {
        "due": Case.due_at,
        "created": Case.created_at,
        "priority": rank,
        "status": Case.status,
        "owner": Case.owner,
        "updated": Case.updated_at,
    }.get(q.sort if q.sort in SORTS else "due", Case.due_at)
    first = column.desc() if q.descending else column.asc()
    return [first, Case.id.desc()]


def inbox(
    session: Session,
    q: InboxQuery | None = None,
    *,
    now: datetime | None = None,
    me: str | None = None,
) -> InboxPage:
    """One page of the inbox, the total behind it, and counts for the inbox header."""
    q = q or InboxQuery()
    at = as_utc(now) if now is not None else utcnow()
    per_page = max(1, min(int(q.per_page), 200))
    page = max(1, int(q.page))
    base = _where(select(Case), q, at)
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    page = min(page, max(1, math.ceil(total / per_page)))
    rows: list[Case] = list(
        session.scalars(base.order_by(*_order(q)).limit(per_page).offset((page - 1) * per_page))
    )
    open_ = Case.status.in_(_OPEN)
    counts_row = session.execute(
        select(
            func.count().filter(open_),
            func.count().filter(open_, Case.first_contact_at.is_(None), Case.due_at < at),
            func.count().filter(open_, Case.owner.is_(None)),
            func.count().filter(open_, Case.owner == (me or "")),
        ).select_from(Case)
    ).one()
    counts = dict(
        zip(("open", "breached", "unassigned", "mine"), (int(v) for v in counts_row), strict=True)
    )
    return InboxPage(
        rows=[InboxRow(c, sla_view(c, at)) for c in rows],
        total=total,
        page=page,
        per_page=per_page,
        counts=counts,
    )


def origins(session: Session) -> list[str]:
    """The origins (triggers) cases in the store have, for the filter menu."""
    return sorted(str(t) for t in session.scalars(select(Case.trigger).distinct()))


def owners(session: Session) -> list[str]:
    """Everyone who owns a case, for the filter menu."""
    return sorted(str(o) for o in session.scalars(select(Case.owner).distinct()) if o)


def bulk_assign(session: Session, case_ids: Collection[int], owner: str, *, actor: str) -> int:
    """Assign several cases at once (each change in its history); returns how many."""
    from cxpulse.loop.cases import assign_case

    done = 0
    for case_id in sorted(set(case_ids)):
        assign_case(session, case_id, owner, actor=actor)
        done += 1
    return done
